//! `jwt-lifecycle matrix`: requirement -> model properties -> unit tests -> cases.
//!
//! Unit tests and cases are read from a repository tree at run time (default: the tree
//! the binary was built from; `--repo` for another), so the matrix describes the tree as
//! it is now rather than as it was when the binary was built.

use crate::output::{note, or_verdict, out, Outcome, Output, Stop, USAGE_OR_IO, VERDICT};
use jwt_lifecycle_conformance::docgen::{self, matrix::Coverage, matrix::Matrix, Sources};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments.
#[derive(clap::Args, Debug)]
pub(crate) struct MatrixArgs {
    /// Print JSON: `{"requirements":[{"id", "level", "subject", "properties", "unit_tests", "cases", "waived", "coverage"}], "unknown_references": [...]}`.
    #[arg(long)]
    json: bool,
    /// The repository to scan for unit tests and case files (default: the one this binary was built from).
    #[arg(long, value_name = "PATH")]
    repo: Option<PathBuf>,
    /// Exit 1 when a requirement is neither checked nor waived, or an id is unknown.
    #[arg(long)]
    gate: bool,
}

pub(crate) fn run(args: MatrixArgs, out: &mut Output) -> Outcome {
    let root = args.repo.unwrap_or_else(docgen::default_repo_root);
    let sources = match Sources::collect(&root) {
        Ok(s) => s,
        Err(e) => {
            note!("jwt-lifecycle matrix: {e}");
            return Ok(ExitCode::from(USAGE_OR_IO));
        }
    };
    let matrix = sources.matrix();
    let mut verdict = ExitCode::SUCCESS;
    if args.gate {
        let uncovered: Vec<&str> = matrix.uncovered().map(|r| r.id).collect();
        if !uncovered.is_empty() || !matrix.unknown_references.is_empty() {
            note!(
                "jwt-lifecycle matrix: coverage gate failed: uncovered {}; unknown ids {}",
                if uncovered.is_empty() { "none".to_owned() } else { uncovered.join(", ") },
                matrix.unknown_references.len()
            );
            verdict = ExitCode::from(VERDICT);
        }
    }
    if args.json {
        return match serde_json::to_string_pretty(&matrix) {
            Ok(text) => or_verdict(out!(out, "{text}"), verdict),
            Err(e) => {
                note!("jwt-lifecycle matrix: cannot encode JSON: {e}");
                Ok(ExitCode::from(USAGE_OR_IO))
            }
        };
    }
    or_verdict(print_text(&matrix, out), verdict)
}

fn print_text(matrix: &Matrix, out: &mut Output) -> Result<(), Stop> {
    for row in &matrix.requirements {
        let status = match row.coverage {
            Coverage::Covered => "covered",
            Coverage::Waived => "WAIVED",
            Coverage::Uncovered => "UNCOVERED",
        };
        out!(out, "{} [{}] {} ({status})", row.id, row.level, row.title)?;
        for p in &row.properties {
            out!(out, "    property:  {p}")?;
        }
        for t in &row.unit_tests {
            out!(out, "    unit test: {t}")?;
        }
        for c in &row.cases {
            out!(out, "    case:      {c}")?;
        }
        if let Some(w) = row.waived {
            out!(out, "    waived:    {w}")?;
        }
    }
    let count = |c: Coverage| matrix.requirements.iter().filter(|r| r.coverage == c).count();
    out!(
        out,
        "\n{} requirements: {} covered, {} waived, {} uncovered",
        matrix.requirements.len(),
        count(Coverage::Covered),
        count(Coverage::Waived),
        count(Coverage::Uncovered)
    )?;
    for u in &matrix.unknown_references {
        out!(out, "unknown id {} in {}", u.id, u.by)?;
    }
    Ok(())
}
