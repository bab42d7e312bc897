//! The book cannot drift from the code, and nothing in the spec goes unchecked.
//!
//! - The committed generated pages (docs/spec.md, docs/src/rules, docs/src/generated) are
//!   exactly what `cargo run -p jwt-lifecycle-docgen -- generate` produces from the tree now.
//! - docs/spec.md and the registry hold the same ids (read from the committed file, not
//!   from the generator, so a hand edit is caught too).
//! - The coverage gate: every requirement is checked (a property or a case for SDK
//!   behaviour, a unit test for token rules) or waived with a reason.

use jwt_lifecycle_docgen::{self as docgen, matrix::Coverage, Sources, REGENERATE};
use jwt_lifecycle_spec::requirement::Subject;
use jwt_lifecycle_spec::REQUIREMENTS;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn root() -> PathBuf {
    docgen::default_repo_root()
}

fn sources() -> Sources {
    Sources::collect(&root()).unwrap_or_else(|e| panic!("cannot read the repository: {e}"))
}

#[test]
fn committed_generated_pages_are_what_the_generator_produces_now() {
    let pages = docgen::generate(&sources());
    let drift = docgen::drift(&root(), &pages).unwrap_or_else(|e| panic!("{e}"));
    let listed: Vec<String> = drift.iter().map(|d| format!("  {d}")).collect();
    assert!(
        drift.is_empty(),
        "generated docs are out of date:\n{}\nrun `{REGENERATE}` and commit the result",
        listed.join("\n")
    );
}

#[test]
fn spec_md_and_the_registry_hold_the_same_ids() {
    let path = root().join("docs/spec.md");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run `{REGENERATE}` and commit the result", path.display()));
    // Each rule is a heading `### AREA-NNN (LEVEL): title`.
    let in_spec: BTreeSet<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("### "))
        .filter_map(|l| l.split_once(' ').map(|(id, _)| id))
        .collect();
    let in_registry: BTreeSet<&str> = REQUIREMENTS.iter().map(|r| r.id).collect();
    let only_spec: Vec<&&str> = in_spec.difference(&in_registry).collect();
    let only_registry: Vec<&&str> = in_registry.difference(&in_spec).collect();
    assert!(
        only_spec.is_empty() && only_registry.is_empty(),
        "docs/spec.md only: {only_spec:?}; registry only: {only_registry:?}; run `{REGENERATE}` and commit the result"
    );
}

#[test]
fn every_sdk_behaviour_requirement_has_a_property_or_a_case_or_a_waiver() {
    let matrix = sources().matrix();
    let uncovered: Vec<String> = matrix
        .uncovered()
        .filter(|r| r.subject == Subject::SdkBehaviour)
        .map(|r| format!("{} ({})", r.id, r.title))
        .collect();
    assert!(
        uncovered.is_empty(),
        "SDK-behaviour requirements with no model property and no conformance case: {}.\n\
         Add a property named `<ID>: ...` or a case listing the id, or a waiver with its reason \
         in docs/gen/src/matrix.rs",
        uncovered.join(", ")
    );
}

#[test]
fn every_token_requirement_has_a_unit_test_or_a_waiver() {
    let sources = sources();
    assert!(
        sources.missing_token_tests.is_empty(),
        "docs/gen/src/token_tests.rs names tests that no longer exist: {:?}",
        sources.missing_token_tests
    );
    let matrix = sources.matrix();
    let uncovered: Vec<&str> =
        matrix.uncovered().filter(|r| r.subject == Subject::Token).map(|r| r.id).collect();
    assert!(
        uncovered.is_empty(),
        "token requirements with no unit test: {uncovered:?}. Name a test `<id>_...` (e.g. \
         `fn claim_008_...`) or map an existing one in docs/gen/src/token_tests.rs"
    );
}

#[test]
fn no_property_test_case_or_waiver_names_an_unknown_id_and_no_waiver_is_stale() {
    let matrix = sources().matrix();
    let unknown: Vec<String> =
        matrix.unknown_references.iter().map(|u| format!("{} in {}", u.id, u.by)).collect();
    assert!(unknown.is_empty(), "ids not in the registry: {unknown:?}");
    let stale: Vec<&str> = matrix.stale_waivers().map(|r| r.id).collect();
    assert!(stale.is_empty(), "waived but now checked (remove the waiver): {stale:?}");
    for row in &matrix.requirements {
        if row.coverage == Coverage::Waived {
            assert!(row.waived.is_some_and(|w| w.len() > 40), "{}: a waiver gives its reason", row.id);
        }
    }
}

#[test]
fn every_generated_book_page_is_reachable_from_the_summary() {
    let src = root().join("docs/src");
    let summary =
        std::fs::read_to_string(src.join("SUMMARY.md")).unwrap_or_else(|e| panic!("SUMMARY.md: {e}"));
    let mut hand_written = String::new();
    for entry in std::fs::read_dir(&src).unwrap_or_else(|e| panic!("{e}")).flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "md") {
            hand_written.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
        }
    }
    for page in docgen::generate(&sources()) {
        let Some(rel) = page.path.strip_prefix("docs/src/") else { continue };
        let linked = summary.contains(&format!("]({rel})"));
        let included = hand_written.contains(&format!("{{{{#include {rel}}}}}"));
        assert!(
            linked || included,
            "{rel} is generated but neither listed in SUMMARY.md nor included by a page"
        );
    }
}

#[test]
fn matrix_json_has_the_documented_shape() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jwt-lifecycle-docgen"))
        .args(["matrix", "--json"])
        .output()
        .unwrap_or_else(|e| panic!("jwt-lifecycle-docgen matrix: {e}"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("matrix --json is not JSON: {e}"));
    let rows = json["requirements"].as_array().unwrap_or_else(|| panic!("no requirements array"));
    assert_eq!(rows.len(), REQUIREMENTS.len());
    for row in rows {
        for key in
            ["id", "level", "subject", "title", "properties", "unit_tests", "cases", "waived", "coverage"]
        {
            assert!(row.get(key).is_some(), "row without `{key}`: {row}");
        }
    }
    let valid_008 =
        rows.iter().find(|r| r["id"] == "VALID-008").unwrap_or_else(|| panic!("VALID-008 missing"));
    assert_eq!(valid_008["coverage"], "waived");
    assert!(valid_008["waived"].as_str().is_some_and(|w| !w.is_empty()));
}

#[test]
fn check_exits_nonzero_and_lists_the_file_that_differs_and_the_command_that_regenerates() {
    // A scratch copy of the parts of the tree the generator reads, with one page edited.
    let scratch = std::env::temp_dir().join(format!("jwt-lifecycle-docs-check-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let copy = |rel: &str| {
        let from = root().join(rel);
        let to = scratch.join(rel);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::copy(&from, &to).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    };
    copy("spec/src/registry.rs");
    let bin = env!("CARGO_BIN_EXE_jwt-lifecycle-docgen");
    let run = |check: bool| {
        std::process::Command::new(bin)
            .arg(if check { "check" } else { "generate" })
            .arg("--repo")
            .arg(&scratch)
            .output()
            .unwrap_or_else(|e| panic!("{bin}: {e}"))
    };
    assert!(run(false).status.success(), "generate into a scratch tree");
    assert!(run(true).status.success(), "a freshly generated tree is up to date");
    std::fs::write(scratch.join("docs/spec.md"), "edited by hand\n").unwrap_or_else(|e| panic!("{e}"));
    let out = run(true);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("docs/spec.md") && stderr.contains("cargo run -p jwt-lifecycle-docgen -- generate"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&scratch);
}

#[test]
fn real_sdk_expectations_name_requirements_of_their_profile() {
    use jwt_lifecycle_conformance::deviation::EXPECTATION;
    use jwt_lifecycle_spec::ProfileId;
    let runs = sources().real_sdks;
    assert!(runs.len() >= 2, "the results of both real SDKs are committed: {}", runs.len());
    let mut wrong = Vec::new();
    for run in &runs {
        let profile: Option<ProfileId> = run.results["profile"].as_str().and_then(|p| p.parse().ok());
        let Some(profile) = profile else {
            wrong.push(format!("{}: unknown profile {}", run.sdk, run.results["profile"]));
            continue;
        };
        let of_profile = |id: &str| REQUIREMENTS.iter().any(|r| r.id == id && r.applies_to(profile));
        for id in run.expectations.disabled_requirements.keys() {
            if !of_profile(id) {
                wrong.push(format!(
                    "{}: disabled requirement {id} is not a requirement of {profile}",
                    run.sdk
                ));
            }
        }
        for d in &run.expectations.deviations {
            // A deviation names what the suite named: a registry id (a monitor may name a rule
            // the registry binds to other profiles, so only its existence is checked here).
            if d.requirement != EXPECTATION && !REQUIREMENTS.iter().any(|r| r.id == d.requirement) {
                wrong.push(format!(
                    "{}: deviation {} names {}, which is not in the registry",
                    run.sdk, d.case, d.requirement
                ));
            }
            if d.documentation.trim().is_empty() || d.source.trim().is_empty() || d.observed.trim().is_empty()
            {
                wrong.push(format!(
                    "{}: deviation {} / {} needs its documentation, source and observed behaviour",
                    run.sdk, d.case, d.requirement
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_coverage_page_shows_every_profile_with_every_transition_and_clause_exercised() {
    use jwt_lifecycle_spec::profile::ProfileId;
    let sources = sources();
    assert_eq!(sources.coverage.len(), ProfileId::ALL.len());
    let page = docgen::coverage_page::coverage_md(&sources.coverage);
    for p in &sources.coverage {
        let t = &p.transitions;
        assert!(page.contains(&format!("## {}\n", t.profile)), "{} has no section", t.profile);
        assert!(t.complete(), "{}: {}", t.profile, t.line());
        assert_eq!(p.clauses.exercised, p.clauses.total, "{}: {}", t.profile, p.clauses.line());
    }
    // A gap is shown, not hidden: without the cases every row says so.
    let empty = docgen::coverage_page::coverage_md(&[]);
    assert!(!empty.contains("**none**"));
    assert!(!page.contains("**none**"), "a transition or clause no case exercises");
}
