//! `matrix`: requirement -> model properties -> unit tests -> cases.
//!
//! Unit tests and cases are read from a repository tree at run time (default: the
//! checkout this tool sits in; `--repo` for another), so the matrix describes the tree as
//! it is now rather than as it was when the tool was built.

use jwt_lifecycle_docgen::matrix::{Coverage, Matrix, Row};
use jwt_lifecycle_docgen::{self as docgen, Sources};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments.
#[derive(clap::Args, Debug)]
pub(crate) struct MatrixArgs {
    /// Print JSON: `{"requirements":[{"id", "level", "subject", "properties", "unit_tests", "cases", "waived", "coverage"}], "unknown_references": [...]}`.
    #[arg(long)]
    json: bool,
    /// The repository to scan for unit tests and case files (default: the checkout this tool sits in).
    #[arg(long, value_name = "PATH")]
    repo: Option<PathBuf>,
    /// Exit 1 when a requirement is neither checked nor waived, or an id is unknown.
    #[arg(long)]
    gate: bool,
}

pub(crate) fn run(args: MatrixArgs) -> ExitCode {
    let root = args.repo.unwrap_or_else(docgen::default_repo_root);
    let matrix = match Sources::collect(&root) {
        Ok(sources) => sources.matrix(),
        Err(e) => {
            eprintln!("jwt-lifecycle-docgen matrix: {e}");
            return ExitCode::FAILURE;
        }
    };
    if args.json {
        match serde_json::to_string_pretty(&matrix) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("jwt-lifecycle-docgen matrix: cannot encode JSON: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        print_text(&matrix);
    }
    if args.gate && !gate_passes(&matrix) {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// Every row with what checks it, then the totals and the unknown ids.
fn print_text(matrix: &Matrix) {
    for row in &matrix.requirements {
        print_row(row);
    }
    let count = |c: Coverage| matrix.requirements.iter().filter(|r| r.coverage == c).count();
    println!(
        "\n{} requirements: {} covered, {} waived, {} uncovered",
        matrix.requirements.len(),
        count(Coverage::Covered),
        count(Coverage::Waived),
        count(Coverage::Uncovered)
    );
    for u in &matrix.unknown_references {
        println!("unknown id {} in {}", u.id, u.by);
    }
}

fn print_row(row: &Row) {
    let status = match row.coverage {
        Coverage::Covered => "covered",
        Coverage::Waived => "WAIVED",
        Coverage::Uncovered => "UNCOVERED",
    };
    println!("{} [{}] {} ({status})", row.id, row.level, row.title);
    for p in &row.properties {
        println!("    property:  {p}");
    }
    for t in &row.unit_tests {
        println!("    unit test: {t}");
    }
    for c in &row.cases {
        println!("    case:      {c}");
    }
    if let Some(w) = row.waived {
        println!("    waived:    {w}");
    }
}

/// The coverage gate: false, with the reasons on stderr, when a requirement is neither
/// checked nor waived or an id is unknown.
fn gate_passes(matrix: &Matrix) -> bool {
    let uncovered: Vec<&str> = matrix.uncovered().map(|r| r.id).collect();
    if uncovered.is_empty() && matrix.unknown_references.is_empty() {
        return true;
    }
    eprintln!(
        "jwt-lifecycle-docgen matrix: coverage gate failed: uncovered {}; unknown ids {}",
        if uncovered.is_empty() { "none".to_owned() } else { uncovered.join(", ") },
        matrix.unknown_references.len()
    );
    false
}
