//! Scratch: checks one profile at given bounds.
use jwt_lifecycle_model::check::{run_check, Bounds, CheckOptions};
use jwt_lifecycle_spec::profile::ProfileId;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let id: ProfileId = args[0].parse().unwrap();
    let n: Vec<u8> = args[1..].iter().filter_map(|a| a.parse().ok()).collect();
    let get = |i: usize, d: u8| n.get(i).copied().unwrap_or(d);
    let bounds = Bounds {
        calls: get(0, 3),
        events: get(1, 2),
        replies: get(2, 2),
        advances: get(3, 2),
        failure_limit: 2,
        throwing_handler: false,
    };
    let threads = usize::from(get(4, 1));
    let mut profile = id.profile();
    if std::env::var_os("NOAUTO").is_some() {
        profile.auto_flush = None;
    }
    if std::env::var_os("NOTHROUGH").is_some() {
        if let Some(l) = profile.failure_limit.as_mut() {
            l.flush_while_suspended = false;
        }
    }
    if std::env::var_os("NOOTHER").is_some() {
        profile.on_other_failure = jwt_lifecycle_spec::profile::OtherFailurePolicy::Requeue;
    }
    if std::env::var_os("NOCLEAR").is_some() {
        profile.calls.retain(|c| *c != jwt_lifecycle_spec::alphabet::CallKind::ClearLocalData);
    }
    let report = run_check(&profile, &CheckOptions { threads, bounds, ..CheckOptions::default() });
    println!("{id}: states={} unique={} seconds={:.2}", report.states, report.unique_states, report.seconds);
    if std::env::var_os("PERENV").is_some() {
        use jwt_lifecycle_model::check::{Environment, LifecycleModel};
        use stateright::{Checker, Model};
        for env in [Environment::Adversarial, Environment::Cooperative] {
            let scaled = jwt_lifecycle_model::check::state::scaled(&profile, bounds);
            let m = LifecycleModel::new(&scaled, env, bounds);
            let c = m.checker().threads(threads).spawn_bfs().join();
            println!("  {env:?}: unique={}", c.unique_state_count());
        }
    }
    for p in &report.properties {
        if !p.holds {
            println!("  VIOLATED {} ({:?})", p.name, p.environment);
            for line in p.counterexample.iter().flatten() {
                println!("     {line}");
            }
        }
    }
}

#[allow(dead_code)]
fn per_env() {}
