//! The model check of one mutant, with its counterexamples (what `jwt-lifecycle check`
//! shows for the reference):
//! `cargo run --release -p jwt-lifecycle-mutants --example check -- NAME [PROFILE] [--throwing-handler]`.

use jwt_lifecycle_model::check::{run_check_of, Bounds, CheckOptions};
use jwt_lifecycle_mutants::{Mutant, Mutation};
use jwt_lifecycle_spec::profile::ProfileId;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let throwing = args.iter().any(|a| a == "--throwing-handler");
    let mut words = args.iter().filter(|a| !a.starts_with("--"));
    let bug = match words.next().map(|name| Mutation::parse(name)) {
        Some(Ok(bug)) => bug,
        Some(Err(e)) => return usage(&e),
        None => return usage("name a mutant"),
    };
    let profile = match words.next().map(|p| p.parse::<ProfileId>()) {
        Some(Ok(p)) => p,
        Some(Err(e)) => return usage(&e.to_string()),
        None => ProfileId::ExponeaStream,
    };
    let bounds = if throwing { Bounds::CI.with_throwing_handler() } else { Bounds::CI };
    let options = CheckOptions { threads: 2, bounds, stop_at: None };
    let report = run_check_of(&profile.profile(), &options, |p| Mutant::new(bug, p));
    println!("{bug} on {profile}: {} unique states in {:.2} s", report.unique_states, report.seconds);
    for p in report.properties.iter().filter(|p| !p.holds) {
        println!("  VIOLATED [{}] {}", p.kind, p.name);
        for line in p.counterexample.iter().flatten() {
            println!("      {line}");
        }
    }
    if report.all_hold() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn usage(message: &str) -> ExitCode {
    eprintln!("check: {message}\nusage: check NAME [PROFILE] [--throwing-handler]");
    ExitCode::from(2)
}
