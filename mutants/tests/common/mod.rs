//! The mutant -> requirement table every test of this crate reads.
#![allow(dead_code)]

use jwt_lifecycle_model::check::Bounds;
use jwt_lifecycle_mutants::Mutation;
use jwt_lifecycle_spec::profile::ProfileId;

/// One mutant and what proves it caught.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Row {
    /// The mutant.
    pub mutant: Mutation,
    /// The requirement it is meant to break: the model check's counterexample names it,
    /// and a failing fixed case names it among its violations.
    pub breaks: &'static str,
    /// The profile its model check runs on.
    pub checked_on: ProfileId,
    /// The model check's budgets.
    pub bounds: Bounds,
    /// Why the model check cannot reach this mutant, when it cannot (the fixed cases and
    /// the random runs still must catch it).
    pub beyond_model_check: Option<&'static str>,
}

const fn row(mutant: Mutation, breaks: &'static str, checked_on: ProfileId) -> Row {
    Row { mutant, breaks, checked_on, bounds: Bounds::CI, beyond_model_check: None }
}

use Mutation::*;
use ProfileId::{
    BrazeWeb as BRZ, ExponeaStream as EXP, IterableWeb as ITW, KhorosLegacy as KHO, MoengageIos as MOE,
};

/// Every mutant, the requirement it is meant to break, and where that is proven.
pub(crate) const TABLE: &[Row] = &[
    row(RetryTwice, "RETRY-003", EXP),
    row(RetryOnForbiddenWithValidToken, "RETRY-005", EXP),
    row(KeepTokenOnAnonymize, "LIFE-003", EXP),
    row(KeepTokenOnLogout, "LIFE-010", MOE),
    row(RefreshThirtySecondsEarly, "REFR-001", EXP),
    row(NeverRefresh, "REFR-001", EXP),
    row(SilentExpiredToken, "PRE-002", EXP),
    row(RepeatExpiredSoon, "REFR-005", EXP),
    row(IgnoreFailureLimit, "LIMIT-001", MOE),
    row(NoResetOnSuccess, "LIMIT-002", MOE),
    row(DropEventsOnNetworkError, "RETRY-012", EXP),
    row(LeakTokenAcrossIdentify, "LIFE-009", MOE),
    row(RetryWithStaleToken, "LIFE-002", EXP),
    row(ResendWithoutNewToken, "RETRY-008", KHO),
    row(InvalidForExpired, "RETRY-001", EXP),
    row(StaleRefreshTimer, "REFR-006", EXP),
    row(SilentMissingToken, "PRE-001", EXP),
    row(StoreTokenWhileJwtDisabled, "CONF-002", EXP),
    row(NotifyWithoutHandler, "NOTIFY-002", EXP),
    row(InsufficientOnForbidden, "NOTIFY-003", EXP),
    row(MixCustomersInBatch, "QUEUE-003", EXP),
    row(KeepRunningAfterStop, "CONF-007", EXP),
    row(ResendDelivered, "QUEUE-007", EXP),
    row(HoldAcrossCustomers, "RETRY-014", MOE),
    row(ForgetTokenOnRestart, "LIFE-014", EXP),
    row(IgnoreClearToken, "LIFE-015", EXP),
    // The check's app registers a handler that throws only when asked to.
    Row { bounds: Bounds::CI.with_throwing_handler(), ..row(StopAfterThrowingHandler, "NOTIFY-007", EXP) },
    row(UnpromptedHandlerCall, "NOTIFY-008", EXP),
    // Suspending after nine failures leaves the ninth rejection's request held while the
    // rules say sync goes on: the monitors see a held request a new token does not send.
    row(SuspendOneFailureEarly, "RETRY-008", MOE),
    row(NoLiftAtNewSession, "LIMIT-003", MOE),
    row(CountNetworkErrors, "RETRY-012", MOE),
    Row {
        beyond_model_check: Some(
            "the check's server answers 200, 401, 403 or a network error: a 500 takes the network \
             error's path in the machine, so the check leaves it out to keep its state space small",
        ),
        ..row(CountServerErrors, "RETRY-012", MOE)
    },
    row(WindowOpensOneMsLate, "REFR-003", EXP),
    row(RefreshSurvivesStop, "REFR-006", EXP),
    row(RefreshSurvivesIdentify, "REFR-006", EXP),
    row(NoAskOnIdentify, "LIFE-016", ITW),
    row(NoAskBeforeExpiry, "REFR-009", ITW),
    row(NoRefetchAfterRejection, "RETRY-015", ITW),
    row(IgnoreProvidedToken, "LIFE-017", ITW),
    row(IgnoreAuthErrorBody, "RETRY-019", BRZ),
    row(UntokenedCustomerUpdate, "CONF-001", EXP),
    row(NoAutoFlush, "QUEUE-010", BRZ),
    row(ShortBackoff, "RETRY-016", BRZ),
    row(IgnoreFailedAsk, "LIFE-018", ITW),
    row(QueueInsteadOfPerEvent, "QUEUE-009", ITW),
    row(RequeueWithoutQueue, "RETRY-017", ITW),
    row(KeepRefetchAcrossCustomers, "RETRY-018", ITW),
    row(PauseBlocksFlush, "LIMIT-006", BRZ),
];

/// The row of `mutant`.
pub(crate) fn row_of(mutant: Mutation) -> &'static Row {
    TABLE.iter().find(|r| r.mutant == mutant).unwrap_or_else(|| panic!("{mutant} has no row in TABLE"))
}

/// The hand-written cases of the conformance suite.
pub(crate) fn hand_written_cases() -> Vec<jwt_lifecycle_conformance::case::Case> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../conformance/cases");
    match jwt_lifecycle_conformance::case::load_dir(&dir) {
        Ok(cases) => cases.into_iter().map(|(_, c)| c).collect(),
        Err(errors) => panic!("{}", errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n")),
    }
}

/// The `jwt-lifecycle-mutant` binary.
pub(crate) fn mutant_bin() -> &'static str {
    env!("CARGO_BIN_EXE_jwt-lifecycle-mutant")
}

/// The suite's `jwt-lifecycle` binary. Cargo builds only this crate's binaries for its
/// tests, so it is built here (a no-op when `cargo test --workspace` built it already),
/// with the profile the tests were built with.
pub(crate) fn suite_bin() -> std::path::PathBuf {
    static BIN: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        let out = std::process::Command::new(env!("CARGO"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["build", "--quiet", "--profile", "test", "-p", "jwt-lifecycle-conformance"])
            .args(["--bin", "jwt-lifecycle", "--message-format", "json"])
            .output()
            .expect("cargo runs");
        assert!(
            out.status.success(),
            "cannot build jwt-lifecycle:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let executable = String::from_utf8_lossy(&out.stdout).lines().find_map(|line| {
            let message: serde_json::Value = serde_json::from_str(line).ok()?;
            (message["target"]["name"] == "jwt-lifecycle")
                .then(|| message["executable"].as_str().map(Into::into))?
        });
        executable.expect("cargo names the jwt-lifecycle executable")
    })
    .clone()
}
