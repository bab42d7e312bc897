//! The fixed cases have teeth: every mutant fails the default run, in process and through
//! the wire protocol, and a failing case names, among the requirements its monitors saw
//! violated, the requirement the mutant is meant to break. A case only counts when it
//! passes on the reference, so a case that is wrong for everybody proves nothing.

mod common;

use common::{hand_written_cases, mutant_bin, Row, TABLE};
use jwt_lifecycle_conformance::adapter::process::ProcessAdapter;
use jwt_lifecycle_conformance::adapter::reference::ReferenceAdapter;
use jwt_lifecycle_conformance::adapter::Adapter;
use jwt_lifecycle_conformance::case::Case;
use jwt_lifecycle_conformance::runner::{CaseResult, Status};
use jwt_lifecycle_conformance::select::{plan, run_planned, Expectations, Selection};
use jwt_lifecycle_mutants::{MutantAdapter, Mutation};
use jwt_lifecycle_spec::requirement::{Area, Subject};
use jwt_lifecycle_spec::{requirement, REQUIREMENTS};
use std::collections::BTreeSet;
use std::time::Duration;

/// The default run (no strict-only cases) of `cases` on `adapter`.
fn default_run(adapter: &mut dyn Adapter, cases: &[Case]) -> Vec<CaseResult> {
    let hello = adapter.hello();
    let supported = hello.as_ref().map(|h| h.profiles.clone()).unwrap_or_default();
    let planned = plan(cases, &supported, &Selection::default());
    let results = run_planned(adapter, &hello, &planned, &Expectations::default(), &mut |_| {});
    adapter.finish();
    results
}

/// Report ids of the cases that pass on the reference.
fn passing_on_reference(cases: &[Case]) -> BTreeSet<String> {
    let results = default_run(&mut ReferenceAdapter::new(), cases);
    results.into_iter().filter(|r| r.status == Status::Passed).map(|r| r.id).collect()
}

/// The cases, passing on the reference, that fail on the mutant of `row` with its
/// requirement among their violations.
fn catching(row: &Row, results: &[CaseResult], reference: &BTreeSet<String>) -> Vec<String> {
    results
        .iter()
        .filter(|r| r.status == Status::Failed && reference.contains(&r.id))
        .filter(|r| r.violations.iter().any(|v| v.requirement == row.breaks))
        .map(|r| r.id.clone())
        .collect()
}

/// Runs every mutant with `run`: each is caught by a case that passes on the reference
/// and names the mutant's requirement among its violations.
fn check_every_mutant(run: impl Fn(Mutation) -> Vec<CaseResult>, how: &str) {
    let cases = hand_written_cases();
    let reference = passing_on_reference(&cases);
    let mut missed = Vec::new();
    for row in TABLE {
        let results = run(row.mutant);
        let errors: Vec<&str> =
            results.iter().filter(|r| r.status == Status::Error).map(|r| r.id.as_str()).collect();
        assert!(errors.is_empty(), "{} {how}: adapter errors in {errors:?}", row.mutant);
        if catching(row, &results, &reference).is_empty() {
            let failed: Vec<String> = results
                .iter()
                .filter(|r| r.status == Status::Failed)
                .map(|r| {
                    let named: BTreeSet<&str> = r.violations.iter().map(|v| v.requirement).collect();
                    format!("{} {named:?}", r.id)
                })
                .collect();
            missed.push(format!(
                "{}: no case names {} among its violations (failed: {failed:?})",
                row.mutant, row.breaks
            ));
        }
    }
    assert!(missed.is_empty(), "mutants not caught {how}:\n{}", missed.join("\n"));
}

#[test]
fn every_mutant_fails_the_default_run_in_process_naming_the_broken_requirement() {
    let cases = hand_written_cases();
    check_every_mutant(|m| default_run(&mut MutantAdapter::new(m), &cases), "in process");
}

#[test]
fn every_mutant_fails_the_default_run_through_the_wire_protocol() {
    let cases = hand_written_cases();
    let run = |m: Mutation| {
        let argv = vec![mutant_bin().to_owned(), "--mutant".to_owned(), m.name()];
        default_run(&mut ProcessAdapter::new(argv, Duration::from_secs(10)), &cases)
    };
    check_every_mutant(run, "over the wire");
}

#[test]
fn every_sdk_behaviour_area_has_a_mutant_and_the_table_names_registered_rules() {
    let mut broken_areas = BTreeSet::new();
    for row in TABLE {
        let rule = requirement(row.breaks).unwrap_or_else(|| {
            panic!("{}: breaks {}, which the registry does not have", row.mutant, row.breaks)
        });
        assert_eq!(rule.subject, Subject::SdkBehaviour, "{}: {} is not an SDK rule", row.mutant, row.breaks);
        assert!(
            rule.applies_to(row.checked_on),
            "{}: {} does not apply to {}",
            row.mutant,
            row.breaks,
            row.checked_on
        );
        broken_areas.insert(rule.area);
    }
    let unproven: BTreeSet<Area> = REQUIREMENTS
        .iter()
        .filter(|r| r.subject == Subject::SdkBehaviour && !broken_areas.contains(&r.area))
        .map(|r| r.area)
        .collect();
    assert!(
        unproven.is_empty(),
        "no mutant breaks a rule of {unproven:?}, so nothing shows a bug there is caught"
    );
}
