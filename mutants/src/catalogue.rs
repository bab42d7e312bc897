//! The one list of mutants, and the one parser of their names.

use clap::ValueEnum;
use serde::{Deserialize, Serialize};

/// One deliberate deviation from the specification. Each variant names, first, the
/// requirement it is meant to break; the tests of this crate hold it to that.
///
/// Names are snake_case everywhere (`--mutant retry_twice`, JSON `"retry_twice"`); clap's
/// [`ValueEnum`] is the one parser.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ValueEnum)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum Mutation {
    /// Breaks RETRY-003 (and RETRY-002): retries one more time than the profile allows.
    RetryTwice,
    /// Breaks RETRY-005: retries a 403 to a request whose token was valid, once, a second
    /// later, instead of failing it at once.
    RetryOnForbiddenWithValidToken,
    /// Breaks LIFE-003 (and LIFE-008): keeps the token on anonymize.
    KeepTokenOnAnonymize,
    /// Breaks LIFE-010 (and LIFE-008): keeps the token on logout.
    KeepTokenOnLogout,
    /// Breaks REFR-001: fires the refresh notification 30 s before it is due.
    RefreshThirtySecondsEarly,
    /// Breaks REFR-001: the refresh timer's notification never reaches the handler (a
    /// token set inside its window is still notified at once).
    NeverRefresh,
    /// Breaks PRE-002: sends an expired token without telling the handler.
    SilentExpiredToken,
    /// Breaks REFR-005: tells the handler `expired_soon` before every first attempt
    /// inside the refresh window, not once per token.
    RepeatExpiredSoon,
    /// Breaks LIMIT-001: ignores the consecutive-failure limit.
    IgnoreFailureLimit,
    /// Breaks LIMIT-002: does not reset the failure count on success.
    NoResetOnSuccess,
    /// Breaks RETRY-012 (and QUEUE-001): drops the events of a request that failed on the
    /// network (or with a status that is not an authentication failure), as if delivered.
    DropEventsOnNetworkError,
    /// Breaks LIFE-009: attaches the stored token to requests of any customer.
    LeakTokenAcrossIdentify,
    /// Breaks LIFE-002: retries with the token the first attempt carried, not the one
    /// stored now.
    RetryWithStaleToken,
    /// Breaks RETRY-008 (and RETRY-013): sends a held request again on flush, without a
    /// new token.
    ResendWithoutNewToken,
    /// Breaks RETRY-001: tells the handler `invalid` when a rejected token had expired.
    InvalidForExpired,
    /// Breaks REFR-006: leaves a token's refresh timer running after the token is
    /// replaced or cleared.
    StaleRefreshTimer,
    /// Breaks PRE-001: sends a request with no token without telling the handler
    /// `not_provided`.
    SilentMissingToken,
    /// Breaks CONF-002 (and CONF-005): attaches the last token passed while JWT is not
    /// enabled.
    StoreTokenWhileJwtDisabled,
    /// Breaks NOTIFY-002: calls the handler although none is registered.
    NotifyWithoutHandler,
    /// Breaks NOTIFY-003 (and RETRY-006): tells the handler `insufficient` on a 403 to a
    /// request whose token was valid.
    InsufficientOnForbidden,
    /// Breaks QUEUE-003 (and LIFE-009): labels every request with the current customer,
    /// whoever its events were tracked for.
    MixCustomersInBatch,
    /// Breaks CONF-007: keeps running after `stop_integration`.
    KeepRunningAfterStop,
    /// Breaks QUEUE-007: sends delivered events again, as if the 2xx were lost.
    ResendDelivered,
    /// Breaks RETRY-014: a held request whose customer is no longer the current one never
    /// fails; its events disappear without a report.
    HoldAcrossCustomers,
    /// Breaks LIFE-014: forgets the stored token when the app restarts.
    ForgetTokenOnRestart,
    /// Breaks LIFE-015: `set_token` without a token leaves the stored token in place.
    IgnoreClearToken,
    /// Breaks NOTIFY-007: once a throwing handler has been called, sends no request any
    /// more (as an SDK whose sync loop died with the handler's exception).
    StopAfterThrowingHandler,
    /// Breaks NOTIFY-008: tells the handler `invalid` after every delivered request.
    UnpromptedHandlerCall,
    /// Breaks LIMIT-001 (its clause `n-minus-1`): suspends sync after one failure fewer
    /// than the limit. The monitors see it as RETRY-008 first: the last rejection's request
    /// stays held when a new token should send it, since by the rules sync goes on.
    SuspendOneFailureEarly,
    /// Breaks LIMIT-003 (its clause `new-session`): a `new_session` while suspended does
    /// not end the suspension (a `configure` still does).
    NoLiftAtNewSession,
    /// Breaks RETRY-012 (its clause `network-error-not-counted`): network errors count
    /// toward the failure limit.
    CountNetworkErrors,
    /// Breaks RETRY-012 (its clause `other-status-not-counted`): a status other than 2xx,
    /// 401 and 403 counts toward the failure limit.
    CountServerErrors,
    /// Breaks REFR-003 (its clause `window-opens`): the refresh window opens 1 ms late, so
    /// a token set exactly 60 s before its exp is not notified at once.
    WindowOpensOneMsLate,
    /// Breaks REFR-006 (its clauses `stop-integration` and `clear-local-data`): the
    /// refresh of a token cleared by `stop_integration` or `clear_local_data` stays due
    /// (replacing or clearing it otherwise cancels it).
    RefreshSurvivesStop,
    /// Breaks REFR-006 (its clauses `identify-with-token` and `identify-without-token`):
    /// the refresh of a token replaced or cleared by `identify` stays due.
    RefreshSurvivesIdentify,
    /// Breaks LIFE-016: a pulling SDK does not ask its token callback when a customer is
    /// identified (it waits for a rejection to ask).
    NoAskOnIdentify,
    /// Breaks REFR-009: a pulling SDK does not ask for a new token before the stored one
    /// expires.
    NoAskBeforeExpiry,
    /// Breaks RETRY-015: a pulling SDK fails a rejected request at once instead of asking
    /// for a token and resending it.
    NoRefetchAfterRejection,
    /// Breaks LIFE-017: a token the app's callback provides is never stored (the
    /// callback's promise is dropped), so requests go on without it.
    IgnoreProvidedToken,
    /// Breaks RETRY-019: the SDK does not read `auth_error` in a response body, so a 2xx
    /// carrying one counts as delivered.
    IgnoreAuthErrorBody,
    /// Breaks QUEUE-010: a profile that flushes on a timer never does; queued events wait
    /// for an explicit flush.
    NoAutoFlush,
    /// Breaks RETRY-016: the backoff after a failure waits a tenth of the shortest wait.
    ShortBackoff,
    /// Breaks LIFE-018: a failed answer of the app's token callback never reaches the
    /// SDK, so the requests waiting for it wait on.
    IgnoreFailedAsk,
    /// Breaks QUEUE-009: a profile that sends per event queues its events instead, one
    /// request in flight at a time.
    QueueInsteadOfPerEvent,
    /// Breaks RETRY-017: a profile without a queue puts the events of a request that
    /// failed without an authentication failure back in a queue instead of failing it.
    RequeueWithoutQueue,
    /// Breaks RETRY-018: a request waiting for a token for a customer the app has left
    /// never fails; it disappears without a report.
    KeepRefetchAcrossCustomers,
    /// Breaks LIMIT-006: at the failure limit an explicit flush does not go through the
    /// pause either.
    PauseBlocksFlush,
    /// Breaks CONF-001 (through QUEUE-008): on `identify` the SDK sends a customer update
    /// (a request of kind `customer_update`, carrying no event) for the new customer
    /// without the token stored for them.
    UntokenedCustomerUpdate,
}

/// How a mutant is built around the unchanged machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Construction {
    /// The machine follows a perturbed profile; the oracle judges by the true one
    /// ([`crate::perturb`]).
    PerturbedProfile,
    /// A wrapper transforms the machine's inputs or outputs ([`crate::wrapper`]).
    Wrapper,
}

impl Mutation {
    /// Every mutant, in declaration order.
    pub fn all() -> &'static [Mutation] {
        Mutation::value_variants()
    }

    /// The snake_case name `--mutant` takes.
    pub fn name(self) -> String {
        // Every variant has a name: none is `#[value(skip)]`.
        self.to_possible_value().map(|value| value.get_name().to_owned()).unwrap_or_default()
    }

    /// Parses a snake_case name with the same parser as `--mutant`.
    pub fn parse(name: &str) -> Result<Mutation, String> {
        <Mutation as ValueEnum>::from_str(name, false).map_err(|_| {
            let names: Vec<String> = Mutation::all().iter().map(|m| m.name()).collect();
            format!("unknown mutant `{name}`; expected one of: {}", names.join(", "))
        })
    }

    /// How this mutant is built.
    pub fn construction(self) -> Construction {
        if crate::perturb::perturbs(self) {
            Construction::PerturbedProfile
        } else {
            Construction::Wrapper
        }
    }
}

impl std::fmt::Display for Mutation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_snake_case_unique_and_the_same_for_clap_and_serde() {
        let mut seen = std::collections::BTreeSet::new();
        for &bug in Mutation::all() {
            let name = bug.name();
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{name}");
            assert!(seen.insert(name.clone()), "{name} twice");
            assert_eq!(Mutation::parse(&name), Ok(bug));
            assert_eq!(serde_json::to_value(bug).ok(), Some(serde_json::Value::String(name)));
        }
        assert!(Mutation::parse("retry-twice").is_err(), "one spelling only");
        let message = Mutation::parse("bogus").err().unwrap_or_default();
        assert!(message.contains("bogus") && message.contains("never_refresh"), "{message}");
    }
}
