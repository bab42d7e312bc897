//! `jwt-lifecycle reference-adapter`: the model behind the wire protocol on stdio.

use crate::output::{note, USAGE_OR_IO};
use jwt_lifecycle_conformance::adapter::reference::ReferenceAdapter;
use jwt_lifecycle_conformance::adapter::wire::{serve, ServeError};
use jwt_lifecycle_spec::profile::ProfileId;
use std::process::ExitCode;

/// Arguments.
#[derive(clap::Args, Debug)]
pub(crate) struct ReferenceAdapterArgs {
    /// Announce only this profile in the handshake (default: every profile).
    #[arg(long, value_name = "PROFILE")]
    profile: Option<ProfileId>,
}

pub(crate) fn run(args: ReferenceAdapterArgs) -> ExitCode {
    let profiles = args.profile.map(|p| vec![p]).unwrap_or_else(|| ProfileId::ALL.to_vec());
    let mut adapter = ReferenceAdapter::new().with_profiles(profiles);
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
