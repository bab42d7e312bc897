//! The suite has teeth: every mutant SDK (the model with one deliberate bug) fails the
//! default run, in process and through the wire protocol, and the failing cases name
//! the requirement the bug breaks. A case only counts as catching a mutant when it
//! passes on the reference, so a case that is wrong for everybody proves nothing.

mod common;

use common::{bin, crate_dir, hand_written_cases, run_json};
use jwt_lifecycle_conformance::adapter::reference::{mutation_name, ReferenceAdapter};
use jwt_lifecycle_conformance::adapter::Adapter;
use jwt_lifecycle_conformance::case::Case;
use jwt_lifecycle_conformance::runner::{CaseResult, Status};
use jwt_lifecycle_conformance::select::{plan, run_planned, Expectations, Selection};
use jwt_lifecycle_model::Mutation;
use jwt_lifecycle_spec::requirement::{Area, Subject};
use jwt_lifecycle_spec::{requirement, REQUIREMENTS};
use std::collections::BTreeSet;

/// The requirements each mutant breaks (any one named by a failing case is enough).
fn broken(m: Mutation) -> &'static [&'static str] {
    use Mutation::*;
    match m {
        RetryTwice => &["RETRY-002", "RETRY-003"],
        RetryOnForbiddenWithValidToken => &["RETRY-005"],
        KeepTokenOnAnonymize => &["LIFE-003", "LIFE-008"],
        KeepTokenOnLogout => &["LIFE-010", "LIFE-008"],
        RefreshThirtySecondsEarly => &["REFR-001"],
        NeverRefresh => &["REFR-001"],
        SilentExpiredToken => &["PRE-002"],
        RepeatExpiredSoon => &["REFR-005"],
        IgnoreFailureLimit => &["LIMIT-001"],
        NoResetOnSuccess => &["LIMIT-002"],
        DropEventsOnNetworkError => &["QUEUE-001", "RETRY-012"],
        LeakTokenAcrossIdentify => &["LIFE-009"],
        RetryWithStaleToken => &["LIFE-002"],
        ResendWithoutNewToken => &["RETRY-008", "RETRY-013"],
        InvalidForExpired => &["RETRY-001"],
        StaleRefreshTimer => &["REFR-006"],
        SilentMissingToken => &["PRE-001"],
        StoreTokenWhileJwtDisabled => &["CONF-002", "CONF-005"],
        NotifyWithoutHandler => &["NOTIFY-002"],
        InsufficientOnForbidden => &["RETRY-006", "NOTIFY-003"],
        MixCustomersInBatch => &["QUEUE-003", "LIFE-009"],
        KeepRunningAfterStop => &["CONF-007"],
        ResendDelivered => &["QUEUE-007"],
        HoldAcrossCustomers => &["RETRY-014"],
    }
}

fn run_in_process(cases: &[Case], mutation: Option<Mutation>) -> Vec<CaseResult> {
    let mut adapter = ReferenceAdapter::new().with_mutation(mutation);
    let hello = adapter.hello();
    let supported = hello.as_ref().map(|h| h.profiles.clone()).unwrap_or_default();
    let planned = plan(cases, &supported, &Selection::default());
    run_planned(&mut adapter, &hello, &planned, &Expectations::default(), &mut |_| {})
}

/// Report ids of the cases that pass on the reference.
fn passing_on_reference(cases: &[Case]) -> BTreeSet<String> {
    run_in_process(cases, None).into_iter().filter(|r| r.status == Status::Passed).map(|r| r.id).collect()
}

/// Why `m` is not caught, given (report id, status, requirements) of its run.
fn verdict(
    m: Mutation,
    results: &[(String, String, Vec<String>)],
    reference_passes: &BTreeSet<String>,
) -> Result<Vec<String>, String> {
    let catching: Vec<String> = results
        .iter()
        .filter(|(id, status, reqs)| {
            status == "failed"
                && reference_passes.contains(id)
                && reqs.iter().any(|r| broken(m).contains(&r.as_str()))
        })
        .map(|(id, _, _)| id.clone())
        .collect();
    if catching.is_empty() {
        let other: Vec<&str> =
            results.iter().filter(|(_, s, _)| s == "failed").map(|(id, _, _)| id.as_str()).collect();
        Err(format!(
            "{}: no case testing {:?} fails (other failures: {other:?})",
            mutation_name(m),
            broken(m)
        ))
    } else {
        Ok(catching)
    }
}

#[test]
fn every_sdk_behaviour_area_has_a_mutant_and_the_table_names_registered_rules() {
    let mut broken_areas = BTreeSet::new();
    for m in Mutation::ALL {
        for id in broken(m) {
            let rule = requirement(id).unwrap_or_else(|| {
                panic!("{}: breaks {id}, which the registry does not have", mutation_name(m))
            });
            assert_eq!(rule.subject, Subject::SdkBehaviour, "{}: {id} is not an SDK rule", mutation_name(m));
            broken_areas.insert(rule.area);
        }
    }
    let unproven: Vec<Area> = REQUIREMENTS
        .iter()
        .filter(|r| r.subject == Subject::SdkBehaviour && !broken_areas.contains(&r.area))
        .map(|r| r.area)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(
        unproven.is_empty(),
        "no mutant breaks a rule of {unproven:?}, so nothing shows the cases catch a bug there"
    );
}

#[test]
fn every_mutant_fails_the_default_run_in_process_naming_the_broken_requirement() {
    let cases = hand_written_cases();
    let reference = passing_on_reference(&cases);
    let mut missed = Vec::new();
    for m in Mutation::ALL {
        let results: Vec<(String, String, Vec<String>)> = run_in_process(&cases, Some(m))
            .into_iter()
            .map(|r| (r.id, r.status.as_str().to_owned(), r.requirements))
            .collect();
        if let Err(e) = verdict(m, &results, &reference) {
            missed.push(e);
        }
    }
    assert!(missed.is_empty(), "mutants not caught:\n{}", missed.join("\n"));
}

#[test]
fn every_mutant_fails_the_default_run_through_the_process_protocol() {
    let cases = hand_written_cases();
    let reference = passing_on_reference(&cases);
    let cases_dir = crate_dir().join("cases").display().to_string();
    let mut missed = Vec::new();
    for m in Mutation::ALL {
        let adapter = format!("{} reference-adapter --mutant {}", bin(), mutation_name(m));
        let (code, report) = run_json(&["--adapter", &adapter, "--cases", &cases_dir]);
        assert_eq!(code, 1, "{}: the run must exit 1", mutation_name(m));
        assert_eq!(report["summary"]["errors"], 0, "{}: {report:#}", mutation_name(m));
        let results: Vec<(String, String, Vec<String>)> = report["results"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                let reqs = r["requirements"].as_array().into_iter().flatten();
                (
                    r["case"].as_str().unwrap_or_default().to_owned(),
                    r["status"].as_str().unwrap_or_default().to_owned(),
                    reqs.filter_map(|v| v.as_str().map(str::to_owned)).collect(),
                )
            })
            .collect();
        if let Err(e) = verdict(m, &results, &reference) {
            missed.push(e);
        }
    }
    assert!(missed.is_empty(), "mutants not caught:\n{}", missed.join("\n"));
}
