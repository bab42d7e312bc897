//! Conformance means satisfying the rules, not being equal to the reference: an SDK that
//! differs from the reference only where the specification leaves a choice (requests of
//! its own, their numbering, how deletions are grouped, the order of outputs no rule
//! orders, timers anywhere inside their tolerance) passes every fixed case and random runs
//! judged by the rules.

mod choices;
mod common;

use choices::Chooser;
use common::hand_written_cases;
use jwt_lifecycle_conformance::adapter::Adapter;
use jwt_lifecycle_conformance::differential::{run_random, Differential, RandomConfig};
use jwt_lifecycle_conformance::runner::Status;
use jwt_lifecycle_conformance::select::{plan, run_planned, Expectations, Selection};
use jwt_lifecycle_spec::profile::ProfileId;

#[test]
fn an_sdk_making_other_allowed_choices_passes_every_fixed_case() {
    let cases = hand_written_cases();
    let mut adapter = Chooser::new();
    let hello = adapter.hello();
    let planned = plan(&cases, &ProfileId::ALL, &Selection::default());
    let results = run_planned(&mut adapter, &hello, &planned, &Expectations::default(), &mut |_| {});
    let failed: Vec<String> = results
        .iter()
        .filter(|r| r.status != Status::Passed)
        .map(|r| format!("{} {}: {}", r.status.as_str(), r.id, r.message.as_deref().unwrap_or("")))
        .collect();
    assert!(failed.is_empty(), "{} of {} results:\n{}", failed.len(), results.len(), failed.join("\n\n"));
    let made = adapter.made;
    // Each choice was really made, or the test proves nothing about it.
    assert!(made.own_requests > 100, "{made:?}");
    assert!(made.own_first > 20, "{made:?}");
    assert!(made.renumbered > 100, "{made:?}");
    assert!(made.split_deletions > 10, "{made:?}");
    assert!(made.moved_timers > 10, "{made:?}");
    assert!(made.own_preflights > 0, "{made:?}");
}

#[test]
fn an_sdk_making_other_allowed_choices_passes_random_runs_judged_by_the_rules() {
    for profile in ProfileId::ALL {
        let mut adapter = Chooser::new();
        let config = RandomConfig { sequences: 300, seed: 17, max_len: 24 };
        let outcome = run_random(&mut adapter, profile, config, Differential::Rules, 2);
        assert!(outcome.error.is_none(), "{profile}: {:?}", outcome.error);
        let divergence = outcome.divergence.map(|d| format!("{}\n{}", d.message, d.case));
        assert!(divergence.is_none(), "{profile}: {}", divergence.unwrap_or_default());
        assert!(outcome.steps >= 3_000, "{profile}: only {} steps", outcome.steps);
        assert!(adapter.made.own_requests > 50, "{profile}: {:?}", adapter.made);
    }
}
