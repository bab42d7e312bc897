//! Placeholder: this subcommand is being built (see the open issue that names it).

use std::process::ExitCode;

/// Arguments.
#[derive(clap::Args, Debug)]
pub struct CheckArgs {}

pub fn run(_args: CheckArgs) -> ExitCode {
    eprintln!("jwt-lifecycle: this subcommand is not built yet");
    ExitCode::from(2)
}
