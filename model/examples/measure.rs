//! Measures the exhaustive check of every profile at given bounds:
//! `cargo run --release -p jwt-lifecycle-model --example measure -- CALLS EVENTS REPLIES ADVANCES [THREADS]`.
use jwt_lifecycle_model::check::{run_check, Bounds, CheckOptions};
use jwt_lifecycle_spec::profile::ProfileId;

fn main() {
    let args: Vec<u8> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let get = |i: usize, d: u8| args.get(i).copied().unwrap_or(d);
    let bounds = Bounds {
        calls: get(0, Bounds::CI.calls),
        events: get(1, Bounds::CI.events),
        replies: get(2, Bounds::CI.replies),
        advances: get(3, Bounds::CI.advances),
        failure_limit: 2,
        throwing_handler: false,
    };
    let threads = usize::from(get(4, 1));
    for id in ProfileId::ALL {
        let report = run_check(&id.profile(), &CheckOptions { threads, bounds, ..CheckOptions::default() });
        println!(
            "{id}: states={} unique={} seconds={:.2}",
            report.states, report.unique_states, report.seconds
        );
        for p in &report.properties {
            if !p.holds {
                println!("  VIOLATED {} ({:?})", p.name, p.environment);
                for line in p.counterexample.iter().flatten() {
                    println!("     {line}");
                }
            }
        }
    }
}
