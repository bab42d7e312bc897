//! Misbehaving adapters give `error` results naming the case, the step and what was
//! received; the run goes on with the next case; nothing panics or hangs.

mod common;

use common::{crate_dir, result, run_json};
use std::time::{Duration, Instant};

fn fixtures() -> String {
    crate_dir().join("tests/fixtures/robust").display().to_string()
}

fn misbehaving(mode: &str) -> String {
    format!("python3 {} {mode}", crate_dir().join("tests/adapters/misbehave.py").display())
}

/// Runs both fixture cases against the misbehaving adapter; checks that the victim
/// got `status` with a message containing every `needle` and that the bystander,
/// which runs after it, passed.
fn check(mode: &str, status: &str, needles: &[&str]) -> serde_json::Value {
    let began = Instant::now();
    let adapter = misbehaving(mode);
    let (code, report) =
        run_json(&["--adapter", &adapter, "--cases", &fixtures(), "--step-timeout-ms", "1000"]);
    assert!(began.elapsed() < Duration::from_secs(8), "{mode}: took {:?}", began.elapsed());
    let victim = result(&report, "exponea-stream/1-victim");
    assert_eq!(victim["status"], status, "{mode}: {victim:#}");
    let message = victim["message"].as_str().unwrap_or_default();
    for needle in needles {
        assert!(message.contains(needle), "{mode}: `{needle}` not in: {message}");
    }
    assert_eq!(result(&report, "exponea-stream/2-bystander")["status"], "passed", "{mode}: {report:#}");
    assert_eq!(code, if status == "error" { 1 } else { 0 }, "{mode}");
    report
}

#[test]
fn a_crash_mid_case_is_an_error_with_exit_status_and_stderr() {
    let report = check(
        "crash",
        "error",
        &["exponea-stream/1-victim", "step 1 (flush)", "exit status: 3", "misbehave: about to crash"],
    );
    assert_eq!(result(&report, "exponea-stream/1-victim")["step"], 1);
}

#[test]
fn a_hang_times_out_and_the_adapter_is_restarted() {
    check("hang", "error", &["exponea-stream/1-victim", "step 1", "no reply within 1000 ms", "killed"]);
}

#[test]
fn non_protocol_output_is_quoted_in_the_error() {
    check("garbage", "error", &["step 1", "not a protocol message", "Hello from a debug print!"]);
}

#[test]
fn a_reply_of_the_wrong_type_is_an_error() {
    check("wrong", "error", &["step 1", "expected done or unimplemented", r#"{"type": "ready"}"#]);
}

#[test]
fn an_adapter_reported_error_is_an_error() {
    check("error", "error", &["step 1", "IllegalStateException"]);
}

#[test]
fn unimplemented_is_reported_as_such_and_is_not_a_failure() {
    check("unimpl", "unimplemented", &["step 1", "no flush in this SDK"]);
}

#[test]
fn another_protocol_version_errors_every_case_without_hanging() {
    let began = Instant::now();
    let adapter = misbehaving("version");
    let (code, report) =
        run_json(&["--adapter", &adapter, "--cases", &fixtures(), "--step-timeout-ms", "1000"]);
    assert_eq!(code, 1);
    for case in ["exponea-stream/1-victim", "exponea-stream/2-bystander"] {
        let r = result(&report, case);
        assert_eq!(r["status"], "error");
        let message = r["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(case) && message.contains("handshake") && message.contains("protocol 3"),
            "{message}"
        );
    }
    assert!(began.elapsed() < Duration::from_secs(5));
}

#[test]
fn an_adapter_that_fails_to_start_errors_every_case() {
    for (adapter, needle) in [
        ("/nonexistent/jwt-lifecycle-adapter", "cannot start adapter"),
        (&*misbehaving("silent-exit"), "adapter exited (exit status: 0)"),
        ("python3 /nonexistent/adapter.py", "No such file"),
    ] {
        let (code, report) =
            run_json(&["--adapter", adapter, "--cases", &fixtures(), "--step-timeout-ms", "1000"]);
        assert_eq!(code, 1, "{adapter}");
        for case in ["exponea-stream/1-victim", "exponea-stream/2-bystander"] {
            let r = result(&report, case);
            assert_eq!(r["status"], "error", "{adapter}");
            let message = r["message"].as_str().unwrap_or_default();
            assert!(message.contains(case) && message.contains(needle), "{adapter}: {message}");
        }
    }
}
