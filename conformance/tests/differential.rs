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
    for (mutation, profile, requirement) in [
        (Mutation::NeverRefresh, ProfileId::ExponeaStream, "REFR-001"),
        (Mutation::RetryTwice, ProfileId::ExponeaStream, "RETRY-003"),
        (Mutation::DropEventsOnNetworkError, ProfileId::KhorosLegacy, "RETRY-012"),
    ] {
        let mut adapter = ReferenceAdapter::new().with_mutation(Some(mutation));
        let config = RandomConfig { sequences: 500, seed: 1, max_len: 24 };
        let outcome = run_random(&mut adapter, profile, config, RULES, 2);
        let d = outcome.divergence.unwrap_or_else(|| panic!("{mutation:?} on {profile}: nothing found"));
        assert_eq!(d.requirement, Some(requirement), "{mutation:?}: {}", d.message);
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
    assert_eq!(r["violations"][0]["requirement"], "REFR-001", "{r}");
    assert_eq!(report["requirements"]["REFR-001"]["violated"], 1, "{report}");
}

#[test]
fn random_runs_find_and_shrink_every_mutant_reachable_in_short_sequences() {
    use Mutation::*;
    // IgnoreFailureLimit and NoResetOnSuccess need ten consecutive failures, which
    // short random sequences do not reach; the fixed cases catch them (tests/mutants.rs).
    let table = [
        (RetryTwice, ProfileId::ExponeaStream),
        (RetryOnForbiddenWithValidToken, ProfileId::WebexConnect),
        (KeepTokenOnAnonymize, ProfileId::ExponeaStream),
        (KeepTokenOnLogout, ProfileId::MoengageIos),
        (RefreshThirtySecondsEarly, ProfileId::ExponeaStream),
        (SilentExpiredToken, ProfileId::ExponeaStream),
        (RepeatExpiredSoon, ProfileId::ExponeaStream),
        (LeakTokenAcrossIdentify, ProfileId::MoengageAndroid),
        (RetryWithStaleToken, ProfileId::ExponeaStream),
        (ResendWithoutNewToken, ProfileId::KhorosLegacy),
        (InvalidForExpired, ProfileId::MoengageIos),
        (StaleRefreshTimer, ProfileId::ExponeaStream),
        (SilentMissingToken, ProfileId::ExponeaStream),
        (StoreTokenWhileJwtDisabled, ProfileId::WebexConnect),
        (NotifyWithoutHandler, ProfileId::KhorosLegacy),
        (InsufficientOnForbidden, ProfileId::MoengageAndroid),
        (MixCustomersInBatch, ProfileId::ExponeaStream),
    ];
    let mut missed = Vec::new();
    for (mutation, profile) in table {
        let mut adapter = ReferenceAdapter::new().with_mutation(Some(mutation));
        let config = RandomConfig { sequences: 500, seed: 1, max_len: 24 };
        match run_random(&mut adapter, profile, config, RULES, 2).divergence {
            Some(d) if d.steps <= 10 => {}
            Some(d) => missed.push(format!("{mutation:?} on {profile}: shrunk only to {} steps", d.steps)),
            None => missed.push(format!("{mutation:?} on {profile}: not found")),
        }
    }
    assert!(missed.is_empty(), "{}", missed.join("\n"));
}
