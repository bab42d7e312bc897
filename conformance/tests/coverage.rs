//! Transition coverage of the fixed cases: every transition of every profile's state
//! diagrams is exercised by some case, and `jwt-lifecycle coverage --json` says so.

mod common;

use common::{bin, hand_written_cases};
use jwt_lifecycle_conformance::coverage::{of_cases, Tally};
use jwt_lifecycle_spec::profile::ProfileId;
use std::process::Command;

#[test]
fn the_fixed_cases_exercise_every_transition_of_every_profile() {
    let cases = hand_written_cases();
    let mut gaps = Vec::new();
    for profile in ProfileId::ALL {
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
