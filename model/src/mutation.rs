//! Deliberate bugs, switched on only by tests and by `reference-adapter --mutant`, to
//! show that every property and every conformance case can fail.

use serde::{Deserialize, Serialize};

/// One deliberate deviation from the specification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mutation {
    /// Retries one more time than the profile allows (breaks RETRY-002/RETRY-003).
    RetryTwice,
    /// Retries a 403 to a request with a valid token (breaks RETRY-005).
    RetryOnForbiddenWithValidToken,
    /// Keeps the token on anonymize (breaks LIFE-003, LIFE-008).
    KeepTokenOnAnonymize,
    /// Keeps the token on logout (breaks LIFE-010, LIFE-008).
    KeepTokenOnLogout,
    /// Fires the refresh notification 30 s early (breaks REFR-001).
    RefreshThirtySecondsEarly,
    /// Never fires the refresh notification (breaks REFR-001).
    NeverRefresh,
    /// Sends an expired token without telling the handler (breaks PRE-002).
    SilentExpiredToken,
    /// Notifies expired_soon on every request inside the window (breaks REFR-005).
    RepeatExpiredSoon,
    /// Ignores the consecutive-failure limit (breaks LIMIT-001).
    IgnoreFailureLimit,
    /// Does not reset the failure count on success (breaks LIMIT-002).
    NoResetOnSuccess,
    /// Drops the events of a request that failed on the network (breaks QUEUE-001).
    DropEventsOnNetworkError,
    /// Attaches the token to requests for any customer (breaks LIFE-009).
    LeakTokenAcrossIdentify,
    /// Retries with the token the request was first sent with (breaks LIFE-002).
    RetryWithStaleToken,
    /// Resends a held request on every flush without a new token (breaks RETRY-008, RETRY-013).
    ResendWithoutNewToken,
    /// Tells the handler `invalid` for a rejected token that had expired (breaks RETRY-001).
    InvalidForExpired,
    /// Leaves the old token's refresh timer running when the token is replaced or
    /// cleared (breaks REFR-006).
    StaleRefreshTimer,
    /// Sends a request with no token without telling the handler `not_provided`
    /// (breaks PRE-001).
    SilentMissingToken,
    /// Stores and sends a token passed while JWT is not enabled (breaks CONF-002, CONF-005).
    StoreTokenWhileJwtDisabled,
    /// Calls the handler even when none is registered (breaks NOTIFY-002).
    NotifyWithoutHandler,
    /// Tells the handler `insufficient` on a 403 with a valid token (breaks RETRY-006,
    /// NOTIFY-003).
    InsufficientOnForbidden,
    /// Sends the whole queue in one request, whatever customer each event belongs to
    /// (breaks QUEUE-003, LIFE-009).
    MixCustomersInBatch,
    /// Keeps running after `stop_integration` (breaks CONF-007).
    KeepRunningAfterStop,
    /// Puts delivered events back in the queue, as if the 2xx were lost (breaks QUEUE-007).
    ResendDelivered,
    /// Keeps holding a request after its customer is no longer the current one, so that
    /// it blocks the queue behind it (breaks RETRY-014).
    HoldAcrossCustomers,
}

impl Mutation {
    /// Every mutation, in a fixed order.
    pub const ALL: [Mutation; 24] = [
        Mutation::RetryTwice,
        Mutation::RetryOnForbiddenWithValidToken,
        Mutation::KeepTokenOnAnonymize,
        Mutation::KeepTokenOnLogout,
        Mutation::RefreshThirtySecondsEarly,
        Mutation::NeverRefresh,
        Mutation::SilentExpiredToken,
        Mutation::RepeatExpiredSoon,
        Mutation::IgnoreFailureLimit,
        Mutation::NoResetOnSuccess,
        Mutation::DropEventsOnNetworkError,
        Mutation::LeakTokenAcrossIdentify,
        Mutation::RetryWithStaleToken,
        Mutation::ResendWithoutNewToken,
        Mutation::InvalidForExpired,
        Mutation::StaleRefreshTimer,
        Mutation::SilentMissingToken,
        Mutation::StoreTokenWhileJwtDisabled,
        Mutation::NotifyWithoutHandler,
        Mutation::InsufficientOnForbidden,
        Mutation::MixCustomersInBatch,
        Mutation::KeepRunningAfterStop,
        Mutation::ResendDelivered,
        Mutation::HoldAcrossCustomers,
    ];

    /// The snake_case name (what `reference-adapter --mutant` takes).
    pub fn name(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_snake_case_and_unique() {
        let names: std::collections::BTreeSet<String> = Mutation::ALL.iter().map(|m| m.name()).collect();
        assert_eq!(names.len(), Mutation::ALL.len());
        assert!(names.contains("retry_twice"));
        assert!(names.contains("mix_customers_in_batch"));
    }
}
