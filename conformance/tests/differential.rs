//! Differential runs: random sequences on the model and the adapter.

mod common;

use common::{bin, run_json};
use jwt_lifecycle_conformance::adapter::process::ProcessAdapter;
use jwt_lifecycle_conformance::adapter::reference::ReferenceAdapter;
use jwt_lifecycle_conformance::case::parse_case;
use jwt_lifecycle_conformance::differential::{run_random, RandomConfig};
use jwt_lifecycle_model::Mutation;
use jwt_lifecycle_spec::profile::ProfileId;
use std::path::Path;
use std::time::Duration;

#[test]
fn ten_thousand_random_steps_per_profile_agree_with_the_reference() {
    for profile in ProfileId::ALL {
        let mut adapter = ReferenceAdapter::new();
        let outcome =
            run_random(&mut adapter, profile, RandomConfig { sequences: 1000, seed: 42, max_len: 24 });
        assert!(outcome.divergence.is_none(), "{profile}: {:?}", outcome.divergence);
        assert!(outcome.steps >= 10_000, "{profile}: only {} steps", outcome.steps);
    }
}

#[test]
fn random_runs_agree_through_the_process_adapter() {
    let mut adapter =
        ProcessAdapter::new(vec![bin().to_owned(), "reference-adapter".to_owned()], Duration::from_secs(10));
    let outcome = run_random(
        &mut adapter,
        ProfileId::MoengageIos,
        RandomConfig { sequences: 100, seed: 3, max_len: 24 },
    );
    assert!(outcome.divergence.is_none(), "{:?}", outcome.divergence);
    assert!(outcome.steps > 500);
}

#[test]
fn a_planted_divergence_shrinks_to_at_most_eight_steps_and_reloads_as_a_case() {
    for (mutation, profile) in [
        (Mutation::NeverRefresh, ProfileId::ExponeaStream),
        (Mutation::RetryTwice, ProfileId::ExponeaStream),
        (Mutation::DropEventsOnNetworkError, ProfileId::KhorosLegacy),
    ] {
        let mut adapter = ReferenceAdapter::new().with_mutation(Some(mutation));
        let config = RandomConfig { sequences: 500, seed: 1, max_len: 24 };
        let outcome = run_random(&mut adapter, profile, config);
        let d =
            outcome.divergence.unwrap_or_else(|| panic!("{mutation:?} on {profile}: no divergence found"));
        assert!(d.steps <= 8, "{mutation:?}: shrunk to {} steps:\n{}", d.steps, d.case);
        let case = parse_case(&d.case, Path::new("shrunk.json")).expect("the printed case loads");
        assert_eq!(case.file.steps.len(), d.steps);
        // The same seed finds the same minimal case.
        let mut again = ReferenceAdapter::new().with_mutation(Some(mutation));
        assert_eq!(run_random(&mut again, profile, config).divergence.map(|d| d.case), Some(d.case));
    }
}

#[test]
fn the_cli_prints_the_seed_and_the_shrunk_case() {
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
        let outcome =
            run_random(&mut adapter, profile, RandomConfig { sequences: 500, seed: 1, max_len: 24 });
        match outcome.divergence {
            Some(d) if d.steps <= 8 => {}
            Some(d) => missed.push(format!("{mutation:?} on {profile}: shrunk only to {} steps", d.steps)),
            None => missed.push(format!("{mutation:?} on {profile}: not found")),
        }
    }
    assert!(missed.is_empty(), "{}", missed.join("\n"));
}
