//! The stored token: which customer it is bound to, and its refresh notification.

use jwt_lifecycle_spec::alphabet::{CustomerIds, UnixMillis};
use jwt_lifecycle_spec::client_view::ClientToken;

/// The token an SDK holds, bound to the customer that was current when it was set
/// (LIFE-009).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StoredToken {
    /// The token and its unverified `exp`.
    pub token: ClientToken,
    /// The customer it was set for.
    pub customer: CustomerIds,
    /// Whether `expired_soon` was already due for this token (delivered, or dropped for
    /// want of a handler): it is due at most once per token (REFR-005, REFR-007).
    pub expired_soon_done: bool,
    /// When the refresh timer fires, while it is pending (REFR-001, REFR-006).
    pub refresh_due: Option<UnixMillis>,
    /// Kept across a restart and not yet timed again by a `configure` with JWT enabled
    /// (LIFE-014). Only such a token is timed at `configure`: a token the running SDK
    /// already timed keeps its one notification, delivered or dropped (REFR-007).
    pub restored: bool,
}

impl StoredToken {
    /// A freshly stored token, with no refresh scheduled yet.
    pub fn new(raw: &str, customer: CustomerIds) -> Self {
        Self {
            token: ClientToken::parse(raw),
            customer,
            expired_soon_done: false,
            refresh_due: None,
            restored: false,
        }
    }

    /// True when this token may be attached to a request for `customer`.
    pub fn is_for(&self, customer: &CustomerIds) -> bool {
        self.customer == *customer
    }
}
