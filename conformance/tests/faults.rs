//! The fault-injection suite: misbehaving adapters, odd directories and files, closed and
//! full output. Every command here must end by itself with the documented exit code and
//! a message that says what happened, within a time bound generous enough for a loaded
//! two-core machine, under 100 MB, with no panic and no process left behind.
//!
//! The misbehaving adapters are `tests/adapters/faults.py` (python3 is required).

#[path = "faults/harness.rs"]
mod harness;

use harness::{crate_dir, Cli, Ran, Stdout};
use std::time::Duration;

/// A bound for commands whose failure path must not wait for any timeout: well under the
/// 60 s step timeout those tests set, well over a slow start of python3 on a busy machine.
const FAST: Duration = Duration::from_secs(20);

fn require_python() {
    let ok =
        std::process::Command::new("python3").arg("--version").output().is_ok_and(|o| o.status.success());
    assert!(ok, "the fault suite needs python3 on PATH (its misbehaving adapters are Python scripts)");
}

fn faults_adapter(mode: &str) -> String {
    format!("python3 {} {mode}", crate_dir().join("tests/adapters/faults.py").display())
}

fn robust_cases() -> String {
    crate_dir().join("tests/fixtures/robust").display().to_string()
}

/// Runs the two robust fixture cases (a victim, then a bystander) against `mode`.
fn run_fault(mode: &str, step_timeout_ms: u64) -> Ran {
    require_python();
    let adapter = faults_adapter(mode);
    let timeout = step_timeout_ms.to_string();
    Cli::new(&[
        "run",
        "--adapter",
        &adapter,
        "--cases",
        &robust_cases(),
        "--step-timeout-ms",
        &timeout,
        "--format",
        "json",
    ])
    .run()
}

fn result<'a>(report: &'a serde_json::Value, case: &str) -> &'a serde_json::Value {
    report["results"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["case"] == case))
        .unwrap_or_else(|| panic!("no result for {case} in {report:#}"))
}

fn message(result: &serde_json::Value) -> &str {
    result["message"].as_str().unwrap_or_default()
}

fn assert_contains(text: &str, needles: &[&str]) {
    for needle in needles {
        assert!(text.contains(needle), "`{needle}` not in: {text}");
    }
}

const VICTIM: &str = "exponea-stream/1-victim";
const BYSTANDER: &str = "exponea-stream/2-bystander";

/// A fault in the victim's step 1: the victim is an `error` there naming the case, the
/// step and `needles`; the bystander after it passes on a fresh adapter.
fn mid_case(mode: &str, step_timeout_ms: u64, within: Duration, needles: &[&str]) {
    let ran = run_fault(mode, step_timeout_ms);
    ran.assert_well_behaved(1, within);
    let report = ran.json();
    let victim = result(&report, VICTIM);
    assert_eq!(victim["status"], "error", "{mode}: {victim:#}");
    assert_eq!(victim["step"], 1, "{mode}: {victim:#}");
    assert_contains(message(victim), &[&format!("case {VICTIM} on exponea-stream, step 1")]);
    assert_contains(message(victim), needles);
    assert_eq!(result(&report, BYSTANDER)["status"], "passed", "{mode}: {report:#}");
}

/// A fault at the handshake: every case is an `error` saying so and naming `needles`.
fn at_handshake(mode: &str, needles: &[&str]) {
    let ran = run_fault(mode, 60_000);
    ran.assert_well_behaved(1, FAST);
    let report = ran.json();
    for case in [VICTIM, BYSTANDER] {
        let r = result(&report, case);
        assert_eq!(r["status"], "error", "{mode}: {r:#}");
        assert_contains(message(r), &[case, "at the handshake"]);
        assert_contains(message(r), needles);
    }
}

mod adapters {
    use super::*;

    #[test]
    fn crash_at_hello() {
        at_handshake(
            "crash-at-hello",
            &["adapter exited (exit status: 5)", "faults: cannot initialise the SDK"],
        );
    }

    #[test]
    fn exit_at_once() {
        at_handshake("exit-at-once", &["exit status: 0"]);
    }

    #[test]
    fn output_before_hello() {
        // Whether the banner is read before or after the hello is sent, it is quoted.
        at_handshake("output-before-hello", &["faults adapter starting"]);
    }

    #[test]
    fn wrong_protocol() {
        at_handshake("wrong-protocol", &["adapter speaks protocol 7", "protocols 1 to 2"]);
    }

    #[test]
    fn unknown_profile() {
        at_handshake("unknown-profile", &["profile `acme-sdk`", "does not know"]);
    }

    #[test]
    fn crash_mid_case() {
        mid_case("crash", 60_000, FAST, &["adapter exited (exit status: 3)", "faults: about to crash"]);
    }

    #[test]
    fn hang() {
        mid_case("hang", 2_000, Duration::from_secs(30), &["no reply within 2000 ms", "adapter killed"]);
    }

    #[test]
    fn garbage() {
        mid_case("garbage", 60_000, FAST, &["not a protocol message", "Hello from a debug print!"]);
    }

    #[test]
    fn huge_line() {
        mid_case("huge-line", 60_000, FAST, &["a line longer than 4194304 bytes"]);
    }

    #[test]
    fn deep_json() {
        mid_case("deep-json", 60_000, FAST, &["not a protocol message", "recursion limit exceeded"]);
    }

    #[test]
    fn wrong_type() {
        mid_case("wrong-type", 60_000, FAST, &["expected done or unimplemented", r#"{"type": "ready"}"#]);
    }

    #[test]
    fn two_replies_are_an_error_on_their_step() {
        mid_case(
            "two-replies",
            60_000,
            FAST,
            &["extra line after its reply to this message", r#"{"type": "done", "observations": []}"#],
        );
    }

    #[test]
    fn a_late_extra_reply_is_an_adapter_error_never_a_verdict_on_the_sdk() {
        // The extra line comes 300 ms after the reply it follows, when the suite may
        // already wait for the next reply: which message it is seen after depends on
        // timing, that it is reported as an adapter error does not.
        let ran = run_fault("late-extra", 60_000);
        ran.assert_well_behaved(1, FAST);
        let report = ran.json();
        let results = report["results"].as_array().expect("results");
        assert!(results.iter().all(|r| r["status"] != "failed"), "{report:#}");
        let errors: Vec<&str> = results.iter().filter(|r| r["status"] == "error").map(message).collect();
        assert!(!errors.is_empty(), "{report:#}");
        assert!(
            errors.iter().any(|m| m.contains("extra line after its reply") || m.contains("adapter answered")),
            "{errors:#?}"
        );
    }

    #[test]
    fn no_flush_times_out_with_a_hint() {
        mid_case("no-flush", 2_000, Duration::from_secs(30), &["no reply within 2000 ms", "flush stdout"]);
    }

    #[test]
    fn partial_line_then_exit() {
        mid_case(
            "partial-then-exit",
            60_000,
            FAST,
            &["adapter exited (exit status: 4) after writing an unterminated line", r#"{"type":"do"#],
        );
    }

    #[test]
    fn a_child_holding_stdout_neither_delays_the_run_nor_survives_it() {
        mid_case(
            "child-holds-stdout",
            60_000,
            FAST,
            &["adapter exited (exit status: 3)", "faults: left a child behind"],
        );
    }

    #[test]
    fn a_hanging_adapter_and_its_child_are_killed_together() {
        mid_case("hang-with-child", 2_000, Duration::from_secs(30), &["no reply within 2000 ms"]);
    }

    #[test]
    fn huge_stderr_is_kept_as_a_bounded_tail() {
        mid_case(
            "huge-stderr",
            60_000,
            Duration::from_secs(60),
            &["exit status: 3", "eeee... (1073741824 bytes)"],
        );
    }
}
