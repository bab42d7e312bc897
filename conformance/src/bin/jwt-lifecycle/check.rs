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
    #[arg(long, conflicts_with = "full")]
    quick: bool,
    /// Use the full bounds: the profiles' own failure limit (or, where every failure
    /// waits out a backoff, the largest one the clock advances reach), more events,
    /// replies and answers (tens of seconds, see docs/performance.md).
    #[arg(long)]
    full: bool,
    /// App calls other than `track` (overrides the chosen bounds).
    #[arg(long)]
    calls: Option<u8>,
    /// Events tracked (overrides the chosen bounds; at most 4).
    #[arg(long)]
    events: Option<u8>,
    /// Server answers (overrides the chosen bounds).
    #[arg(long)]
    replies: Option<u8>,
    /// Clock advances (overrides the chosen bounds).
    #[arg(long)]
    advances: Option<u8>,
    /// Check the consecutive-failure limit at this value when the profile's is larger
    /// (overrides the chosen bounds).
    #[arg(long)]
    failure_limit: Option<u32>,
    /// Switch off the reductions that can be switched off (the customer symmetry, the
    /// forgetting of tokens and done events nobody holds, the instants moved to their
    /// region): the same verdicts over more states.
    #[arg(long)]
    unreduced: bool,
}

impl CheckArgs {
    /// The bounds the arguments ask for.
    fn bounds(&self) -> Bounds {
        let base = if self.quick {
            Bounds::TEST
        } else if self.full {
            Bounds::FULL
        } else {
            Bounds::CI
        };
        let bounds = Bounds {
            calls: self.calls.unwrap_or(base.calls),
            events: self.events.unwrap_or(base.events),
            replies: self.replies.unwrap_or(base.replies),
            advances: self.advances.unwrap_or(base.advances),
            failure_limit: self.failure_limit.unwrap_or(base.failure_limit),
            ..base
        };
        if self.unreduced {
            bounds.unreduced()
        } else {
            bounds
        }
    }
}

#[derive(Serialize)]
struct Report<'a> {
    profiles: &'a [CheckReport],
}

pub(crate) fn run(args: CheckArgs, out: &mut Output) -> Outcome {
    let options = CheckOptions { threads: args.threads.max(1), bounds: args.bounds(), stop_at: None };
    let profiles: Vec<ProfileId> = match args.profile {
        Some(p) => vec![p],
        None => ProfileId::ALL.to_vec(),
    };
    let mut reports = Vec::new();
    if !args.json {
        note!("bounds: {}", describe_bounds(&options.bounds));
    }
    for id in profiles {
        if !args.json {
            note!("checking {id} ...");
        }
        let report = run_check(&id.profile(), &options);
        if !args.json {
            print_text(&report, &options.bounds, out)?;
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
        let unique: usize = reports.iter().map(|r| r.unique_states).sum();
        let seconds: f64 = reports.iter().map(|r| r.seconds).sum();
        out!(
            out,
            "{} of {total} property checks hold; {unique} unique states in {seconds:.2} s ({:.0} states/s) at {}",
            total - failed,
            per_second(unique, seconds),
            describe_bounds(&options.bounds)
        )?;
    }
    if reports.iter().all(CheckReport::all_hold) {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(VERDICT))
    }
}

/// The bounds in one line, as the report prints them.
fn describe_bounds(b: &Bounds) -> String {
    format!(
        "calls {}, events {}, replies {}, advances {}, failure limit {}{}{}",
        b.calls,
        b.events,
        b.replies,
        b.advances,
        b.failure_limit,
        if b.throwing_handler { ", throwing handler" } else { "" },
        if b.customer_symmetry && b.forget_tokens && b.forget_events && b.time_regions {
            ""
        } else {
            ", unreduced"
        }
    )
}

fn per_second(states: usize, seconds: f64) -> f64 {
    if seconds > 0.0 {
        states as f64 / seconds
    } else {
        0.0
    }
}

/// The failure limit a profile was checked at, and its documented one where they differ.
fn describe_limit(checked: Option<u32>, documented: Option<u32>) -> String {
    match (checked, documented) {
        (Some(checked), Some(own)) if checked != own => {
            format!(", failure limit checked at {checked} (its own: {own})")
        }
        (Some(checked), _) => format!(", failure limit checked at {checked}"),
        _ => String::new(),
    }
}

/// The budgets a profile was checked with where they differ from the ones asked for (a
/// profile that sends on its own timer gets one call and one event fewer).
fn describe_own_budgets(own: &Bounds, asked: &Bounds) -> String {
    if (own.calls, own.events) == (asked.calls, asked.events) {
        String::new()
    } else {
        let plural = |n: u8| if n == 1 { "" } else { "s" };
        format!(
            ", with {} call{} and {} event{}",
            own.calls,
            plural(own.calls),
            own.events,
            plural(own.events)
        )
    }
}

fn print_text(report: &CheckReport, asked: &Bounds, out: &mut Output) -> Result<(), Stop> {
    let limit = describe_limit(report.failure_limit_checked, report.failure_limit_documented);
    let budgets = describe_own_budgets(&report.bounds, asked);
    out!(
        out,
        "{}: {} unique states ({} generated) in {:.2} s, {:.0} unique states/s{budgets}{limit}",
        report.profile,
        report.unique_states,
        report.states,
        report.seconds,
        per_second(report.unique_states, report.seconds)
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
    fn a_scaled_limit_is_shown_next_to_the_documented_one() {
        assert_eq!(describe_limit(Some(3), Some(50)), ", failure limit checked at 3 (its own: 50)");
        assert_eq!(describe_limit(Some(10), Some(10)), ", failure limit checked at 10");
        assert_eq!(describe_limit(None, None), "");
    }

    #[test]
    fn budgets_of_a_profile_are_shown_where_they_differ() {
        let timed = Bounds { calls: 2, events: 3, ..Bounds::FULL };
        assert_eq!(describe_own_budgets(&timed, &Bounds::FULL), ", with 2 calls and 3 events");
        assert_eq!(describe_own_budgets(&Bounds::FULL, &Bounds::FULL), "");
        let one = Bounds { calls: 1, events: 1, ..Bounds::FULL };
        assert_eq!(describe_own_budgets(&one, &Bounds::FULL), ", with 1 call and 1 event");
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
        assert_eq!(cli.args.bounds(), Bounds::TEST);
        let cli = Cli::try_parse_from(["check", "--full", "--calls", "5", "--unreduced"]).unwrap();
        assert_eq!(cli.args.bounds(), Bounds { calls: 5, ..Bounds::FULL }.unreduced());
        assert!(Cli::try_parse_from(["check", "--full", "--quick"]).is_err());
        assert!(Cli::try_parse_from(["check", "--calls", "300"]).is_err());
        assert!(Cli::try_parse_from(["check", "--profile", "exponea"]).is_err());
        // Mutants are checked by the jwt-lifecycle-mutants crate, not by this binary.
        assert!(Cli::try_parse_from(["check", "--mutant", "retry_twice"]).is_err());
    }
}
