//! `jwt-lifecycle explore`: stateright's Explorer over the model, on 127.0.0.1.

use crate::output::{note, USAGE_OR_IO};
use jwt_lifecycle_model::check::{Bounds, Environment, LifecycleModel};
use jwt_lifecycle_spec::profile::ProfileId;
use stateright::Model;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::process::ExitCode;

/// Arguments of `explore`.
#[derive(clap::Args, Debug)]
pub(crate) struct ExploreArgs {
    /// The profile whose model to explore.
    #[arg(long)]
    profile: ProfileId,
    /// The port to serve on (127.0.0.1 only).
    #[arg(long, default_value_t = 3000)]
    port: u16,
    /// Explore the cooperative environment (the liveness check's) instead of the
    /// adversarial one.
    #[arg(long)]
    cooperative: bool,
}

pub(crate) fn run(args: ExploreArgs) -> ExitCode {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    // The Explorer's server panics on a busy port; say so plainly instead.
    if let Err(e) = TcpListener::bind(address) {
        note!("jwt-lifecycle explore: cannot listen on {address}: {e}; choose another --port");
        return ExitCode::from(USAGE_OR_IO);
    }
    let environment = if args.cooperative { Environment::Cooperative } else { Environment::Adversarial };
    let model = LifecycleModel::new(&args.profile.profile(), environment, Bounds::CI);
    note!(
        "serving the Explorer for {} ({environment:?}) on http://{address}/ (Ctrl-C stops it)",
        args.profile
    );
    model.checker().threads(1).serve(address);
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: ExploreArgs,
    }

    #[test]
    fn arguments_parse() {
        let cli = Cli::try_parse_from(["explore", "--profile", "khoros-legacy"]).unwrap();
        assert_eq!(
            (cli.args.profile, cli.args.port, cli.args.cooperative),
            (ProfileId::KhorosLegacy, 3000, false)
        );
        let cli =
            Cli::try_parse_from(["explore", "--profile", "webex-connect", "--port", "8080", "--cooperative"])
                .unwrap();
        assert_eq!((cli.args.port, cli.args.cooperative), (8080, true));
        assert!(Cli::try_parse_from(["explore"]).is_err(), "the profile is required");
        assert!(Cli::try_parse_from(["explore", "--profile", "webex-connect", "--port", "70000"]).is_err());
    }
}
