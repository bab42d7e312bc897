//! Proof that the model check has teeth: every safety property is broken by a deliberate
//! bug, and the unbroken machine satisfies every property of every profile.

use jwt_lifecycle_model::check::{property_catalog, run_check, Bounds, CheckOptions, Kind};
use jwt_lifecycle_model::Mutation;
use jwt_lifecycle_spec::profile::ProfileId;
use std::collections::BTreeSet;

/// Each mutation, the profile its check runs on, and the requirement whose monitor it
/// is meant to break.
const MUTANTS: &[(Mutation, ProfileId, &str)] = &[
    (Mutation::KeepTokenOnAnonymize, ProfileId::ExponeaStream, "LIFE-003"),
    (Mutation::KeepTokenOnLogout, ProfileId::MoengageIos, "LIFE-010"),
    (Mutation::LeakTokenAcrossIdentify, ProfileId::MoengageIos, "LIFE-009"),
    (Mutation::RetryWithStaleToken, ProfileId::ExponeaStream, "LIFE-002"),
    (Mutation::RetryTwice, ProfileId::ExponeaStream, "RETRY-003"),
    (Mutation::RetryOnForbiddenWithValidToken, ProfileId::ExponeaStream, "RETRY-005"),
    (Mutation::InvalidForExpired, ProfileId::ExponeaStream, "RETRY-001"),
    (Mutation::ResendWithoutNewToken, ProfileId::KhorosLegacy, "RETRY-008"),
    (Mutation::HoldAcrossCustomers, ProfileId::MoengageIos, "RETRY-014"),
    (Mutation::RefreshThirtySecondsEarly, ProfileId::ExponeaStream, "REFR-001"),
    (Mutation::NeverRefresh, ProfileId::ExponeaStream, "REFR-001"),
    (Mutation::RepeatExpiredSoon, ProfileId::ExponeaStream, "REFR-005"),
    (Mutation::StaleRefreshTimer, ProfileId::ExponeaStream, "REFR-006"),
    (Mutation::SilentExpiredToken, ProfileId::ExponeaStream, "PRE-002"),
    (Mutation::SilentMissingToken, ProfileId::ExponeaStream, "PRE-001"),
    (Mutation::IgnoreFailureLimit, ProfileId::MoengageIos, "LIMIT-001"),
    (Mutation::NoResetOnSuccess, ProfileId::MoengageIos, "LIMIT-002"),
    (Mutation::DropEventsOnNetworkError, ProfileId::ExponeaStream, "RETRY-012"),
    (Mutation::MixCustomersInBatch, ProfileId::ExponeaStream, "QUEUE-003"),
    (Mutation::StoreTokenWhileJwtDisabled, ProfileId::ExponeaStream, "CONF-002"),
    (Mutation::NotifyWithoutHandler, ProfileId::ExponeaStream, "NOTIFY-002"),
    (Mutation::InsufficientOnForbidden, ProfileId::ExponeaStream, "NOTIFY-003"),
    (Mutation::KeepRunningAfterStop, ProfileId::ExponeaStream, "CONF-007"),
    (Mutation::ResendDelivered, ProfileId::ExponeaStream, "QUEUE-007"),
];

#[test]
fn every_mutation_breaks_the_monitor_it_is_meant_to_break() {
    let mut survivors = Vec::new();
    for &(mutation, profile, requirement) in MUTANTS {
        let property =
            jwt_lifecycle_oracle::monitor(requirement).map(|m| m.property).expect("a monitored requirement");
        let options = CheckOptions {
            threads: 1,
            bounds: Bounds::CI,
            mutation: Some(mutation),
            stop_at: Some(BTreeSet::from([property])),
        };
        let report = run_check(&profile.profile(), &options);
        match report.property(property) {
            Some(result) if !result.holds => {
                let trace = result.counterexample.clone().unwrap_or_default();
                assert!(!trace.is_empty(), "{property}: violated without a counterexample trace");
                let named = trace.iter().any(|line| line.contains(&format!("violates {requirement}:")));
                assert!(named, "{mutation:?}: the counterexample names {requirement}:\n{}", trace.join("\n"));
            }
            _ => survivors.push(format!("{mutation:?} on {profile} did not break {requirement}")),
        }
    }
    assert!(survivors.is_empty(), "mutations the checker did not catch:\n{}", survivors.join("\n"));
}

#[test]
fn every_mutation_is_in_the_table() {
    let listed: BTreeSet<Mutation> = MUTANTS.iter().map(|(m, _, _)| *m).collect();
    let missing: Vec<Mutation> = Mutation::ALL.into_iter().filter(|m| !listed.contains(m)).collect();
    assert!(missing.is_empty(), "mutations without a row: {missing:?}");
}

/// Unique states at [`Bounds::TEST`] (both environments). A change that shrinks (or
/// grows) the explored space must be noticed and these numbers updated on purpose, as
/// stateright's own examples pin theirs.
const TEST_UNIQUE_STATES: [(ProfileId, usize); 5] = [
    (ProfileId::ExponeaStream, 42_348),
    (ProfileId::MoengageIos, 22_072),
    (ProfileId::MoengageAndroid, 22_072),
    (ProfileId::KhorosLegacy, 18_084),
    (ProfileId::WebexConnect, 17_652),
];

/// Unique states at [`Bounds::CI`], what `jwt-lifecycle check` explores.
const CI_UNIQUE_STATES: [(ProfileId, usize); 5] = [
    (ProfileId::ExponeaStream, 1_438_739),
    (ProfileId::MoengageIos, 715_969),
    (ProfileId::MoengageAndroid, 715_969),
    (ProfileId::KhorosLegacy, 532_251),
    (ProfileId::WebexConnect, 500_810),
];

#[test]
fn the_machine_as_specified_satisfies_every_property_of_every_profile() {
    for (id, pinned) in TEST_UNIQUE_STATES {
        let report =
            run_check(&id.profile(), &CheckOptions { bounds: Bounds::TEST, ..CheckOptions::default() });
        let broken: Vec<String> = report
            .properties
            .iter()
            .filter(|p| !p.holds)
            .map(|p| {
                format!("{}\n    {}", p.name, p.counterexample.clone().unwrap_or_default().join("\n    "))
            })
            .collect();
        assert!(broken.is_empty(), "{id}:\n{}", broken.join("\n"));
        let applicable = property_catalog().into_iter().filter(|p| p.profiles.contains(&id)).count();
        assert_eq!(report.properties.len(), applicable, "{id}: every applicable property is reported");
        assert_eq!(report.unique_states, pinned, "{id}: the explored space changed size");
    }
}

#[test]
fn ci_bounds_explore_the_pinned_number_of_states_for_the_smallest_profile() {
    let (id, pinned) = CI_UNIQUE_STATES[4];
    let report = run_check(&id.profile(), &CheckOptions { threads: 2, ..CheckOptions::default() });
    assert!(report.all_hold(), "{id}");
    assert_eq!(report.unique_states, pinned, "{id}");
}

/// The full CI check of every profile, pinned. Slow in the test profile; run it with
/// `cargo test --release -p jwt-lifecycle-model --test mutants -- --ignored`.
#[test]
#[ignore]
fn ci_bounds_explore_the_pinned_number_of_states_for_every_profile() {
    for (id, pinned) in CI_UNIQUE_STATES {
        let report = run_check(&id.profile(), &CheckOptions { threads: 2, ..CheckOptions::default() });
        assert!(report.all_hold(), "{id}");
        assert_eq!(report.unique_states, pinned, "{id}");
    }
}

#[test]
fn every_property_is_named_after_an_sdk_behaviour_requirement() {
    use jwt_lifecycle_spec::requirement::Subject;
    let catalog = property_catalog();
    for p in &catalog {
        assert!(p.name.starts_with(&format!("{}: ", p.requirement)), "{}", p.name);
        let req = jwt_lifecycle_spec::requirement(p.requirement)
            .unwrap_or_else(|| panic!("{}: unknown id", p.name));
        assert_eq!(req.subject, Subject::SdkBehaviour, "{}", p.name);
        assert!(!p.profiles.is_empty(), "{}: applies to no profile", p.name);
    }
    let names: BTreeSet<&str> = catalog.iter().map(|p| p.name).collect();
    assert_eq!(names.len(), catalog.len(), "names are unique");
    for kind in [Kind::Always, Kind::Eventually, Kind::Sometimes] {
        assert!(catalog.iter().any(|p| p.kind == kind), "{kind:?}");
    }
}
