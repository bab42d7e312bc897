//! `jwt-lifecycle`: the command-line front of the specification, the model, the token
//! rules and the conformance suite. Each subcommand lives in a module of its own.

mod cases_cmd;
mod check;
mod coverage_cmd;
mod explore;
mod output;
mod reference_adapter;
mod run;
mod spec_cmd;
mod token;

use clap::{Parser, Subcommand};
use output::{Output, Stop};
use std::process::ExitCode;

/// The exit codes, shown under `--help` (and in the README).
const EXIT_CODES: &str = "\
Exit codes (every subcommand):
  0  success
  1  a verdict: a case failed or errored, a token was rejected, a property is violated,
     case files are invalid
  2  a usage or I/O error: a bad flag, a missing or unreadable file or directory, a file
     over its size limit, no case selected (and no --random), unknown ids in an
     expectations file, standard output not writable (disk full)
A closed standard output (`| head`) ends a command quietly, with the exit code its
verdict already had, else 0. An interrupted `run --adapter` ends the adapter with all it
started, then exits with 128 + the signal's number.";

/// Executable specification and conformance suite for client-side JWT lifecycles in
/// customer-engagement SDKs.
#[derive(Parser, Debug)]
#[command(name = "jwt-lifecycle", version, about, propagate_version = true, after_help = EXIT_CODES)]
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
    /// Which transitions of each profile's state diagrams the fixed cases exercise.
    Coverage(coverage_cmd::CoverageArgs),
    /// Work with conformance case files.
    #[command(subcommand)]
    Cases(cases_cmd::CasesCommand),
    /// Speak the adapter protocol on stdio, backed by the model.
    ReferenceAdapter(reference_adapter::ReferenceAdapterArgs),
}

fn main() -> ExitCode {
    let mut out = Output::stdout();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version: output like any other, so `| head` and a full disk
            // behave as they do for reports.
            let styled = e.render();
            let text = if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                styled.ansi().to_string()
            } else {
                styled.to_string()
            };
            let written = out.text(&text);
            return out.conclude(written.map(|()| ExitCode::SUCCESS));
        }
        Err(e) => e.exit(),
    };
    let outcome: Result<ExitCode, Stop> = match cli.command {
        Command::Requirements(args) => spec_cmd::requirements(args, &mut out),
        Command::Profiles(args) => spec_cmd::profiles(args, &mut out),
        Command::Token(cmd) => token::run(cmd, &mut out),
        Command::Check(args) => check::run(args, &mut out),
        Command::Explore(args) => Ok(explore::run(args)),
        Command::Run(args) => run::run(args, &mut out),
        Command::Coverage(args) => coverage_cmd::run(args, &mut out),
        Command::Cases(cmd) => cases_cmd::run(cmd, &mut out),
        Command::ReferenceAdapter(args) => Ok(reference_adapter::run(args)),
    };
    out.conclude(outcome)
}
