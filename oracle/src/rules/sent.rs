//! A `request_sent`: whether the SDK may send now, the token it carries (CONF-001,
//! LIFE-*), the events it carries (QUEUE-*), and the duty it discharges.

use crate::belief::{EventState, Purpose, Request, Waiting};
use crate::book::{Cust, Ev, Tok};
use crate::duty::{Duty, Must};
use crate::judge::Judge;
use jwt_lifecycle_spec::alphabet::{AppCall, Input, Observation, Output, RequestId, RequestKind};
use jwt_lifecycle_spec::profile::Batching;

/// The request as seen, resolved against the belief.
pub(crate) struct Sent {
    pub id: RequestId,
    pub kind: RequestKind,
    pub cust: Cust,
    pub events: Vec<Ev>,
    pub carried: Option<Tok>,
    pub attempt: u32,
}

impl Judge<'_> {
    pub(crate) fn on_request(&mut self, obs: &Observation) -> Option<usize> {
        let Output::RequestSent { request, kind, customer_ids, events, authorization, attempt } = &obs.output
        else {
            return None;
        };
        let cust = self.belief.customers.intern(customer_ids);
        let carried = authorization.as_deref().map(|raw| (raw, self.belief.tokens.find(raw)));
        self.check_may_send(*request);
        self.check_token(*request, cust, carried);
        let events = self.resolve_events(*request, events);
        let sent = Sent {
            id: *request,
            kind: *kind,
            cust,
            events,
            carried: carried.and_then(|(_, tok)| tok),
            attempt: *attempt,
        };
        if sent.kind != RequestKind::Events {
            self.record(&sent, Purpose::Housekeeping, None);
            return None;
        }
        self.check_events(&sent);
        let duty = self.find_send(&sent.events);
        let (purpose, resends) = match duty {
            Some(index) => self.discharge_send(index, &sent),
            None => {
                self.blame_send(&sent);
                (Purpose::Events, self.predecessor(&sent.events))
            }
        };
        self.record(&sent, purpose, resends);
        self.belief.lifted = false;
        duty
    }

    /// QUEUE-008: an SDK may run its pre-flight check before a request it sends on its
    /// own, as before a request of events, or not: the notification the check would give
    /// is allowed, not required.
    pub(crate) fn own_preflights(&mut self, observed: &[Observation]) {
        for obs in observed {
            let Output::RequestSent { kind, customer_ids, attempt: 1, .. } = &obs.output else { continue };
            if kind.is_events() {
                continue;
            }
            let Some(cust) = self.belief.customers.find(customer_ids) else { continue };
            if let Some((reason, why)) = self.preflight_due(cust) {
                let duty = Duty::new(why, Must::Notify { reason, cust, window: None, code: None });
                self.push(duty.optional().for_own_request());
            }
        }
    }

    /// CONF-007 and LIMIT-001: nothing is sent while not running or suspended.
    fn check_may_send(&mut self, id: RequestId) {
        if !self.belief.running {
            let message = format!(
                "the SDK is not running (not configured, or stopped) at {}; it sent request {id}",
                self.now()
            );
            self.violate("CONF-007", message);
        } else if self.belief.suspended && !self.flush_goes_through() {
            let limit = self.profile.failure_limit.map_or(0, |l| l.consecutive_failures);
            let token_call = matches!(
                self.input(),
                Some(Input::App(
                    AppCall::SetToken { token: Some(_), .. } | AppCall::Identify { token: Some(_), .. }
                ))
            );
            let (why, context) = if token_call {
                (self.first_applying(&["LIMIT-005", "LIMIT-006"]), "a new token does not lift the suspension")
            } else {
                (
                    self.first_applying(&["LIMIT-001", "LIMIT-006"]),
                    "nothing is sent on its own until the next session",
                )
            };
            let message = format!(
                "sync is suspended after {limit} consecutive authentication failures ({context}); the SDK sent request {id} at {}",
                self.now()
            );
            self.violate(why, message.clone());
            let limit_rule = self.first_applying(&["LIMIT-001", "LIMIT-006"]);
            if why != limit_rule {
                self.violate(limit_rule, message);
            }
        }
    }

    /// LIMIT-006: an explicit flush goes through a suspension where the profile says so.
    fn flush_goes_through(&self) -> bool {
        self.profile.failure_limit.is_some_and(|l| l.flush_while_suspended)
            && matches!(self.input(), Some(Input::App(AppCall::Flush {})))
    }

    /// CONF-001 and the LIFE rules: a request carries exactly the token stored for its
    /// customer now, or none.
    fn check_token(&mut self, id: RequestId, cust: Cust, carried: Option<(&str, Option<Tok>)>) {
        let expected = self.belief.token_for(cust);
        match (carried, expected) {
            (None, None) => {}
            (Some((_, Some(t))), Some(e)) if t == e => {}
            (Some((raw, None)), _) => {
                let who = self.cust(cust);
                let message = format!("request {id} for {who} carried a token the app never passed: {raw}");
                self.violate("CONF-001", message);
            }
            (Some((_, Some(t))), _) if !self.belief.jwt => {
                let why = self.first_applying(&["CONF-002", "CONF-005", "CONF-008"]);
                let message = format!(
                    "JWT is not enabled, so no request carries a token; request {id} carried {}",
                    self.tok(t)
                );
                self.violate(why, message);
            }
            (Some((_, Some(t))), expected) => {
                self.wrong_token(id, cust, t, expected);
                self.stale_retry(id, Some(t), expected);
            }
            (None, Some(e)) => {
                self.stale_retry(id, None, Some(e));
                let origin = self.belief.stored.map(|s| s.origin);
                let why = origin.map_or("CONF-001", |o| o.requirement());
                let who = self.cust(cust);
                let message =
                    format!("the SDK holds {} for {who}; request {id} carried no token", self.tok(e));
                self.violate(why, message.clone());
                if why != "CONF-001" {
                    self.violate("CONF-001", message);
                }
            }
        }
    }

    /// LIFE-002: a retry carries the token stored when it is sent, not the one its first
    /// attempt carried.
    fn stale_retry(&mut self, id: RequestId, carried: Option<Tok>, expected: Option<Tok>) {
        let retried = self.belief.requests.iter().find(|r| {
            matches!(
                r.waiting,
                Waiting::Retry { .. } | Waiting::NewToken | Waiting::NextSession | Waiting::Token
            ) && r.carried == carried
        });
        if let Some(earlier) = retried {
            let now = expected.map_or("no token".to_owned(), |e| self.tok(e));
            let message = format!(
                "request {id} resends request {} with the token that attempt carried; the token stored now is {now}",
                earlier.id
            );
            self.violate("LIFE-002", message);
        }
    }

    /// Names the rule a wrong token breaks: cleared, another customer's, replaced.
    fn wrong_token(&mut self, id: RequestId, cust: Cust, tok: Tok, expected: Option<Tok>) {
        let info = self.belief.tokens.get(tok).clone();
        let who = self.cust(cust);
        let shown = self.tok(tok);
        if let Some(how) = info.cleared {
            let message =
                format!("{shown} was cleared by {}; request {id} for {who} still carried it", how.call());
            self.violate(how.requirement(), message.clone());
            self.violate("LIFE-008", message);
        } else if info.bound.is_none() && info.pulled {
            let message = format!(
                "{shown} was provided for a customer who was no longer current, so it is not stored; request {id} for {who} carried it"
            );
            self.violate("LIFE-017", message);
        } else if info.bound != Some(cust) {
            let bound = info.bound.map_or("nobody".to_owned(), |b| self.cust(b));
            let message = format!("{shown} is bound to {bound}; request {id} for {who} carried it");
            self.violate("LIFE-009", message);
        } else if info.replaced || expected.is_some() {
            let now = expected.map_or("no token".to_owned(), |e| self.tok(e));
            let message =
                format!("{shown} was replaced (the SDK holds {now}); request {id} still carried it");
            self.violate("LIFE-002", message);
        } else {
            let message = format!("request {id} for {who} carried {shown}, which the SDK does not hold");
            self.violate("CONF-001", message);
        }
    }

    /// The events by name; a name the app never tracked is a violation.
    fn resolve_events(&mut self, id: RequestId, names: &[String]) -> Vec<Ev> {
        let mut events = Vec::with_capacity(names.len());
        for name in names {
            match self.belief.event(name) {
                Some(ev) => events.push(ev),
                None => {
                    let message = format!("request {id} carried event {name:?}, which the app never tracked");
                    self.violate("QUEUE-001", message);
                }
            }
        }
        events
    }

    /// QUEUE-003, QUEUE-005..007, CONF-007, RETRY-013: each event may be sent now.
    fn check_events(&mut self, sent: &Sent) {
        let retries = self.max_retries();
        for &ev in &sent.events {
            let event = self.belief.ev(ev).clone();
            let name = &event.name;
            let id = sent.id;
            match event.state {
                EventState::Delivered => {
                    self.violate(
                        "QUEUE-007",
                        format!("{name} was delivered by a 2xx; request {id} sent it again"),
                    );
                }
                EventState::Removed { by } => {
                    let message =
                        format!("{name} was removed for good (under {by}); request {id} sent it again");
                    self.violate(by, message);
                }
                EventState::Refused => {
                    let message = format!(
                        "{name} was tracked while the SDK was not running and is reported deleted; request {id} sent it"
                    );
                    self.violate("CONF-007", message);
                }
                EventState::Lost | EventState::Queued | EventState::Sent => {}
            }
            if event.tag != sent.cust {
                let message = format!(
                    "{name} was tracked for {}; request {id} for {} carried it",
                    self.cust(event.tag),
                    self.cust(sent.cust)
                );
                self.violate(self.first_applying(&["QUEUE-003", "QUEUE-009"]), message);
            }
            let count = self.belief.ev(ev).sends_since_call.saturating_add(1);
            self.belief.ev_mut(ev).sends_since_call = count;
            if u32::from(count) > 1 + retries && self.applies("RETRY-013") {
                let message = format!(
                    "without a new app call an event is sent at most {} time(s); {name} was sent {count} times",
                    1 + retries
                );
                self.violate("RETRY-013", message);
            }
        }
    }

    /// The most retries the profile's failure policies allow (0 for a hold).
    pub(crate) fn max_retries(&self) -> u32 {
        let p = self.profile;
        [p.on_unauthorized, p.on_forbidden_without_token, p.on_forbidden_with_valid_token]
            .iter()
            .map(|q| q.retry.max_retries().unwrap_or(0))
            .max()
            .unwrap_or(0)
    }

    /// The undischarged send duty these events belong to; failing that, the step's only
    /// undischarged send duty (the SDK sent something else in its place).
    fn find_send(&self, events: &[Ev]) -> Option<usize> {
        let open = |d: &&Duty| !d.done && matches!(d.what, Must::Send { .. });
        let overlapping = self.duties.iter().position(|d| {
            !d.done
                && matches!(&d.what, Must::Send { events: due, .. } if due.iter().any(|e| events.contains(e)))
        });
        overlapping.or_else(|| {
            let mut open_sends = self.duties.iter().enumerate().filter(|(_, d)| open(d));
            match (open_sends.next(), open_sends.next()) {
                (Some((index, _)), None) => Some(index),
                _ => None,
            }
        })
    }

    /// Checks the request against the duty it fits; returns its purpose and the live
    /// request it resends.
    fn discharge_send(&mut self, index: usize, sent: &Sent) -> (Purpose, Option<RequestId>) {
        self.duties[index].done = true;
        let why = self.duties[index].why;
        let Must::Send { events, cust, attempt, purpose, resends, preflight, window } =
            self.duties[index].what.clone()
        else {
            return (Purpose::Events, None);
        };
        let id = sent.id;
        if events != sent.events {
            self.wrong_events(id, why, &events, &sent.events, resends.is_some());
        } else if cust != sent.cust {
            let message = format!(
                "request {id} is for {}; the SDK sent it for {}",
                self.cust(cust),
                self.cust(sent.cust)
            );
            self.violate(self.first_applying(&["QUEUE-003", "QUEUE-009"]), message);
        }
        // Attempt 0: the duty leaves the number to the SDK (a backoff profile numbers its
        // tries, not its requests).
        if attempt != 0 && attempt != sent.attempt && !self.numbers_tries() {
            let message =
                format!("request {id} is attempt {attempt} ({why}); the SDK numbered it {}", sent.attempt);
            self.violate(why, message);
        }
        if let Some((earliest, latest)) = window {
            let at = self.belief.now;
            if at < earliest || at > latest {
                let message = format!(
                    "the retry of {} is due between {} and {}; request {id} went out at {}",
                    self.evs(&events),
                    self.off(earliest),
                    self.off(latest),
                    self.now()
                );
                self.violate(why, message);
            }
        }
        if let Some(reason) = preflight {
            self.check_preflight_first(id, reason, cust);
        }
        (purpose, resends)
    }

    /// Names the rule a request carrying other events than its duty's breaks.
    fn wrong_events(&mut self, id: RequestId, why: &'static str, due: &[Ev], sent: &[Ev], resend: bool) {
        let missing: Vec<Ev> = due.iter().copied().filter(|e| !sent.contains(e)).collect();
        // Events already blamed by their own rule (delivered, removed, refused) add nothing.
        let (extra, blamed): (Vec<Ev>, Vec<Ev>) =
            sent.iter().copied().filter(|e| !due.contains(e)).partition(|e| {
                matches!(self.belief.ev(*e).state, EventState::Queued | EventState::Sent | EventState::Lost)
            });
        if !blamed.is_empty() && extra.is_empty() {
            // The events sent in their place already named the rule that broke.
            return;
        }
        let lost: Vec<Ev> = missing.iter().copied().filter(|e| self.belief.ev(*e).requeued).collect();
        if !lost.is_empty() {
            let message = format!(
                "{} went back to the queue after a network failure or a non-authentication status; request {id} left it out",
                self.evs(&lost)
            );
            self.violate("RETRY-012", message.clone());
            self.violate("QUEUE-001", message);
        }
        if missing.len() == lost.len()
            && extra.is_empty()
            && sent.len() >= due.len() - missing.len()
            && lost.len() == missing.len()
            && !lost.is_empty()
        {
            return;
        }
        if missing.is_empty() && extra.is_empty() {
            return;
        }
        let rule = if resend { why } else { self.first_applying(&["QUEUE-003", why]) };
        let message =
            format!("request {id} must carry {} ({why}); it carried {}", self.evs(due), self.evs(sent));
        self.violate(rule, message);
    }

    /// PRE-001..003: the pre-flight notification comes before the request it is for.
    fn check_preflight_first(
        &mut self,
        id: RequestId,
        reason: jwt_lifecycle_spec::alphabet::Reason,
        cust: Cust,
    ) {
        let pending = self.duties.iter().position(|d| {
            !d.done
                && !d.optional
                && matches!(&d.what, Must::Notify { reason: r, cust: c, .. } if *r == reason && *c == cust)
        });
        if let Some(index) = pending {
            let why = self.duties[index].why;
            let message = format!(
                "before the first attempt of request {id} the handler must be told {reason} for {}; it was not, before the request",
                self.cust(cust)
            );
            // Reported once here; the notification may still come later in the step.
            self.duties[index].optional = true;
            self.violate(why, message);
        }
    }

    /// A request no duty calls for: names the rule it breaks.
    fn blame_send(&mut self, sent: &Sent) {
        if !self.belief.running || self.belief.suspended {
            return; // already reported by check_may_send
        }
        let id = sent.id;
        let overlapping = |r: &&Request| r.events.iter().any(|e| sent.events.contains(e));
        if let Some(waiting) =
            self.belief.requests.iter().find(|r| r.waiting == Waiting::Token).filter(overlapping)
        {
            let message = format!(
                "request {} ({}) waits for the token the SDK asked for; request {id} sent it again before one came",
                waiting.id,
                self.evs(&waiting.events)
            );
            self.violate("RETRY-015", message);
            return;
        }
        if let Some(gate) = self.belief.gate.filter(|g| self.belief.now < g.earliest) {
            if matches!(self.act, crate::trace::Act::Advance { .. }) {
                let message = format!(
                    "after the failure at {} the SDK sends nothing on its own before {}; request {id} went out at {}",
                    self.off(gate.failed_at),
                    self.off(gate.earliest),
                    self.now()
                );
                self.violate("RETRY-016", message);
                return;
            }
        }
        if let Some(held) = self
            .belief
            .requests
            .iter()
            .find(|r| matches!(r.waiting, Waiting::NewToken | Waiting::NextSession))
            .filter(overlapping)
        {
            if held.cust != self.belief.customer {
                let message = format!(
                    "request {} ({}) was held for {}, who is no longer the current customer; it must fail, and request {id} sent it again",
                    held.id,
                    self.evs(&held.events),
                    self.cust(held.cust)
                );
                self.violate("RETRY-014", message);
                return;
            }
            let message = format!(
                "request {} ({}) is held until the app provides a new token; request {id} sent it again without one",
                held.id,
                self.evs(&held.events)
            );
            self.violate("RETRY-008", message);
            return;
        }
        if let Some(early) = self
            .belief
            .requests
            .iter()
            .find(|r| matches!(r.waiting, Waiting::Retry { .. }))
            .filter(overlapping)
        {
            if let Waiting::Retry { due, tolerance } = early.waiting {
                let message = format!(
                    "the retry of request {} is due at {} (± {tolerance} ms); request {id} went out at {}",
                    early.id,
                    self.off(due),
                    self.now()
                );
                self.violate("RETRY-002", message);
                return;
            }
        }
        if sent.attempt > 1 + self.max_retries() && self.max_retries() > 0 {
            let message = format!(
                "a request is attempted at most {} time(s); request {id} is attempt {}",
                1 + self.max_retries(),
                sent.attempt
            );
            self.violate(self.first_applying(&["RETRY-003", "RETRY-002"]), message);
            return;
        }
        let per_event = self.profile.batching == Batching::PerEventConcurrent;
        if let Some(live) = self.belief.events_in_flight().filter(|_| !per_event) {
            let message = format!(
                "one request at a time: request {} is still in flight; request {id} went out",
                live.id
            );
            self.violate("QUEUE-004", message);
            return;
        }
        if sent.events.iter().all(|e| {
            matches!(
                self.belief.ev(*e).state,
                EventState::Delivered | EventState::Removed { .. } | EventState::Refused
            )
        }) && !sent.events.is_empty()
        {
            return; // each event already named the rule it breaks
        }
        let (why, calls) = if per_event {
            ("QUEUE-009", "a track")
        } else if self.profile.auto_flush.is_some() && matches!(self.act, crate::trace::Act::Input { .. }) {
            ("QUEUE-010", "a flush (the automatic flush runs on its timer, not at an app call)")
        } else {
            ("QUEUE-004", "a flush or a retry")
        };
        let message = format!("request {id} went out at {} without {calls} calling for it", self.now());
        self.violate(why, message);
    }

    /// RETRY-016: a send ends the backoff wait; the wait it took bounds the next one, unless
    /// an explicit call sent it early. QUEUE-010: nothing waits for the automatic flush.
    fn end_wait(&mut self) {
        if let Some(gate) = self.belief.gate.take() {
            self.belief.previous_wait = match self.act {
                crate::trace::Act::Advance { .. } => {
                    crate::belief::PreviousWait::Seen(self.belief.now.saturating_sub(gate.failed_at))
                }
                crate::trace::Act::Input { .. } => crate::belief::PreviousWait::Unknown,
            };
        }
        self.belief.sendable_since = None;
    }

    /// True when the profile numbers an SDK's tries rather than each request's attempts:
    /// after a backoff the head of the queue goes out again, whatever it then holds.
    fn numbers_tries(&self) -> bool {
        self.profile.backoff().is_some()
    }

    /// True when `requirement` applies to the profile judged.
    pub(crate) fn applies(&self, requirement: &str) -> bool {
        jwt_lifecycle_spec::registry::requirement(requirement).is_some_and(|r| r.applies_to(self.profile.id))
    }

    /// The live request whose events this unprompted request carries again, if any.
    fn predecessor(&self, events: &[Ev]) -> Option<RequestId> {
        self.belief.requests.iter().find(|r| r.events.iter().any(|e| events.contains(e))).map(|r| r.id)
    }

    /// The request becomes live; the one it resends, if any, is replaced.
    fn record(&mut self, sent: &Sent, purpose: Purpose, resends: Option<RequestId>) {
        if let Some(old) = resends {
            self.belief.finish(old);
        }
        // An id the SDK already used for a live request replaces it.
        self.belief.finish(sent.id);
        self.belief.dequeue(&sent.events);
        if purpose != Purpose::Housekeeping {
            self.end_wait();
        }
        self.belief.requests.push(Request {
            id: sent.id,
            kind: sent.kind,
            purpose,
            cust: sent.cust,
            events: sent.events.clone(),
            carried: sent.carried,
            attempt: sent.attempt,
            waiting: Waiting::Response,
        });
    }
}
