//! The reference machine satisfies every property of every profile, over a pinned number
//! of states. That every safety property can also fail (each broken by a mutant) is
//! proven in the `jwt-lifecycle-mutants` crate.

use jwt_lifecycle_model::check::state::reachable_limit;
use jwt_lifecycle_model::check::{property_catalog, run_check, Bounds, CheckOptions, Kind};
use jwt_lifecycle_spec::profile::ProfileId;
use std::collections::BTreeSet;

/// Unique states at [`Bounds::TEST`] (both environments). A change that shrinks (or
/// grows) the explored space must be noticed and these numbers updated on purpose, as
/// stateright's own examples pin theirs. (Counted with every reduction of
/// `check::reduction`: the customer symmetry, the tokens and done events nobody holds
/// forgotten, the unread instants moved to their region.)
const TEST_UNIQUE_STATES: [(ProfileId, usize); 7] = [
    (ProfileId::ExponeaStream, 16_619),
    (ProfileId::MoengageIos, 6_848),
    (ProfileId::MoengageAndroid, 6_848),
    (ProfileId::KhorosLegacy, 5_378),
    (ProfileId::WebexConnect, 4_938),
    (ProfileId::IterableWeb, 1_352),
    (ProfileId::BrazeWeb, 3_867),
];

/// Unique states at [`Bounds::CI`], what `jwt-lifecycle check` explores.
const CI_UNIQUE_STATES: [(ProfileId, usize); 7] = [
    (ProfileId::ExponeaStream, 294_387),
    (ProfileId::MoengageIos, 108_759),
    (ProfileId::MoengageAndroid, 108_759),
    (ProfileId::KhorosLegacy, 73_892),
    (ProfileId::WebexConnect, 63_391),
    (ProfileId::IterableWeb, 195_446),
    (ProfileId::BrazeWeb, 85_907),
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
    assert_eq!(id, ProfileId::WebexConnect, "the smallest seed profile");
    let report = run_check(&id.profile(), &CheckOptions { threads: 2, ..CheckOptions::default() });
    assert!(report.all_hold(), "{id}");
    assert_eq!(report.unique_states, pinned, "{id}");
}

/// The full CI check of every profile, pinned. Slow in the test profile; run it with
/// `cargo test --release -p jwt-lifecycle-model --test check -- --ignored`.
#[test]
#[ignore = "minutes in the test profile: run with --release -- --ignored"]
fn ci_bounds_explore_the_pinned_number_of_states_for_every_profile() {
    for (id, pinned) in CI_UNIQUE_STATES {
        let report = run_check(&id.profile(), &CheckOptions { threads: 2, ..CheckOptions::default() });
        assert!(report.all_hold(), "{id}");
        assert_eq!(report.unique_states, pinned, "{id}");
    }
}

/// The full bounds check MoEngage's limit at its own number, and braze-web's (50, each
/// failure after the first behind a backoff wait) at what their two clock advances reach.
#[test]
fn the_full_bounds_check_each_failure_limit_at_a_number_their_budgets_reach() {
    let checked = |id: ProfileId| reachable_limit(&id.profile(), Bounds::FULL);
    assert_eq!(checked(ProfileId::MoengageIos), 10);
    assert_eq!(checked(ProfileId::MoengageAndroid), 10);
    assert_eq!(checked(ProfileId::BrazeWeb), 3);
    assert_eq!(reachable_limit(&ProfileId::BrazeWeb.profile(), Bounds { advances: 5, ..Bounds::FULL }), 6);
    assert_eq!(reachable_limit(&ProfileId::BrazeWeb.profile(), Bounds::CI), 2);
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
