//! `jwt-lifecycle docs generate [--check]`: the generated pages of the book and
//! `docs/spec.md`.

use jwt_lifecycle_conformance::docgen::{self, Drift, Sources};
use std::path::PathBuf;
use std::process::ExitCode;

/// Subcommands.
#[derive(clap::Subcommand, Debug)]
pub(crate) enum DocsCommand {
    /// Write the generated pages (docs/spec.md, docs/src/rules/*, docs/src/generated/*).
    Generate {
        /// Write nothing; exit 1 listing every file that differs from what would be written.
        #[arg(long)]
        check: bool,
        /// The repository to read and write (default: the one this binary was built from).
        #[arg(long, value_name = "PATH")]
        repo: Option<PathBuf>,
    },
}

pub(crate) fn run(cmd: DocsCommand) -> ExitCode {
    let DocsCommand::Generate { check, repo } = cmd;
    let root = repo.unwrap_or_else(docgen::default_repo_root);
    let pages = match Sources::collect(&root) {
        Ok(sources) => docgen::generate(&sources),
        Err(e) => {
            eprintln!("jwt-lifecycle docs: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = if check { docgen::drift(&root, &pages) } else { docgen::write(&root, &pages) };
    match result {
        Ok(changes) if check && !changes.is_empty() => {
            eprintln!("jwt-lifecycle docs: {} generated file(s) out of date:", changes.len());
            for c in &changes {
                eprintln!("    {c}");
            }
            eprintln!("run `cargo run -p jwt-lifecycle-conformance -- docs generate` and commit the result");
            ExitCode::FAILURE
        }
        Ok(changes) => {
            if check {
                println!("{} generated files up to date", pages.len());
            } else if changes.is_empty() {
                println!("{} generated files already up to date", pages.len());
            } else {
                for c in &changes {
                    match c {
                        Drift::Missing(path) => println!("wrote {path} (new)"),
                        Drift::Differs(path) => println!("wrote {path}"),
                        Drift::Stale(path) => println!("deleted {path} (no longer generated)"),
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("jwt-lifecycle docs: {e}");
            ExitCode::FAILURE
        }
    }
}
