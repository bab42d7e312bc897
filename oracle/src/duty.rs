//! Duties: what one step obliges the SDK to do, each with the requirement that obliges it.
//!
//! A duty is discharged by an observation of the step that fits it; one left undischarged
//! at the end of the step is a violation of its requirement. Only the order the rules
//! demand is enforced (a pre-flight notification before its request, a failure's
//! notification before its removal); everything else may come in any order.

use crate::belief::{Purpose, Request};
use crate::book::{Cust, Ev};
use jwt_lifecycle_spec::alphabet::{AppErrorKind, DeletionRule, FailureCause, Reason, RequestId, UnixMillis};

/// One thing the SDK must do in this step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Duty {
    /// The requirement that demands it.
    pub why: &'static str,
    /// What must be seen.
    pub what: Must,
    /// Discharged.
    pub done: bool,
    /// It may be left undone (a timer whose tolerance window is still open at the end of
    /// the step, or an outcome two allowed behaviours disagree on).
    pub optional: bool,
    /// It is the pre-flight notification of a request the SDK sends on its own (QUEUE-008).
    pub own: bool,
}

/// What a duty asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Must {
    /// A `request_sent` carrying `events` for `cust`, as attempt `attempt`.
    Send {
        /// The events, in order.
        events: Vec<Ev>,
        /// The customer.
        cust: Cust,
        /// The attempt number.
        attempt: u32,
        /// Why the request goes out.
        purpose: Purpose,
        /// The live request this one resends, if it is a retry or a resend.
        resends: Option<RequestId>,
        /// The pre-flight notification that must come before it in the step.
        preflight: Option<Reason>,
        /// The earliest and latest instants allowed (timed retries).
        window: Option<(UnixMillis, UnixMillis)>,
    },
    /// A `handler_called` with `reason` for `cust`.
    Notify {
        /// The reason.
        reason: Reason,
        /// The customer it concerns.
        cust: Cust,
        /// The earliest and latest instants allowed (the refresh timer).
        window: Option<(UnixMillis, UnixMillis)>,
        /// The vendor code it must carry, where the answer's body gave one (RETRY-019).
        code: Option<i64>,
    },
    /// A `token_requested` for `cust` (pulled tokens).
    Ask {
        /// The reason, compared when the SDK gives one.
        reason: Reason,
        /// The customer the token is asked for.
        cust: Cust,
        /// The earliest and latest instants allowed (the refresh ask).
        window: Option<(UnixMillis, UnixMillis)>,
    },
    /// An `app_error`.
    RaiseError {
        /// Its kind.
        error: AppErrorKind,
        /// Its vendor code.
        code: Option<i64>,
    },
    /// A `request_failed` for the live request `request`.
    Fail {
        /// The SDK's request id.
        request: RequestId,
        /// Its events.
        events: Vec<Ev>,
        /// The cause.
        cause: FailureCause,
    },
    /// `events_deleted` naming `rule`, covering exactly `events` (in one output or several).
    Delete {
        /// The events still to be reported.
        events: Vec<Ev>,
        /// The rule.
        rule: DeletionRule,
    },
}

impl Must {
    /// The next attempt of `request`: its events, for its customer, resending it, sent
    /// inside `window` when a timer allows one.
    pub(crate) fn resend(request: &Request, window: Option<(UnixMillis, UnixMillis)>) -> Must {
        Must::Send {
            events: request.events.clone(),
            cust: request.cust,
            attempt: request.attempt + 1,
            purpose: request.purpose,
            resends: Some(request.id),
            preflight: None,
            window,
        }
    }
}

impl Duty {
    pub(crate) fn new(why: &'static str, what: Must) -> Self {
        Duty { why, what, done: false, optional: false, own: false }
    }

    pub(crate) fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    /// The same duty, marked as the pre-flight of a request the SDK sends on its own.
    pub(crate) fn for_own_request(mut self) -> Self {
        self.own = true;
        self
    }

    /// A duty that notifies the app.
    pub(crate) fn is_notice(&self) -> bool {
        matches!(self.what, Must::Notify { .. } | Must::RaiseError { .. })
    }
}
