//! Random runs: sequences driven against the SDK under test and judged by the monitors
//! (the default), or compared with the model (`--differential exact`).

mod common;

use common::bin;
use jwt_lifecycle_conformance::adapter::process::ProcessAdapter;
use jwt_lifecycle_conformance::adapter::reference::ReferenceAdapter;
use jwt_lifecycle_conformance::adapter::Adapter;
use jwt_lifecycle_conformance::differential::{run_random, Differential, RandomConfig};
use jwt_lifecycle_spec::profile::ProfileId;
use std::time::Duration;

const RULES: Differential = Differential::Rules;

#[test]
fn ten_thousand_random_steps_per_profile_break_no_rule_on_the_reference() {
    for profile in ProfileId::ALL {
        let mut adapter = ReferenceAdapter::new();
        let config = RandomConfig { sequences: 1500, seed: 42, max_len: 24 };
        let outcome = run_random(&mut adapter, profile, config, RULES, 2);
        assert!(outcome.divergence.is_none(), "{profile}: {:?}", outcome.divergence);
        assert!(outcome.steps >= 10_000, "{profile}: only {} steps", outcome.steps);
        assert_eq!(outcome.unimplemented, 0, "{profile}");
    }
}

#[test]
fn exact_random_runs_agree_with_the_reference() {
    for profile in ProfileId::ALL {
        let mut adapter = ReferenceAdapter::new();
        let config = RandomConfig { sequences: 300, seed: 42, max_len: 24 };
        let outcome = run_random(&mut adapter, profile, config, Differential::Exact, 2);
        assert!(outcome.divergence.is_none(), "{profile}: {:?}", outcome.divergence);
    }
}

#[test]
fn random_runs_pass_through_the_process_adapter() {
    let mut adapter =
        ProcessAdapter::new(vec![bin().to_owned(), "reference-adapter".to_owned()], Duration::from_secs(10));
    let protocol = adapter.hello().map(|h| h.protocol).unwrap_or(1);
    let config = RandomConfig { sequences: 100, seed: 3, max_len: 24 };
    let outcome = run_random(&mut adapter, ProfileId::MoengageIos, config, RULES, protocol);
    assert!(outcome.divergence.is_none(), "{:?}", outcome.divergence);
    assert!(outcome.steps > 500);
}

#[test]
fn a_default_random_run_exercises_every_transition_of_every_profile_for_any_seed() {
    for seed in [1, 2, 3, 17, 4242, 1_700_000_000] {
        for profile in ProfileId::ALL {
            let mut adapter = ReferenceAdapter::new();
            let outcome = run_random(&mut adapter, profile, RandomConfig::new(300, seed), RULES, 2);
            assert!(outcome.divergence.is_none(), "{profile}: {:?}", outcome.divergence);
            let tally = outcome.coverage.expect("a random run reports its coverage");
            assert!(tally.complete(), "seed {seed}, {profile}: {}", tally.line());
            assert!(tally.unexplained.is_empty(), "{profile}: {:?}", tally.unexplained);
        }
    }
}
