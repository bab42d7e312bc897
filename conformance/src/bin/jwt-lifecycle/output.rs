//! Standard output and standard error for every subcommand, and what their failures mean
//! for the exit code.
//!
//! Reports and lists go through [`Output`], never `println!`, which panics when stdout
//! is closed or full. A closed stdout (`jwt-lifecycle cases list | head -1`) ends the
//! command quietly: the reader has what it wanted. Any other write error (`> /dev/full`)
//! is an I/O error: exit 2 with a message. Diagnostics go through [`note!`], which never
//! panics either.

use std::io::{BufWriter, ErrorKind, Stdout, Write};
use std::process::ExitCode;

/// Exit code 1: a verdict (a failed case, a rejected token, drift, a violated property).
pub(crate) const VERDICT: u8 = 1;
/// Exit code 2: a usage or I/O error.
pub(crate) const USAGE_OR_IO: u8 = 2;

/// Writes a diagnostic line to stderr; a stderr that cannot be written is ignored,
/// since there is nowhere left to say so.
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
pub(crate) use note;

/// Writes a line to an [`Output`]; evaluates to `Result<(), Stop>`.
macro_rules! out {
    ($out:expr, $($arg:tt)*) => {
        $out.line(format_args!($($arg)*))
    };
}
pub(crate) use out;

/// Why a command stopped writing.
#[derive(Debug)]
pub(crate) enum Stop {
    /// The reader closed the pipe.
    Closed,
    /// Writing failed otherwise (disk full, I/O error).
    Failed(std::io::Error),
}

impl From<std::io::Error> for Stop {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == ErrorKind::BrokenPipe {
            Stop::Closed
        } else {
            Stop::Failed(e)
        }
    }
}

/// A subcommand's outcome: its exit code, or why its output stopped.
pub(crate) type Outcome = Result<ExitCode, Stop>;

/// Keeps `verdict` when the reader closed the pipe: the command's result was decided
/// before its report was written, and a pipe closed early does not change it.
pub(crate) fn or_verdict(written: Result<(), Stop>, verdict: ExitCode) -> Outcome {
    match written {
        Ok(()) | Err(Stop::Closed) => Ok(verdict),
        Err(failed) => Err(failed),
    }
}

/// Buffered stdout whose errors become [`Stop`].
pub(crate) struct Output {
    out: BufWriter<Stdout>,
}

impl Output {
    /// Standard output.
    pub(crate) fn stdout() -> Self {
        Self { out: BufWriter::new(std::io::stdout()) }
    }

    /// Writes `text` as it is.
    pub(crate) fn text(&mut self, text: &str) -> Result<(), Stop> {
        self.out.write_all(text.as_bytes()).map_err(Stop::from)
    }

    /// Writes one line.
    pub(crate) fn line(&mut self, line: std::fmt::Arguments<'_>) -> Result<(), Stop> {
        self.out.write_fmt(line).and_then(|()| self.out.write_all(b"\n")).map_err(Stop::from)
    }

    /// Writes out what is buffered (before a long computation, and at the end).
    pub(crate) fn flush(&mut self) -> Result<(), Stop> {
        self.out.flush().map_err(Stop::from)
    }

    /// Flushes and turns `outcome` into the process's exit code.
    pub(crate) fn conclude(mut self, outcome: Outcome) -> ExitCode {
        let outcome = outcome.and_then(|code| or_verdict(self.flush(), code));
        // The buffer is written or abandoned; dropping it must not try again.
        let (_, _) = self.out.into_parts();
        match outcome {
            Ok(code) => code,
            Err(Stop::Closed) => ExitCode::SUCCESS,
            Err(Stop::Failed(e)) => {
                note!("jwt-lifecycle: cannot write to standard output: {e}");
                ExitCode::from(USAGE_OR_IO)
            }
        }
    }
}
