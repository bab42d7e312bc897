//! `jwt-lifecycle requirements` and `jwt-lifecycle profiles`.

use crate::output::{note, out, Outcome, Output, USAGE_OR_IO};
use jwt_lifecycle_spec::profile::{Profile, ProfileId, RetryPolicy};
use jwt_lifecycle_spec::{Requirement, REQUIREMENTS};
use std::process::ExitCode;

/// Arguments of `requirements`.
#[derive(clap::Args, Debug)]
pub(crate) struct RequirementsArgs {
    /// Only the requirements that apply to this profile.
    #[arg(long)]
    profile: Option<ProfileId>,
    /// Print a JSON array instead of text.
    #[arg(long)]
    json: bool,
}

/// Arguments of `profiles`.
#[derive(clap::Args, Debug)]
pub(crate) struct ProfilesArgs {
    /// Print a JSON array instead of text.
    #[arg(long)]
    json: bool,
}

pub(crate) fn requirements(args: RequirementsArgs, out: &mut Output) -> Outcome {
    let selected: Vec<&Requirement> =
        REQUIREMENTS.iter().filter(|r| args.profile.is_none_or(|p| r.applies_to(p))).collect();
    if args.json {
        return print_json(&selected, out);
    }
    for r in selected {
        let profiles: Vec<&str> = r.profiles.iter().map(|p| p.as_str()).collect();
        out!(out, "{} [{}] {}", r.id, r.level, r.title)?;
        out!(out, "    {}", r.statement)?;
        out!(out, "    profiles: {}", profiles.join(", "))?;
        out!(out, "    source: {} \u{a7} {}", r.source.document, r.source.section)?;
        if let Some(decision) = r.decision {
            out!(out, "    decision: {decision}")?;
        }
        // The ids cases list in their `clauses` field; with --profile, only those the
        // profile can show.
        for c in r.clauses.iter().filter(|c| args.profile.is_none_or(|p| r.clause_applies_to(c, p))) {
            out!(out, "    clause {}: {}", r.clause_id(c), c.text)?;
        }
        out!(out, "")?;
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn profiles(args: ProfilesArgs, out: &mut Output) -> Outcome {
    let all = Profile::all();
    if args.json {
        return print_json(&all, out);
    }
    for p in &all {
        out!(out, "{} ({}; {})", p.id, p.title, p.document)?;
        match &p.refresh {
            Some(r) => out!(
                out,
                "    refresh: expired_soon {} ms before exp, \u{b1}{} ms",
                r.lead_ms,
                r.tolerance_ms
            )?,
            None => out!(out, "    refresh: none")?,
        }
        out!(out, "    401: {}", describe_retry(p.on_unauthorized.retry))?;
        out!(out, "    403 without token: {}", describe_retry(p.on_forbidden_without_token.retry))?;
        out!(out, "    403 with valid token: {}", describe_retry(p.on_forbidden_with_valid_token.retry))?;
        match &p.failure_limit {
            Some(l) => out!(
                out,
                "    failure limit: {} consecutive, suspended until next session",
                l.consecutive_failures
            )?,
            None => out!(out, "    failure limit: none")?,
        }
        let clears: Vec<String> = p.clears_token_on.iter().map(|c| format!("{c:?}")).collect();
        out!(out, "    clears token on: {}", clears.join(", "))?;
        let algs: Vec<&str> = p.claims.algorithms.iter().map(|a| a.as_str()).collect();
        out!(
            out,
            "    tokens: {} ; required claims {}",
            algs.join("/"),
            p.claims.required_claims.join(", ")
        )?;
        out!(out, "")?;
    }
    Ok(ExitCode::SUCCESS)
}

fn describe_retry(retry: RetryPolicy) -> String {
    match retry {
        RetryPolicy::Never => "fail at once".into(),
        RetryPolicy::After { attempts, delay_ms, tolerance_ms } => {
            format!("retry {attempts}x after {delay_ms} ms (\u{b1}{tolerance_ms} ms)")
        }
        RetryPolicy::OnNewToken => "hold until a new token".into(),
        RetryPolicy::RefetchThenRetry => "ask for a new token, then resend once".into(),
        RetryPolicy::Backoff { min_ms, max_ms, factor } => {
            format!("requeue; wait {min_ms}..{max_ms} ms, at most {factor}x the previous wait")
        }
    }
}

fn print_json<T: serde::Serialize>(value: &T, out: &mut Output) -> Outcome {
    match serde_json::to_string_pretty(value) {
        Ok(text) => {
            out!(out, "{text}")?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            note!("jwt-lifecycle: cannot encode JSON: {e}");
            Ok(ExitCode::from(USAGE_OR_IO))
        }
    }
}
