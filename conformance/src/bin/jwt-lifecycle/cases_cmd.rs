//! `jwt-lifecycle cases`: list, validate and generate case files.

use crate::output::{note, or_verdict, out, Outcome, Output, USAGE_OR_IO, VERDICT};
use crate::run::DEFAULT_CASES;
use jwt_lifecycle_conformance::case::{load_tree, LoadError, Loaded};
use jwt_lifecycle_conformance::generate::{generate, GenerateConfig};
use jwt_lifecycle_spec::profile::ProfileId;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Subcommands.
#[derive(clap::Subcommand, Debug)]
pub(crate) enum CasesCommand {
    /// List the cases: id, profiles, requirements, and whether only --strict runs them.
    List {
        /// The case directory.
        #[arg(long, value_name = "DIR", default_value = DEFAULT_CASES)]
        cases: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Load every case under DIR and report every problem found.
    Validate {
        /// The case directory.
        #[arg(value_name = "DIR", default_value = DEFAULT_CASES)]
        dir: PathBuf,
    },
    /// Write cases computed from the model: a shortest path to each distinct state.
    Generate {
        /// The profile.
        #[arg(long, value_name = "PROFILE")]
        profile: ProfileId,
        /// Where to write them (one file per case, under DIR/<profile>/).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The longest path, in steps.
        #[arg(long, default_value_t = GenerateConfig::default().depth)]
        depth: usize,
        /// The most cases written.
        #[arg(long, default_value_t = GenerateConfig::default().max_cases)]
        max_cases: usize,
    },
}

pub(crate) fn run(cmd: CasesCommand, stdout: &mut Output) -> Outcome {
    match cmd {
        CasesCommand::List { cases, json } => list(cases, json, stdout),
        CasesCommand::Validate { dir } => validate(dir, stdout),
        CasesCommand::Generate { profile, out, depth, max_cases } => {
            let cases = generate(profile, GenerateConfig { depth, max_cases });
            let dir = out.join(profile.as_str());
            if let Err(e) = std::fs::create_dir_all(&dir) {
                note!("jwt-lifecycle cases generate: cannot create {}: {e}", dir.display());
                return Ok(ExitCode::from(USAGE_OR_IO));
            }
            for case in &cases {
                let name = case.id().rsplit('/').next().unwrap_or(case.id());
                let path = dir.join(format!("{name}.json"));
                if let Err(e) = std::fs::write(&path, case.to_json_pretty()) {
                    note!("jwt-lifecycle cases generate: cannot write {}: {e}", path.display());
                    return Ok(ExitCode::from(USAGE_OR_IO));
                }
            }
            or_verdict(out!(stdout, "wrote {} cases to {}", cases.len(), dir.display()), ExitCode::SUCCESS)
        }
    }
}

/// Loads `dir`, telling stderr what was skipped.
fn load(dir: &Path, command: &str) -> Loaded {
    let loaded = load_tree(dir);
    for skipped in &loaded.skipped {
        note!("jwt-lifecycle cases {command}: warning: {skipped}");
    }
    loaded
}

fn list(dir: PathBuf, json: bool, out: &mut Output) -> Outcome {
    let loaded = load(&dir, "list");
    if !loaded.errors.is_empty() {
        for e in &loaded.errors {
            note!("{e}");
        }
        return Ok(ExitCode::from(USAGE_OR_IO));
    }
    let cases = loaded.cases;
    if json {
        let items: Vec<serde_json::Value> = cases
            .iter()
            .map(|(path, c)| {
                serde_json::json!({
                    "id": c.id(),
                    "description": c.file.description,
                    "profiles": c.file.profiles,
                    "requirements": c.file.requirements,
                    "strict_only": c.strict_only(),
                    "steps": c.file.steps.len(),
                    "path": path.display().to_string(),
                })
            })
            .collect();
        out!(out, "{}", serde_json::to_string_pretty(&items).unwrap_or_default())?;
    } else {
        for (_, c) in &cases {
            let profiles: Vec<&str> = c.file.profiles.iter().map(|p| p.as_str()).collect();
            let strict = if c.strict_only() { " (strict)" } else { "" };
            out!(out, "{}{strict}  [{}]  {}", c.id(), c.file.requirements.join(", "), profiles.join(", "))?;
        }
        out!(out, "{} cases", cases.len())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Exit 0 when every case is valid, 1 when a file was read and is wrong (the verdict),
/// 2 when the directory or a file could not be read at all.
fn validate(dir: PathBuf, out: &mut Output) -> Outcome {
    let loaded = load(&dir, "validate");
    if loaded.errors.is_empty() {
        let line = out!(out, "{}: {} cases, all valid", dir.display(), loaded.cases.len());
        return or_verdict(line, ExitCode::SUCCESS);
    }
    for e in &loaded.errors {
        note!("{e}");
    }
    note!("{} problem(s)", loaded.errors.len());
    let io = loaded.errors.iter().any(LoadError::is_io);
    Ok(ExitCode::from(if io { USAGE_OR_IO } else { VERDICT }))
}
