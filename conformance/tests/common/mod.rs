//! Helpers shared by the integration tests.
#![allow(dead_code)]

use jwt_lifecycle_conformance::case::{load_dir, Case};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The `jwt-lifecycle` binary under test.
pub(crate) fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_jwt-lifecycle")
}

/// The crate directory.
pub(crate) fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The hand-written cases.
pub(crate) fn hand_written_cases() -> Vec<Case> {
    load(&crate_dir().join("cases"))
}

/// Loads a case directory, failing the test with every load error.
pub(crate) fn load(dir: &Path) -> Vec<Case> {
    match load_dir(dir) {
        Ok(cases) => cases.into_iter().map(|(_, c)| c).collect(),
        Err(errors) => panic!("{}", errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n")),
    }
}

/// Runs `jwt-lifecycle run ARGS --format json`; returns the exit code and the report.
pub(crate) fn run_json(args: &[&str]) -> (i32, serde_json::Value) {
    let out = Command::new(bin()).arg("run").args(args).args(["--format", "json"]).output().expect("spawn");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("not JSON ({e}): {stdout}\nstderr: {}", String::from_utf8_lossy(&out.stderr))
    });
    (out.status.code().unwrap_or(-1), report)
}

/// Each result of a JSON `report` that did not pass, as "status case: message".
pub(crate) fn not_passed(report: &serde_json::Value) -> Vec<String> {
    report["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["status"] != "passed")
        .map(|r| format!("{} {}: {}", r["status"], r["case"], r["message"]))
        .collect()
}

/// The result for `case` in a JSON report.
pub(crate) fn result<'a>(report: &'a serde_json::Value, case: &str) -> &'a serde_json::Value {
    report["results"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["case"] == case))
        .unwrap_or_else(|| panic!("no result for {case} in {report:#}"))
}

/// A test whose prerequisite (`what`) is missing: it fails when the `CI` environment
/// variable is set, where the prerequisite must be present, and otherwise says SKIPPED on
/// the terminal. The line goes to stderr directly, past the test harness's capture, so a
/// skip is never mistaken for a pass.
pub(crate) fn skip_unless_ci(test: &str, what: &str) {
    assert!(std::env::var_os("CI").is_none(), "{test}: {what}, and CI is set: this test must run in CI");
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {what}");
}
