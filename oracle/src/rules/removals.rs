//! What the SDK removes: `request_failed` (QUEUE-005, RETRY-*) and `events_deleted`
//! (QUEUE-002, QUEUE-006, CONF-007), after any notification of the same failure (QUEUE-001).

use crate::belief::EventState;
use crate::book::Ev;
use crate::duty::Must;
use crate::judge::Judge;
use crate::rules::answers::Verdict;
use jwt_lifecycle_spec::alphabet::{
    AppCall, DeletionRule, FailureCause, Input, Observation, Output, RequestId,
};
use jwt_lifecycle_spec::profile::RetryPolicy;

impl Judge<'_> {
    pub(crate) fn on_failed(&mut self, obs: &Observation) -> Option<usize> {
        let Output::RequestFailed { request, events, cause } = &obs.output else { return None };
        let events: Vec<Ev> = events.iter().filter_map(|n| self.belief.event(n)).collect();
        let index = self.duties.iter().position(|d| {
            !d.done && matches!(&d.what, Must::Fail { request: r, events: e, .. } if *r == *request || e.iter().any(|x| events.contains(x)))
        });
        match index {
            Some(index) => self.discharge_fail(index, *request, &events, *cause),
            None => self.blame_fail(*request, *cause),
        }
        self.belief.finish(*request);
        let by = index.map_or("QUEUE-005", |i| self.duties[i].why);
        self.belief.remove_events(&events, EventState::Removed { by });
        index
    }

    fn discharge_fail(&mut self, index: usize, request: RequestId, events: &[Ev], cause: FailureCause) {
        self.duties[index].done = true;
        let why = self.duties[index].why;
        let Must::Fail { events: due, cause: due_cause, .. } = self.duties[index].what.clone() else {
            return;
        };
        if due != events {
            let message = format!(
                "request_failed for request {request} lists its events {}; it listed {}",
                self.evs(&due),
                self.evs(events)
            );
            self.violate("QUEUE-005", message);
        }
        if due_cause != cause {
            let message =
                format!("request {request} fails with cause {due_cause:?} ({why}); the SDK gave {cause:?}");
            self.violate(why, message);
        }
        self.check_removal_order(request);
    }

    /// QUEUE-001: a removal comes after the notifications of the same failure.
    fn check_removal_order(&mut self, request: RequestId) {
        let pending = self.duties.iter().position(|d| !d.done && d.is_notice() && !d.optional);
        if let Some(index) = pending {
            let message = format!(
                "the removal of request {request}'s events must come after the notification of the same failure ({})",
                self.duties[index].why
            );
            self.violate("QUEUE-001", message);
        }
    }

    fn blame_fail(&mut self, request: RequestId, cause: FailureCause) {
        let at = self.now();
        let why = match self.input() {
            Some(Input::Respond { request: answered, reply, body }) if *answered == request => {
                match self.classify(*reply, body.as_ref()) {
                    Verdict::Other => self.first_applying(&["RETRY-012", "RETRY-016"]),
                    Verdict::Success => "QUEUE-007",
                    Verdict::AuthFailure { status, .. } => self.retry_rule_for(status),
                }
            }
            _ => "QUEUE-001",
        };
        let message = format!(
            "at {at} request {request} was failed for good ({cause:?}), which no rule calls for here"
        );
        self.violate(why, message);
    }

    /// The rule that says what this profile does after a rejection with `status`.
    fn retry_rule_for(&self, status: u16) -> &'static str {
        let policy = if status == 403 {
            self.profile.on_forbidden_without_token
        } else {
            self.profile.on_unauthorized
        };
        match policy.retry {
            RetryPolicy::OnNewToken => "RETRY-008",
            RetryPolicy::RefetchThenRetry => "RETRY-015",
            RetryPolicy::Backoff { .. } => self.first_applying(&["RETRY-020", "RETRY-016"]),
            RetryPolicy::After { .. } if status == 403 => self.first_applying(&["RETRY-004", "RETRY-002"]),
            RetryPolicy::After { .. } => "RETRY-002",
            RetryPolicy::Never => "QUEUE-005",
        }
    }

    pub(crate) fn on_deleted(&mut self, obs: &Observation) -> Option<usize> {
        let Output::EventsDeleted { events, rule } = &obs.output else { return None };
        let events: Vec<Ev> = events.iter().filter_map(|n| self.belief.event(n)).collect();
        let index = self
            .duties
            .iter()
            .position(|d| !d.done && matches!(&d.what, Must::Delete { rule: r, .. } if r == rule));
        match index {
            Some(index) => self.discharge_delete(index, &events, *rule),
            None => self.blame_delete(&events, *rule),
        }
        let by = index.map_or("QUEUE-001", |i| self.duties[i].why);
        let state = if *rule == DeletionRule::SdkNotRunning {
            EventState::Refused
        } else {
            EventState::Removed { by }
        };
        self.belief.remove_events(&events, state);
        index
    }

    fn discharge_delete(&mut self, index: usize, events: &[Ev], rule: DeletionRule) {
        let why = self.duties[index].why;
        let Must::Delete { events: due, .. } = &mut self.duties[index].what else { return };
        let extra: Vec<Ev> = events.iter().copied().filter(|e| !due.contains(e)).collect();
        due.retain(|e| !events.contains(e));
        let finished = due.is_empty();
        self.duties[index].done = finished;
        if !extra.is_empty() {
            let message =
                format!("{rule:?} deletes only what it discards; the SDK also reported {}", self.evs(&extra));
            self.violate(why, message);
        }
        if rule == DeletionRule::LogoutSyncFailed {
            self.check_removal_order(0);
        }
    }

    fn blame_delete(&mut self, events: &[Ev], rule: DeletionRule) {
        let at = self.now();
        let why = match (rule, self.input()) {
            (DeletionRule::SdkNotRunning, _) => "CONF-007",
            (DeletionRule::StopIntegration | DeletionRule::ClearLocalData, _) => "QUEUE-006",
            (DeletionRule::LogoutSyncFailed, _) => "QUEUE-002",
            (_, _) if self.belief.suspended => "LIMIT-004",
            (DeletionRule::FailureLimit, Some(Input::App(AppCall::Flush {}))) => {
                self.first_applying(&["LIMIT-004", "QUEUE-001"])
            }
            _ => "QUEUE-001",
        };
        let message =
            format!("at {at} {} were deleted under {rule:?}, which does not apply here", self.evs(events));
        self.violate(why, message);
    }
}
