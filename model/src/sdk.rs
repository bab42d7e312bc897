//! The sans-IO state machine of one SDK instance.
//!
//! [`Sdk`] holds one instance's authentication state and reacts to the alphabet's
//! [`Input`]s at instants the caller passes in; [`Sdk::next_timer`] says when it next
//! needs waking. It reads no clock, spawns nothing and does no I/O, so an SDK could embed
//! it and add only HTTP and a timer. Everything a vendor does differently comes from its
//! [`Profile`]; nothing here looks at the profile's name.
//!
//! Concepts live in submodules: the stored token and its refresh timer
//! ([`token_slot`]), the event queue ([`queue`]), the request in flight and its retry
//! ([`request`]), and the consecutive-failure limit ([`failure_limit`]).
//!
//! # Where the registry leaves room, the machine decides
//!
//! - Before `configure` and after `stop_integration` every call but `configure` and
//!   `track` is a no-op, `register_handler` included (CONF-007). A token passed to
//!   `configure` that is already inside the refresh window therefore finds no handler;
//!   its notification is dropped, and the next pre-flight check delivers it (REFR-005).
//! - `stop_integration` and `clear_local_data` also abandon the request in flight (a
//!   pending retry or a held request included): its events are reported first in the
//!   one `events_deleted`, then the queue's; a late answer to it is ignored (QUEUE-006).
//! - A request is held after a failure whose policy waits for a new token; it stays in
//!   flight, so `flush` and the logout sync wait behind it. Every token-providing call
//!   (`set_token`, `identify` with a token, `configure` with a token) counts as a new
//!   token, even one equal to the stored token. A token provided while suspended marks
//!   the held request to go out on the first flush after the next session (LIMIT-005).
//! - The logout sync (QUEUE-002) sends the head run of the queue only when it belongs to
//!   the current customer and a flush could send now; its authentication failure calls
//!   the handler and counts toward the limit as any failure does (RETRY-009), then
//!   deletes its events instead of retrying or holding them.
//! - Outputs of one failure come in this order: handler call, app error, then the
//!   removal (`request_failed` / `events_deleted`). The failure of a last retry calls
//!   no handler and raises no app error (RETRY-003).
//! - At one instant, the refresh timer fires before a retry timer, so the retry can
//!   carry a token the app set in answer to the refresh.
//! - With JWT disabled, `set_token`'s identifier is ignored with the token, while
//!   `identify` still switches the customer; any 401 or 403 fails the request at once.
//! - `logout` makes the customer anonymous in every profile; whether it clears the
//!   token is the profile's `clears_token_on`.
//! - A held request never outlives its customer (RETRY-014). The customer changes when
//!   its ids change: `identify` with other ids, `anonymize` or `logout` of a known
//!   customer, a token passed with another identifier (anonymous to anonymous is no
//!   change). Then the held request fails (`request_failed` `authentication`, with its
//!   events), before anything else the call does; nothing is sent in its place, the next
//!   flush sends the head of the queue. A token passed with another identifier therefore
//!   fails the held request instead of resending it. The same reasoning covers a
//!   request whose customer was left while it was on the wire: a failure that would hold
//!   it calls the handler and counts as usual, then fails it at once. `clear_local_data`
//!   and `stop_integration` delete a held request as before (QUEUE-006).
//! - `logout` in MoEngage: first the logout sync rule (QUEUE-002; a held request is in
//!   flight, so there is no sync), then the customer becomes anonymous and RETRY-014
//!   fails the held request; the queue behind it stays for the next flush.

pub mod asks;
pub mod failure_limit;
pub mod pacing;
mod per_event;
mod pulled;
pub mod queue;
pub mod request;
mod shared_profile;
pub mod token_slot;

use asks::AskBook;
use failure_limit::FailureCount;
use jwt_lifecycle_spec::alphabet::{
    AppCall, AppErrorKind, Body, CustomerIds, DeletionRule, EventId, FailureCause, Input, Output, Reason,
    Reply, RequestId, RequestKind, UnixMillis,
};
use jwt_lifecycle_spec::client_view::ClientToken;
use jwt_lifecycle_spec::profile::{
    Answer, Batching, ClearingCall, DisabledTokenAction, FailureLimit, OtherFailurePolicy, Profile,
    RetryPolicy,
};
use pacing::Pacing;
use queue::EventQueue;
use request::{InFlight, Purpose, Waiting};
use shared_profile::SharedProfile;
use std::sync::Arc;
use token_slot::StoredToken;

/// What a rejection's answer said beyond its status (RETRY-019).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Rejection {
    /// The body says the token had expired.
    expired: bool,
    /// The vendor code the body gives.
    code: Option<i64>,
}

/// One SDK instance's authentication state.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Sdk {
    profile: SharedProfile,
    /// Configured and not stopped (CONF-007).
    running: bool,
    /// Chosen at configure (CONF-003).
    jwt_enabled: bool,
    /// Debug build, chosen at configure (CONF-004).
    debug: bool,
    /// A handler / listener / delegate is registered (NOTIFY-002, NOTIFY-006).
    handler: bool,
    /// The current customer.
    customer: CustomerIds,
    token: Option<StoredToken>,
    queue: EventQueue,
    in_flight: Option<InFlight>,
    failures: FailureCount,
    next_request: RequestId,
    /// Asks of the app's token callback not answered yet (pulled tokens).
    asks: AskBook,
    /// The requests in flight of a profile that sends per event (QUEUE-009).
    flights: Vec<InFlight>,
    /// What the SDK sends on its own, and when (QUEUE-010, RETRY-016).
    pacing: Pacing,
}

impl Sdk {
    /// A fresh, unconfigured SDK following `profile`.
    pub fn new(profile: Profile) -> Self {
        Self::sharing(Arc::new(profile))
    }

    /// A fresh, unconfigured SDK following `profile`, shared with its other users (a
    /// suite that starts a machine per case builds each profile once).
    pub fn sharing(profile: Arc<Profile>) -> Self {
        Self {
            profile: SharedProfile::from(profile),
            running: false,
            jwt_enabled: false,
            debug: false,
            handler: false,
            customer: CustomerIds::anonymous(),
            token: None,
            queue: EventQueue::default(),
            in_flight: None,
            failures: FailureCount::default(),
            next_request: 1,
            asks: AskBook::default(),
            flights: Vec::new(),
            pacing: Pacing::default(),
        }
    }

    /// The profile this SDK follows.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// True between `configure` and `stop_integration` (CONF-007).
    pub fn is_running(&self) -> bool {
        self.running
    }

    /// True when the SDK was configured with JWT enabled.
    pub fn jwt_enabled(&self) -> bool {
        self.jwt_enabled
    }

    /// True when a handler is registered.
    pub fn has_handler(&self) -> bool {
        self.handler
    }

    /// The current customer.
    pub fn customer(&self) -> &CustomerIds {
        &self.customer
    }

    /// The stored token, if any.
    pub fn stored_token(&self) -> Option<&StoredToken> {
        self.token.as_ref()
    }

    /// The queued events, oldest first.
    pub fn queue(&self) -> &EventQueue {
        &self.queue
    }

    /// The request in flight (sent and unanswered, or waiting for its retry).
    pub fn in_flight(&self) -> Option<&InFlight> {
        self.in_flight.as_ref()
    }

    /// True while the request in flight is held for a new token (RETRY-008).
    pub fn is_held(&self) -> bool {
        self.in_flight.as_ref().is_some_and(|f| matches!(f.waiting, Waiting::NewToken | Waiting::Resend))
    }

    /// True when the compact token `raw` is stored or carried by a request in flight: the
    /// only places a token the app passed is kept, so the only tokens the SDK can send.
    pub fn holds_token(&self, raw: &str) -> bool {
        let carries = |f: &InFlight| f.carried.as_ref().is_some_and(|t| t.raw == raw);
        self.token.as_ref().is_some_and(|t| t.token.raw == raw)
            || self.in_flight.as_ref().is_some_and(carries)
            || self.flights.iter().any(carries)
    }

    /// True when the event `name` is queued or carried by a request in flight: the only
    /// places the SDK keeps an event, so the only events it can name.
    pub fn holds_event(&self, name: &str) -> bool {
        let carries = |f: &InFlight| f.events.iter().any(|e| e == name);
        self.queue.iter().any(|q| q.event == name)
            || self.in_flight.as_ref().is_some_and(carries)
            || self.flights.iter().any(carries)
    }

    /// The consecutive-failure count and suspension.
    pub fn failures(&self) -> FailureCount {
        self.failures
    }

    /// The end of the backoff wait in progress, if any (RETRY-016).
    pub fn backoff_until(&self) -> Option<UnixMillis> {
        self.pacing.wait_until
    }

    /// The asks of the app's token callback not answered yet, oldest first.
    pub fn open_asks(&self) -> &[asks::OpenAsk] {
        self.asks.open()
    }

    /// Applies `input` at instant `now`; returns what the SDK does in response, in order.
    /// Timers due at or before `now` must have been fired first with [`Sdk::fire_timers`].
    pub fn handle(&mut self, now: UnixMillis, input: &Input) -> Vec<Output> {
        let mut out = Vec::new();
        match input {
            Input::App(call) => self.app_call(now, call, &mut out),
            Input::Respond { request, reply, body } => {
                self.respond(now, *request, *reply, body.as_ref(), &mut out)
            }
            Input::Restart {} => self.restart(),
        }
        self.pace(now);
        out
    }

    /// The earliest instant at which a timer is due, if any.
    pub fn next_timer(&self) -> Option<UnixMillis> {
        [
            self.refresh_due(),
            self.in_flight.as_ref().and_then(InFlight::retry_due),
            self.pacing.flush_due.filter(|_| self.running),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Fires every timer due at or before `now`, in order; returns what they did.
    /// At one instant the refresh notification comes before a retry, so that a retry
    /// can carry a token the handler provided in answer.
    pub fn fire_timers(&mut self, now: UnixMillis) -> Vec<Output> {
        let mut out = Vec::new();
        while let Some(due) = self.next_timer().filter(|&due| due <= now) {
            if self.refresh_due() == Some(due) {
                self.fire_refresh(&mut out);
            } else if self.in_flight.as_ref().and_then(InFlight::retry_due) == Some(due) {
                self.resend(&mut out);
            } else {
                // QUEUE-010, RETRY-016: the automatic flush, or the end of a backoff wait.
                self.pacing.disarm();
                self.send_head(due, &mut out);
            }
            self.pace(due);
        }
        out
    }

    // ------------------------------------------------------------------ app calls

    fn app_call(&mut self, now: UnixMillis, call: &AppCall, out: &mut Vec<Output>) {
        if let AppCall::Configure { jwt_enabled, debug, token } = call {
            self.configure(now, *jwt_enabled, *debug, token.as_deref(), out);
            return;
        }
        if !self.running {
            // CONF-007: nothing is stored or sent; a tracked event is reported, not lost.
            if let AppCall::Track { event } = call {
                out.push(Output::EventsDeleted {
                    events: vec![event.clone()],
                    rule: DeletionRule::SdkNotRunning,
                });
            }
            return;
        }
        match call {
            AppCall::Configure { .. } => {}
            AppCall::SetToken { token: None, .. } => self.clear_token_if(ClearingCall::ClearToken),
            AppCall::SetToken { token: Some(token), identifier } => {
                if let (Some(id), true) = (identifier, self.profile.token_call_identifier) {
                    if self.jwt_enabled {
                        // LIFE-013: the identifier passed with the token is the customer.
                        let customer = self.profile.identity_for(id);
                        self.switch_customer(customer, out);
                    }
                }
                self.provide_token(now, token, out);
            }
            // NOTIFY-007: a handler that throws is called like any other; what it throws
            // never reaches the lifecycle.
            AppCall::RegisterHandler { .. } => self.handler = true,
            AppCall::ProvideToken { ask, token } => self.answer_ask(now, *ask, token.as_deref(), out),
            AppCall::Identify { customer_ids, token } => {
                self.switch_customer(customer_ids.clone(), out);
                match token {
                    Some(token) => self.provide_token(now, token, out),
                    None => {
                        self.clear_token_if(ClearingCall::IdentifyWithoutToken);
                        self.ask_on_identify(out);
                    }
                }
            }
            AppCall::Anonymize {} => {
                self.switch_customer(CustomerIds::anonymous(), out);
                self.clear_token_if(ClearingCall::Anonymize);
            }
            AppCall::StopIntegration {} => {
                self.discard_everything(DeletionRule::StopIntegration, out);
                self.clear_token_if(ClearingCall::StopIntegration);
                self.cancel_refresh();
                self.running = false;
            }
            AppCall::ClearLocalData {} => {
                self.discard_everything(DeletionRule::ClearLocalData, out);
                self.clear_token_if(ClearingCall::ClearLocalData);
                self.customer = CustomerIds::anonymous();
            }
            AppCall::Logout {} => self.logout(now, out),
            AppCall::Track { event } => self.track(now, event.clone(), out),
            AppCall::Flush {} => self.flush(now, out),
            AppCall::NewSession {} => self.failures.new_session(),
        }
    }

    /// The app process ends and starts again (LIFE-014): what the profile persists is
    /// kept, the rest of the instance is gone. The events of the request in flight were
    /// never delivered, so they go back to the front of the queue with it.
    fn restart(&mut self) {
        let keep = self.profile.persists;
        let unfinished = self.in_flight.take();
        self.flights.clear();
        self.asks.forget();
        self.pacing = Pacing::default();
        if keep.queue {
            if let Some(flight) = unfinished {
                self.queue.push_front_run(&flight.customer, &flight.events);
            }
        } else {
            self.queue = EventQueue::default();
        }
        if !keep.token {
            self.token = None;
        }
        if let Some(token) = self.token.as_mut() {
            token.refresh_due = None;
            token.restored = true;
        }
        if !keep.customer {
            self.customer = CustomerIds::anonymous();
        }
        self.running = false;
        self.jwt_enabled = false;
        self.debug = false;
        self.handler = false;
        self.failures = FailureCount::default();
    }

    fn configure(
        &mut self,
        now: UnixMillis,
        jwt_enabled: bool,
        debug: bool,
        token: Option<&str>,
        out: &mut Vec<Output>,
    ) {
        self.running = true;
        self.jwt_enabled = jwt_enabled;
        self.debug = debug;
        // LIMIT-003: configure begins a session.
        self.failures.new_session();
        // CONF-006: a token passed here is a set-token made right after configuring.
        if let Some(token) = token {
            self.provide_token(now, token, out);
        } else if self.jwt_enabled {
            // LIFE-014: a token kept across a restart is timed again as if set now.
            if let Some(token) = self.token.as_mut().filter(|t| t.restored) {
                token.restored = false;
                self.schedule_refresh(now, out);
            }
        }
    }

    /// A token from set-token, identify or configure, for the current customer.
    fn provide_token(&mut self, now: UnixMillis, raw: &str, out: &mut Vec<Output>) {
        if !self.jwt_enabled {
            let policy = self.profile.token_while_jwt_disabled;
            let action = if self.debug { policy.debug } else { policy.release };
            if action == DisabledTokenAction::RaiseFatal {
                // CONF-004.
                out.push(Output::AppError { error: AppErrorKind::JwtNotEnabled, code: None });
            }
            // CONF-002 / CONF-005: nothing stored.
            return;
        }
        self.replace_token(Some(StoredToken::new(raw, self.customer.clone())));
        self.schedule_refresh(now, out);
        if let Some(flight) = self.in_flight.as_mut() {
            if matches!(flight.waiting, Waiting::NewToken | Waiting::Resend) {
                // RETRY-008: each new token sends the held request again at once. While
                // suspended it only stores the token (LIMIT-005); the request goes out on
                // a flush once the next session has begun.
                if self.failures.suspended {
                    flight.waiting = Waiting::Resend;
                } else {
                    self.resend(out);
                }
            }
        }
    }

    fn logout(&mut self, now: UnixMillis, out: &mut Vec<Output>) {
        if self.profile.logout_syncs_then_deletes_on_jwt_failure
            && self.in_flight.is_none()
            && !self.failures.suspended
            && self.queue.head_customer() == Some(&self.customer)
        {
            // QUEUE-002: send what the user queued, with the token still stored; the
            // request keeps that token whatever happens to the store (LIFE-010). A held
            // request is in flight, so it blocks the sync: it waits for a new token
            // (RETRY-008, RETRY-013).
            if let Some((customer, events)) = self.queue.take_head_run() {
                self.send(now, Purpose::LogoutSync, customer, events, 1, false, out);
            }
        }
        self.clear_token_if(ClearingCall::Logout);
        self.switch_customer(CustomerIds::anonymous(), out);
    }

    /// Makes `customer` the current customer. A request held for the customer left
    /// behind fails for good: only that customer's token could release it, and the SDK
    /// will not be given one again (RETRY-014).
    fn switch_customer(&mut self, customer: CustomerIds, out: &mut Vec<Output>) {
        self.customer = customer;
        self.fail_hold_of_other_customer(out);
        self.fail_refetch_of_other_customers(out);
    }

    /// RETRY-014: a held request whose customer is not the current one fails
    /// (`authentication`); the queue behind it moves on at the next flush.
    fn fail_hold_of_other_customer(&mut self, out: &mut Vec<Output>) {
        let outlived = self.is_held() && self.in_flight.as_ref().is_some_and(|f| f.customer != self.customer);
        if outlived {
            if let Some(flight) = self.in_flight.take() {
                self.fail_or_delete(flight, FailureCause::Authentication, out);
            }
        }
    }

    fn flush(&mut self, now: UnixMillis, out: &mut Vec<Output>) {
        // LIMIT-005: a token provided while suspended releases the held request here.
        let resend = self.in_flight.as_ref().is_some_and(|f| f.waiting == Waiting::Resend);
        if resend && !self.failures.suspended {
            self.resend(out);
            return;
        }
        // LIMIT-006: an explicit flush goes through a suspension where the profile says so.
        let through = self.limit().is_some_and(|l| l.flush_while_suspended) && self.failures.suspended;
        if through {
            self.failures.suspended = false;
            self.send_head(now, out);
            self.failures.suspended = true;
        } else {
            self.send_head(now, out);
        }
    }

    /// A tracked event: refused while no customer is identified where the profile sends
    /// no anonymous events (CONF-007); sent at once where it sends per event (QUEUE-009);
    /// queued otherwise.
    fn track(&mut self, now: UnixMillis, event: EventId, out: &mut Vec<Output>) {
        if !self.profile.anonymous_events && self.customer.is_anonymous() {
            out.push(Output::EventsDeleted { events: vec![event], rule: DeletionRule::SdkNotRunning });
            return;
        }
        match self.profile.batching {
            Batching::HeadRunOneInFlight => self.queue.push(event, self.customer.clone()),
            Batching::PerEventConcurrent => self.send_event_now(now, event, out),
        }
    }

    /// QUEUE-010: arms the automatic flush while there is something it could send, and
    /// disarms it otherwise; a backoff wait that is over ends.
    fn pace(&mut self, now: UnixMillis) {
        let Some(auto) = self.profile.auto_flush else { return };
        if self.pacing.wait_until.is_some_and(|w| w < now) {
            self.pacing.wait_until = None;
        }
        let sendable =
            self.running && !self.queue.is_empty() && self.in_flight.is_none() && !self.failures.suspended;
        if sendable {
            self.pacing.arm(now, auto.interval_ms);
        } else {
            self.pacing.disarm();
        }
    }

    /// QUEUE-006: the queue and the request in flight (with any pending retry) are
    /// discarded, and the discarded events reported.
    fn discard_everything(&mut self, rule: DeletionRule, out: &mut Vec<Output>) {
        let mut events: Vec<EventId> = self.in_flight.take().map(|r| r.events).unwrap_or_default();
        events.extend(std::mem::take(&mut self.flights).into_iter().flat_map(|f| f.events));
        events.extend(self.queue.clear());
        if !events.is_empty() {
            out.push(Output::EventsDeleted { events, rule });
        }
    }

    // ------------------------------------------------------------------ token slot

    fn clear_token_if(&mut self, call: ClearingCall) {
        if self.profile.clears_token(call) {
            self.replace_token(None);
        }
    }

    /// Replaces (or clears) the stored token; the old token's refresh is cancelled
    /// (REFR-006).
    fn replace_token(&mut self, token: Option<StoredToken>) {
        self.token = token;
    }

    fn cancel_refresh(&mut self) {
        if let Some(token) = &mut self.token {
            token.refresh_due = None;
        }
    }

    /// Schedules the refresh notification of the token just stored (REFR-001,
    /// REFR-003, REFR-004; LIFE-012 for tokens without `exp`).
    fn schedule_refresh(&mut self, now: UnixMillis, out: &mut Vec<Output>) {
        let (Some(policy), Some(token)) = (self.profile.refresh, self.token.as_mut()) else { return };
        let Some(exp) = token.token.exp_ms else { return };
        if now >= exp {
            return;
        }
        let due = exp.saturating_sub(policy.lead_ms);
        if now < due {
            token.refresh_due = Some(due);
        } else if policy.notify_at_once_inside_window {
            self.fire_refresh(out);
        }
    }

    fn refresh_due(&self) -> Option<UnixMillis> {
        self.token.as_ref().and_then(|t| t.refresh_due).filter(|_| self.running && self.jwt_enabled)
    }

    /// The refresh timer fires: the notification is due now. A timer that finds no
    /// handler is dropped and not replayed (REFR-007).
    fn fire_refresh(&mut self, out: &mut Vec<Output>) {
        let Some(token) = self.token.as_mut() else { return };
        token.refresh_due = None;
        self.tell_expired_soon(out);
    }

    /// `expired_soon` for the stored token, at most once per token (REFR-005). Only a
    /// notification that reached a handler counts: one dropped for want of a handler
    /// leaves the pre-flight check free to deliver it later.
    fn tell_expired_soon(&mut self, out: &mut Vec<Output>) {
        if self.refresh_asks() {
            // REFR-009: a pulling SDK asks for a new token instead, handler or not.
            let Some(token) = self.token.as_mut().filter(|t| !t.expired_soon_done) else { return };
            token.expired_soon_done = true;
            let customer = token.customer.clone();
            self.asks.ask(customer, Reason::ExpiredSoon, out);
            return;
        }
        let handler = self.handler;
        let Some(token) = self.token.as_mut() else { return };
        if token.expired_soon_done || !handler {
            return;
        }
        token.expired_soon_done = true;
        let customer = token.customer.clone();
        self.notify(Reason::ExpiredSoon, customer, out);
    }

    /// The token to attach to a request for `customer`, if any (CONF-001, LIFE-009).
    fn token_for(&self, customer: &CustomerIds) -> Option<&StoredToken> {
        if !self.jwt_enabled {
            return None;
        }
        self.token.as_ref().filter(|t| t.is_for(customer))
    }

    // ------------------------------------------------------------------ requests

    fn send_head(&mut self, now: UnixMillis, out: &mut Vec<Output>) {
        if !self.running || self.in_flight.is_some() || self.failures.suspended || self.queue.is_empty() {
            return;
        }
        if let Some((customer, events)) = self.queue.take_head_run() {
            // RETRY-016: a profile that backs off numbers its tries, not its requests.
            let numbers_tries = self.profile.backoff().is_some();
            let attempt = if numbers_tries { self.pacing.next_try() } else { 1 };
            if numbers_tries || self.profile.auto_flush.is_some() {
                self.pacing.sent();
            }
            self.send(now, Purpose::Sync, customer, events, attempt, attempt == 1, out);
        }
    }

    /// Sends one attempt. Pre-flight checks run before first attempts only (PRE-004).
    #[allow(clippy::too_many_arguments)]
    fn send(
        &mut self,
        now: UnixMillis,
        purpose: Purpose,
        customer: CustomerIds,
        events: Vec<EventId>,
        attempt: u32,
        preflight: bool,
        out: &mut Vec<Output>,
    ) {
        if preflight && self.jwt_enabled {
            self.preflight(now, &customer, out);
        }
        let carried: Option<ClientToken> = self.token_for(&customer).map(|t| t.token.clone());
        self.send_carrying(purpose, customer, events, attempt, carried, out);
    }

    fn send_carrying(
        &mut self,
        purpose: Purpose,
        customer: CustomerIds,
        events: Vec<EventId>,
        attempt: u32,
        carried: Option<ClientToken>,
        out: &mut Vec<Output>,
    ) {
        let request = self.next_request;
        self.next_request += 1;
        out.push(Output::RequestSent {
            request,
            kind: RequestKind::Events,
            customer_ids: customer.clone(),
            events: events.clone(),
            authorization: carried.as_ref().map(|t| t.raw.clone()),
            attempt,
        });
        self.put_back(InFlight {
            request,
            purpose,
            customer,
            events,
            carried,
            attempt,
            waiting: Waiting::Response,
        });
    }

    /// PRE-001..003, PRE-005.
    fn preflight(&mut self, now: UnixMillis, customer: &CustomerIds, out: &mut Vec<Output>) {
        let checks = self.profile.preflight;
        let lead = self.profile.refresh.map(|r| r.lead_ms);
        let reason = match self.token_for(customer) {
            None => checks.notify_not_provided.then_some(Reason::NotProvided),
            Some(t) if t.token.is_expired(now) => checks.notify_expired.then_some(Reason::Expired),
            Some(t) => {
                let soon = lead.is_some_and(|lead| t.token.is_expiring_soon(now, lead));
                (checks.notify_expiring_soon && soon && self.handler && !t.expired_soon_done)
                    .then_some(Reason::ExpiredSoon)
            }
        };
        match reason {
            Some(Reason::ExpiredSoon) => {
                if let Some(token) = self.token.as_mut() {
                    token.refresh_due = None;
                }
                self.tell_expired_soon(out);
            }
            Some(reason) => self.notify(reason, customer.clone(), out),
            None => {}
        }
    }

    /// Sends the request in flight again: after its retry delay, or when a new token
    /// releases it (RETRY-002, RETRY-008). No pre-flight check (PRE-004).
    fn resend(&mut self, out: &mut Vec<Output>) {
        let Some(flight) = self.in_flight.take() else { return };
        // LIFE-002 / LIFE-008: the retry carries the token stored now, if it is still
        // bound to the request's customer.
        let carried = self.token_for(&flight.customer).map(|t| t.token.clone());
        self.send_carrying(flight.purpose, flight.customer, flight.events, flight.attempt + 1, carried, out);
    }

    // ------------------------------------------------------------------ responses

    fn respond(
        &mut self,
        now: UnixMillis,
        request: RequestId,
        reply: Reply,
        body: Option<&Body>,
        out: &mut Vec<Output>,
    ) {
        if self.profile.batching == Batching::PerEventConcurrent {
            self.respond_per_event(now, request, reply, body, out);
            return;
        }
        if !self.in_flight.as_ref().is_some_and(|f| f.awaits_response_to(request)) {
            return;
        }
        let Some(flight) = self.in_flight.take() else { return };
        self.answer_flight(now, flight, reply, body, out);
    }

    /// The server's answer to `flight`, read as the profile reads answers (RETRY-019).
    fn answer_flight(
        &mut self,
        now: UnixMillis,
        flight: InFlight,
        reply: Reply,
        body: Option<&Body>,
        out: &mut Vec<Output>,
    ) {
        match self.profile.read_answer(reply, body) {
            Answer::Delivered => {
                // QUEUE-007: delivered. LIMIT-002.
                self.failures.record_success(self.limit());
                if self.profile.backoff().is_some() {
                    self.pacing.succeeded();
                }
            }
            Answer::Rejected { status, expired, code, .. } => {
                self.auth_failure(now, status, Rejection { expired, code }, flight, out)
            }
            Answer::Other => self.other_failure(now, flight, out),
        }
    }

    /// RETRY-012, RETRY-016, RETRY-017: not an authentication failure: the events wait
    /// for the next flush (after a backoff wait, where the profile backs off), or, without
    /// a queue, the request fails.
    fn other_failure(&mut self, now: UnixMillis, flight: InFlight, out: &mut Vec<Output>) {
        match self.profile.on_other_failure {
            OtherFailurePolicy::Fail => {
                out.push(Output::RequestFailed {
                    request: flight.request,
                    events: flight.events,
                    cause: FailureCause::Network,
                });
            }
            OtherFailurePolicy::Requeue | OtherFailurePolicy::Backoff { .. } => {
                self.queue.push_front_run(&flight.customer, &flight.events);
                if let Some(backoff) = self.profile.on_other_failure.backoff() {
                    self.pacing.failed(now, Some(backoff));
                }
            }
        }
    }

    fn auth_failure(
        &mut self,
        now: UnixMillis,
        status: u16,
        rejection: Rejection,
        flight: InFlight,
        out: &mut Vec<Output>,
    ) {
        if !self.jwt_enabled {
            // CONF-008: without JWT there is nothing to refresh and no JWT error: the
            // request fails for good, a logout sync included (QUEUE-002's decision).
            out.push(Output::RequestFailed {
                request: flight.request,
                events: flight.events,
                cause: FailureCause::Authentication,
            });
            return;
        }
        let carried = flight.carried.is_some();
        let unexpired = flight.carried.as_ref().is_some_and(|t| !t.is_expired(now)) && !rejection.expired;
        let forbidden_valid = status == 403 && carried && unexpired;
        let Some(policy) = self.profile.auth_failure_policy(status, carried, unexpired).copied() else {
            return;
        };
        // RETRY-001: judged by the token the request carried, at the time of the answer;
        // RETRY-019: by the code the body gives, where it gives one.
        let reason = match &flight.carried {
            _ if rejection.code.is_some() => {
                rejection.code.map_or(Reason::Invalid, |c| self.profile.reason_for_code(c))
            }
            Some(_) if rejection.expired => Reason::Expired,
            None => Reason::NotProvided,
            Some(t) if t.is_expired(now) => Reason::Expired,
            Some(_) => Reason::Invalid,
        };
        let exhausted = match policy.retry {
            RetryPolicy::Never => true,
            RetryPolicy::After { attempts, .. } => flight.attempt > attempts,
            RetryPolicy::RefetchThenRetry => flight.attempt > 1,
            RetryPolicy::OnNewToken | RetryPolicy::Backoff { .. } => false,
        };
        let final_after_retries = exhausted && flight.attempt > 1;
        // RETRY-003: the failure of a last retry calls no handler.
        if !final_after_retries {
            if policy.notify_handler {
                let code = rejection.code.or_else(|| self.profile.code_for(reason));
                self.notify_with_code(reason, flight.customer.clone(), code, out);
            }
            if policy.raise_app_error {
                out.push(Output::AppError {
                    error: AppErrorKind::TokenRejected,
                    code: self.profile.code_for(reason),
                });
            }
        }
        if policy.counts_toward_limit {
            self.failures.record_failure(self.limit());
        }
        if self.profile.backoff().is_some() {
            self.pacing.failed(now, policy.retry.backoff());
        }
        let cause = if forbidden_valid { FailureCause::Forbidden } else { FailureCause::Authentication };
        if flight.purpose == Purpose::LogoutSync || exhausted {
            self.fail_or_delete(flight, cause, out);
            return;
        }
        match policy.retry {
            RetryPolicy::After { delay_ms, .. } => {
                self.in_flight =
                    Some(InFlight { waiting: Waiting::Retry(now.saturating_add(delay_ms)), ..flight });
            }
            RetryPolicy::OnNewToken => {
                self.in_flight = Some(InFlight { waiting: Waiting::NewToken, ..flight });
                // RETRY-014: a request whose customer was left while it was on the wire
                // is not held for a token that will never come.
                self.fail_hold_of_other_customer(out);
            }
            RetryPolicy::RefetchThenRetry => self.refetch(flight, reason, out),
            RetryPolicy::Backoff { .. } => {
                // RETRY-016: back to the front of the queue, sent after the wait.
                self.queue.push_front_run(&flight.customer, &flight.events);
                self.delete_queue_at_limit(out);
            }
            RetryPolicy::Never => {}
        }
    }

    /// A limit that deletes the queue when it is reached (a perturbed profile's knob).
    fn delete_queue_at_limit(&mut self, out: &mut Vec<Output>) {
        if self.failures.suspended && self.limit().is_some_and(|l| l.deletes_queue) {
            let events = self.queue.clear();
            if !events.is_empty() {
                out.push(Output::EventsDeleted { events, rule: DeletionRule::FailureLimit });
            }
        }
    }

    /// A request that ends for good: a logout sync's events are deleted (QUEUE-002),
    /// any other request is reported failed with its events (QUEUE-005).
    fn fail_or_delete(&mut self, flight: InFlight, cause: FailureCause, out: &mut Vec<Output>) {
        if flight.purpose == Purpose::LogoutSync {
            out.push(Output::EventsDeleted { events: flight.events, rule: DeletionRule::LogoutSyncFailed });
        } else {
            out.push(Output::RequestFailed { request: flight.request, events: flight.events, cause });
        }
    }

    // ------------------------------------------------------------------ helpers

    /// Calls the handler, if one is registered (NOTIFY-001, NOTIFY-002).
    fn notify(&self, reason: Reason, customer_ids: CustomerIds, out: &mut Vec<Output>) {
        self.notify_with_code(reason, customer_ids, self.profile.code_for(reason), out);
    }

    /// Calls the handler with a vendor code, if one is registered.
    fn notify_with_code(
        &self,
        reason: Reason,
        customer_ids: CustomerIds,
        code: Option<i64>,
        out: &mut Vec<Output>,
    ) {
        if self.handler {
            out.push(Output::HandlerCalled { reason, customer_ids, code });
        }
    }

    fn limit(&self) -> Option<FailureLimit> {
        self.profile.failure_limit
    }
}
