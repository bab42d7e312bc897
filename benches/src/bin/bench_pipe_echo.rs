//! The far end of `protocol/pipe_floor`: answers every line read on stdin with one
//! fixed line on stdout, the size of an adapter's `done` reply to `advance`, with no
//! parsing and one write per reply. What a round trip with an adapter process costs
//! when the adapter and the suite do no work at all: the floor of the wire protocol.

use std::io::{BufRead, Write};
use std::process::ExitCode;

/// What the reference adapter answers `{"type":"advance","ms":0}` with.
const REPLY: &[u8] = b"{\"type\":\"done\",\"observations\":[]}\n";

fn main() -> ExitCode {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    // stdout unbuffered and locked once: each reply is exactly one write(2).
    let stdout = std::io::stdout();
    let mut output = stdout.lock();
    let mut line = Vec::with_capacity(256);
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) => return ExitCode::SUCCESS,
            Ok(_) => {}
            Err(e) => {
                eprintln!("jwt-lifecycle-bench-pipe-echo: {e}");
                return ExitCode::from(1);
            }
        }
        // A closed stdout ends the echo quietly, as the suite's adapters do.
        if output.write_all(REPLY).and_then(|()| output.flush()).is_err() {
            return ExitCode::SUCCESS;
        }
    }
}
