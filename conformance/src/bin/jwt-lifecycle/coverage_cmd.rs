//! `jwt-lifecycle coverage`: which transitions of each profile's state diagrams the fixed
//! cases exercise, and which clauses of the requirements they name.

use crate::output::{note, or_verdict, Outcome, Output, USAGE_OR_IO};
use crate::run::DEFAULT_CASES;
use jwt_lifecycle_conformance::case::{load_tree, Case};
use jwt_lifecycle_conformance::coverage::{self, Tally};
use jwt_lifecycle_spec::profile::ProfileId;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments.
#[derive(clap::Args, Debug)]
pub(crate) struct CoverageArgs {
    /// Only this profile (default: every profile).
    #[arg(long, value_name = "PROFILE")]
    profile: Option<ProfileId>,
    /// The case directory.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_CASES)]
    cases: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: CoverageArgs, out: &mut Output) -> Outcome {
    let loaded = load_tree(&args.cases);
    if !loaded.errors.is_empty() {
        for e in &loaded.errors {
            note!("{e}");
        }
        note!(
            "jwt-lifecycle coverage: {} problem(s) in the case directory {}",
            loaded.errors.len(),
            args.cases.display()
        );
        return Ok(ExitCode::from(USAGE_OR_IO));
    }
    let cases: Vec<Case> = loaded.cases.into_iter().map(|(_, c)| c).collect();
    let tallies: Vec<Tally> = ProfileId::ALL
        .into_iter()
        .filter(|p| args.profile.is_none_or(|only| only == *p))
        .map(|p| coverage::of_cases(&cases, p))
        .collect();
    let clauses: Vec<coverage::ClauseCoverage> =
        tallies.iter().map(|t| coverage::clauses_of_cases(&cases, t.profile)).collect();
    let rendered = if args.json {
        coverage::json("cases", &tallies, Some(&clauses))
    } else {
        coverage::text("fixed cases", &tallies, Some(&clauses))
    };
    or_verdict(out.text(&rendered).and_then(|()| out.flush()), ExitCode::SUCCESS)
}
