//! Random runs and generated cases catch mutants: a random run finds each mutant that
//! short sequences reach, judged by the monitors and shrunk to a short case naming the
//! rule, through the library and through the CLI.

mod common;

use common::{mutant_bin, suite_bin};
use jwt_lifecycle_conformance::adapter::Adapter;
use jwt_lifecycle_conformance::case::parse_case;
use jwt_lifecycle_conformance::differential::{run_random, Differential, RandomConfig};
use jwt_lifecycle_conformance::generate::{generate, GenerateConfig};
use jwt_lifecycle_conformance::runner::Status;
use jwt_lifecycle_conformance::select::{plan, run_planned, Expectations, Selection};
use jwt_lifecycle_mutants::{MutantAdapter, Mutation};
use jwt_lifecycle_spec::profile::ProfileId;
use std::path::Path;
use std::process::Command;

const RULES: Differential = Differential::Rules;

#[test]
fn a_planted_bug_shrinks_to_a_short_case_that_names_its_rule_and_reloads() {
    for (mutation, profile, requirement) in [
        (Mutation::NeverRefresh, ProfileId::ExponeaStream, "REFR-001"),
        (Mutation::RetryTwice, ProfileId::ExponeaStream, "RETRY-003"),
        (Mutation::DropEventsOnNetworkError, ProfileId::KhorosLegacy, "RETRY-012"),
    ] {
        let mut adapter = MutantAdapter::new(mutation);
        let config = RandomConfig { sequences: 500, seed: 1, max_len: 24 };
        let outcome = run_random(&mut adapter, profile, config, RULES, 2);
        let d = outcome.divergence.unwrap_or_else(|| panic!("{mutation} on {profile}: nothing found"));
        assert_eq!(d.requirement, Some(requirement), "{mutation}: {}", d.message);
        assert!(d.violations.iter().any(|v| v.requirement == requirement), "{}", d.message);
        assert!(d.steps <= 10, "{mutation}: shrunk to {} steps:\n{}", d.steps, d.case);
        let case = parse_case(&d.case, Path::new("shrunk.json")).expect("the printed case loads");
        assert_eq!(case.file.steps.len(), d.steps);
        assert_eq!(case.file.requirements, [requirement]);
        // The same seed finds the same minimal case.
        let mut again = MutantAdapter::new(mutation);
        assert_eq!(
            run_random(&mut again, profile, config, RULES, 2).divergence.map(|d| d.case),
            Some(d.case)
        );
    }
}

#[test]
fn the_cli_prints_the_seed_the_rule_and_the_shrunk_case() {
    let empty = tempfile::tempdir().unwrap();
    let adapter = format!("{} --mutant never_refresh", mutant_bin());
    let out = Command::new(suite_bin())
        .args(["run", "--adapter", &adapter, "--cases"])
        .arg(empty.path())
        .args(["--random", "300", "--seed", "5", "--profile", "exponea-stream", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}); stderr: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(out.status.code(), Some(1), "{report}");
    let r = &report["results"][0];
    assert_eq!(r["case"], "random/exponea-stream");
    assert_eq!(r["status"], "failed");
    assert!(r["message"].as_str().unwrap().contains("--seed 5"), "{r}");
    assert!(r["trace"].as_str().unwrap().contains("\"steps\""), "{r}");
    assert_eq!(r["violations"][0]["requirement"], "REFR-001", "{r}");
    assert_eq!(report["requirements"]["REFR-001"]["violated"], 1, "{report}");
}

#[test]
fn random_runs_find_and_shrink_every_mutant_reachable_in_short_sequences() {
    use Mutation::*;
    // IgnoreFailureLimit and NoResetOnSuccess need ten consecutive failures, which short
    // random sequences do not reach; the fixed cases catch them (tests/cases.rs). Neither
    // do these sequences reach ForgetTokenOnRestart (a restart after a kept token, then a
    // configure and a flush); the model check catches it (tests/model_check.rs).
    let table = [
        (RetryTwice, ProfileId::ExponeaStream),
        (RetryOnForbiddenWithValidToken, ProfileId::WebexConnect),
        (KeepTokenOnAnonymize, ProfileId::ExponeaStream),
        (KeepTokenOnLogout, ProfileId::MoengageIos),
        (RefreshThirtySecondsEarly, ProfileId::ExponeaStream),
        (SilentExpiredToken, ProfileId::ExponeaStream),
        (RepeatExpiredSoon, ProfileId::ExponeaStream),
        (LeakTokenAcrossIdentify, ProfileId::MoengageAndroid),
        (RetryWithStaleToken, ProfileId::ExponeaStream),
        (ResendWithoutNewToken, ProfileId::KhorosLegacy),
        (InvalidForExpired, ProfileId::MoengageIos),
        (StaleRefreshTimer, ProfileId::ExponeaStream),
        (SilentMissingToken, ProfileId::ExponeaStream),
        (StoreTokenWhileJwtDisabled, ProfileId::WebexConnect),
        (NotifyWithoutHandler, ProfileId::KhorosLegacy),
        (InsufficientOnForbidden, ProfileId::MoengageAndroid),
        (MixCustomersInBatch, ProfileId::ExponeaStream),
        (NeverRefresh, ProfileId::ExponeaStream),
        (DropEventsOnNetworkError, ProfileId::MoengageIos),
        (KeepRunningAfterStop, ProfileId::WebexConnect),
        (ResendDelivered, ProfileId::KhorosLegacy),
        (HoldAcrossCustomers, ProfileId::MoengageIos),
        (IgnoreClearToken, ProfileId::ExponeaStream),
        (StopAfterThrowingHandler, ProfileId::ExponeaStream),
        (UnpromptedHandlerCall, ProfileId::MoengageAndroid),
    ];
    let mut missed = Vec::new();
    for (mutation, profile) in table {
        let mut adapter = MutantAdapter::new(mutation);
        let config = RandomConfig { sequences: 500, seed: 1, max_len: 24 };
        match run_random(&mut adapter, profile, config, RULES, 2).divergence {
            Some(d) if d.steps <= 10 => {}
            Some(d) => missed.push(format!("{mutation} on {profile}: shrunk only to {} steps", d.steps)),
            None => missed.push(format!("{mutation} on {profile}: not found")),
        }
    }
    assert!(missed.is_empty(), "{}", missed.join("\n"));
}

#[test]
fn generated_cases_catch_a_mutant() {
    let cases = generate(ProfileId::ExponeaStream, GenerateConfig::default());
    let mut adapter = MutantAdapter::new(Mutation::SilentMissingToken);
    let hello = adapter.hello();
    let planned = plan(&cases, &ProfileId::ALL, &Selection { strict: true, ..Selection::default() });
    let results = run_planned(&mut adapter, &hello, &planned, &Expectations::default(), &mut |_| {});
    assert!(results.iter().any(|r| r.status == Status::Failed), "no generated case notices the mutant");
}
