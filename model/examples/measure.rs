//! Measures the exhaustive check at given bounds:
//! `cargo run --release -p jwt-lifecycle-model --example measure -- CALLS EVENTS REPLIES ADVANCES [THREADS] [LIMIT] [ANSWERS] [PROFILE] [unreduced | keep-tokens | keep-events | keep-instants]`.
use jwt_lifecycle_model::check::{run_check, Bounds, CheckOptions};
use jwt_lifecycle_spec::profile::ProfileId;

fn main() {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<u8> = raw.iter().filter_map(|a| a.parse().ok()).collect();
    let get = |i: usize, d: u8| args.get(i).copied().unwrap_or(d);
    let bounds = Bounds {
        calls: get(0, Bounds::CI.calls),
        events: get(1, Bounds::CI.events),
        replies: get(2, Bounds::CI.replies),
        advances: get(3, Bounds::CI.advances),
        failure_limit: u32::from(get(5, 2)),
        throwing_handler: false,
        customer_symmetry: !raw.iter().any(|a| a == "unreduced"),
        answers: get(6, 0),
        forget_tokens: !raw.iter().any(|a| a == "unreduced" || a == "keep-tokens"),
        forget_events: !raw.iter().any(|a| a == "unreduced" || a == "keep-events"),
        time_regions: !raw.iter().any(|a| a == "unreduced" || a == "keep-instants"),
    };
    let threads = usize::from(get(4, 1));
    let only: Option<ProfileId> = raw.iter().find_map(|a| a.parse().ok());
    for id in ProfileId::ALL.into_iter().filter(|id| only.is_none_or(|o| o == *id)) {
        let report = run_check(&id.profile(), &CheckOptions { threads, bounds, ..CheckOptions::default() });
        println!(
            "{id}: states={} unique={} seconds={:.2} rate={:.0}/s",
            report.states,
            report.unique_states,
            report.seconds,
            report.unique_states as f64 / report.seconds
        );
        for p in &report.properties {
            if !p.holds {
                println!("  NOT HOLDING {} ({:?})", p.name, p.environment);
            }
        }
    }
}
