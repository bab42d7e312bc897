//! `jwt-lifecycle cases`: list, validate and generate case files.

use crate::run::DEFAULT_CASES;
use jwt_lifecycle_conformance::case::load_dir;
use jwt_lifecycle_conformance::generate::{generate, GenerateConfig};
use jwt_lifecycle_spec::profile::ProfileId;
use std::path::PathBuf;
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

pub(crate) fn run(cmd: CasesCommand) -> ExitCode {
    match cmd {
        CasesCommand::List { cases, json } => list(cases, json),
        CasesCommand::Validate { dir } => validate(dir),
        CasesCommand::Generate { profile, out, depth, max_cases } => {
            let cases = generate(profile, GenerateConfig { depth, max_cases });
            let dir = out.join(profile.as_str());
            if let Err(e) = std::fs::create_dir_all(&dir) {
                eprintln!("jwt-lifecycle cases generate: cannot create {}: {e}", dir.display());
                return ExitCode::from(2);
            }
            for case in &cases {
                let name = case.id().rsplit('/').next().unwrap_or(case.id());
                let path = dir.join(format!("{name}.json"));
                if let Err(e) = std::fs::write(&path, case.to_json_pretty()) {
                    eprintln!("jwt-lifecycle cases generate: cannot write {}: {e}", path.display());
                    return ExitCode::from(2);
                }
            }
            println!("wrote {} cases to {}", cases.len(), dir.display());
            ExitCode::SUCCESS
        }
    }
}

fn list(dir: PathBuf, json: bool) -> ExitCode {
    let cases = match load_dir(&dir) {
        Ok(cases) => cases,
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            return ExitCode::from(2);
        }
    };
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
        println!("{}", serde_json::to_string_pretty(&items).unwrap_or_default());
    } else {
        for (_, c) in &cases {
            let profiles: Vec<&str> = c.file.profiles.iter().map(|p| p.as_str()).collect();
            let strict = if c.strict_only() { " (strict)" } else { "" };
            println!("{}{strict}  [{}]  {}", c.id(), c.file.requirements.join(", "), profiles.join(", "));
        }
        println!("{} cases", cases.len());
    }
    ExitCode::SUCCESS
}

fn validate(dir: PathBuf) -> ExitCode {
    match load_dir(&dir) {
        Ok(cases) => {
            println!("{}: {} cases, all valid", dir.display(), cases.len());
            ExitCode::SUCCESS
        }
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            eprintln!("{} problem(s)", errors.len());
            ExitCode::from(1)
        }
    }
}
