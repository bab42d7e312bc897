//! The version handshake (docs/adapter-protocol.md §2.1): the suite offers versions 1 and
//! 2; an adapter that speaks only version 1 and refuses the offer with an error gets a
//! version-1 hello and runs every case as before.

mod common;

use common::{bin, crate_dir, run_json};
use std::collections::BTreeMap;

fn statuses(report: &serde_json::Value) -> BTreeMap<String, (String, String)> {
    report["results"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            let id = r["case"].as_str().unwrap_or_default().to_owned();
            let status = r["status"].as_str().unwrap_or_default().to_owned();
            (id, (status, r["message"].as_str().unwrap_or_default().to_owned()))
        })
        .collect()
}

#[test]
fn a_strict_version_1_adapter_gets_the_same_verdicts_as_a_version_2_one() {
    let python = std::process::Command::new("python3").arg("--version").output();
    assert!(python.is_ok_and(|o| o.status.success()), "this test needs python3 on PATH");
    let strict = format!(
        "python3 {} {} reference-adapter",
        crate_dir().join("tests/adapters/strict_v1.py").display(),
        bin()
    );
    let direct = format!("{} reference-adapter", bin());
    let (strict_code, strict_report) = run_json(&["--adapter", &strict]);
    let (direct_code, direct_report) = run_json(&["--adapter", &direct]);
    let (strict, direct) = (statuses(&strict_report), statuses(&direct_report));
    assert!(direct.len() >= 100, "{}", direct.len());
    assert_eq!(strict.keys().collect::<Vec<_>>(), direct.keys().collect::<Vec<_>>());
    for (id, (status, message)) in &strict {
        let (expected, _) = &direct[id];
        // A case needing a version-2 input cannot run on a version-1 adapter: it is
        // reported unimplemented, never failed.
        let needs_v2 = status == "unimplemented" && message.contains("needs wire protocol 2");
        assert!(
            status == expected || needs_v2,
            "{id}: {status} over protocol 1, {expected} over 2: {message}"
        );
    }
    assert_eq!(strict_code, direct_code);
}

#[test]
fn the_negotiated_version_is_on_the_hello() {
    use jwt_lifecycle_conformance::adapter::process::ProcessAdapter;
    use jwt_lifecycle_conformance::adapter::Adapter;
    use std::time::Duration;
    let script = crate_dir().join("tests/adapters/strict_v1.py").display().to_string();
    let strict = vec!["python3".to_owned(), script, bin().to_owned(), "reference-adapter".to_owned()];
    let direct = vec![bin().to_owned(), "reference-adapter".to_owned()];
    for (argv, protocol) in [(strict, 1), (direct, 2)] {
        let mut adapter = ProcessAdapter::new(argv.clone(), Duration::from_secs(10));
        let hello = adapter.hello().unwrap_or_else(|e| panic!("{argv:?}: {e}"));
        assert_eq!(hello.protocol, protocol, "{argv:?}");
        adapter.finish();
    }
}
