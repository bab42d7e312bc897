//! What a server answer obliges (RETRY-*, QUEUE-002, QUEUE-005, QUEUE-007, LIMIT-001/002).

use crate::belief::{EventState, Gate, PreviousWait, Purpose, Request, Waiting};
use crate::duty::{Duty, Must};
use crate::judge::Judge;
use jwt_lifecycle_spec::alphabet::{
    AppErrorKind, Body, DeletionRule, FailureCause, Reason, Reply, RequestId,
};
use jwt_lifecycle_spec::profile::{Answer, Backoff, OtherFailurePolicy, RetryPolicy};

/// What an authentication failure's answer said beyond its status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Rejection {
    /// The body says the token had expired.
    pub expired_by_body: bool,
    /// The vendor code the body gives (RETRY-019).
    pub code: Option<i64>,
    /// Only the body made it a failure.
    pub by_body: bool,
}

/// How an answer counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Delivered.
    Success,
    /// An authentication failure with this status (a body may say so of a 2xx, and give
    /// its vendor code, RETRY-019).
    AuthFailure { status: u16, expired_by_body: bool, code: Option<i64>, by_body: bool },
    /// Anything else: a network error or another status (RETRY-012).
    Other,
}

impl Judge<'_> {
    /// How the profile reads `reply` and `body`.
    pub(crate) fn classify(&self, reply: Reply, body: Option<&Body>) -> Verdict {
        match self.profile.read_answer(reply, body) {
            Answer::Delivered => Verdict::Success,
            Answer::Rejected { status, expired, code, by_body } => {
                Verdict::AuthFailure { status, expired_by_body: expired, code, by_body }
            }
            Answer::Other => Verdict::Other,
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
            Verdict::Other => self.other_failure(&request),
            Verdict::AuthFailure { status, expired_by_body, code, by_body } => {
                self.auth_failure(request, status, Rejection { expired_by_body, code, by_body })
            }
        }
    }

    /// QUEUE-007: delivered events leave for good. LIMIT-002: success resets the count.
    /// RETRY-016: a success ends the run of backoff waits.
    fn delivered(&mut self, request: &Request) {
        self.belief.remove_events(&request.events, EventState::Delivered);
        if self.profile.failure_limit.is_some_and(|l| l.reset_on_success) {
            self.belief.failures = 0;
        }
        self.belief.previous_wait = match (request.purpose, self.belief.previous_wait) {
            // RETRY-016: whether a request of the SDK's own ends a run of waits is the
            // SDK's choice (its requests may take another path), so the next wait is
            // bounded by the ceiling alone.
            (Purpose::Housekeeping, PreviousWait::AfterSuccess) => PreviousWait::AfterSuccess,
            (Purpose::Housekeeping, _) => PreviousWait::Unknown,
            _ => PreviousWait::AfterSuccess,
        };
    }

    /// RETRY-012, RETRY-016, RETRY-017: not an authentication failure: nothing is told and
    /// nothing is counted; the events go back to the front of the queue (after a backoff
    /// wait, where the profile backs off), or, without a queue, the request fails.
    fn other_failure(&mut self, request: &Request) {
        if request.purpose == Purpose::Housekeeping {
            return;
        }
        match self.profile.on_other_failure {
            OtherFailurePolicy::Fail => {
                self.fail_for_good(request, FailureCause::Network, "RETRY-017");
            }
            OtherFailurePolicy::Requeue | OtherFailurePolicy::Backoff { .. } => {
                self.belief.requeue_front(&request.events);
                for ev in &request.events {
                    self.belief.ev_mut(*ev).requeued = true;
                }
                if let Some(backoff) = self.profile.on_other_failure.backoff() {
                    self.back_off(backoff);
                }
            }
        }
    }

    /// RETRY-016: the SDK sends nothing on its own before the shortest wait, and the head
    /// of the queue by the longest the previous wait allows.
    fn back_off(&mut self, backoff: Backoff) {
        let now = self.belief.now;
        let previous = match self.belief.previous_wait {
            PreviousWait::AfterSuccess => Some(backoff.min_ms),
            PreviousWait::Seen(wait) => Some(wait),
            PreviousWait::Unknown => None,
        };
        let latest = now.saturating_add(backoff.longest_after(previous));
        self.belief.gate =
            Some(Gate { failed_at: now, earliest: now.saturating_add(backoff.min_ms), latest });
    }

    /// RETRY-001: the reason comes from the token the request carried, at the time of
    /// the answer; RETRY-019: from the vendor code the body gives, where it gives one.
    pub(crate) fn rejection_reason(&self, request: &Request, rejection: Rejection) -> Reason {
        if let Some(code) = rejection.code {
            return self.profile.reason_for_code(code);
        }
        match request.carried {
            None => Reason::NotProvided,
            Some(tok) if rejection.expired_by_body || self.belief.expired(tok, self.belief.now) => {
                Reason::Expired
            }
            Some(_) => Reason::Invalid,
        }
    }

    /// The requirement that makes the handler hear of this failure in this profile.
    fn notice_rule(&self, status: u16, carried: bool, unexpired: bool, rejection: Rejection) -> &'static str {
        if rejection.by_body || rejection.code.is_some() {
            return self.first_applying(&["RETRY-019", "RETRY-020"]);
        }
        let table_row = match (status, carried, unexpired) {
            (403, false, _) => "RETRY-004",
            (403, true, false) => "RETRY-007",
            _ => "RETRY-002",
        };
        self.first_applying(&["RETRY-009", "RETRY-010", "RETRY-020", table_row])
    }

    fn auth_failure(&mut self, request: Request, status: u16, rejection: Rejection) {
        let expired_by_body = rejection.expired_by_body;
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
        let reason = self.rejection_reason(&request, rejection);
        let exhausted = match policy.retry {
            RetryPolicy::Never => true,
            RetryPolicy::After { attempts, .. } => request.attempt > attempts,
            RetryPolicy::RefetchThenRetry => request.attempt > 1,
            RetryPolicy::OnNewToken | RetryPolicy::Backoff { .. } => false,
        };
        let forbidden_valid = status == 403 && carried && unexpired;
        // RETRY-003: the failure of a last retry calls no handler and raises nothing.
        if !(exhausted && request.attempt > 1) {
            if policy.notify_handler && self.belief.handler {
                let why = self.notice_rule(status, carried, unexpired, rejection);
                let code = rejection.code;
                self.push(Duty::new(why, Must::Notify { reason, cust: request.cust, window: None, code }));
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
                self.first_applying(&["RETRY-003", "RETRY-015"])
            } else if forbidden_valid {
                self.first_applying(&["RETRY-005", "RETRY-011", "QUEUE-005"])
            } else {
                self.first_applying(&["RETRY-011", "RETRY-017", "QUEUE-005"])
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
            RetryPolicy::RefetchThenRetry => self.refetch(request, reason),
            RetryPolicy::Backoff { min_ms, max_ms, factor } => {
                // RETRY-016: back to the front of the queue, sent after the wait.
                self.belief.requeue_front(&request.events);
                self.back_off(Backoff { min_ms, max_ms, factor });
            }
            RetryPolicy::Never => {}
        }
    }

    /// RETRY-015: the request waits for a token for its customer, asked for at once
    /// unless an ask for them is outstanding. RETRY-018: not for a customer left behind.
    fn refetch(&mut self, request: Request, reason: Reason) {
        if request.cust != self.belief.customer {
            self.fail_for_good(&request, FailureCause::Authentication, "RETRY-018");
            return;
        }
        if self.profile.token_supply.pull.is_some_and(|p| p.after_rejection)
            && !self.belief.asking_for(request.cust)
        {
            self.push(Duty::new("RETRY-015", Must::Ask { reason, cust: request.cust, window: None }));
        }
        self.belief.requests.push(Request { waiting: Waiting::Token, ..request });
    }

    pub(crate) fn fail_for_good(&mut self, request: &Request, cause: FailureCause, why: &'static str) {
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
