//! `jwt-lifecycle run`: the conformance suite against the reference or an adapter.

use jwt_lifecycle_conformance::adapter::process::ProcessAdapter;
use jwt_lifecycle_conformance::adapter::reference::ReferenceAdapter;
use jwt_lifecycle_conformance::adapter::{Adapter, AdapterError, Hello};
use jwt_lifecycle_conformance::case::{load_dir, Case};
use jwt_lifecycle_conformance::differential::{run_random, Differential, RandomConfig, RandomOutcome};
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
    /// Longest random sequence, in steps after the first configure.
    #[arg(long, value_name = "STEPS", default_value_t = 24)]
    random_max_len: usize,
    /// How random runs are judged: by the requirements' monitors (`rules`, any behaviour
    /// the rules allow passes), or observation for observation against the reference
    /// model (`exact`, for SDKs that aim to match it).
    #[arg(long, value_enum, default_value_t = Differential::Rules)]
    differential: Differential,
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
    /// The adapter's expectations file: {"disabled": {"<case id>": "reason"}}.
    #[arg(long, value_name = "FILE")]
    expectations: Option<PathBuf>,
    /// How long to wait for each adapter reply, in ms.
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    step_timeout_ms: u64,
}

fn usage(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("jwt-lifecycle run: {message}");
    ExitCode::from(2)
}

pub(crate) fn run(args: RunArgs) -> ExitCode {
    let cases: Vec<Case> = match load_dir(&args.cases) {
        Ok(cases) => cases.into_iter().map(|(_, c)| c).collect(),
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            return usage(format!(
                "{} problem(s) in the case directory {}",
                errors.len(),
                args.cases.display()
            ));
        }
    };
    let expectations = match &args.expectations {
        Some(path) => match Expectations::load(path) {
            Ok(e) => e,
            Err(e) => return usage(e),
        },
        None => Expectations::default(),
    };
    let mut adapter: Box<dyn Adapter> = match &args.adapter {
        Some(command) => {
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
            eprintln!("jwt-lifecycle run: adapter handshake failed: {e}");
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
    if everything.len() > planned.len() {
        eprintln!(
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
                };
                results.push(random_result(id, profile, outcome, args.differential, "", ""));
                continue;
            }
            let protocol = hello.as_ref().map_or(1, |h| h.protocol);
            let outcome = run_random(adapter.as_mut(), profile, config, args.differential, protocol);
            let counts = format!(
                "seed {seed}, {} sequences, {} steps, {} unimplemented",
                outcome.sequences, outcome.steps, outcome.unimplemented
            );
            eprintln!("random {profile}: {counts}");
            let rerun = format!("rerun: --random {n} --seed {seed} --profile {profile}");
            results.push(random_result(id, profile, outcome, args.differential, &counts, &rerun));
        }
    }
    adapter.finish();

    let rendered = match args.format {
        Format::Text => report::text(&label, &results),
        Format::Json => report::json(&label, &results),
        Format::Junit => report::junit(&label, &results),
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, &rendered) {
                return usage(format!("cannot write {}: {e}", path.display()));
            }
            if args.format != Format::Text {
                eprint!(
                    "{}",
                    report::text(&label, &results)
                        .lines()
                        .last()
                        .map(|l| format!("{l}\n"))
                        .unwrap_or_default()
                );
            }
        }
        None => print!("{rendered}"),
    }
    if report::Summary::of(&results).ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
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
    }
}
