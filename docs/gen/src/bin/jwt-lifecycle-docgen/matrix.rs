//! `matrix`: requirement -> model properties -> unit tests -> cases.
//!
//! Unit tests and cases are read from a repository tree at run time (default: the
//! checkout this tool sits in; `--repo` for another), so the matrix describes the tree as
//! it is now rather than as it was when the tool was built.

use jwt_lifecycle_docgen::{self as docgen, matrix::Coverage, Sources};
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
    let sources = match Sources::collect(&root) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("jwt-lifecycle-docgen matrix: {e}");
            return ExitCode::FAILURE;
        }
    };
    let matrix = sources.matrix();
    if args.json {
        match serde_json::to_string_pretty(&matrix) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("jwt-lifecycle-docgen matrix: cannot encode JSON: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        for row in &matrix.requirements {
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
    if args.gate {
        let uncovered: Vec<&str> = matrix.uncovered().map(|r| r.id).collect();
        if !uncovered.is_empty() || !matrix.unknown_references.is_empty() {
            eprintln!(
                "jwt-lifecycle-docgen matrix: coverage gate failed: uncovered {}; unknown ids {}",
                if uncovered.is_empty() { "none".to_owned() } else { uncovered.join(", ") },
                matrix.unknown_references.len()
            );
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
