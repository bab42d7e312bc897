//! Random runs: sequences driven against the SDK under test and judged by the monitors
//! (the default), or compared with the model (`--differential exact`).

mod common;

use common::{bin, run_json};
use jwt_lifecycle_conformance::adapter::process::ProcessAdapter;
use jwt_lifecycle_conformance::adapter::reference::ReferenceAdapter;
use jwt_lifecycle_conformance::adapter::Adapter;
use jwt_lifecycle_conformance::case::parse_case;
use jwt_lifecycle_conformance::differential::{run_random, Differential, RandomConfig};
use jwt_lifecycle_model::Mutation;
use jwt_lifecycle_spec::profile::ProfileId;
use std::path::Path;
use std::time::Duration;

const RULES: Differential = Differential::Rules;

#[test]
fn ten_thousand_random_steps_per_profile_break_no_rule_on_the_reference() {
    for profile in ProfileId::ALL {
        let mut adapter = ReferenceAdapter::new();
        let config = RandomConfig { sequences: 1000, seed: 42, max_len: 24 };
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
fn a_planted_bug_shrinks_to_a_short_case_that_names_its_rule_and_reloads() {
    // A bug may break more than one rule; shrinking keeps the one found first.
    for (mutation, profile, requirements) in [
        (Mutation::NeverRefresh, ProfileId::ExponeaStream, &["REFR-001", "REFR-003"][..]),
        (Mutation::RetryTwice, ProfileId::ExponeaStream, &["RETRY-003"][..]),
        (Mutation::DropEventsOnNetworkError, ProfileId::KhorosLegacy, &["RETRY-012"][..]),
    ] {
        let mut adapter = ReferenceAdapter::new().with_mutation(Some(mutation));
        let config = RandomConfig::new(500, 1);
        let outcome = run_random(&mut adapter, profile, config, RULES, 2);
        let d = outcome.divergence.unwrap_or_else(|| panic!("{mutation:?} on {profile}: nothing found"));
        let requirement = d.requirement.unwrap_or_default();
        assert!(requirements.contains(&requirement), "{mutation:?}: {}", d.message);
        assert!(d.violations.iter().any(|v| v.requirement == requirement), "{}", d.message);
        assert!(d.steps <= 10, "{mutation:?}: shrunk to {} steps:\n{}", d.steps, d.case);
        let case = parse_case(&d.case, Path::new("shrunk.json")).expect("the printed case loads");
        assert_eq!(case.file.steps.len(), d.steps);
        assert_eq!(case.file.requirements, [requirement]);
        // The same seed finds the same minimal case.
        let mut again = ReferenceAdapter::new().with_mutation(Some(mutation));
        assert_eq!(
            run_random(&mut again, profile, config, RULES, 2).divergence.map(|d| d.case),
            Some(d.case)
        );
    }
}

#[test]
fn the_cli_prints_the_seed_the_rule_and_the_shrunk_case() {
    let empty = tempfile::tempdir().unwrap();
    let (code, report) = run_json(&[
        "--reference",
        "--mutant",
        "never_refresh",
        "--cases",
        &empty.path().display().to_string(),
        "--random",
        "300",
        "--seed",
        "5",
        "--profile",
        "exponea-stream",
    ]);
    assert_eq!(code, 1);
    let r = &report["results"][0];
    assert_eq!(r["case"], "random/exponea-stream");
    assert_eq!(r["status"], "failed");
    assert!(r["message"].as_str().unwrap().contains("--seed 5"), "{r}");
    assert!(r["trace"].as_str().unwrap().contains("\"steps\""), "{r}");
    // Never refreshing breaks REFR-001 (no timer) and REFR-003 (no notice at once).
    let broken = r["violations"][0]["requirement"].as_str().unwrap_or_default();
    assert!(["REFR-001", "REFR-003"].contains(&broken), "{r}");
    assert_eq!(report["requirements"][broken]["violated"], 1, "{report}");
}

#[test]
fn a_default_random_run_finds_and_shrinks_every_mutant() {
    use Mutation::*;
    // The failure limit's mutants need ten rejections, each followed by a new token:
    // their minimal traces are long by nature.
    let table = [
        (RetryTwice, ProfileId::ExponeaStream, 10),
        (RetryOnForbiddenWithValidToken, ProfileId::WebexConnect, 10),
        (KeepTokenOnAnonymize, ProfileId::ExponeaStream, 10),
        (KeepTokenOnLogout, ProfileId::MoengageIos, 10),
        (RefreshThirtySecondsEarly, ProfileId::ExponeaStream, 10),
        (NeverRefresh, ProfileId::ExponeaStream, 10),
        (SilentExpiredToken, ProfileId::ExponeaStream, 10),
        (RepeatExpiredSoon, ProfileId::ExponeaStream, 10),
        (IgnoreFailureLimit, ProfileId::MoengageIos, 40),
        (NoResetOnSuccess, ProfileId::MoengageIos, 40),
        (DropEventsOnNetworkError, ProfileId::KhorosLegacy, 10),
        (LeakTokenAcrossIdentify, ProfileId::MoengageAndroid, 10),
        (RetryWithStaleToken, ProfileId::ExponeaStream, 10),
        (ResendWithoutNewToken, ProfileId::KhorosLegacy, 10),
        (InvalidForExpired, ProfileId::MoengageIos, 16),
        (StaleRefreshTimer, ProfileId::ExponeaStream, 10),
        (SilentMissingToken, ProfileId::ExponeaStream, 10),
        (StoreTokenWhileJwtDisabled, ProfileId::WebexConnect, 10),
        (NotifyWithoutHandler, ProfileId::KhorosLegacy, 10),
        (InsufficientOnForbidden, ProfileId::MoengageAndroid, 10),
        (MixCustomersInBatch, ProfileId::ExponeaStream, 10),
        (KeepRunningAfterStop, ProfileId::ExponeaStream, 10),
        (ResendDelivered, ProfileId::ExponeaStream, 10),
        (HoldAcrossCustomers, ProfileId::KhorosLegacy, 10),
    ];
    assert_eq!(table.len(), Mutation::ALL.len(), "every mutant has a row");
    let mut missed = Vec::new();
    for (mutation, profile, longest) in table {
        let mut adapter = ReferenceAdapter::new().with_mutation(Some(mutation));
        match run_random(&mut adapter, profile, RandomConfig::new(300, 1), RULES, 2).divergence {
            Some(d) if d.steps <= longest => {}
            Some(d) => missed.push(format!("{mutation:?} on {profile}: shrunk only to {} steps", d.steps)),
            None => missed.push(format!("{mutation:?} on {profile}: not found")),
        }
    }
    assert!(missed.is_empty(), "{}", missed.join("\n"));
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
