//! The shipping JavaScript SDKs (`@iterable/web-sdk`, `@braze/web-sdk`) run unmodified
//! under the Node kit against the suite: the hand-written cases of their profiles plus a
//! seeded random run. Every failure must be a deviation their adapter's expectations file
//! lists, and every listed deviation must still be observed, so an SDK upgrade shows its
//! behavioural diff. Mutants (the same SDK with one behaviour changed by a wrapper,
//! conformance/adapters/node/mutants) must be caught with the requirement they break named.
//!
//! The Node packages are installed with `npm ci` on first use. Without node or npm, or when
//! the registry cannot be reached, each test fails when `CI` is set and says SKIPPED
//! otherwise. `JWT_LIFECYCLE_WRITE_RESULTS=1` rewrites the committed results files (then run
//! `cargo run -p jwt-lifecycle-docgen -- generate` for the book's page).

mod common;
mod node;

use common::skip_unless_ci;
use jwt_lifecycle_conformance::deviation::{self, Key};
use node::{Sdk, SDKS};
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::time::{Duration, Instant};

/// Prepares Node; false (after failing under CI, or saying SKIPPED) when it cannot be.
fn node_ready(test: &str) -> bool {
    match node::prepared() {
        Ok(()) => true,
        Err(why) => {
            skip_unless_ci(test, &why);
            false
        }
    }
}

#[test]
fn the_node_kit_and_adapter_tests_pass() {
    if !node_ready("the_node_kit_and_adapter_tests_pass") {
        return;
    }
    let started = Instant::now();
    let mut npm = Command::new("npm");
    npm.arg("test").current_dir(node::node_dir());
    let out = node::run(npm, Duration::from_secs(600)).unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "npm test failed:\n{}\n{}",
        stdout
            .lines()
            .filter(|l| l.starts_with("not ok") || l.contains("fail"))
            .collect::<Vec<_>>()
            .join("\n"),
        String::from_utf8_lossy(&out.stderr)
    );
    // `node --test` says how many ran: a run of nothing is not a pass.
    let passed: u32 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("# pass "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    assert!(passed >= 40, "only {passed} node tests passed:\n{stdout}");
    node::say(&format!("real_sdks: npm test, {passed} passed in {:.0?}", started.elapsed()));
}

/// Runs `sdk` against the suite and checks its deviations against its expectations file.
fn deviations_are_the_listed_ones(sdk: Sdk) {
    let test = format!("{}_deviations_are_the_listed_ones", sdk.name.replace('-', "_"));
    if !node_ready(&test) {
        return;
    }
    let started = Instant::now();
    let expectations_path = node::expectations_path(sdk);
    let expectations = node::expectations(sdk);
    let report =
        node::run_suite(&node::adapter_command(sdk), sdk.name, Some(&expectations_path), Some(node::RANDOM));
    let errors = node::with_status(&report, "error");
    assert!(errors.is_empty(), "{}: the adapter could not run:\n{}", sdk.name, errors.join("\n"));
    // Random sequences ran (an adapter answering `unimplemented` to everything fails here).
    let random: Vec<&serde_json::Value> = report["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["case_id"].as_str().is_some_and(|c| c.starts_with("random/")))
        .collect();
    assert_eq!(random.len(), 1, "{}: one random run expected", sdk.name);
    assert!(
        matches!(random[0]["status"].as_str(), Some("passed" | "failed")),
        "{}: the random run did not run: {}",
        sdk.name,
        random[0]
    );
    let seen = node::observed(&report);
    let drift = deviation::compare(&expectations.deviations, &seen);
    let file = node::results_file(sdk, &report);
    if std::env::var_os(node::WRITE_RESULTS).is_some() {
        let path = node::results_path(sdk);
        let text = serde_json::to_string_pretty(&file).unwrap_or_default() + "\n";
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        node::say(&format!("real_sdks: wrote {}", path.display()));
    }
    assert!(
        drift.is_empty(),
        "{}: the deviations changed (update {} with the documentation sentence and the observed behaviour of each new one):\n{drift}",
        sdk.name,
        expectations_path.display()
    );
    // The committed results (the book's page) are this run's: same verdict for every case.
    let path = node::results_path(sdk);
    let committed: serde_json::Value =
        std::fs::read_to_string(&path).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_else(
            || panic!("{} is missing or not JSON; rerun with {}=1", path.display(), node::WRITE_RESULTS),
        );
    assert_eq!(
        node::verdicts(&committed["report"]),
        node::verdicts(&report),
        "{} is not this run's result; rerun with {}=1 and regenerate the book",
        path.display(),
        node::WRITE_RESULTS
    );
    assert_eq!(committed["version"], file["version"], "{}: the SDK version changed", path.display());
    node::say(&format!(
        "real_sdks: {} {} cases, {} deviations, in {:.0?}",
        sdk.name,
        report["summary"]["cases"],
        seen.len(),
        started.elapsed()
    ));
}

#[test]
fn iterable_web_deviations_are_the_listed_ones() {
    deviations_are_the_listed_ones(SDKS[0]);
}

#[test]
fn braze_web_deviations_are_the_listed_ones() {
    deviations_are_the_listed_ones(SDKS[1]);
}

/// Each mutant (SDK, mutation) and the requirement the suite must name when it runs it.
const MUTANTS: &[(&str, &str, &str)] = &[
    ("iterable-web", "no-refetch-on-401", "RETRY-015"),
    ("iterable-web", "old-token-after-refetch", "LIFE-002"),
    ("iterable-web", "no-token-on-events", "CONF-001"),
    ("iterable-web", "no-refresh-before-expiry", "REFR-009"),
    ("braze-web", "ignore-auth-error-body", "RETRY-019"),
    ("braze-web", "first-signature-forever", "LIFE-002"),
    ("braze-web", "silent-failure-subscription", "RETRY-019"),
];

/// The witness cases the mutants run on: each one drives the behaviour a mutant changes
/// (conformance/adapters/node/mutants/cases).
fn witness_cases() -> String {
    node::node_dir().join("mutants").join("cases").display().to_string()
}

#[test]
fn mutants_of_the_real_sdks_are_caught_by_the_requirement_they_break() {
    if !node_ready("mutants_of_the_real_sdks_are_caught_by_the_requirement_they_break") {
        return;
    }
    let script = node::node_dir().join("mutants").join("adapter.js");
    let mut list = Command::new("node");
    list.arg(&script).arg("--list");
    let out = node::run(list, Duration::from_secs(60)).unwrap_or_else(|e| panic!("{e}"));
    let listed: BTreeSet<(String, String)> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            Some((words.next()?.to_owned(), words.next()?.to_owned()))
        })
        .collect();
    let tested: BTreeSet<(String, String)> =
        MUTANTS.iter().map(|(s, m, _)| ((*s).to_owned(), (*m).to_owned())).collect();
    assert_eq!(
        listed, tested,
        "every mutant in mutants/adapter.js needs its requirement here, and only those"
    );

    let cases = witness_cases();
    // What the unmutated SDK already violates on the witness cases is not the mutant's doing.
    let mut baseline: BTreeMap<&str, BTreeSet<Key>> = BTreeMap::new();
    for sdk in SDKS {
        let report = node::run_suite_on(&node::adapter_command(sdk), sdk.name, &cases, None, None);
        let errors = node::with_status(&report, "error");
        assert!(errors.is_empty(), "{}: the witness cases cannot run:\n{}", sdk.name, errors.join("\n"));
        assert!(report["summary"]["cases"].as_u64().unwrap_or(0) >= 2, "{}: no witness cases ran", sdk.name);
        baseline.insert(sdk.name, node::observed(&report));
    }
    let mut missed = Vec::new();
    for (sdk, mutation, requirement) in MUTANTS {
        let adapter = format!("node conformance/adapters/node/mutants/adapter.js {sdk} {mutation}");
        let report = node::run_suite_on(&adapter, sdk, &cases, None, None);
        // A mutant may leave a case's later inputs without a target (an ask it never made):
        // that case is an `error`, but the violation before it is already reported.
        let new: BTreeSet<Key> = node::observed(&report).difference(&baseline[sdk]).cloned().collect();
        if !new.iter().any(|(_, r)| r == requirement) {
            missed.push(format!(
                "{sdk} {mutation}: expected {requirement} among the new violations, got {new:?}"
            ));
        }
    }
    assert!(missed.is_empty(), "mutants not caught as expected:\n{}", missed.join("\n"));
}
