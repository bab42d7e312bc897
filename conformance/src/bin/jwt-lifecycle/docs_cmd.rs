//! Placeholder: this subcommand is being built (see the open issue that names it).

use std::process::ExitCode;

/// Subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum DocsCommand {
    /// Not built yet.
    Pending,
}

pub fn run(_cmd: DocsCommand) -> ExitCode {
    eprintln!("jwt-lifecycle: this subcommand is not built yet");
    ExitCode::from(2)
}
