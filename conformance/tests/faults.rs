//! The fault-injection suite: misbehaving adapters, odd directories and files, closed and
//! full output. Every command here must end by itself with the documented exit code and
//! a message that says what happened, within a time bound generous enough for a loaded
//! two-core machine, under 100 MB, with no panic and no process left behind.
//!
//! The misbehaving adapters are `tests/adapters/faults.py` (python3 is required).

#[path = "faults/harness.rs"]
mod harness;

use harness::{crate_dir, Cli, Input, Ran, Stdout};
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
    fn an_interrupted_run_ends_the_adapter_and_its_children() {
        require_python();
        let adapter = faults_adapter("hang-with-child");
        let ran = Cli::new(&[
            "run",
            "--adapter",
            &adapter,
            "--cases",
            &robust_cases(),
            "--step-timeout-ms",
            "60000",
        ])
        .interrupt_when_running("sleep 300")
        .run();
        ran.assert_well_behaved(130, FAST);
        assert!(ran.stderr.contains("interrupted (signal 2); the adapter was stopped"), "{}", ran.stderr);
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

/// A directory holding one valid case, plus whatever a test adds.
fn case_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let case = crate_dir().join("cases/webex-connect/rejected-request-never-resent.json");
    std::fs::copy(case, dir.path().join("ok.json")).expect("copy a case");
    dir
}

fn path(dir: &tempfile::TempDir) -> String {
    dir.path().display().to_string()
}

/// `cases validate DIR` and `run --reference --cases DIR`, which walk the same way.
fn validate_and_run(dir: &str, code: i32) -> (Ran, Ran) {
    let validate = Cli::new(&["cases", "validate", dir]).run();
    validate.assert_well_behaved(code, FAST);
    let run = Cli::new(&["run", "--reference", "--cases", dir]).run();
    run.assert_well_behaved(if code == 1 { 2 } else { code }, FAST);
    (validate, run)
}

mod files {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn symlink_loops_are_named_once_each_and_never_hang() {
        let dir = case_dir();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        symlink(dir.path(), dir.path().join("sub/back")).unwrap();
        symlink(".", dir.path().join("here")).unwrap();
        let (validate, run) = validate_and_run(&path(&dir), 0);
        for ran in [&validate, &run] {
            let loops: Vec<&str> = ran.stderr.lines().filter(|l| l.contains("symbolic link loop")).collect();
            assert_eq!(loops.len(), 2, "{}", ran.stderr);
            assert!(loops[0].contains("/here: symbolic link loop"), "{loops:?}");
            assert!(loops[1].contains("/sub/back: symbolic link loop"), "{loops:?}");
            assert!(!ran.stderr.contains("duplicate"), "{}", ran.stderr);
        }
        assert!(validate.stdout.contains("1 cases, all valid"), "{}", validate.stdout);
        assert!(run.stdout.contains("1 passed"), "{}", run.stdout);
    }

    #[test]
    fn a_named_pipe_is_skipped_with_a_warning_and_never_opened() {
        let dir = case_dir();
        let pipe = dir.path().join("x.json");
        nix::unistd::mkfifo(&pipe, nix::sys::stat::Mode::S_IRWXU).unwrap();
        symlink("/dev/zero", dir.path().join("zero.json")).unwrap();
        let (validate, run) = validate_and_run(&path(&dir), 0);
        for ran in [&validate, &run] {
            assert!(
                ran.stderr.contains("x.json: skipped: a named pipe, not a regular file"),
                "{}",
                ran.stderr
            );
            assert!(ran.stderr.contains("zero.json: skipped: a character device"), "{}", ran.stderr);
        }
    }

    #[test]
    fn a_huge_case_file_is_refused_naming_the_limit() {
        let dir = case_dir();
        std::fs::File::create(dir.path().join("huge.json")).unwrap().set_len(3 << 30).unwrap();
        let (validate, run) = validate_and_run(&path(&dir), 2);
        for ran in [&validate, &run] {
            assert!(
                ran.stderr.contains("huge.json: larger than the 4 MiB limit for case files"),
                "{}",
                ran.stderr
            );
        }
    }

    #[test]
    fn an_unreadable_case_file_is_an_io_error_naming_it() {
        use std::os::unix::fs::PermissionsExt;
        use std::os::unix::process::CommandExt;
        let dir = case_dir();
        let locked = dir.path().join("locked.json");
        std::fs::copy(dir.path().join("ok.json"), &locked).unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(dir.path().join("ok.json"), std::fs::Permissions::from_mode(0o644)).unwrap();
        let dir_path = path(&dir);
        for args in [vec!["cases", "validate", &dir_path], vec!["cases", "list", "--cases", &dir_path]] {
            let mut cli = Cli::new(&args);
            // root reads any file: drop to nobody for the permission to matter.
            if nix::unistd::geteuid().is_root() {
                cli.command().uid(65534).gid(65534);
            }
            let ran = cli.run();
            ran.assert_well_behaved(2, FAST);
            assert!(ran.stderr.contains("locked.json: cannot read: Permission denied"), "{}", ran.stderr);
        }
    }

    #[test]
    fn a_missing_directory_is_exit_2_for_every_subcommand() {
        for args in [
            vec!["cases", "validate", "/nonexistent/cases"],
            vec!["cases", "list", "--cases", "/nonexistent/cases"],
            vec!["run", "--reference", "--cases", "/nonexistent/cases"],
        ] {
            let ran = Cli::new(&args).run();
            ran.assert_well_behaved(2, FAST);
            assert!(ran.stderr.contains("/nonexistent/cases: cannot read: No such file"), "{}", ran.stderr);
        }
    }

    #[test]
    fn an_invalid_case_is_a_verdict_for_validate_and_a_usage_error_for_run() {
        let dir = case_dir();
        std::fs::write(dir.path().join("bad.json"), "{").unwrap();
        let (validate, _) = validate_and_run(&path(&dir), 1);
        assert!(validate.stderr.contains("bad.json: EOF"), "{}", validate.stderr);
    }

    #[test]
    fn an_empty_selection_is_an_error_unless_allowed() {
        let empty = tempfile::tempdir().unwrap();
        let ran = Cli::new(&["run", "--reference", "--cases", &path(&empty)]).run();
        ran.assert_well_behaved(2, FAST);
        assert!(ran.stderr.contains("no case selected"), "{}", ran.stderr);
        assert!(ran.stderr.contains("holds no case file; pass --allow-empty"), "{}", ran.stderr);
        let ran = Cli::new(&["run", "--reference", "--cases", &path(&empty), "--allow-empty"]).run();
        ran.assert_well_behaved(0, FAST);
        // Random sequences alone are a run with something in it.
        let args =
            ["run", "--reference", "--cases", &path(&empty), "--random", "2", "--profile", "webex-connect"];
        Cli::new(&args).run().assert_well_behaved(0, FAST);
        let dir = case_dir();
        let ran =
            Cli::new(&["run", "--reference", "--cases", &path(&dir), "--profile", "exponea-stream"]).run();
        ran.assert_well_behaved(2, FAST);
        assert!(ran.stderr.contains("none of the 1 case(s)"), "{}", ran.stderr);
    }

    #[test]
    fn expectations_are_read_with_a_limit_and_their_ids_checked() {
        let dir = case_dir();
        let cases = path(&dir);
        let ran = Cli::new(&["run", "--reference", "--cases", &cases, "--expectations", "/dev/zero"]).run();
        ran.assert_well_behaved(2, FAST);
        assert!(
            ran.stderr.contains("/dev/zero: larger than the 1 MiB limit for expectations files"),
            "{}",
            ran.stderr
        );
        let expectations = dir.path().join("expectations.txt");
        std::fs::write(
            &expectations,
            r#"{"disabled": {"webex-connect/rejected-request-never-resent": "known",
                "webex-connect/rejected-request-never-resnt": "typo",
                "webex-connect/rejected-request-never-resent@exponea-stream": "not its profile"}}"#,
        )
        .unwrap();
        let file = expectations.display().to_string();
        let ran = Cli::new(&["run", "--reference", "--cases", &cases, "--expectations", &file]).run();
        ran.assert_well_behaved(2, FAST);
        assert!(ran.stderr.contains("2 unknown id(s)"), "{}", ran.stderr);
        assert!(
            ran.stderr.contains("`webex-connect/rejected-request-never-resnt`: no such case"),
            "{}",
            ran.stderr
        );
        assert!(ran.stderr.contains("does not run on exponea-stream"), "{}", ran.stderr);
        let disabled =
            r#"{"disabled": {"webex-connect/rejected-request-never-resent@webex-connect": "known"}}"#;
        std::fs::write(&expectations, disabled).unwrap();
        let ran = Cli::new(&["run", "--reference", "--cases", &cases, "--expectations", &file]).run();
        ran.assert_well_behaved(0, FAST);
        assert!(ran.stdout.contains("1 disabled"), "{}", ran.stdout);
    }
}

/// Every subcommand that writes to stdout, with its exit code when all goes well.
fn writers(scratch: &str) -> Vec<(Vec<String>, i32)> {
    let cases = crate_dir().join("cases").display().to_string();
    // A case the reference fails on purpose, for a run whose verdict is 1.
    let failing = crate_dir().join("tests/fixtures/select").display().to_string();
    let commands: Vec<(Vec<&str>, i32)> = vec![
        (vec!["--help"], 0),
        (vec!["--version"], 0),
        (vec!["run", "--help"], 0),
        (vec!["requirements"], 0),
        (vec!["requirements", "--json"], 0),
        (vec!["profiles"], 0),
        (vec!["profiles", "--json"], 0),
        (vec!["cases", "list"], 0),
        (vec!["cases", "list", "--json"], 0),
        (vec!["cases", "validate", &cases], 0),
        (vec!["cases", "generate", "--profile", "webex-connect", "--out", scratch, "--max-cases", "2"], 0),
        (vec!["run", "--reference"], 0),
        (vec!["run", "--reference", "--format", "json"], 0),
        (vec!["run", "--reference", "--format", "junit"], 0),
        (vec!["run", "--reference", "--cases", &failing, "--profile", "exponea-stream"], 1),
        (vec!["check", "--quick", "--profile", "webex-connect", "--threads", "1"], 0),
    ];
    commands.into_iter().map(|(args, code)| (args.into_iter().map(str::to_owned).collect(), code)).collect()
}

mod output {
    use super::*;

    #[test]
    fn a_closed_stdout_is_a_quiet_exit_that_keeps_the_verdict() {
        let scratch = tempfile::tempdir().unwrap();
        for (args, code) in writers(&path(&scratch)) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let ran = Cli::new(&args).stdout(Stdout::Closed).run();
            ran.assert_well_behaved(code, Duration::from_secs(60));
            assert!(!ran.stderr.contains("Broken pipe"), "{args:?}: {}", ran.stderr);
        }
    }

    #[test]
    fn the_exit_codes_are_in_the_help() {
        let ran = Cli::new(&["--help"]).run();
        ran.assert_well_behaved(0, FAST);
        assert!(ran.stdout.contains("Exit codes (every subcommand):"), "{}", ran.stdout);
        assert!(ran.stdout.contains("2  a usage or I/O error"), "{}", ran.stdout);
    }

    #[test]
    fn a_full_disk_is_an_io_error() {
        let scratch = tempfile::tempdir().unwrap();
        for (args, _) in writers(&path(&scratch)) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let ran = Cli::new(&args).stdout(Stdout::Full).run();
            ran.assert_well_behaved(2, Duration::from_secs(60));
            assert!(
                ran.stderr.contains("cannot write to standard output: No space left on device"),
                "{args:?}: {}",
                ran.stderr
            );
        }
    }

    #[test]
    fn the_reference_adapter_reads_its_stdin_with_a_line_limit() {
        let tail = b"\n{\"type\":\"hello\",\"protocol\":1,\"suite\":\"s\"}\n".to_vec();
        let ran =
            Cli::new(&["reference-adapter"]).stdin(Input::Long { filler: b'x', len: 64 << 20, tail }).run();
        ran.assert_well_behaved(0, FAST);
        let lines: Vec<&str> = ran.stdout.lines().collect();
        assert_eq!(lines.len(), 2, "{}", ran.stdout);
        assert!(lines[0].contains("a line longer than 4194304 bytes"), "{}", lines[0]);
        assert!(lines[1].contains(r#""type":"hello""#), "{}", lines[1]);
    }

    #[test]
    fn the_reference_adapter_ends_quietly_when_the_suite_goes_away() {
        let hello = Input::Bytes(
            b"{\"type\":\"hello\",\"protocol\":2,\"protocols\":[1,2],\"suite\":\"s\"}\n".to_vec(),
        );
        let ran = Cli::new(&["reference-adapter"]).stdin(hello.clone()).stdout(Stdout::Closed).run();
        ran.assert_well_behaved(0, FAST);
        assert_eq!(ran.stderr, "");
        let ran = Cli::new(&["reference-adapter"]).stdin(hello).stdout(Stdout::Full).run();
        ran.assert_well_behaved(2, FAST);
        assert!(ran.stderr.contains("No space left on device"), "{}", ran.stderr);
    }
}
