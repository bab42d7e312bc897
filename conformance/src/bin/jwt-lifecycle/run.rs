//! Placeholder: this subcommand is being built (see the open issue that names it).

use std::process::ExitCode;

/// Arguments.
#[derive(clap::Args, Debug)]
pub struct RunArgs {}

pub fn run(_args: RunArgs) -> ExitCode {
    eprintln!("jwt-lifecycle: this subcommand is not built yet");
    ExitCode::from(2)
}
