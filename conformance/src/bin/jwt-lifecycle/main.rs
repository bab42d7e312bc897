//! `jwt-lifecycle`: the command-line front of the specification, the model, the token
//! rules and the conformance suite. Each subcommand lives in a module of its own.

mod cases_cmd;
mod check;
mod explore;
mod reference_adapter;
mod run;
mod spec_cmd;
mod token;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Executable specification and conformance suite for client-side JWT lifecycles in
/// customer-engagement SDKs.
#[derive(Parser, Debug)]
#[command(name = "jwt-lifecycle", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
#[allow(clippy::large_enum_variant, reason = "parsed once per process; its size costs nothing")]
enum Command {
    /// List the normative requirements.
    Requirements(spec_cmd::RequirementsArgs),
    /// List the vendor profiles and their knobs.
    Profiles(spec_cmd::ProfilesArgs),
    /// Mint or verify a profile's tokens.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// Model-check the reference state machine exhaustively.
    Check(check::CheckArgs),
    /// Serve stateright's Explorer over the model on 127.0.0.1.
    Explore(explore::ExploreArgs),
    /// Run the conformance suite against the reference or an adapter.
    Run(run::RunArgs),
    /// Work with conformance case files.
    #[command(subcommand)]
    Cases(cases_cmd::CasesCommand),
    /// Speak the adapter protocol on stdio, backed by the model.
    ReferenceAdapter(reference_adapter::ReferenceAdapterArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Requirements(args) => spec_cmd::requirements(args),
        Command::Profiles(args) => spec_cmd::profiles(args),
        Command::Token(cmd) => token::run(cmd),
        Command::Check(args) => check::run(args),
        Command::Explore(args) => explore::run(args),
        Command::Run(args) => run::run(args),
        Command::Cases(cmd) => cases_cmd::run(cmd),
        Command::ReferenceAdapter(args) => reference_adapter::run(args),
    }
}
