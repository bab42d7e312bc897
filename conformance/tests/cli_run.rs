//! The `run`, `cases` and `reference-adapter` command lines: selection flags, report
//! formats and exit codes.

mod common;

use common::{bin, crate_dir, result, run_json};
use std::collections::BTreeSet;
use std::io::Write;
use std::process::{Command, Stdio};

fn fixtures(name: &str) -> String {
    crate_dir().join("tests/fixtures").join(name).display().to_string()
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(bin()).args(args).output().expect("spawn");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ids(report: &serde_json::Value) -> BTreeSet<String> {
    report["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["case"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn usage_errors_exit_2_with_a_precise_message() {
    let select = fixtures("select");
    for (args, needle) in [
        (vec!["run"], "--reference"),
        (vec!["run", "--reference", "--adapter", "x"], "cannot be used with"),
        (vec!["run", "--reference", "--cases", "/nonexistent/cases"], "/nonexistent/cases: cannot read"),
        (vec!["run", "--reference", "--cases", &select, "--shard", "0/2"], "invalid shard `0/2`"),
        (vec!["run", "--reference", "--cases", &select, "--profile", "exponea"], "unknown profile `exponea`"),
        (vec!["run", "--reference", "--cases", &select, "--format", "xml"], "xml"),
        (
            vec!["run", "--reference", "--cases", &select, "--expectations", "/nonexistent.json"],
            "/nonexistent.json",
        ),
        (vec!["run", "--adapter", "'unterminated", "--cases", &select], "unterminated single quote"),
        // The published binary runs no mutant: they live in the jwt-lifecycle-mutants crate.
        (vec!["reference-adapter", "--mutant", "never_refresh"], "unexpected argument '--mutant'"),
        (vec!["run", "--reference", "--mutant", "never_refresh"], "unexpected argument '--mutant'"),
        (vec!["check", "--mutant", "never_refresh"], "unexpected argument '--mutant'"),
    ] {
        let (code, _, stderr) = run(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: `{needle}` not in {stderr}");
    }
}

#[test]
fn an_invalid_case_directory_names_the_file_and_the_problem() {
    let dir = fixtures("invalid");
    let (code, _, stderr) = run(&["run", "--reference", "--cases", &dir]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("unknown-requirement.json:5: requirements[0]: unknown requirement id `REFR-999`"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["cases", "validate", &dir]);
    assert_eq!(code, 1);
    assert!(stderr.contains("REFR-999"), "{stderr}");
}

#[test]
fn an_adapter_without_the_requested_profile_is_a_usage_error() {
    let adapter = format!("{} reference-adapter --profile exponea-stream", bin());
    let (code, _, stderr) =
        run(&["run", "--adapter", &adapter, "--cases", &fixtures("select"), "--profile", "moengage-ios"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("does not support profile moengage-ios"), "{stderr}");
}

#[test]
fn default_runs_skip_should_only_cases_and_strict_adds_them() {
    let select = fixtures("select");
    let (code, report) = run_json(&["--reference", "--cases", &select]);
    assert_eq!(code, 1, "fails-on-purpose fails");
    assert_eq!(
        ids(&report),
        BTreeSet::from([
            "all/quiet-two-profiles@exponea-stream".to_owned(),
            "all/quiet-two-profiles@moengage-ios".to_owned(),
            "exponea-stream/fails-on-purpose".to_owned(),
        ])
    );
    let (_, strict) = run_json(&["--reference", "--cases", &select, "--strict"]);
    assert!(ids(&strict).contains("exponea-stream/should-only"));
    assert_eq!(strict["summary"]["cases"], 4);
}

#[test]
fn a_failure_reports_step_message_and_trace_and_exits_1() {
    let (code, report) =
        run_json(&["--reference", "--cases", &fixtures("select"), "--profile", "exponea-stream"]);
    assert_eq!(code, 1);
    let r = result(&report, "exponea-stream/fails-on-purpose");
    assert_eq!(r["status"], "failed");
    assert_eq!(r["step"], 2);
    assert_eq!(r["requirements"], serde_json::json!(["REFR-001"]));
    let message = r["message"].as_str().unwrap();
    assert!(
        message.contains("step 2 (advance 1000)")
            && message.contains("missing {\"at\":1000,\"output\":\"handler_called\"")
            && message.contains("differs from the case's expectation (checked by this case: REFR-001)"),
        "{message}"
    );
    assert_eq!(r["violations"], serde_json::json!([]), "a correct SDK breaks no rule here");
    assert_eq!(r["differences"][0]["step"], 2);
    assert_eq!(report["requirements"]["REFR-001"]["violated"], 1, "the case checks only REFR-001");
    let trace = r["trace"].as_str().unwrap();
    let case =
        jwt_lifecycle_conformance::case::parse_case(trace, std::path::Path::new("trace.json")).unwrap();
    assert_eq!(case.file.steps.len(), 3, "the trace stops at the failing step");
    assert_eq!(report["summary"]["failed"], 1);
    assert_eq!(report["summary"]["passed"], 1);
}

#[test]
fn an_expectations_file_disables_cases_with_their_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("expectations.json");
    std::fs::write(&path, r#"{"disabled":{"exponea-stream/fails-on-purpose":"known bug #12","all/quiet-two-profiles@moengage-ios":"no iOS build"}}"#).unwrap();
    let (code, report) = run_json(&[
        "--reference",
        "--cases",
        &fixtures("select"),
        "--expectations",
        &path.display().to_string(),
    ]);
    assert_eq!(code, 0, "{report:#}");
    let r = result(&report, "exponea-stream/fails-on-purpose");
    assert_eq!(r["status"], "disabled");
    assert_eq!(r["message"], "known bug #12");
    assert_eq!(result(&report, "all/quiet-two-profiles@moengage-ios")["status"], "disabled");
    assert_eq!(result(&report, "all/quiet-two-profiles@exponea-stream")["status"], "passed");
    assert_eq!(report["summary"]["disabled"], 2);
}

#[test]
fn shards_partition_the_cases() {
    let cases = crate_dir().join("cases").display().to_string();
    let (_, all) = run_json(&["--reference", "--cases", &cases, "--strict"]);
    let everything = ids(&all);
    let mut union = BTreeSet::new();
    for i in 1..=3 {
        let shard = format!("{i}/3");
        let (_, part) = run_json(&["--reference", "--cases", &cases, "--strict", "--shard", &shard]);
        let part = ids(&part);
        assert!(!part.is_empty(), "shard {shard} is empty");
        assert!(union.is_disjoint(&part), "shard {shard} overlaps");
        union.extend(part);
    }
    assert_eq!(union, everything);
}

#[test]
fn text_and_junit_reports() {
    let select = fixtures("select");
    let (code, text, _) = run(&["run", "--reference", "--cases", &select]);
    assert_eq!(code, 1);
    assert!(text.contains("FAILED exponea-stream/fails-on-purpose [REFR-001]"), "{text}");
    assert!(text.contains("By requirement"), "{text}");
    assert!(text.contains("REFR-001") && text.contains("<- exponea-stream/fails-on-purpose"), "{text}");
    assert!(text.contains("3 cases: 2 passed, 1 failed, 0 errors, 0 unimplemented, 0 disabled"), "{text}");

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("junit.xml");
    let (code, _, _) = run(&[
        "run",
        "--reference",
        "--cases",
        &select,
        "--format",
        "junit",
        "--output",
        &out.display().to_string(),
    ]);
    assert_eq!(code, 1);
    let xml = std::fs::read_to_string(&out).unwrap();
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.contains("<testsuite name=\"exponea-stream\""), "{xml}");
    assert!(xml.contains("<failure"), "{xml}");
    assert!(xml.contains("name=\"all/quiet-two-profiles@moengage-ios\""), "{xml}");
}

#[test]
fn cases_list_prints_every_case() {
    let (code, stdout, _) = run(&["cases", "list", "--cases", &fixtures("select"), "--json"]);
    assert_eq!(code, 0);
    let list: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 3);
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == "exponea-stream/should-only" && c["strict_only"] == true));
}

#[test]
fn the_reference_adapter_speaks_the_protocol_on_stdio() {
    let mut child = Command::new(bin())
        .args(["reference-adapter", "--profile", "webex-connect"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, r#"{{"type":"hello","protocol":1,"suite":"test"}}"#).unwrap();
    writeln!(stdin, r#"{{"type":"start","case":"c","profile":"exponea-stream","clock":0}}"#).unwrap();
    writeln!(stdin, r#"{{"type":"start","case":"c","profile":"webex-connect","clock":0}}"#).unwrap();
    writeln!(stdin, r#"{{"type":"advance","ms":5}}"#).unwrap();
    writeln!(stdin, "not json").unwrap();
    writeln!(stdin, r#"{{"type":"bye"}}"#).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["type"], "hello");
    assert_eq!(lines[0]["protocol"], 1);
    assert_eq!(lines[0]["profiles"], serde_json::json!(["webex-connect"]));
    assert_eq!(lines[1]["type"], "unsupported");
    assert_eq!(lines[2]["type"], "ready");
    assert_eq!(lines[3], serde_json::json!({"type":"done","observations":[]}));
    assert_eq!(lines[4]["type"], "error");
}
