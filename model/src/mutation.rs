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
}
