//! What each input obliges: the belief before the outputs, the duties, and the belief
//! after them. Calls that store a token act before their outputs (a held request goes out
//! with the new token), and so do `identify` and `set_token` without a token, which clear
//! it (a customer update the call sends carries no token, LIFE-008); the other clearing
//! calls act after them (a logout sync keeps its token, LIFE-010; the others send nothing).

use crate::belief::{Event, EventState, Origin, Purpose, Request, Waiting};
use crate::book::{Clearing, Cust, Customers, Ev};
use crate::duty::{Duty, Must};
use crate::judge::Judge;
use jwt_lifecycle_spec::alphabet::{
    AppCall, AppErrorKind, CustomerIds, DeletionRule, FailureCause, Input, Reason,
};
use jwt_lifecycle_spec::profile::{Batching, ClearingCall, DisabledTokenAction};

impl Judge<'_> {
    /// Before the step's outputs.
    pub(crate) fn before(&mut self, input: &Input) {
        match input {
            Input::App(call) => {
                self.reset_send_counts();
                self.before_call(call);
            }
            Input::Respond { request, reply, body } => self.answer(*request, *reply, body.as_ref()),
            Input::Restart {} => self.restart(),
        }
    }

    /// After the step's outputs.
    pub(crate) fn after(&mut self, input: &Input) {
        let Input::App(call) = input else { return };
        if !self.belief.running && !matches!(call, AppCall::Configure { .. }) {
            return;
        }
        match call {
            AppCall::Anonymize {} => self.clear_if(ClearingCall::Anonymize, Clearing::Anonymize),
            AppCall::StopIntegration {} => {
                self.clear_if(ClearingCall::StopIntegration, Clearing::StopIntegration);
                self.belief.running = false;
                if let Some(stored) = self.belief.stored.as_mut() {
                    stored.timer_live = false;
                }
            }
            AppCall::ClearLocalData {} => {
                self.clear_if(ClearingCall::ClearLocalData, Clearing::ClearLocalData);
                self.belief.customer = Customers::ANONYMOUS;
            }
            AppCall::Logout {} => {
                self.clear_if(ClearingCall::Logout, Clearing::Logout);
                self.belief.customer = Customers::ANONYMOUS;
            }
            _ => {}
        }
    }

    /// RETRY-013 counts sends per event between app calls.
    fn reset_send_counts(&mut self) {
        for event in &mut self.belief.events {
            event.sends_since_call = 0;
        }
    }

    fn before_call(&mut self, call: &AppCall) {
        if let AppCall::Configure { jwt_enabled, debug, token } = call {
            self.configure(*jwt_enabled, *debug, token.as_deref());
            return;
        }
        if let AppCall::Track { event } = call {
            self.track(event);
            return;
        }
        if let Some(raw) = crate::rules::call_token(call) {
            // Known to the book even when ignored, so that sending it later is named.
            self.belief.tokens.intern(raw);
        }
        if !self.belief.running {
            return;
        }
        match call {
            AppCall::Configure { .. } | AppCall::Track { .. } => {}
            AppCall::SetToken { token: Some(raw), identifier } => {
                if let (Some(id), true, true) =
                    (identifier, self.profile.token_call_identifier, self.belief.jwt)
                {
                    // LIFE-013: the identifier passed with the token is the customer.
                    let ids = self.profile.identity_for(id);
                    self.switch_customer(&ids);
                }
                self.provide(raw, Origin::SetToken);
            }
            AppCall::SetToken { token: None, .. } => {
                self.clear_if(ClearingCall::ClearToken, Clearing::ClearToken)
            }
            AppCall::RegisterHandler { throws } => {
                if !self.belief.handler {
                    self.belief.handler_since = self.belief.now;
                }
                self.belief.handler = true;
                self.belief.handler_throws = *throws;
            }
            AppCall::Identify { customer_ids, token } => {
                self.switch_customer(customer_ids);
                match token {
                    Some(raw) => self.provide(raw, Origin::Identify),
                    None => {
                        self.clear_if(ClearingCall::IdentifyWithoutToken, Clearing::IdentifyWithoutToken);
                        self.ask_on_identify();
                    }
                }
            }
            AppCall::Anonymize {} => self.switch_customer(&CustomerIds::anonymous()),
            AppCall::StopIntegration {} => self.discard_everything(DeletionRule::StopIntegration),
            AppCall::ClearLocalData {} => self.discard_everything(DeletionRule::ClearLocalData),
            AppCall::Logout {} => self.logout(),
            AppCall::Flush {} => self.flush(),
            AppCall::NewSession {} => self.belief.new_session(),
            AppCall::ProvideToken { ask, token } => self.answer_ask(*ask, token.as_deref()),
        }
    }

    fn configure(&mut self, jwt: bool, debug: bool, token: Option<&str>) {
        let b = &mut *self.belief;
        b.running = true;
        b.jwt = jwt;
        b.debug = debug;
        // LIMIT-003: configure begins a session.
        b.new_session();
        match token {
            // CONF-006: a token passed here is a set-token made right after configuring.
            Some(raw) => {
                self.belief.tokens.intern(raw);
                self.provide(raw, Origin::Configure);
            }
            None => self.retime_restored(),
        }
    }

    /// LIFE-014: a token kept across a restart is timed again at configure, as if set now.
    fn retime_restored(&mut self) {
        let now = self.belief.now;
        let jwt = self.belief.jwt;
        if let Some(stored) =
            self.belief.stored.as_mut().filter(|s| s.origin == Origin::Restored && !s.timer_live)
        {
            stored.set_at = now;
            stored.timer_live = jwt;
            stored.told_soon = false;
            self.refresh_at_once("LIFE-014");
        }
    }

    fn track(&mut self, name: &str) {
        let ev = match self.belief.event(name) {
            Some(ev) => ev,
            None => {
                let tag = self.belief.customer;
                self.belief.events.push(Event {
                    name: name.into(),
                    tag,
                    state: EventState::Queued,
                    sends_since_call: 0,
                    requeued: false,
                });
                Ev(self.belief.events.len() as u32 - 1)
            }
        };
        let refused = !self.profile.anonymous_events && self.belief.customer == Customers::ANONYMOUS;
        if self.belief.running && !refused {
            let tag = self.belief.customer;
            let event = self.belief.ev_mut(ev);
            event.tag = tag;
            event.state = EventState::Queued;
            if !self.belief.queue.contains(&ev) {
                self.belief.queue.push(ev);
            }
            if self.profile.batching == Batching::PerEventConcurrent {
                // QUEUE-009: the event goes out at once, on its own.
                let duty = Must::Send {
                    events: vec![ev],
                    cust: tag,
                    attempt: 1,
                    purpose: Purpose::Events,
                    resends: None,
                    preflight: None,
                    window: None,
                };
                self.push(Duty::new("QUEUE-009", duty));
            }
        } else {
            // CONF-007: not running: the event is reported, not lost silently.
            self.belief.ev_mut(ev).state = EventState::Refused;
            self.push(Duty::new(
                "CONF-007",
                Must::Delete { events: vec![ev], rule: DeletionRule::SdkNotRunning },
            ));
        }
    }

    /// A token from set-token, identify, configure or the token callback, for the
    /// current customer.
    fn provide(&mut self, raw: &str, origin: Origin) {
        let tok = self.belief.tokens.intern(raw);
        if !self.belief.jwt {
            let policy = self.profile.token_while_jwt_disabled;
            let action = if self.belief.debug { policy.debug } else { policy.release };
            if action == DisabledTokenAction::RaiseFatal {
                self.push(Duty::new(
                    "CONF-004",
                    Must::RaiseError { error: AppErrorKind::JwtNotEnabled, code: None },
                ));
            }
            return;
        }
        self.belief.store(tok, origin);
        let why = origin.requirement();
        self.refresh_at_once(why);
        self.release_held();
    }

    /// REFR-003: a token stored already inside its refresh window is notified at once;
    /// REFR-004: one stored already expired is not.
    fn refresh_at_once(&mut self, _why: &'static str) {
        let Some(policy) = self.profile.refresh else { return };
        let Some(stored) = self.belief.stored else { return };
        let Some(exp) = self.belief.exp(stored.tok) else { return };
        let now = self.belief.now;
        if now >= exp {
            if let Some(s) = self.belief.stored.as_mut() {
                s.timer_live = false;
            }
            return;
        }
        let due = exp.saturating_sub(policy.lead_ms);
        if now < due || !policy.notify_at_once_inside_window {
            return;
        }
        if let Some(s) = self.belief.stored.as_mut() {
            s.timer_live = false;
        }
        let cust = self.belief.tokens.get(stored.tok).bound.unwrap_or(Customers::ANONYMOUS);
        if self.refresh_asks() {
            // REFR-009: a pulling SDK asks again instead; no handler is involved.
            self.push(Duty::new("REFR-003", Must::Ask { reason: Reason::ExpiredSoon, cust, window: None }));
        } else if self.belief.handler {
            let duty = Duty::new(
                "REFR-003",
                Must::Notify { reason: Reason::ExpiredSoon, cust, window: None, code: None },
            );
            // LIFE-014: notified before a restart, it may be notified again, and need not.
            self.push(if stored.told_before_restart { duty.optional() } else { duty });
        }
    }

    /// True when the refresh notification is an ask of the token callback (REFR-009).
    pub(crate) fn refresh_asks(&self) -> bool {
        self.profile.token_supply.pull.is_some_and(|p| p.before_expiry)
    }

    /// LIFE-016: a pulling SDK asks for the identified customer's token.
    fn ask_on_identify(&mut self) {
        if self.belief.jwt && self.profile.token_supply.pull.is_some_and(|p| p.on_identify) {
            let cust = self.belief.customer;
            self.push(Duty::new("LIFE-016", Must::Ask { reason: Reason::NotProvided, cust, window: None }));
        }
    }

    /// The requests of `cust` waiting for a pulled token.
    fn waiting_for_token(&self, cust: Cust) -> Vec<Request> {
        let waiting = self.belief.requests.iter();
        waiting.filter(|r| r.waiting == Waiting::Token && r.cust == cust).cloned().collect()
    }

    /// LIFE-017, LIFE-018: the app answers ask `id`. A token is stored for the customer the
    /// ask named if they are still current; requests waiting for a token for them go out
    /// with it, or, after a failed ask, fail (RETRY-015). Those duties are firm only when
    /// no other ask for the customer is outstanding: an SDK may ask once per rejection, and
    /// each request then waits for its own ask.
    fn answer_ask(&mut self, id: u64, token: Option<&str>) {
        let Some(ask) = self.belief.ask(id) else { return };
        self.belief.asks.retain(|a| a.id != id);
        let firm = !self.belief.asking_for(ask.cust);
        match token {
            Some(raw) => {
                let tok = self.belief.tokens.intern(raw);
                self.belief.tokens.get_mut(tok).pulled = true;
                if ask.cust != self.belief.customer || !self.belief.jwt {
                    return;
                }
                self.provide(raw, Origin::Provided);
                let waiting = self.waiting_for_token(ask.cust);
                for r in waiting {
                    let duty = Must::resend(&r, None);
                    let duty = Duty::new("RETRY-015", duty);
                    self.push(if firm { duty } else { duty.optional() });
                }
            }
            None => {
                let waiting = self.waiting_for_token(ask.cust);
                for r in waiting {
                    let duty = Must::Fail {
                        request: r.id,
                        events: r.events.clone(),
                        cause: FailureCause::Authentication,
                    };
                    let duty = Duty::new("LIFE-018", duty);
                    self.push(if firm { duty } else { duty.optional() });
                }
            }
        }
    }

    /// RETRY-008: a new token sends the held request again at once, as its next attempt;
    /// while suspended it only marks it to go out after the next session (LIMIT-005).
    fn release_held(&mut self) {
        let customer = self.belief.customer;
        let suspended = self.belief.suspended;
        let Some(held) =
            self.belief.requests.iter_mut().find(|r| {
                matches!(r.waiting, Waiting::NewToken | Waiting::NextSession) && r.cust == customer
            })
        else {
            return;
        };
        if suspended {
            held.waiting = Waiting::NextSession;
            return;
        }
        let duty = Must::resend(held, None);
        self.push(Duty::new("RETRY-008", duty));
    }

    /// Makes `ids` the current customer; a held request of the customer left behind fails
    /// (RETRY-014).
    fn switch_customer(&mut self, ids: &CustomerIds) {
        let cust = self.belief.customers.intern(ids);
        self.belief.customer = cust;
        self.fail_held_of_others(cust);
    }

    pub(crate) fn fail_held_of_others(&mut self, current: Cust) {
        let outlived: Vec<(u64, Vec<Ev>, &'static str)> = self
            .belief
            .requests
            .iter()
            .filter(|r| r.cust != current)
            .filter_map(|r| match r.waiting {
                Waiting::NewToken | Waiting::NextSession => Some((r.id, r.events.clone(), "RETRY-014")),
                Waiting::Token => Some((r.id, r.events.clone(), "RETRY-018")),
                Waiting::Response | Waiting::Retry { .. } => None,
            })
            .collect();
        for (request, events, why) in outlived {
            self.push(Duty::new(why, Must::Fail { request, events, cause: FailureCause::Authentication }));
        }
    }

    /// QUEUE-006: the queue and every live request's events are deleted and reported; the
    /// live requests are abandoned (a late answer is ignored).
    fn discard_everything(&mut self, rule: DeletionRule) {
        let mut events: Vec<Ev> = Vec::new();
        for request in &self.belief.requests {
            events.extend(request.events.iter().copied());
        }
        events.extend(self.belief.queue.iter().copied());
        self.belief.requests.clear();
        self.belief.remove_events(&events, EventState::Removed { by: "QUEUE-006" });
        if !events.is_empty() {
            self.push(Duty::new("QUEUE-006", Must::Delete { events, rule }));
        }
    }

    /// QUEUE-002: logout first sends the current customer's head run with the token still
    /// stored, when a flush could send now; then the customer is forgotten.
    fn logout(&mut self) {
        let b = &*self.belief;
        let syncs = self.profile.logout_syncs_then_deletes_on_jwt_failure
            && b.events_in_flight().is_none()
            && !b.suspended;
        if syncs {
            if let Some((cust, events)) = b.head_run().filter(|(cust, _)| *cust == b.customer) {
                self.push(Duty::new(
                    "QUEUE-002",
                    Must::Send {
                        events,
                        cust,
                        attempt: 1,
                        purpose: Purpose::LogoutSync,
                        resends: None,
                        preflight: None,
                        window: None,
                    },
                ));
            }
        }
        self.fail_held_of_others(Customers::ANONYMOUS);
    }

    /// QUEUE-004: a flush sends the head run when nothing is in flight, nothing is held
    /// and sync is not suspended; LIMIT-005: a request marked during a suspension goes out
    /// on the first flush after the next session.
    fn flush(&mut self) {
        let through = self.profile.failure_limit.is_some_and(|l| l.flush_while_suspended);
        if self.belief.suspended && !through {
            return;
        }
        if let Some(live) = self.belief.events_in_flight() {
            if live.waiting == Waiting::NextSession {
                let duty = Must::resend(live, None);
                self.push(Duty::new("LIMIT-005", duty));
            }
            return;
        }
        let Some((cust, events)) = self.belief.head_run() else { return };
        let why = if self.belief.suspended { "LIMIT-006" } else { "QUEUE-004" };
        let mut preflight = self.preflight_reason(cust);
        if let Some((reason, why)) = preflight {
            let duty = Duty::new(why, Must::Notify { reason, cust, window: None, code: None });
            if self.renotify_optional(reason) {
                // LIFE-014: notified before a restart, it may be notified again, and need
                // not; so the request does not have to wait for it.
                self.push(duty.optional());
                preflight = None;
            } else {
                self.push(duty);
            }
        }
        let duty = Must::Send {
            events,
            cust,
            attempt: 1,
            purpose: Purpose::Events,
            resends: None,
            preflight: preflight.map(|(reason, _)| reason),
            window: None,
        };
        self.push(Duty::new(why, duty));
    }

    /// PRE-001..003: what the handler must be told before a first attempt for `cust`.
    /// An `expired_soon` stands in for the timer from now on (REFR-005).
    fn preflight_reason(&mut self, cust: Cust) -> Option<(Reason, &'static str)> {
        let due = self.preflight_due(cust);
        if matches!(due, Some((Reason::ExpiredSoon, _))) {
            if let Some(s) = self.belief.stored.as_mut() {
                s.timer_live = false;
            }
        }
        due
    }

    /// PRE-001..003: what the pre-flight check before a first attempt for `cust` tells
    /// the handler now, if anything.
    pub(crate) fn preflight_due(&self, cust: Cust) -> Option<(Reason, &'static str)> {
        let checks = self.profile.preflight;
        if !self.belief.jwt || !self.belief.handler {
            return None;
        }
        let now = self.belief.now;
        match self.belief.token_for(cust) {
            None => checks.notify_not_provided.then_some((Reason::NotProvided, "PRE-001")),
            Some(tok) if self.belief.expired(tok, now) => {
                checks.notify_expired.then_some((Reason::Expired, "PRE-002"))
            }
            Some(tok) => {
                let lead = self.profile.refresh.map(|r| r.lead_ms)?;
                let exp = self.belief.exp(tok)?;
                let stored = self.belief.stored?;
                let inside = now >= exp.saturating_sub(lead);
                (checks.notify_expiring_soon && inside && !stored.told_soon)
                    .then_some((Reason::ExpiredSoon, "PRE-003"))
            }
        }
    }

    /// True when `reason` is an `expired_soon` the stored token already got before the
    /// last restart (LIFE-014: it may come again, and need not).
    pub(crate) fn renotify_optional(&self, reason: Reason) -> bool {
        reason == Reason::ExpiredSoon && self.belief.stored.is_some_and(|s| s.told_before_restart)
    }

    fn clear_if(&mut self, call: ClearingCall, how: Clearing) {
        if self.profile.clears_token(call) {
            self.belief.clear(how);
        }
    }

    /// The app process ends: what the profile persists is kept, the rest is gone
    /// (LIFE-014). Nothing of the old instance can be reported any more.
    fn restart(&mut self) {
        let keep = self.profile.persists;
        let live: Vec<Ev> = self
            .belief
            .requests
            .iter()
            .filter(|r| r.purpose != Purpose::Housekeeping)
            .flat_map(|r| r.events.iter().copied())
            .collect();
        self.belief.requests.clear();
        if keep.queue {
            self.belief.requeue_front(&live);
        } else {
            let mut gone = live;
            gone.extend(self.belief.queue.iter().copied());
            self.belief.remove_events(&gone, EventState::Lost);
        }
        if keep.token {
            if let Some(stored) = self.belief.stored.as_mut() {
                stored.timer_live = false;
                stored.told_before_restart |= stored.told_soon;
                stored.told_soon = false;
                stored.origin = Origin::Restored;
            }
        } else {
            self.belief.clear(Clearing::Restart);
        }
        if !keep.customer {
            self.belief.customer = Customers::ANONYMOUS;
        }
        let b = &mut *self.belief;
        b.running = false;
        b.jwt = false;
        b.debug = false;
        b.handler = false;
        b.handler_throws = false;
        b.thrown_at = None;
        b.new_session();
        // The old instance's asks, waits and timers end with it.
        b.asks.clear();
        b.gate = None;
        b.previous_wait = crate::belief::PreviousWait::AfterSuccess;
    }
}
