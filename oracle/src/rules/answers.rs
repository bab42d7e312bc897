//! What a server answer obliges (RETRY-*, QUEUE-002, QUEUE-005, QUEUE-007, LIMIT-001/002).

use crate::belief::{EventState, Purpose, Request, Waiting};
use crate::duty::{Duty, Must};
use crate::judge::Judge;
use jwt_lifecycle_spec::alphabet::{
    AppErrorKind, Body, DeletionRule, FailureCause, Reason, Reply, RequestId,
};
use jwt_lifecycle_spec::profile::{BodyMeaning, RetryPolicy};

/// How an answer counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Delivered.
    Success,
    /// An authentication failure with this status (a body may say so of a 2xx).
    AuthFailure { status: u16, expired_by_body: bool },
    /// Anything else: a network error or another status (RETRY-012).
    Other,
}

impl Judge<'_> {
    /// How the profile reads `reply` and `body`.
    pub(crate) fn classify(&self, reply: Reply, body: Option<&Body>) -> Verdict {
        let Reply::Status(status) = reply else { return Verdict::Other };
        let says = |meaning: BodyMeaning| {
            self.profile.body_signals.iter().any(|s| {
                s.means == meaning
                    && (s.status_min..=s.status_max).contains(&status)
                    && body.is_some_and(|b| b.pointer(&s.pointer).is_some())
            })
        };
        let expired_by_body = says(BodyMeaning::TokenExpired);
        if status == 401 || status == 403 || says(BodyMeaning::AuthenticationFailure) {
            let status = if status == 403 { 403 } else { 401 };
            return Verdict::AuthFailure { status, expired_by_body };
        }
        if (200..300).contains(&status) {
            Verdict::Success
        } else {
            Verdict::Other
        }
    }

    /// The server answers the SDK's request `id`.
    pub(crate) fn answer(&mut self, id: RequestId, reply: Reply, body: Option<&Body>) {
        let awaited = self.belief.request(id).is_some_and(|r| r.waiting == Waiting::Response);
        if !awaited {
            // A late answer to a request that was abandoned (QUEUE-006) or never sent: the
            // SDK must ignore it; any output of this step is unprompted.
            return;
        }
        let Some(request) = self.belief.finish(id) else { return };
        let verdict = self.classify(reply, body);
        self.answered = Some((request.clone(), verdict));
        match verdict {
            Verdict::Success => self.delivered(&request),
            Verdict::Other => self.requeue(&request),
            Verdict::AuthFailure { status, expired_by_body } => {
                self.auth_failure(request, status, expired_by_body)
            }
        }
    }

    /// QUEUE-007: delivered events leave for good. LIMIT-002: success resets the count.
    fn delivered(&mut self, request: &Request) {
        self.belief.remove_events(&request.events, EventState::Delivered);
        if self.profile.failure_limit.is_some_and(|l| l.reset_on_success) {
            self.belief.failures = 0;
        }
    }

    /// RETRY-012: not an authentication failure: the events go back to the front of the
    /// queue for the next flush, nothing is told and nothing is counted.
    fn requeue(&mut self, request: &Request) {
        if request.purpose != Purpose::Housekeeping {
            self.belief.requeue_front(&request.events);
            for ev in &request.events {
                self.belief.ev_mut(*ev).requeued = true;
            }
        }
    }

    /// RETRY-001: the reason comes from the token the request carried, at the time of
    /// the answer.
    pub(crate) fn rejection_reason(&self, request: &Request, expired_by_body: bool) -> Reason {
        match request.carried {
            None => Reason::NotProvided,
            Some(tok) if expired_by_body || self.belief.expired(tok, self.belief.now) => Reason::Expired,
            Some(_) => Reason::Invalid,
        }
    }

    /// The requirement that makes the handler hear of this failure in this profile.
    fn notice_rule(&self, status: u16, carried: bool, unexpired: bool) -> &'static str {
        let table_row = match (status, carried, unexpired) {
            (403, false, _) => "RETRY-004",
            (403, true, false) => "RETRY-007",
            _ => "RETRY-002",
        };
        self.first_applying(&["RETRY-009", "RETRY-010", table_row])
    }

    fn auth_failure(&mut self, request: Request, status: u16, expired_by_body: bool) {
        if !self.belief.jwt {
            // CONF-002 / CONF-008: without JWT there is nothing to refresh: fail at once.
            let why = self.first_applying(&["CONF-002", "CONF-008"]);
            self.fail_for_good(&request, FailureCause::Authentication, why);
            return;
        }
        let carried = request.carried.is_some();
        let unexpired =
            request.carried.is_some_and(|t| !self.belief.expired(t, self.belief.now)) && !expired_by_body;
        let Some(policy) = self.profile.auth_failure_policy(status, carried, unexpired).copied() else {
            return;
        };
        let reason = self.rejection_reason(&request, expired_by_body);
        let exhausted = match policy.retry {
            RetryPolicy::Never => true,
            RetryPolicy::After { attempts, .. } => request.attempt > attempts,
            RetryPolicy::OnNewToken => false,
        };
        let forbidden_valid = status == 403 && carried && unexpired;
        // RETRY-003: the failure of a last retry calls no handler and raises nothing.
        if !(exhausted && request.attempt > 1) {
            if policy.notify_handler && self.belief.handler {
                let why = self.notice_rule(status, carried, unexpired);
                self.push(Duty::new(why, Must::Notify { reason, cust: request.cust, window: None }));
            }
            if policy.raise_app_error {
                let code = self.profile.code_for(reason);
                self.push(Duty::new(
                    "RETRY-011",
                    Must::RaiseError { error: AppErrorKind::TokenRejected, code },
                ));
            }
        }
        if policy.counts_toward_limit {
            self.count_failure();
            self.belief.failures_in_session = self.belief.failures_in_session.saturating_add(1);
        }
        let cause = if forbidden_valid { FailureCause::Forbidden } else { FailureCause::Authentication };
        if request.purpose == Purpose::LogoutSync {
            self.push(Duty::new(
                "QUEUE-002",
                Must::Delete { events: request.events.clone(), rule: DeletionRule::LogoutSyncFailed },
            ));
            self.belief.remove_events(&request.events, EventState::Removed { by: "QUEUE-002" });
            return;
        }
        if exhausted {
            let why = if request.attempt > 1 {
                "RETRY-003"
            } else if forbidden_valid {
                self.first_applying(&["RETRY-005", "RETRY-011", "QUEUE-005"])
            } else {
                self.first_applying(&["RETRY-011", "QUEUE-005"])
            };
            self.fail_for_good(&request, cause, why);
            return;
        }
        match policy.retry {
            RetryPolicy::After { delay_ms, tolerance_ms, .. } => {
                let due = self.belief.now.saturating_add(delay_ms);
                self.belief
                    .requests
                    .push(Request { waiting: Waiting::Retry { due, tolerance: tolerance_ms }, ..request });
            }
            RetryPolicy::OnNewToken if request.cust != self.belief.customer => {
                // RETRY-014: its customer was left while it was on the wire; no token of
                // theirs will come, so it fails at once, after the handler call.
                self.fail_for_good(&request, FailureCause::Authentication, "RETRY-014");
            }
            RetryPolicy::OnNewToken => {
                // RETRY-008: held until the app provides a new token.
                self.belief.requests.push(Request { waiting: Waiting::NewToken, ..request });
            }
            RetryPolicy::Never => {}
        }
    }

    fn fail_for_good(&mut self, request: &Request, cause: FailureCause, why: &'static str) {
        self.push(Duty::new(why, Must::Fail { request: request.id, events: request.events.clone(), cause }));
        self.belief.remove_events(&request.events, EventState::Removed { by: why });
    }

    /// LIMIT-001: the limit's failures suspend sync until the next session.
    fn count_failure(&mut self) {
        self.belief.failures = self.belief.failures.saturating_add(1);
        if let Some(limit) = self.profile.failure_limit {
            if limit.suspended_until_next_session && self.belief.failures >= limit.consecutive_failures {
                self.belief.suspended = true;
            }
        }
    }
}
