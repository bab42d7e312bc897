//! `jwt-lifecycle-mutant`: one mutant SDK behind the wire protocol on stdio, for testing
//! the suite (`jwt-lifecycle run --adapter "jwt-lifecycle-mutant --mutant never_refresh"`).

use clap::Parser;
use jwt_lifecycle_conformance::adapter::wire::{serve, ServeError};
use jwt_lifecycle_mutants::{MutantAdapter, Mutation};
use jwt_lifecycle_spec::profile::ProfileId;
use std::process::ExitCode;

/// A mutant SDK (the reference machine with one deliberate bug) as a wire-protocol adapter.
#[derive(Parser, Debug)]
#[command(name = "jwt-lifecycle-mutant", version)]
struct Args {
    /// The deliberate bug.
    #[arg(long, value_enum, value_name = "NAME")]
    mutant: Mutation,
    /// Announce only these profiles in the handshake (repeatable; default: every profile).
    #[arg(long = "profile", value_name = "PROFILE")]
    profiles: Vec<ProfileId>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let profiles = if args.profiles.is_empty() { ProfileId::ALL.to_vec() } else { args.profiles };
    let mut adapter = MutantAdapter::new(args.mutant).with_profiles(profiles);
    match serve(&mut adapter, std::io::stdin().lock(), std::io::stdout().lock()) {
        Ok(()) => ExitCode::SUCCESS,
        // The suite went away: nobody is left to answer.
        Err(ServeError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("jwt-lifecycle-mutant: {e}");
            ExitCode::from(2)
        }
    }
}
