//! `generate` and `check`: the generated pages of the book and `docs/spec.md`.

use jwt_lifecycle_docgen::{self as docgen, Drift, Page, Sources, REGENERATE};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `generate` and `check`.
#[derive(clap::Args, Debug)]
pub(crate) struct PagesArgs {
    /// The repository to read and write (default: the checkout this tool sits in).
    #[arg(long, value_name = "PATH")]
    repo: Option<PathBuf>,
}

/// Whether the pages are written or only compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Write the pages, delete stale ones.
    Write,
    /// Compare only; exit 1 when anything differs.
    Check,
}

pub(crate) fn run(args: PagesArgs, mode: Mode) -> ExitCode {
    let root = args.repo.unwrap_or_else(docgen::default_repo_root);
    let pages = match Sources::collect(&root) {
        Ok(sources) => docgen::generate(&sources),
        Err(e) => {
            eprintln!("jwt-lifecycle-docgen: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match mode {
        Mode::Check => docgen::drift(&root, &pages),
        Mode::Write => docgen::write(&root, &pages),
    };
    match result {
        Ok(changes) => match mode {
            Mode::Check => report_check(&pages, &changes),
            Mode::Write => report_write(&pages, &changes),
        },
        Err(e) => {
            eprintln!("jwt-lifecycle-docgen: {e}");
            ExitCode::FAILURE
        }
    }
}

fn report_check(pages: &[Page], changes: &[Drift]) -> ExitCode {
    if changes.is_empty() {
        println!("{} generated files up to date", pages.len());
        return ExitCode::SUCCESS;
    }
    eprintln!("jwt-lifecycle-docgen: {} generated file(s) out of date:", changes.len());
    for c in changes {
        eprintln!("    {c}");
    }
    eprintln!("run `{REGENERATE}` and commit the result");
    ExitCode::FAILURE
}

fn report_write(pages: &[Page], changes: &[Drift]) -> ExitCode {
    if changes.is_empty() {
        println!("{} generated files already up to date", pages.len());
    }
    for c in changes {
        match c {
            Drift::Missing(path) => println!("wrote {path} (new)"),
            Drift::Differs(path) => println!("wrote {path}"),
            Drift::Stale(path) => println!("deleted {path} (no longer generated)"),
        }
    }
    ExitCode::SUCCESS
}
