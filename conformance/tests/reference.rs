//! The reference passes every hand-written case of every profile, in process and
//! through `jwt-lifecycle reference-adapter` on the wire protocol.

mod common;

use common::{bin, crate_dir, hand_written_cases, not_passed, run_json};
use jwt_lifecycle_conformance::adapter::reference::ReferenceAdapter;
use jwt_lifecycle_conformance::adapter::Adapter;
use jwt_lifecycle_conformance::runner::Status;
use jwt_lifecycle_conformance::select::{plan, run_planned, Expectations, Selection};
use jwt_lifecycle_spec::profile::ProfileId;

#[test]
fn every_hand_written_case_passes_on_the_reference_in_process() {
    let cases = hand_written_cases();
    let mut adapter = ReferenceAdapter::new();
    let hello = adapter.hello();
    let selection = Selection { strict: true, ..Selection::default() };
    let planned = plan(&cases, &ProfileId::ALL, &selection);
    let results = run_planned(&mut adapter, &hello, &planned, &Expectations::default(), &mut |_| {});
    let covered: std::collections::BTreeSet<ProfileId> = results.iter().map(|r| r.profile).collect();
    assert_eq!(covered.len(), ProfileId::ALL.len(), "every profile has cases");
    let bad: Vec<String> = results
        .iter()
        .filter(|r| r.status != Status::Passed)
        .map(|r| format!("{} {}: {}", r.status.as_str(), r.id, r.message.as_deref().unwrap_or_default()))
        .collect();
    assert!(bad.is_empty(), "{} of {} cases do not pass:\n{}", bad.len(), results.len(), bad.join("\n"));
}

#[test]
fn every_hand_written_case_passes_through_the_reference_adapter_process_per_profile() {
    let cases_dir = crate_dir().join("cases").display().to_string();
    for profile in ProfileId::ALL {
        let adapter = format!("{} reference-adapter --profile {profile}", bin());
        let (code, report) = run_json(&["--adapter", &adapter, "--cases", &cases_dir, "--strict"]);
        let summary = &report["summary"];
        assert!(summary["cases"].as_u64().unwrap_or(0) > 0, "{profile}: no cases ran");
        let bad = not_passed(&report);
        assert!(bad.is_empty(), "{profile}: {summary}\n{}", bad.join("\n"));
        assert_eq!(code, 0, "{profile}");
        let profiles: std::collections::BTreeSet<&str> = report["results"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["profile"].as_str())
            .collect();
        assert_eq!(
            profiles.into_iter().collect::<Vec<_>>(),
            [profile.as_str()],
            "only the announced profile runs"
        );
    }
}
