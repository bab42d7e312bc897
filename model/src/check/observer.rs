//! The observer: what the environment saw the SDK do, judged against the spec.
//!
//! The observer keeps its own account of what the specification says the SDK holds (the
//! token stored and whom it is bound to, the current customer, the consecutive-failure
//! count, which events were tracked, delivered, removed or held) from the app calls and
//! server answers alone, never from the machine's internals. Each output is checked
//! against that account as it is seen, and a broken rule is recorded as a [`Check`] in a
//! sticky bit set: the safety properties read those bits. The machine under check and the
//! observer are written independently, so one's mistake is the other's counterexample.

use super::domain::{event_number, Step, Tok, HORIZON_MS, START};
use super::model::LifecycleModel;
use crate::sdk::Sdk;
use jwt_lifecycle_spec::alphabet::{
    CustomerIds, DeletionRule, FailureCause, Observation, Output, Reason, Reply, UnixMillis,
};
use jwt_lifecycle_spec::profile::{ClearingCall, RetryPolicy};

/// Most events a check tracks.
pub const MAX_EVENTS: usize = 4;

/// A rule the observer saw broken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Check {
    /// LIFE-008: a request carried a token that had been cleared.
    ClearedTokenSent,
    /// LIFE-009: a request carried a token bound to another customer.
    TokenAcrossCustomers,
    /// LIFE-002 / CONF-001: a request did not carry exactly the token stored for its
    /// customer when it was sent.
    NotTheStoredToken,
    /// RETRY-002 / RETRY-003: an attempt beyond the profile's retries.
    TooManyAttempts,
    /// RETRY-005: a 403 to a request with a valid token was retried, notified or cleared
    /// the token.
    ForbiddenValidReacted,
    /// RETRY-001: a rejection was reported with the wrong reason.
    WrongReason,
    /// RETRY-008: held events were sent again before a new token was provided.
    HeldResentWithoutToken,
    /// RETRY-013: an event was sent more often than 1 + retries without an app call.
    TooManySends,
    /// REFR-001: `expired_soon` outside the stored token's refresh window.
    ExpiredSoonOutsideWindow,
    /// REFR-001: the refresh instant passed with a handler registered and no
    /// `expired_soon`.
    RefreshMissed,
    /// REFR-005: `expired_soon` twice for one token.
    ExpiredSoonRepeated,
    /// REFR-006: `expired_soon` for a token no longer stored.
    ExpiredSoonWithoutToken,
    /// PRE-002: a first attempt carried an expired token without `expired` first.
    ExpiredNotReported,
    /// PRE-001: a first attempt without a token, without `not_provided` first.
    MissingNotReported,
    /// LIMIT-001: a request sent after the failure limit, in the same session.
    SentWhileSuspended,
    /// QUEUE-003: a request carried events of a customer other than its own.
    MixedCustomers,
    /// CONF-002 / CONF-005: a token sent while JWT is not enabled.
    TokenWithoutJwt,
    /// NOTIFY-002: a handler call with no handler registered.
    HandlerWithoutRegistration,
    /// NOTIFY-003 / RETRY-006: a reason the profile does not list.
    ReasonNotInProfile,
    /// CONF-007: a request sent before `configure` or after `stop_integration`.
    SentWhileNotRunning,
    /// QUEUE-007: a delivered event sent again.
    DeliveredResent,
    /// RETRY-014: a request stayed held after its customer stopped being the current
    /// one (or was held for a customer already left), instead of failing.
    HeldOutlivedCustomer,
}

impl Check {
    fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

/// Facts about the last step, for `sometimes` properties.
pub mod fact {
    /// The handler was told `expired_soon`.
    pub const EXPIRED_SOON_TOLD: u8 = 1;
    /// A retry (attempt 2 or later) was sent.
    pub const RETRY_SENT: u8 = 1 << 1;
    /// A new token sent held events again.
    pub const HELD_RESENT: u8 = 1 << 2;
    /// A failed logout sync deleted its events.
    pub const LOGOUT_SYNC_DELETED: u8 = 1 << 3;
    /// A 403 with a valid token failed a request.
    pub const FORBIDDEN_VALID_FAILED: u8 = 1 << 4;
    /// The pre-flight check told the handler `expired`.
    pub const PREFLIGHT_EXPIRED_TOLD: u8 = 1 << 5;
    /// A held request failed because its customer was left (RETRY-014).
    pub const HELD_FAILED_ON_SWITCH: u8 = 1 << 6;
}

/// The request the observer last saw sent.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct SeenRequest {
    id: u64,
    customer: CustomerIds,
    events: u8,
    token: Option<Tok>,
    logout_sync: bool,
}

/// The observer's account of one run.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Observer {
    violations: u32,
    /// Facts of the last step (see [`fact`]).
    pub last: u8,
    running: bool,
    jwt: bool,
    handler: bool,
    customer: CustomerIds,
    stored: Option<Tok>,
    bindings: [Option<CustomerIds>; 4],
    set_at: UnixMillis,
    refresh_live: bool,
    expired_soon_told: u8,
    cleared: u8,
    tags: [Option<CustomerIds>; MAX_EVENTS],
    /// Events tracked (bit n = event n).
    pub tracked: u8,
    /// Events delivered by a 2xx.
    pub delivered: u8,
    /// Events removed by an output that names a rule.
    pub removed: u8,
    /// Events reported failed after the app left their customer (RETRY-014, or a failed
    /// retry without that customer's token).
    pub left_behind: u8,
    held: u8,
    /// The customer of the held events.
    held_for: Option<CustomerIds>,
    sends_since_call: [u8; MAX_EVENTS],
    in_flight: Option<SeenRequest>,
    /// Consecutive authentication failures in this session, by the spec's count.
    pub failures: u32,
}

impl Default for Observer {
    fn default() -> Self {
        Self {
            violations: 0,
            last: 0,
            running: false,
            jwt: false,
            handler: false,
            customer: CustomerIds::anonymous(),
            stored: None,
            bindings: Default::default(),
            set_at: START,
            refresh_live: false,
            expired_soon_told: 0,
            cleared: 0,
            tags: Default::default(),
            tracked: 0,
            delivered: 0,
            removed: 0,
            left_behind: 0,
            held: 0,
            held_for: None,
            sends_since_call: [0; MAX_EVENTS],
            in_flight: None,
            failures: 0,
        }
    }
}

fn event_mask(events: &[String]) -> u8 {
    events.iter().filter_map(|e| event_number(e)).fold(0, |m, n| m | (1 << n))
}

fn bits(mask: u8) -> impl Iterator<Item = usize> {
    (0..MAX_EVENTS).filter(move |n| mask & (1 << n) != 0)
}

impl Observer {
    /// True when `check` was seen broken on the path to this state.
    pub fn violated(&self, check: Check) -> bool {
        self.violations & check.bit() != 0
    }

    /// Every check seen broken.
    pub fn violations(&self) -> u32 {
        self.violations
    }

    /// True when the app has registered a handler (by the spec's account).
    pub fn handler_registered(&self) -> bool {
        self.handler
    }

    fn flag(&mut self, check: Check) {
        self.violations |= check.bit();
    }

    fn store(&mut self, token: Tok, now: UnixMillis) {
        self.stored = Some(token);
        self.bindings[token as usize] = Some(self.customer.clone());
        self.cleared &= !token.bit();
        self.set_at = now;
        self.refresh_live = true;
        self.expired_soon_told = 0;
        // RETRY-008: a new token releases the held events, once.
        self.held = 0;
    }

    fn clear_if(&mut self, m: &LifecycleModel, call: ClearingCall) {
        if m.profile().clears_token(call) {
            if let Some(t) = self.stored.take() {
                self.cleared |= t.bit();
            }
        }
    }

    fn refresh_due(&self, m: &LifecycleModel) -> Option<UnixMillis> {
        let lead = m.profile().refresh?.lead_ms;
        let exp = self.stored?.exp_ms()?;
        (self.refresh_live && self.set_at < exp).then(|| exp.saturating_sub(lead).max(self.set_at))
    }

    /// Records one step: `pre` is the machine before it, `post` after, `outputs` what it
    /// did, `then` and `now` the clock before and after.
    #[allow(clippy::too_many_arguments)]
    pub fn observe(
        &mut self,
        m: &LifecycleModel,
        step: &Step,
        pre: &Sdk,
        post: &Sdk,
        then: UnixMillis,
        now: UnixMillis,
        outputs: &[Observation],
    ) {
        let profile = m.profile();
        if step.is_app_call() {
            self.sends_since_call = [0; MAX_EVENTS];
        }
        let handler_before = self.handler && self.running;
        let held_before = (self.held, self.held_for.clone());
        let due_before = self.refresh_due(m).filter(|_| self.running && handler_before);
        let mut stored_now = false;
        // Calls that store come before their outputs (a held request goes out with the
        // new token); calls that clear come after (a logout sync keeps its token).
        match *step {
            Step::Configure { jwt, token, .. } => {
                self.running = true;
                self.jwt = jwt;
                self.failures = 0;
                if let (Some(t), true) = (token, jwt) {
                    self.store(t, now);
                    stored_now = true;
                }
            }
            Step::SetToken { token, identifier } if self.running && self.jwt => {
                if let (Some(who), Some(_)) = (identifier, &profile.identifier_key) {
                    self.customer = who.ids(profile);
                }
                self.store(token, now);
                stored_now = true;
            }
            Step::Identify { who, token } if self.running => {
                self.customer = who.ids(profile);
                if let (Some(t), true) = (token, self.jwt) {
                    self.store(t, now);
                    stored_now = true;
                }
            }
            Step::RegisterHandler if self.running => self.handler = true,
            Step::NewSession if self.running => self.failures = 0,
            Step::Track(n) => {
                self.tracked |= 1 << n;
                if self.running {
                    self.tags[n as usize] = Some(self.customer.clone());
                }
            }
            _ => {}
        }
        let answered = if matches!(step, Step::Respond { .. }) { self.in_flight.take() } else { None };
        self.last = 0;
        for (index, seen) in outputs.iter().enumerate() {
            self.check_output(m, step, seen, &outputs[..index], answered.as_ref());
        }
        if let (Step::Respond { reply, .. }, Some(req)) = (step, &answered) {
            self.answered(m, *reply, req, pre, post, now, outputs);
        }
        match *step {
            Step::Identify { token: None, .. } if self.running => {
                self.clear_if(m, ClearingCall::IdentifyWithoutToken)
            }
            Step::Anonymize if self.running => {
                self.customer = CustomerIds::anonymous();
                self.clear_if(m, ClearingCall::Anonymize);
            }
            Step::StopIntegration if self.running => {
                self.clear_if(m, ClearingCall::StopIntegration);
                self.running = false;
                self.refresh_live = false;
                self.in_flight = None;
            }
            Step::ClearLocalData if self.running => {
                self.clear_if(m, ClearingCall::ClearLocalData);
                self.customer = CustomerIds::anonymous();
                self.in_flight = None;
            }
            Step::Logout if self.running => {
                self.clear_if(m, ClearingCall::Logout);
                self.customer = CustomerIds::anonymous();
            }
            _ => {}
        }
        self.held_outlived(step, held_before, outputs);
        // REFR-001 / REFR-003: the refresh instant passing while a handler is registered
        // owes one `expired_soon`; a token set inside the window owes it at once.
        let owed = match step {
            Step::AdvanceTo(_) => due_before.is_some_and(|due| then < due && due <= now),
            _ => {
                stored_now
                    && handler_before
                    && profile.refresh.is_some_and(|r| r.notify_at_once_inside_window)
                    && self.refresh_due(m).is_some_and(|due| due <= now)
            }
        };
        if owed && self.expired_soon_told == 0 {
            self.flag(Check::RefreshMissed);
        }
    }

    fn check_output(
        &mut self,
        m: &LifecycleModel,
        step: &Step,
        seen: &Observation,
        before: &[Observation],
        answered: Option<&SeenRequest>,
    ) {
        let profile = m.profile();
        let at = seen.at;
        match &seen.output {
            Output::RequestSent { request, customer_ids, events, authorization, attempt, .. } => {
                let token = authorization.as_deref().and_then(|raw| m.tok_of(raw));
                if let Some(t) = token {
                    if self.cleared & t.bit() != 0 {
                        self.flag(Check::ClearedTokenSent);
                    }
                    if self.bindings[t as usize].as_ref() != Some(customer_ids) {
                        self.flag(Check::TokenAcrossCustomers);
                    }
                }
                let expected = self
                    .stored
                    .filter(|s| self.jwt && self.bindings[*s as usize].as_ref() == Some(customer_ids));
                if token != expected || (authorization.is_some() && token.is_none()) {
                    self.flag(Check::NotTheStoredToken);
                }
                if !self.jwt && authorization.is_some() {
                    self.flag(Check::TokenWithoutJwt);
                }
                if *attempt > 1 + m.max_retries() {
                    self.flag(Check::TooManyAttempts);
                }
                if *attempt > 1 {
                    self.last |= fact::RETRY_SENT;
                }
                let mask = event_mask(events);
                if !self.running {
                    self.flag(Check::SentWhileNotRunning);
                }
                if mask & self.delivered != 0 {
                    self.flag(Check::DeliveredResent);
                }
                if bits(mask).any(|n| self.tags[n].as_ref() != Some(customer_ids)) {
                    self.flag(Check::MixedCustomers);
                }
                if mask & self.held != 0 {
                    self.flag(Check::HeldResentWithoutToken);
                }
                for n in bits(mask) {
                    self.sends_since_call[n] = self.sends_since_call[n].saturating_add(1);
                    if u32::from(self.sends_since_call[n]) > 1 + m.max_retries() {
                        self.flag(Check::TooManySends);
                    }
                }
                if profile.failure_limit.is_some_and(|l| self.failures >= l.consecutive_failures) {
                    self.flag(Check::SentWhileSuspended);
                }
                let told = |reason: Reason| {
                    before.iter().any(|o| {
                        matches!(&o.output, Output::HandlerCalled { reason: r, customer_ids: c, .. }
                            if *r == reason && c == customer_ids)
                    })
                };
                if *attempt == 1 && *step != Step::Logout && self.jwt && self.handler {
                    match token {
                        None if profile.preflight.notify_not_provided && !told(Reason::NotProvided) => {
                            self.flag(Check::MissingNotReported)
                        }
                        Some(t) if t.expired_at(at) && profile.preflight.notify_expired => {
                            if told(Reason::Expired) {
                                self.last |= fact::PREFLIGHT_EXPIRED_TOLD;
                            } else {
                                self.flag(Check::ExpiredNotReported);
                            }
                        }
                        _ => {}
                    }
                }
                if matches!(step, Step::SetToken { .. } | Step::Identify { token: Some(_), .. })
                    && *attempt > 1
                {
                    self.last |= fact::HELD_RESENT;
                }
                self.in_flight = Some(SeenRequest {
                    id: *request,
                    customer: customer_ids.clone(),
                    events: mask,
                    token,
                    logout_sync: *step == Step::Logout,
                });
            }
            Output::HandlerCalled { reason, customer_ids, .. } => {
                if !self.handler {
                    self.flag(Check::HandlerWithoutRegistration);
                }
                if !profile.handler_reasons.contains(reason) {
                    self.flag(Check::ReasonNotInProfile);
                }
                if *reason == Reason::ExpiredSoon {
                    self.last |= fact::EXPIRED_SOON_TOLD;
                    self.expired_soon_told = self.expired_soon_told.saturating_add(1);
                    if self.expired_soon_told > 1 {
                        self.flag(Check::ExpiredSoonRepeated);
                    }
                    let stored_exp = self.stored.and_then(Tok::exp_ms);
                    let bound = self.stored.and_then(|s| self.bindings[s as usize].as_ref());
                    if stored_exp.is_none() || bound != Some(customer_ids) {
                        self.flag(Check::ExpiredSoonWithoutToken);
                    }
                    if let (Some(exp), Some(refresh)) = (stored_exp, profile.refresh) {
                        let opens = exp.saturating_sub(refresh.lead_ms + refresh.tolerance_ms);
                        if at < opens || at >= exp {
                            self.flag(Check::ExpiredSoonOutsideWindow);
                        }
                    }
                }
                if let (Step::Respond { .. }, Some(req)) = (step, answered) {
                    // RETRY-001: judged by the token the request carried, when answered.
                    let expected = match req.token {
                        None => Reason::NotProvided,
                        Some(t) if t.expired_at(at) => Reason::Expired,
                        Some(_) => Reason::Invalid,
                    };
                    if *reason != expected {
                        self.flag(Check::WrongReason);
                    }
                }
            }
            Output::RequestFailed { events, cause, .. } => {
                let mask = event_mask(events);
                self.removed |= mask;
                if bits(mask).all(|n| self.tags[n].as_ref() != Some(&self.customer)) {
                    // Events of a customer the app has left: no token of theirs will come.
                    self.left_behind |= mask;
                }
                if *cause == FailureCause::Forbidden {
                    self.last |= fact::FORBIDDEN_VALID_FAILED;
                }
            }
            Output::EventsDeleted { events, rule } => {
                let mask = event_mask(events);
                self.removed |= mask;
                self.held &= !mask;
                if *rule == DeletionRule::LogoutSyncFailed {
                    self.last |= fact::LOGOUT_SYNC_DELETED;
                }
            }
            Output::AppError { .. } | Output::TokenRequested { .. } => {}
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn answered(
        &mut self,
        m: &LifecycleModel,
        reply: Reply,
        req: &SeenRequest,
        pre: &Sdk,
        post: &Sdk,
        now: UnixMillis,
        outputs: &[Observation],
    ) {
        let profile = m.profile();
        match reply {
            Reply::Status(_) if reply.is_success() => {
                self.delivered |= req.events;
                if profile.failure_limit.is_some_and(|l| l.reset_on_success) {
                    self.failures = 0;
                }
            }
            Reply::Status(status @ (401 | 403)) if self.jwt => {
                let carried = req.token.is_some();
                let unexpired = req.token.is_some_and(|t| !t.expired_at(now));
                if let Some(policy) = profile.auth_failure_policy(status, carried, unexpired) {
                    if policy.counts_toward_limit {
                        self.failures += 1;
                    }
                    if policy.retry == RetryPolicy::OnNewToken && !req.logout_sync {
                        if req.customer == self.customer {
                            self.held |= req.events;
                            self.held_for = Some(req.customer.clone());
                        } else if Self::failed_with(outputs, req.events) {
                            self.left_behind |= req.events;
                        } else {
                            // RETRY-014: its customer was left while it was on the wire;
                            // no token of theirs will come, so it fails at once.
                            self.flag(Check::HeldOutlivedCustomer);
                        }
                    }
                    if matches!(policy.retry, RetryPolicy::After { .. }) {
                        // The retry will be a new request for the same events.
                        self.in_flight = Some(req.clone());
                    }
                }
                let quiet_403 = profile.on_forbidden_with_valid_token;
                if status == 403
                    && carried
                    && unexpired
                    && quiet_403.retry == RetryPolicy::Never
                    && !quiet_403.notify_handler
                    && !quiet_403.raise_app_error
                {
                    let only_failed = outputs.len() == 1
                        && matches!(
                            outputs[0].output,
                            Output::RequestFailed { cause: FailureCause::Forbidden, .. }
                        );
                    if !only_failed || post.stored_token() != pre.stored_token() || post.in_flight().is_some()
                    {
                        self.flag(Check::ForbiddenValidReacted);
                    }
                }
            }
            _ => {}
        }
    }
}

impl Observer {
    /// True when `outputs` report the events of `mask` failed for good
    /// (`request_failed` `authentication`).
    fn failed_with(outputs: &[Observation], mask: u8) -> bool {
        outputs.iter().any(|o| {
            matches!(&o.output, Output::RequestFailed { events, cause: FailureCause::Authentication, .. }
                if event_mask(events) == mask)
        })
    }

    /// RETRY-014: events held before `step` for a customer who is no longer the current
    /// one must have left in this step: failed (`request_failed`), or deleted with
    /// everything else (QUEUE-006).
    fn held_outlived(
        &mut self,
        step: &Step,
        held_before: (u8, Option<CustomerIds>),
        outputs: &[Observation],
    ) {
        let (mask, held_for) = held_before;
        if mask == 0 || !step.is_app_call() || held_for.as_ref() == Some(&self.customer) {
            return;
        }
        if Self::failed_with(outputs, mask) {
            self.last |= fact::HELD_FAILED_ON_SWITCH;
            self.left_behind |= mask;
        } else if self.removed & mask != mask || !matches!(step, Step::ClearLocalData | Step::StopIntegration)
        {
            self.flag(Check::HeldOutlivedCustomer);
            return;
        }
        self.held &= !mask;
        self.held_for = None;
        self.in_flight = None;
    }
}

/// The instants time may advance to from `now`: just before and at the next timer, and
/// just before and at the expiry of the short-lived token when it is in play.
pub fn advance_targets(sdk: &Sdk, now: UnixMillis, short_in_play: bool) -> Vec<UnixMillis> {
    let mut targets = Vec::new();
    if let Some(due) = sdk.next_timer() {
        targets.extend([due.saturating_sub(1), due]);
    }
    if short_in_play {
        if let Some(exp) = Tok::Short.exp_ms() {
            targets.extend([exp - 1, exp]);
        }
    }
    targets.retain(|&t| t > now && t <= START + HORIZON_MS);
    targets.sort_unstable();
    targets.dedup();
    targets
}
