//! `jwt-lifecycle reference-adapter`: the model behind the wire protocol on stdio.

use crate::output::{note, USAGE_OR_IO};
use jwt_lifecycle_conformance::adapter::reference::{mutation_name, parse_mutation, ReferenceAdapter};
use jwt_lifecycle_conformance::adapter::wire::{serve, ServeError};
use jwt_lifecycle_model::Mutation;
use jwt_lifecycle_spec::profile::ProfileId;
use std::process::ExitCode;

/// Arguments.
#[derive(clap::Args, Debug)]
pub(crate) struct ReferenceAdapterArgs {
    /// Announce only this profile in the handshake (default: every profile).
    #[arg(long, value_name = "PROFILE")]
    profile: Option<ProfileId>,
    /// Build the SDK with a deliberate bug (for testing the suite).
    #[arg(long, value_name = "NAME", hide = true)]
    mutant: Option<String>,
}

pub(crate) fn run(args: ReferenceAdapterArgs) -> ExitCode {
    let mutation: Option<Mutation> = match &args.mutant {
        Some(name) => match parse_mutation(name) {
            Some(m) => Some(m),
            None => {
                note!("jwt-lifecycle reference-adapter: unknown mutant `{name}`");
                return ExitCode::from(USAGE_OR_IO);
            }
        },
        None => None,
    };
    let profiles = args.profile.map(|p| vec![p]).unwrap_or_else(|| ProfileId::ALL.to_vec());
    let mut adapter = ReferenceAdapter::new().with_profiles(profiles).with_mutation(mutation);
    if let Some(m) = mutation {
        note!("reference-adapter: running with mutant {}", mutation_name(m));
    }
    let stdin = std::io::stdin().lock();
    let stdout = std::io::stdout().lock();
    match serve(&mut adapter, stdin, stdout) {
        Ok(()) => ExitCode::SUCCESS,
        // The suite went away: nobody is left to answer.
        Err(ServeError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            note!("jwt-lifecycle reference-adapter: {e}");
            ExitCode::from(USAGE_OR_IO)
        }
    }
}
