//! Random runs and generated cases catch mutants: a default random run finds every mutant,
//! judged by the monitors and shrunk to a short case naming the rule, through the library
//! and through the CLI.

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
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

const RULES: Differential = Differential::Rules;

#[test]
fn a_planted_bug_shrinks_to_a_short_case_that_names_its_rule_and_reloads() {
    // A bug may break more than one rule; shrinking keeps the one found first. Dropping
    // the events of a failed request breaks RETRY-012, and QUEUE-006 too when a stop
    // follows (events neither delivered nor reported deleted).
    for (mutation, profile, requirements) in [
        (Mutation::NeverRefresh, ProfileId::ExponeaStream, &["REFR-001"][..]),
        (Mutation::RetryTwice, ProfileId::ExponeaStream, &["RETRY-003"][..]),
        (Mutation::DropEventsOnNetworkError, ProfileId::KhorosLegacy, &["RETRY-012", "QUEUE-006"][..]),
    ] {
        let mut adapter = MutantAdapter::new(mutation);
        let config = RandomConfig { sequences: 500, seed: 1, max_len: 24 };
        let outcome = run_random(&mut adapter, profile, config, RULES, 2);
        let d = outcome.divergence.unwrap_or_else(|| panic!("{mutation} on {profile}: nothing found"));
        let requirement = d.requirement.unwrap_or_default();
        assert!(requirements.contains(&requirement), "{mutation}: {}", d.message);
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
fn a_default_random_run_finds_and_shrinks_every_mutant() {
    use ProfileId::WebexConnect as WBX;
    use ProfileId::{BrazeWeb as BRZ, IterableWeb as ITW};
    use ProfileId::{ExponeaStream as EXP, KhorosLegacy as KHO, MoengageAndroid as MOA, MoengageIos as MOE};
    // The profile each mutant is looked for on, and the longest shrunk trace accepted:
    // the failure limit's mutants need ten rejections, each followed by a new token, so
    // their minimal traces are long by nature.
    let table = [
        (Mutation::RetryTwice, EXP, 10),
        (Mutation::RetryOnForbiddenWithValidToken, WBX, 10),
        (Mutation::KeepTokenOnAnonymize, EXP, 10),
        (Mutation::KeepTokenOnLogout, MOE, 10),
        (Mutation::RefreshThirtySecondsEarly, EXP, 10),
        (Mutation::NeverRefresh, EXP, 10),
        (Mutation::SilentExpiredToken, EXP, 10),
        (Mutation::RepeatExpiredSoon, EXP, 10),
        (Mutation::IgnoreFailureLimit, MOE, 40),
        (Mutation::NoResetOnSuccess, MOE, 40),
        (Mutation::DropEventsOnNetworkError, MOE, 10),
        (Mutation::LeakTokenAcrossIdentify, MOA, 10),
        (Mutation::RetryWithStaleToken, EXP, 10),
        (Mutation::ResendWithoutNewToken, KHO, 10),
        (Mutation::InvalidForExpired, MOE, 16),
        (Mutation::StaleRefreshTimer, EXP, 10),
        (Mutation::SilentMissingToken, EXP, 10),
        (Mutation::StoreTokenWhileJwtDisabled, WBX, 10),
        (Mutation::NotifyWithoutHandler, KHO, 10),
        (Mutation::InsufficientOnForbidden, MOA, 10),
        (Mutation::MixCustomersInBatch, EXP, 10),
        (Mutation::KeepRunningAfterStop, WBX, 10),
        (Mutation::ResendDelivered, KHO, 10),
        (Mutation::HoldAcrossCustomers, MOE, 10),
        (Mutation::ForgetTokenOnRestart, MOE, 10),
        (Mutation::IgnoreClearToken, EXP, 10),
        (Mutation::StopAfterThrowingHandler, EXP, 10),
        (Mutation::UnpromptedHandlerCall, MOA, 10),
        (Mutation::SuspendOneFailureEarly, MOE, 40),
        (Mutation::NoLiftAtNewSession, MOE, 40),
        (Mutation::CountNetworkErrors, MOE, 40),
        (Mutation::CountServerErrors, MOA, 40),
        (Mutation::WindowOpensOneMsLate, EXP, 10),
        (Mutation::RefreshSurvivesStop, EXP, 10),
        (Mutation::RefreshSurvivesIdentify, EXP, 10),
        (Mutation::NoAskOnIdentify, ITW, 10),
        (Mutation::NoAskBeforeExpiry, ITW, 10),
        (Mutation::NoRefetchAfterRejection, ITW, 10),
        (Mutation::IgnoreProvidedToken, ITW, 10),
        (Mutation::IgnoreAuthErrorBody, BRZ, 10),
        (Mutation::UntokenedCustomerUpdate, EXP, 10),
        (Mutation::NoAutoFlush, BRZ, 10),
        (Mutation::ShortBackoff, BRZ, 10),
        (Mutation::IgnoreFailedAsk, ITW, 10),
        (Mutation::QueueInsteadOfPerEvent, ITW, 10),
        (Mutation::RequeueWithoutQueue, ITW, 10),
        (Mutation::KeepRefetchAcrossCustomers, ITW, 10),
        (Mutation::PauseBlocksFlush, BRZ, 200),
    ];
    let listed: BTreeSet<Mutation> = table.iter().map(|(m, _, _)| *m).collect();
    let all: BTreeSet<Mutation> = Mutation::all().iter().copied().collect();
    assert_eq!(listed, all, "every mutant has a row");
    let mut missed = Vec::new();
    for (mutation, profile, longest) in table {
        let mut adapter = MutantAdapter::new(mutation);
        match run_random(&mut adapter, profile, RandomConfig::new(300, 1), RULES, 2).divergence {
            Some(d) if d.steps <= longest => {}
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
