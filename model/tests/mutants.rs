//! Proof that the model check has teeth: every safety property is broken by a deliberate
//! bug, and the unbroken machine satisfies every property of every profile.

use jwt_lifecycle_model::check::{property_catalog, run_check, Bounds, CheckOptions, Kind};
use jwt_lifecycle_spec::profile::ProfileId;
use std::collections::BTreeSet;

#[test]
fn every_safety_property_has_a_mutation_that_breaks_it() {
    let mut survivors = Vec::new();
    for info in property_catalog().into_iter().filter(|p| p.kind == Kind::Always) {
        let Some((mutation, profile)) = info.killed_by else {
            survivors.push(format!("{}: no mutation named", info.name));
            continue;
        };
        assert!(
            info.profiles.contains(&profile),
            "{}: the mutation runs on a profile it does not apply to",
            info.name
        );
        let options = CheckOptions {
            threads: 1,
            bounds: Bounds::CI,
            mutation: Some(mutation),
            stop_at: Some(BTreeSet::from([info.name])),
        };
        let report = run_check(&profile.profile(), &options);
        match report.property(info.name) {
            Some(result) if !result.holds => {
                let trace = result.counterexample.as_ref().map(Vec::len).unwrap_or(0);
                assert!(trace > 0, "{}: violated without a counterexample trace", info.name);
            }
            _ => survivors.push(format!("{}: {:?} on {profile} survived", info.name, mutation)),
        }
    }
    assert!(survivors.is_empty(), "mutations the checker did not catch:\n{}", survivors.join("\n"));
}

/// Unique states at [`Bounds::TEST`] (both environments). A change that shrinks (or
/// grows) the explored space must be noticed and these numbers updated on purpose, as
/// stateright's own examples pin theirs.
const TEST_UNIQUE_STATES: [(ProfileId, usize); 5] = [
    (ProfileId::ExponeaStream, 32_262),
    (ProfileId::MoengageIos, 14_089),
    (ProfileId::MoengageAndroid, 14_089),
    (ProfileId::KhorosLegacy, 10_794),
    (ProfileId::WebexConnect, 10_653),
];

/// Unique states at [`Bounds::CI`], what `jwt-lifecycle check` explores.
const CI_UNIQUE_STATES: [(ProfileId, usize); 5] = [
    (ProfileId::ExponeaStream, 954_305),
    (ProfileId::MoengageIos, 399_684),
    (ProfileId::MoengageAndroid, 399_684),
    (ProfileId::KhorosLegacy, 263_527),
    (ProfileId::WebexConnect, 248_974),
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

#[test]
fn every_mutation_is_the_named_killer_of_some_safety_property() {
    use jwt_lifecycle_model::Mutation;
    let killers: BTreeSet<Mutation> =
        property_catalog().into_iter().filter_map(|p| p.killed_by.map(|k| k.0)).collect();
    let unused: Vec<Mutation> = Mutation::ALL.into_iter().filter(|m| !killers.contains(m)).collect();
    assert!(unused.is_empty(), "mutations no property test uses: {unused:?}");
}
