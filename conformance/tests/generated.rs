//! Cases generated from the model load with the same loader and pass on the reference,
//! in process and on the wire.

mod common;

use common::{bin, load, run_json};
use jwt_lifecycle_conformance::adapter::reference::ReferenceAdapter;
use jwt_lifecycle_conformance::adapter::Adapter;
use jwt_lifecycle_conformance::generate::{generate, GenerateConfig};
use jwt_lifecycle_conformance::runner::Status;
use jwt_lifecycle_conformance::select::{plan, run_planned, Expectations, Selection};
use jwt_lifecycle_spec::profile::ProfileId;
use std::process::Command;

#[test]
fn generated_cases_round_trip_through_files_and_pass_on_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    for profile in ProfileId::ALL {
        let status = Command::new(bin())
            .args(["cases", "generate", "--profile", profile.as_str(), "--out"])
            .arg(dir.path())
            .args(["--max-cases", "40"])
            .status()
            .unwrap();
        assert!(status.success(), "{profile}");
    }
    let cases = load(dir.path());
    assert!(cases.len() >= 5 * 20, "only {} cases generated", cases.len());
    for profile in ProfileId::ALL {
        let in_memory = generate(profile, GenerateConfig { depth: 5, max_cases: 40 });
        let from_disk: Vec<_> = cases.iter().filter(|c| c.file.profiles == [profile]).collect();
        assert_eq!(in_memory.len(), from_disk.len(), "{profile}");
        for (a, b) in in_memory.iter().zip(&from_disk) {
            assert_eq!(&a.file, &b.file, "{profile}: a written case reads back as itself");
        }
    }
    let mut adapter = ReferenceAdapter::new();
    let hello = adapter.hello();
    let planned = plan(&cases, &ProfileId::ALL, &Selection { strict: true, ..Selection::default() });
    assert_eq!(planned.len(), cases.len());
    let results = run_planned(&mut adapter, &hello, &planned, &Expectations::default(), &mut |_| {});
    let bad: Vec<_> =
        results.iter().filter(|r| r.status != Status::Passed).map(|r| r.message.clone()).collect();
    assert!(bad.is_empty(), "{bad:#?}");

    let (code, report) = run_json(&[
        "--adapter",
        &format!("{} reference-adapter", bin()),
        "--cases",
        &dir.path().display().to_string(),
        "--strict",
    ]);
    assert_eq!(code, 0, "{}", report["summary"]);
    assert_eq!(report["summary"]["passed"], report["summary"]["cases"]);
}
