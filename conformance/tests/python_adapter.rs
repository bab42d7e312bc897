//! The example Python adapter (conformance/adapters/python, standard library only)
//! passes every case of its profile through the wire protocol, version 2 included (the
//! suite negotiates it in the handshake). Without python3 the tests fail when `CI` is set
//! and say SKIPPED otherwise.

mod common;

use common::{crate_dir, not_passed, run_json, skip_unless_ci};
use jwt_lifecycle_conformance::adapter::process::ProcessAdapter;
use jwt_lifecycle_conformance::adapter::Adapter;
use jwt_lifecycle_spec::profile::ProfileId;
use std::process::Command;
use std::time::Duration;

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
    assert!(summary["cases"].as_u64().unwrap_or(0) >= 60, "{summary}");
    let bad = not_passed(&report);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert_eq!(code, 0);
    let profiles: std::collections::BTreeSet<&str> =
        report["results"].as_array().into_iter().flatten().filter_map(|r| r["profile"].as_str()).collect();
    assert_eq!(profiles.into_iter().collect::<Vec<_>>(), ["exponea-stream"]);
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
    let mut adapter = ProcessAdapter::new(vec![python.to_owned(), script()], Duration::from_secs(10));
    let hello = adapter.hello().expect("the handshake");
    assert_eq!((hello.protocol, hello.profiles.clone()), (2, vec![ProfileId::ExponeaStream]));
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
