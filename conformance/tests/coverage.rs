//! Transition and clause coverage of the fixed cases: every transition of every profile's
//! state diagrams is exercised by some case, every clause of every MUST requirement is
//! named by a case that passes on the reference, and `jwt-lifecycle coverage --json` says
//! so.

mod common;

use common::{bin, hand_written_cases};
use jwt_lifecycle_conformance::adapter::reference::ReferenceAdapter;
use jwt_lifecycle_conformance::adapter::Adapter;
use jwt_lifecycle_conformance::case::Case;
use jwt_lifecycle_conformance::coverage::{clauses_of_cases, of_cases, Tally};
use jwt_lifecycle_conformance::runner::Status;
use jwt_lifecycle_conformance::select::{plan, run_planned, Expectations, Selection};
use jwt_lifecycle_spec::profile::ProfileId;
use std::process::Command;

#[test]
fn the_fixed_cases_exercise_every_transition_of_every_profile() {
    let cases = hand_written_cases();
    let mut gaps = Vec::new();
    for profile in ProfileId::ALL.into_iter() {
        let tally: Tally = of_cases(&cases, profile);
        if !tally.complete() {
            gaps.push(format!("{profile}: {}", tally.line()));
        }
        assert!(
            tally.unexplained.is_empty(),
            "{profile}: changes no arrow explains: {:?}",
            tally.unexplained
        );
    }
    assert!(
        gaps.is_empty(),
        "transitions no fixed case exercises (write a case that takes each, see `jwt-lifecycle coverage`):\n{}",
        gaps.join("\n")
    );
}

#[test]
fn coverage_json_lists_each_transition_with_its_cases_and_requirements() {
    let out = Command::new(bin())
        .args(["coverage", "--json", "--profile", "moengage-ios"])
        .output()
        .expect("spawn");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["source"], "cases");
    let profiles = report["profiles"].as_array().expect("profiles");
    assert_eq!(profiles.len(), 1);
    let p = &profiles[0];
    assert_eq!(p["profile"], "moengage-ios");
    assert_eq!(p["exercised"], p["total"], "{p:#}");
    let suspend = p["transitions"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["id"] == "pipeline/suspend"))
        .expect("the failure limit's transition");
    assert_eq!(suspend["from"], "InFlight");
    assert_eq!(suspend["to"], "Suspended");
    assert!(
        suspend["requirements"].as_array().is_some_and(|r| r.iter().any(|id| id == "LIMIT-001")),
        "{suspend}"
    );
    let cases = suspend["cases"].as_array().expect("cases");
    assert!(cases.iter().any(|c| c == "common/moengage-ten-failures-suspend-sync"), "{suspend}");
}

#[test]
fn a_case_missing_from_the_set_shows_as_a_transition_never_taken() {
    let cases: Vec<_> =
        hand_written_cases().into_iter().filter(|c| !c.id().contains("restart-after-stop")).collect();
    let tally = of_cases(&cases, ProfileId::WebexConnect);
    let missing: Vec<String> = tally.missing().iter().map(|e| e.transition.id()).collect();
    assert_eq!(missing, ["sdk/restart-stopped"], "{}", tally.line());
}

#[test]
fn every_clause_of_every_must_requirement_is_named_by_a_case_that_passes_on_the_reference() {
    let cases = hand_written_cases();
    let mut gaps = Vec::new();
    for profile in ProfileId::ALL.into_iter() {
        let coverage = clauses_of_cases(&cases, profile);
        gaps.extend(coverage.must_missing().map(|c| format!("{profile}: {} ({})", c.id, c.text)));
    }
    assert!(
        gaps.is_empty(),
        "MUST clauses no fixed case names (write a case that exercises each and list it in the \
         case's `clauses`; see `jwt-lifecycle coverage`):\n{}",
        gaps.join("\n")
    );
    // A case counts for its clauses only if it passes on the reference.
    let naming: Vec<Case> = cases.into_iter().filter(|c| !c.file.clauses.is_empty()).collect();
    let mut adapter = ReferenceAdapter::new();
    let hello = adapter.hello();
    let planned = plan(&naming, &ProfileId::ALL, &Selection { strict: true, ..Selection::default() });
    let results = run_planned(&mut adapter, &hello, &planned, &Expectations::default(), &mut |_| {});
    assert!(!results.is_empty());
    let failed: Vec<String> = results
        .iter()
        .filter(|r| r.status != Status::Passed)
        .map(|r| format!("{} {}: {}", r.status.as_str(), r.id, r.message.as_deref().unwrap_or_default()))
        .collect();
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn a_case_left_out_shows_its_clauses_as_named_by_no_case() {
    let all = hand_written_cases();
    let full = clauses_of_cases(&all, ProfileId::ExponeaStream);
    let left_out = "exponea-stream/clearing-token-cancels-refresh";
    let named: Vec<String> = all.iter().find(|c| c.id() == left_out).expect("the case").file.clauses.clone();
    assert!(named.contains(&"REFR-006/anonymize".to_owned()), "{named:?}");
    let rest: Vec<Case> = all.into_iter().filter(|c| c.id() != left_out).collect();
    let partial = clauses_of_cases(&rest, ProfileId::ExponeaStream);
    assert!(partial.exercised < full.exercised, "{}", partial.line());
    assert!(partial.must_missing().any(|c| c.id == "REFR-006/anonymize"), "{}", partial.line());
}

#[test]
fn coverage_json_lists_each_clause_with_the_cases_naming_it() {
    let out = Command::new(bin())
        .args(["coverage", "--json", "--profile", "exponea-stream"])
        .output()
        .expect("spawn");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["clauses"]["exercised"], report["clauses"]["total"], "{:#}", report["clauses"]);
    let clauses = &report["profiles"][0]["clauses"];
    assert_eq!(clauses["exercised"], clauses["total"]);
    let rows = clauses["clauses"].as_array().expect("clause rows");
    let anonymize = rows.iter().find(|c| c["id"] == "REFR-006/anonymize").expect("REFR-006/anonymize");
    assert_eq!(anonymize["requirement"], "REFR-006");
    assert_eq!(anonymize["level"], "MUST");
    assert!(anonymize["cases"].as_array().is_some_and(|c| !c.is_empty()), "{anonymize}");
    // A clause bound to other profiles is not listed for this one.
    assert!(rows.iter().all(|c| c["id"] != "LIFE-010/sync-keeps-token"));
}

#[test]
fn the_requirements_command_lists_the_clause_ids_a_profile_can_show() {
    let out =
        Command::new(bin()).args(["requirements", "--profile", "exponea-stream"]).output().expect("spawn");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("    clause REFR-006/anonymize: anonymize cancels the refresh"), "{text}");
    // QUEUE-004 binds exponea-stream, its clause about a held request does not.
    assert!(text.contains("clause QUEUE-004/in-flight:") && !text.contains("QUEUE-004/held"), "{text}");
}
