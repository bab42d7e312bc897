//! The one request in flight (QUEUE-004) and its retry state.

use jwt_lifecycle_spec::alphabet::{CustomerIds, EventId, RequestId, UnixMillis};
use jwt_lifecycle_spec::client_view::ClientToken;

/// Why a request was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// A flush of the queue head.
    Sync,
    /// The sync `logout` starts before forgetting the user (QUEUE-002).
    LogoutSync,
}

/// What the in-flight request is waiting for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Waiting {
    /// The server's answer to the latest attempt.
    Response,
    /// The retry timer, due at this instant (RETRY-002).
    Retry(UnixMillis),
    /// Held until the app provides a new token (RETRY-008).
    NewToken,
    /// A new token came while sync was suspended: the request goes out again on the
    /// first flush once the next session has begun (LIMIT-005).
    Resend,
    /// The answer to this ask of the app's token callback (RETRY-015).
    Ask(jwt_lifecycle_spec::alphabet::AskId),
}

/// The request in flight: sent and not yet answered, or failed and waiting to be retried.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct InFlight {
    /// The id of the latest attempt.
    pub request: RequestId,
    /// Why it was sent.
    pub purpose: Purpose,
    /// The customer it is for.
    pub customer: CustomerIds,
    /// The events it carries.
    pub events: Vec<EventId>,
    /// The token the latest attempt carried; the failure reason is judged by this token,
    /// not by the one stored when the answer arrives (RETRY-001).
    pub carried: Option<ClientToken>,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// What it waits for.
    pub waiting: Waiting,
}

impl InFlight {
    /// The retry timer's due instant, if one is pending.
    pub fn retry_due(&self) -> Option<UnixMillis> {
        match self.waiting {
            Waiting::Retry(due) => Some(due),
            Waiting::Response | Waiting::NewToken | Waiting::Resend | Waiting::Ask(_) => None,
        }
    }

    /// True when the latest attempt is on the wire, waiting for the server.
    pub fn awaits_response(&self) -> bool {
        self.waiting == Waiting::Response
    }

    /// True when `request` is the attempt the server may answer now.
    pub fn awaits_response_to(&self, request: RequestId) -> bool {
        self.waiting == Waiting::Response && self.request == request
    }
}
