//! The example Python adapter (conformance/adapters/python, standard library only)
//! passes every case of its profile through the wire protocol, version 2 included. Without
//! python3 the tests fail when `CI` is set and say SKIPPED otherwise.

mod common;

use common::{crate_dir, hand_written_cases, run_json, skip_unless_ci};
use jwt_lifecycle_conformance::adapter::wire::{AdapterMessage, SuiteMessage};
use jwt_lifecycle_conformance::adapter::{
    Adapter, AdapterError, Hello, Started, StepReply, PROTOCOL_VERSION,
};
use jwt_lifecycle_conformance::runner::{run_case, Status};
use jwt_lifecycle_spec::alphabet::{Input, UnixMillis};
use jwt_lifecycle_spec::profile::ProfileId;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

fn python() -> Option<&'static str> {
    Command::new("python3").arg("--version").output().ok().filter(|o| o.status.success()).map(|_| "python3")
}

fn script() -> String {
    crate_dir().join("adapters/python/adapter.py").display().to_string()
}

#[test]
fn the_python_example_adapter_passes_its_profile() {
    let Some(python) = python() else {
        return skip_unless_ci("the_python_example_adapter_passes_its_profile", "python3 is not installed");
    };
    let adapter = format!("{python} {}", script());
    let cases = crate_dir().join("cases").display().to_string();
    let (code, report) = run_json(&["--adapter", &adapter, "--cases", &cases]);
    let summary = &report["summary"];
    assert!(summary["cases"].as_u64().unwrap_or(0) >= 20, "{summary}");
    // While the suite offers only version 1 in its handshake, a case needing a version-2
    // input cannot reach the adapter and is reported unimplemented; once the suite offers
    // version 2, every case must pass (the next test runs them over version 2 meanwhile).
    let suite_offers_v2 = PROTOCOL_VERSION >= 2;
    let bad: Vec<String> = report["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["status"] != "passed")
        .filter(|r| {
            let message = r["message"].as_str().unwrap_or_default();
            let needs_v2 = r["status"] == "unimplemented" && message.contains("protocol 2");
            suite_offers_v2 || !needs_v2
        })
        .map(|r| format!("{} {}: {}", r["status"], r["case"], r["message"]))
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert_eq!(code, 0);
    let profiles: std::collections::BTreeSet<&str> =
        report["results"].as_array().into_iter().flatten().filter_map(|r| r["profile"].as_str()).collect();
    assert_eq!(profiles.into_iter().collect::<Vec<_>>(), ["exponea-stream"]);
}

/// The adapter program spoken to in version 2 from the handshake on, whatever version
/// the suite's own handshake offers.
struct VersionTwo {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    hello: Option<Hello>,
}

impl VersionTwo {
    fn spawn(python: &str) -> (Self, Hello) {
        let mut child = Command::new(python)
            .arg(script())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn python3");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut adapter = VersionTwo { child, stdin, stdout, hello: None };
        let reply =
            adapter.exchange_line(r#"{"type":"hello","protocol":2,"protocols":[1,2],"suite":"test"}"#);
        let AdapterMessage::Hello { protocol, adapter: name, version, profiles } = reply else {
            panic!("no hello: {reply:?}");
        };
        let profiles = profiles.iter().filter_map(|p| p.parse().ok()).collect();
        let hello = Hello { adapter: name, version, profiles, protocol };
        adapter.hello = Some(hello.clone());
        (adapter, hello)
    }

    fn exchange_line(&mut self, line: &str) -> AdapterMessage {
        writeln!(self.stdin, "{line}").and_then(|()| self.stdin.flush()).expect("write to the adapter");
        let mut reply = String::new();
        self.stdout.read_line(&mut reply).expect("read from the adapter");
        serde_json::from_str(&reply).unwrap_or_else(|e| panic!("not a reply ({e}): {reply:?}"))
    }

    fn exchange(&mut self, message: &SuiteMessage) -> Result<AdapterMessage, AdapterError> {
        let line = serde_json::to_string(message).expect("a suite message serialises");
        match self.exchange_line(&line) {
            AdapterMessage::Error { message } => Err(AdapterError::Reported { message }),
            reply => Ok(reply),
        }
    }

    fn step(&mut self, message: &SuiteMessage) -> Result<StepReply, AdapterError> {
        match self.exchange(message)? {
            AdapterMessage::Done { observations } => Ok(StepReply::Done(observations)),
            AdapterMessage::Unimplemented { reason } => Ok(StepReply::Unimplemented(reason)),
            other => Err(AdapterError::Unexpected { expected: "done", line: format!("{other:?}") }),
        }
    }
}

impl Adapter for VersionTwo {
    fn hello(&mut self) -> Result<Hello, AdapterError> {
        self.hello.clone().ok_or_else(|| AdapterError::Reported { message: "no handshake".into() })
    }

    fn start(&mut self, case: &str, profile: ProfileId, clock: UnixMillis) -> Result<Started, AdapterError> {
        let start =
            SuiteMessage::Start { case: case.to_owned(), profile: profile.as_str().to_owned(), clock };
        match self.exchange(&start)? {
            AdapterMessage::Ready => Ok(Started::Ready),
            AdapterMessage::Unsupported { reason } => Ok(Started::Unsupported(reason)),
            other => Err(AdapterError::Unexpected { expected: "ready", line: format!("{other:?}") }),
        }
    }

    fn input(&mut self, input: &Input) -> Result<StepReply, AdapterError> {
        self.step(&SuiteMessage::Input { input: input.clone() })
    }

    fn advance(&mut self, ms: u64) -> Result<StepReply, AdapterError> {
        self.step(&SuiteMessage::Advance { ms })
    }
}

impl Drop for VersionTwo {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, r#"{{"type":"bye"}}"#);
        let _ = self.child.wait();
    }
}

#[test]
fn the_python_example_adapter_passes_every_case_of_its_profile_in_version_2() {
    let Some(python) = python() else {
        return skip_unless_ci(
            "the_python_example_adapter_passes_every_case_of_its_profile_in_version_2",
            "python3 is not installed",
        );
    };
    let (mut adapter, hello) = VersionTwo::spawn(python);
    assert_eq!((hello.protocol, hello.profiles.clone()), (2, vec![ProfileId::ExponeaStream]));
    let cases = hand_written_cases();
    let mut ran = 0;
    let mut needing_v2 = 0;
    let mut bad = Vec::new();
    for case in cases.iter().filter(|c| c.file.profiles.contains(&ProfileId::ExponeaStream)) {
        let result = run_case(&mut adapter, case, ProfileId::ExponeaStream, hello.protocol);
        ran += 1;
        needing_v2 += usize::from(case.min_protocol() >= 2);
        if result.status != Status::Passed {
            bad.push(format!(
                "{} {}: {}",
                result.status.as_str(),
                result.id,
                result.message.unwrap_or_default()
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n\n"));
    assert!(ran >= 60 && needing_v2 >= 10, "{ran} cases, {needing_v2} of them version 2");
}

#[test]
fn the_python_example_adapter_agrees_with_the_model_on_random_sequences() {
    let Some(python) = python() else {
        return skip_unless_ci(
            "the_python_example_adapter_agrees_with_the_model_on_random_sequences",
            "python3 is not installed",
        );
    };
    use jwt_lifecycle_conformance::differential::{run_random, Differential, RandomConfig};
    let (mut adapter, hello) = VersionTwo::spawn(python);
    // The example adapter was written to match the reference: hold it to it exactly, with
    // the version-2 moves (restart, clearing set_token, throwing handlers) in the mix.
    let outcome = run_random(
        &mut adapter,
        ProfileId::ExponeaStream,
        RandomConfig { sequences: 300, seed: 11, max_len: 24 },
        Differential::Exact,
        hello.protocol,
    );
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    assert!(
        outcome.divergence.is_none(),
        "{}",
        outcome.divergence.map(|d| d.message + "\n" + &d.case).unwrap_or_default()
    );
    assert!(outcome.steps >= 2_000, "{}", outcome.steps);
    assert_eq!(outcome.unimplemented, 0);
}
