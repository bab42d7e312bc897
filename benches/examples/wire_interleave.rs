//! The wire protocol's round trip next to its floor, interleaved: `protocol/round_trip`
//! (`advance 0` and its `done` reply through the suite's `ProcessAdapter` and the
//! reference adapter in another process) and `protocol/pipe_floor` (the same line out
//! and a reply of the same size back over a bare pipe to an echo process) alternate in
//! blocks of 500 round trips, and each one's median block is printed with the ratio.
//! On a shared machine, load that changes between criterion's two measurements (seconds
//! apart) moves one and not the other; alternating every few milliseconds hits both
//! alike.
//!
//! `cargo build --release -p jwt-lifecycle-benches --bins --example wire_interleave`, then
//! `target/release/examples/wire_interleave ROUNDS` (the adapter and the echo program are
//! taken from the directory above the example's, where cargo puts this crate's binaries).

use jwt_lifecycle_benches::process::{started_process, PipeFloor};
use jwt_lifecycle_conformance::adapter::{Adapter, StepReply};
use jwt_lifecycle_spec::profile::ProfileId;
use std::hint::black_box;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

const BLOCK: u32 = 500;

/// A binary of this crate, next to the `examples/` directory this program runs from.
fn sibling(name: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let path = exe.parent()?.parent()?.join(name);
    path.exists().then_some(path)
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() -> ExitCode {
    let rounds: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(100).max(1);
    let (Some(adapter), Some(echo)) =
        (sibling("jwt-lifecycle-bench-adapter"), sibling("jwt-lifecycle-bench-pipe-echo"))
    else {
        eprintln!("wire_interleave: build the binaries first (cargo build --release -p jwt-lifecycle-benches --bins)");
        return ExitCode::from(2);
    };
    let (mut process, _) = started_process(vec![adapter.to_string_lossy().into_owned()]);
    if let Err(e) = process.start("bench/round-trip", ProfileId::ExponeaStream, 1_700_000_000_000) {
        eprintln!("wire_interleave: the adapter does not start a case: {e}");
        return ExitCode::from(1);
    }
    let mut floor = PipeFloor::start(&echo.to_string_lossy());
    let mut floor_us = Vec::with_capacity(rounds);
    let mut ours_us = Vec::with_capacity(rounds);
    let mut ratios = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let began = Instant::now();
        for _ in 0..BLOCK {
            black_box(floor.round_trip());
        }
        let f = began.elapsed().as_secs_f64() * 1e6 / f64::from(BLOCK);
        let began = Instant::now();
        for _ in 0..BLOCK {
            match process.advance(black_box(0)) {
                Ok(StepReply::Done(seen)) => black_box(seen.len()),
                other => {
                    eprintln!("wire_interleave: the adapter answered `advance 0` with {other:?}");
                    return ExitCode::from(1);
                }
            };
        }
        let o = began.elapsed().as_secs_f64() * 1e6 / f64::from(BLOCK);
        floor_us.push(f);
        ours_us.push(o);
        ratios.push(o / f);
    }
    process.finish();
    let (f, o) = (median(floor_us), median(ours_us));
    let mut sorted = ratios.clone();
    sorted.sort_by(f64::total_cmp);
    let quartile = |q: usize| sorted[(sorted.len() - 1) * q / 4];
    println!(
        "pipe_floor {f:.2} µs, round_trip {o:.2} µs (medians of {rounds} blocks of {BLOCK}): round_trip / pipe_floor {:.2}x; per-round ratio median {:.2}x, quartiles {:.2}x-{:.2}x",
        o / f,
        quartile(2),
        quartile(1),
        quartile(3)
    );
    ExitCode::SUCCESS
}
