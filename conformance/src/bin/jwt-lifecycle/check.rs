//! `jwt-lifecycle check`: the exhaustive model check of the reference machine.

use crate::output::{note, out, Outcome, Output, Stop, USAGE_OR_IO, VERDICT};
use jwt_lifecycle_model::check::{run_check, Bounds, CheckOptions, CheckReport};
use jwt_lifecycle_spec::profile::ProfileId;
use serde::Serialize;
use std::process::ExitCode;

/// Arguments of `check`.
#[derive(clap::Args, Debug)]
pub(crate) struct CheckArgs {
    /// Check only this profile (default: every profile).
    #[arg(long)]
    profile: Option<ProfileId>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Checker threads per profile.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Use the smaller bounds the test suite uses (seconds instead of tens of seconds).
    #[arg(long)]
    quick: bool,
}

#[derive(Serialize)]
struct Report<'a> {
    profiles: &'a [CheckReport],
}

pub(crate) fn run(args: CheckArgs, out: &mut Output) -> Outcome {
    let options = CheckOptions {
        threads: args.threads.max(1),
        bounds: if args.quick { Bounds::TEST } else { Bounds::CI },
        stop_at: None,
    };
    let profiles: Vec<ProfileId> = match args.profile {
        Some(p) => vec![p],
        None => ProfileId::ALL.to_vec(),
    };
    let mut reports = Vec::new();
    for id in profiles {
        if !args.json {
            note!("checking {id} ...");
        }
        let report = run_check(&id.profile(), &options);
        if !args.json {
            print_text(&report, out)?;
            // A check takes seconds per profile: show each as it is done.
            out.flush()?;
        }
        reports.push(report);
    }
    if args.json {
        match serde_json::to_string_pretty(&Report { profiles: &reports }) {
            Ok(json) => out!(out, "{json}")?,
            Err(e) => {
                note!("jwt-lifecycle check: cannot write the report as JSON: {e}");
                return Ok(ExitCode::from(USAGE_OR_IO));
            }
        }
    } else {
        let failed: usize = reports.iter().map(|r| r.properties.iter().filter(|p| !p.holds).count()).sum();
        let total: usize = reports.iter().map(|r| r.properties.len()).sum();
        out!(out, "{} of {total} property checks hold", total - failed)?;
    }
    if reports.iter().all(CheckReport::all_hold) {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(VERDICT))
    }
}

fn print_text(report: &CheckReport, out: &mut Output) -> Result<(), Stop> {
    let limit =
        report.failure_limit_checked.map(|l| format!(", failure limit checked at {l}")).unwrap_or_default();
    out!(
        out,
        "{}: {} unique states ({} generated) in {:.2} s{limit}",
        report.profile,
        report.unique_states,
        report.states,
        report.seconds
    )?;
    for p in &report.properties {
        let verdict = match (p.holds, p.kind) {
            (true, "sometimes") => "reached ",
            (true, _) => "holds   ",
            (false, "sometimes") => "UNREACHED",
            (false, _) => "VIOLATED",
        };
        out!(out, "  {verdict} [{}] {}", p.kind, p.name)?;
        for line in p.counterexample.iter().flatten() {
            out!(out, "      {line}")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: CheckArgs,
    }

    #[test]
    fn arguments_parse() {
        let cli =
            Cli::try_parse_from(["check", "--profile", "webex-connect", "--json", "--threads", "1"]).unwrap();
        assert_eq!(cli.args.profile, Some(ProfileId::WebexConnect));
        assert!(cli.args.json);
        assert_eq!(cli.args.threads, 1);
        let cli = Cli::try_parse_from(["check", "--quick"]).unwrap();
        assert!(cli.args.quick);
        assert!(Cli::try_parse_from(["check", "--profile", "exponea"]).is_err());
        // Mutants are checked by the jwt-lifecycle-mutants crate, not by this binary.
        assert!(Cli::try_parse_from(["check", "--mutant", "retry_twice"]).is_err());
    }
}
