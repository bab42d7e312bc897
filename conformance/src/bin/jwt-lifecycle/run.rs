//! `jwt-lifecycle run`: the conformance suite against the reference or an adapter.

use crate::output::{note, or_verdict, Outcome, Output, USAGE_OR_IO, VERDICT};
use jwt_lifecycle_conformance::adapter::process::{kill_running_adapters, ProcessAdapter};
use jwt_lifecycle_conformance::adapter::reference::ReferenceAdapter;
use jwt_lifecycle_conformance::adapter::{Adapter, AdapterError, Hello};
use jwt_lifecycle_conformance::case::{load_tree, Case};
use jwt_lifecycle_conformance::differential::{
    run_random, Differential, RandomConfig, RandomOutcome, DEFAULT_MAX_LEN,
};
use jwt_lifecycle_conformance::report;
use jwt_lifecycle_conformance::runner::{CaseResult, Status};
use jwt_lifecycle_conformance::select::{plan, run_planned, Expectations, Selection, Shard};
use jwt_lifecycle_spec::profile::ProfileId;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Where the repository's hand-written cases are, fixed at build time.
pub(crate) const DEFAULT_CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/cases");

/// Report formats.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// Human-readable, with a summary per requirement.
    Text,
    /// `{"summary": {...}, "results": [...]}`.
    Json,
    /// JUnit XML for CI systems.
    Junit,
}

/// Arguments.
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("sut").required(true).args(["reference", "adapter"])))]
pub(crate) struct RunArgs {
    /// Run against the model (the reference implementation), in process.
    #[arg(long)]
    reference: bool,
    /// Run against an adapter program speaking the wire protocol, e.g. "python3 adapter.py".
    #[arg(long, value_name = "COMMAND ARGS")]
    adapter: Option<String>,
    /// Only this profile (default: every profile the adapter supports).
    #[arg(long, value_name = "PROFILE")]
    profile: Option<ProfileId>,
    /// The case directory.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_CASES)]
    cases: PathBuf,
    /// Also run N random sequences per profile on the model and the adapter, compared
    /// step by step; a divergence is shrunk and printed as a case file.
    #[arg(long, value_name = "N")]
    random: Option<u32>,
    /// Seed for --random (default: from the clock; printed either way).
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Longest random sequence, in steps after the first configure (a climb to a failure
    /// limit beyond its reach is as long as the limit needs).
    #[arg(long, value_name = "STEPS", default_value_t = DEFAULT_MAX_LEN)]
    random_max_len: usize,
    /// How random runs are judged: by the requirements' monitors (`rules`, any behaviour
    /// the rules allow passes), or observation for observation against the reference
    /// model (`exact`, for SDKs that aim to match it).
    #[arg(long, value_enum, default_value_t = Differential::Rules)]
    differential: Differential,
    /// Report which transitions of the profile's state diagrams the random sequences
    /// exercised, each with its count (every random result says how many in any case).
    #[arg(long, requires = "random")]
    coverage: bool,
    /// Also run cases whose requirements are all SHOULD/MAY.
    #[arg(long)]
    strict: bool,
    /// Run only the I-th of N parts of the cases (1-based), e.g. 2/4.
    #[arg(long, value_name = "I/N")]
    shard: Option<Shard>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The adapter's expectations file: {"disabled": {"<case id>": "reason"}}, plus, for a
    /// shipping SDK, its known "deviations" and "disabled_requirements" (docs/formats.md).
    #[arg(long, value_name = "FILE")]
    expectations: Option<PathBuf>,
    /// How long to wait for each adapter reply, in ms.
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    step_timeout_ms: u64,
    /// Accept a run that selects no case and no random sequence (without it, that is a
    /// usage error: a mistyped directory or filter must not pass in CI).
    #[arg(long)]
    allow_empty: bool,
}

fn usage(message: impl std::fmt::Display) -> Outcome {
    note!("jwt-lifecycle run: {message}");
    Ok(ExitCode::from(USAGE_OR_IO))
}

pub(crate) fn run(args: RunArgs, out: &mut Output) -> Outcome {
    let loaded = load_tree(&args.cases);
    for skipped in &loaded.skipped {
        note!("jwt-lifecycle run: warning: {skipped}");
    }
    if !loaded.errors.is_empty() {
        for e in &loaded.errors {
            note!("{e}");
        }
        return usage(format!(
            "{} problem(s) in the case directory {}",
            loaded.errors.len(),
            args.cases.display()
        ));
    }
    let cases: Vec<Case> = loaded.cases.into_iter().map(|(_, c)| c).collect();
    let expectations = match &args.expectations {
        Some(path) => match Expectations::load_for(path, &cases) {
            Ok(e) => e,
            Err(e) => return usage(e),
        },
        None => Expectations::default(),
    };
    // Before any adapter starts: a selection empty whatever the adapter says is known now.
    let filters =
        Selection { profile: args.profile, strict: args.strict, shard: args.shard, ..Selection::default() };
    let random = args.random.is_some_and(|n| n > 0);
    if !args.allow_empty && !random && plan(&cases, &ProfileId::ALL, &filters).is_empty() {
        let why = if cases.is_empty() {
            format!("{} holds no case file", args.cases.display())
        } else {
            format!(
                "none of the {} case(s) in {} passes --profile, --shard and --strict \
                 (cases whose requirements are all SHOULD or MAY need --strict)",
                cases.len(),
                args.cases.display()
            )
        };
        return usage(empty_selection(&why));
    }
    let mut adapter: Box<dyn Adapter> = match &args.adapter {
        Some(command) => {
            end_adapters_on_signal();
            match ProcessAdapter::from_command_line(command, Duration::from_millis(args.step_timeout_ms)) {
                Ok(a) => Box::new(a),
                Err(e) => return usage(e),
            }
        }
        None => Box::new(ReferenceAdapter::new()),
    };
    let label = args.adapter.clone().unwrap_or_else(|| "reference".to_owned());

    let hello: Result<Hello, AdapterError> = adapter.hello();
    let supported: Vec<ProfileId> = match &hello {
        Ok(h) => h.profiles.clone(),
        Err(e) => {
            note!("jwt-lifecycle run: adapter handshake failed: {e}");
            ProfileId::ALL.to_vec()
        }
    };
    if let (Some(p), Ok(h)) = (args.profile, &hello) {
        if !h.profiles.contains(&p) {
            return usage(format!(
                "the adapter does not support profile {p} (it supports: {})",
                h.profiles.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    let selection = Selection { profile: args.profile, strict: args.strict, shard: args.shard, expectations };
    let planned = plan(&cases, &supported, &selection);
    let everything = plan(&cases, &ProfileId::ALL, &Selection { profile: args.profile, ..selection.clone() });
    if planned.is_empty() && !args.allow_empty && !random {
        return usage(empty_selection("the adapter announces none of the selected cases' profiles"));
    }
    if everything.len() > planned.len() {
        note!(
            "jwt-lifecycle run: {} case/profile pairs not run: the adapter does not announce their profile",
            everything.len() - planned.len()
        );
    }

    let bar = if std::io::stdout().is_terminal() && args.output.is_none() {
        indicatif::ProgressBar::new(planned.len() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{pos}/{len} {wide_bar} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut on_result = |r: &CaseResult| {
        bar.set_message(format!("{} {}", r.status.as_str(), r.id));
        bar.inc(1);
    };
    let mut results =
        run_planned(adapter.as_mut(), &hello, &planned, &selection.expectations, &mut on_result);
    bar.finish_and_clear();

    if let Some(n) = args.random {
        let seed = args.seed.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        });
        let profiles: Vec<ProfileId> =
            supported.iter().copied().filter(|p| args.profile.is_none_or(|only| only == *p)).collect();
        for profile in profiles {
            let config = RandomConfig { sequences: n, seed, max_len: args.random_max_len };
            let id = format!("random/{profile}");
            if let Err(e) = &hello {
                let message = format!("{id}, at the handshake: {e}");
                let outcome = RandomOutcome {
                    profile,
                    seed,
                    sequences: 0,
                    steps: 0,
                    divergence: None,
                    unimplemented: 0,
                    error: Some(message),
                    coverage: None,
                };
                results.push(random_result(id, profile, outcome, args.differential, "", ""));
                continue;
            }
            let protocol = hello.as_ref().map_or(1, |h| h.protocol);
            let outcome = run_random(adapter.as_mut(), profile, config, args.differential, protocol);
            let transitions =
                outcome.coverage.as_ref().map(|t| format!(", {}", t.line())).unwrap_or_default();
            let counts = format!(
                "seed {seed}, {} sequences, {} steps, {} unimplemented{transitions}",
                outcome.sequences, outcome.steps, outcome.unimplemented
            );
            note!("random {profile}: {counts}");
            let rerun = format!("rerun: --random {n} --seed {seed} --profile {profile}");
            let mut result = random_result(id, profile, outcome.clone(), args.differential, &counts, &rerun);
            if args.coverage {
                result.coverage = outcome.coverage;
            }
            results.push(result);
        }
    }
    adapter.finish();
    report_deviations(&selection.expectations, &results);

    let rendered = match args.format {
        Format::Text => report::text(&label, &results),
        Format::Json => report::json(&label, &results),
        Format::Junit => report::junit(&label, &results),
    };
    let verdict =
        if report::Summary::of(&results).ok() { ExitCode::SUCCESS } else { ExitCode::from(VERDICT) };
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, &rendered) {
                return usage(format!("cannot write {}: {e}", path.display()));
            }
            if args.format != Format::Text {
                if let Some(summary) = report::text(&label, &results).lines().last() {
                    note!("{summary}");
                }
            }
            Ok(verdict)
        }
        None => or_verdict(out.text(&rendered).and_then(|()| out.flush()), verdict),
    }
}

fn empty_selection(why: &str) -> String {
    format!("no case selected: {why}; pass --allow-empty to accept an empty run")
}

/// An interrupt (Ctrl-C), a hangup or a termination request ends every adapter's whole
/// process group before the run exits, with 128 + the signal's number as a shell reports
/// a process killed by it: an adapter runs in a group of its own, where the terminal's
/// interrupt does not reach it.
fn end_adapters_on_signal() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = match signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) {
        Ok(signals) => signals,
        Err(e) => {
            note!("jwt-lifecycle run: warning: cannot handle interrupts ({e}); an interrupted run may leave the adapter running");
            return;
        }
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            kill_running_adapters();
            note!("jwt-lifecycle run: interrupted (signal {signal}); the adapter was stopped");
            std::process::exit(128 + signal);
        }
    });
}

/// Says on stderr whether the run shows exactly the deviations the expectations file lists
/// (the verdicts are unchanged: a listed deviation still fails its case).
fn report_deviations(expectations: &Expectations, results: &[CaseResult]) {
    if expectations.deviations.is_empty() {
        return;
    }
    let drift = jwt_lifecycle_conformance::deviation::compare(
        &expectations.deviations,
        &jwt_lifecycle_conformance::deviation::observed(results),
    );
    if drift.is_empty() {
        note!("jwt-lifecycle run: the {} listed deviations, no other", expectations.deviations.len());
    } else {
        note!("jwt-lifecycle run: the deviations changed:\n{}", drift.to_string().trim_end());
    }
}

/// The result line of a random run: failed with the minimal sequence, error, or passed
/// with its counts (unimplemented sequences are never a silent pass).
fn random_result(
    id: String,
    profile: ProfileId,
    outcome: RandomOutcome,
    mode: Differential,
    counts: &str,
    rerun: &str,
) -> CaseResult {
    let (status, message, trace, violations, requirements) = match outcome.divergence {
        None if outcome.error.is_some() => (Status::Error, outcome.error, None, Vec::new(), Vec::new()),
        None if outcome.unimplemented > 0 && outcome.unimplemented >= outcome.sequences => (
            Status::Unimplemented,
            Some(format!("every random sequence needed a call the adapter does not implement ({counts})")),
            None,
            Vec::new(),
            Vec::new(),
        ),
        None => (Status::Passed, Some(counts.to_owned()), None, Vec::new(), Vec::new()),
        Some(d) => {
            let what = match (mode, d.requirement) {
                (Differential::Rules, Some(req)) => format!("breaks {req}"),
                _ => "diverges from the reference model".to_owned(),
            };
            let message = format!(
                "a random sequence {what} ({counts}; {rerun}), shrunk to {} steps:\n{}",
                d.steps, d.message
            );
            let requirements = d.requirement.map(|r| vec![r.to_owned()]).unwrap_or_default();
            (Status::Failed, Some(message), Some(d.case), d.violations, requirements)
        }
    };
    CaseResult {
        case: id.clone(),
        id,
        profile,
        requirements,
        status,
        step: None,
        message,
        trace,
        violations,
        differences: Vec::new(),
        duration: Duration::ZERO,
        coverage: None,
    }
}
