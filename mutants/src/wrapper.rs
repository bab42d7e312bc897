//! [`Mutant`]: the machine of any mutant. It holds the unchanged reference [`Sdk`]
//! (following the perturbed profile of a profile mutant) and, for a wrapper mutant,
//! transforms what goes into it or comes out of it, through the machine's public API only.

use crate::added::{AddedRequests, Answered};
use crate::catalogue::Mutation;
use crate::perturb;
use jwt_lifecycle_model::sdk::request::{InFlight, Waiting};
use jwt_lifecycle_model::{Machine, Sdk};
use jwt_lifecycle_spec::alphabet::{
    AppCall, AppErrorKind, CustomerIds, FailureCause, Input, Output, Reason, Reply, RequestId, RequestKind,
    UnixMillis,
};
use jwt_lifecycle_spec::profile::Profile;

/// One mutant SDK instance: the reference machine with one deliberate bug around it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Mutant {
    bug: Mutation,
    inner: Sdk,
    memory: Memory,
    /// [`Mutation::UntokenedCustomerUpdate`]: the ids of the requests it adds. Request ids
    /// count on across a restart, so this outlives [`Memory`].
    added: AddedRequests,
}

/// What a wrapper remembers between steps. Each field is used by one mutant only and stays
/// at its default for the others, so that it adds no states to their model check.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
struct Memory {
    /// [`Mutation::RetryWithStaleToken`]: the token the first attempt of the request in
    /// flight carried (`Some(None)`: it carried none).
    first_carried: Option<Option<String>>,
    /// [`Mutation::StaleRefreshTimer`]: the refresh timer of a token no longer stored,
    /// and the customer that token was bound to.
    stale_refresh: Option<(UnixMillis, CustomerIds)>,
    /// [`Mutation::KeepRunningAfterStop`]: `jwt_enabled` and `debug` of the last configure.
    configured: Option<(bool, bool)>,
    /// [`Mutation::StoreTokenWhileJwtDisabled`]: the last token the app passed.
    last_token: Option<String>,
    /// [`Mutation::StopAfterThrowingHandler`]: the registered handler throws.
    handler_throws: bool,
    /// [`Mutation::StopAfterThrowingHandler`]: a throwing handler has been called.
    threw: bool,
    /// [`Mutation::CountNetworkErrors`], [`Mutation::CountServerErrors`]: the failures
    /// of this session the machine does not count, but the mutant does.
    extra_failures: u32,
    /// [`Mutation::CountNetworkErrors`], [`Mutation::CountServerErrors`]: sync is
    /// suspended by the extra count, until the next session.
    extra_suspended: bool,
}

impl Mutant {
    /// A fresh, unconfigured mutant SDK of `bug` for `profile` (the true profile: a profile
    /// mutant perturbs it itself).
    pub fn new(bug: Mutation, profile: &Profile) -> Self {
        Self {
            bug,
            inner: Sdk::new(perturb::perturbed(bug, profile)),
            memory: Memory::default(),
            added: AddedRequests::default(),
        }
    }

    /// The deliberate bug.
    pub fn bug(&self) -> Mutation {
        self.bug
    }

    /// The reference machine inside.
    pub fn inner(&self) -> &Sdk {
        &self.inner
    }

    /// Applies `input`, transformed as the bug says; returns the outputs, transformed.
    fn transformed(&mut self, now: UnixMillis, input: &Input) -> Vec<Output> {
        use Mutation::*;
        if matches!(input, Input::Restart {}) {
            // The old process and everything a wrapper kept in it are gone.
            self.memory = Memory::default();
        }
        match self.bug {
            DropEventsOnNetworkError => {
                let fed = swap_reply(input, |r| !r.is_success() && !is_auth_failure(r), Reply::OK);
                self.inner.handle(now, &fed)
            }
            ResendDelivered => {
                let fed = swap_reply(input, Reply::is_success, Reply::NetworkError);
                self.inner.handle(now, &fed)
            }
            ResendWithoutNewToken => self.resend_held_on_flush(now, input),
            UntokenedCustomerUpdate => self.answer_shifted_back(now, input),
            IgnoreProvidedToken
                if matches!(input, Input::App(AppCall::ProvideToken { token: Some(_), .. })) =>
            {
                Vec::new()
            }
            IgnoreFailedAsk if matches!(input, Input::App(AppCall::ProvideToken { token: None, .. })) => {
                Vec::new()
            }
            NotifyWithoutHandler => self.register_handler_at_configure(now, input),
            KeepRunningAfterStop => self.configure_again_after_stop(now, input),
            StaleRefreshTimer => self.leave_refresh_timer_behind(now, input, |_| true),
            RefreshSurvivesStop => self.leave_refresh_timer_behind(now, input, |call| {
                matches!(call, AppCall::StopIntegration {} | AppCall::ClearLocalData {})
            }),
            RefreshSurvivesIdentify => {
                self.leave_refresh_timer_behind(now, input, |call| matches!(call, AppCall::Identify { .. }))
            }
            NoLiftAtNewSession => self.keep_suspended_at_new_session(now, input),
            CountNetworkErrors => self.count_as_failure(now, input, |r| r == Reply::NetworkError),
            CountServerErrors => self.count_as_failure(now, input, |r| {
                !r.is_success() && !is_auth_failure(r) && r != Reply::NetworkError
            }),
            RepeatExpiredSoon => self.expired_soon_before_every_first_attempt(now, input),
            InvalidForExpired => self.invalid_for_expired(now, input),
            InsufficientOnForbidden => self.insufficient_on_forbidden(now, input),
            HoldAcrossCustomers => {
                let held =
                    if self.inner.is_held() { self.inner.in_flight().map(|f| f.request) } else { None };
                self.hide_failures_at_app_calls(now, input, |request| Some(request) == held)
            }
            KeepRefetchAcrossCustomers => self.hide_failures_at_app_calls(now, input, |_| true),
            UnpromptedHandlerCall => self.invalid_after_success(now, input),
            StoreTokenWhileJwtDisabled => {
                self.remember_token_passed(input);
                self.inner.handle(now, input)
            }
            StopAfterThrowingHandler => {
                let running = self.inner.is_running();
                let out = self.inner.handle(now, input);
                if let (Input::App(AppCall::RegisterHandler { throws }), true) = (input, running) {
                    self.memory.handler_throws = *throws;
                }
                out
            }
            _ => self.inner.handle(now, input),
        }
    }

    /// [`Mutation::ResendWithoutNewToken`]: a flush while a request is held feeds the
    /// machine the stored token again, which releases the request.
    fn resend_held_on_flush(&mut self, now: UnixMillis, input: &Input) -> Vec<Output> {
        let held = self.inner.in_flight().is_some_and(|f| f.waiting == Waiting::NewToken);
        let mut out = Vec::new();
        if matches!(input, Input::App(AppCall::Flush {})) && held && !self.inner.failures().suspended {
            if let Some(raw) = self.inner.stored_token().map(|t| t.token.raw.clone()) {
                let again = Input::App(AppCall::SetToken { token: Some(raw), identifier: None });
                out = self.inner.handle(now, &again);
            }
        }
        out.extend(self.inner.handle(now, input));
        out
    }

    /// [`Mutation::UntokenedCustomerUpdate`]: an answer reaches the machine under the
    /// machine's own id; an answer to an added request reaches nothing.
    fn answer_shifted_back(&mut self, now: UnixMillis, input: &Input) -> Vec<Output> {
        let Input::Respond { request, reply, body } = input else { return self.inner.handle(now, input) };
        match self.added.answered(*request) {
            Answered::Machine(id) => {
                self.inner.handle(now, &Input::Respond { request: id, reply: *reply, body: body.clone() })
            }
            Answered::Nothing => Vec::new(),
        }
    }

    /// [`Mutation::UntokenedCustomerUpdate`]: after an `identify` while running, a
    /// customer update for the identified customer, carrying no token.
    fn add_customer_update(&mut self, input: &Input, out: &mut Vec<Output>) {
        if self.bug != Mutation::UntokenedCustomerUpdate
            || !matches!(input, Input::App(AppCall::Identify { .. }))
            || !self.inner.is_running()
        {
            return;
        }
        out.push(Output::RequestSent {
            request: self.added.add(),
            kind: RequestKind::CustomerUpdate,
            customer_ids: self.inner.customer().clone(),
            events: Vec::new(),
            authorization: None,
            attempt: 1,
        });
    }

    /// [`Mutation::NotifyWithoutHandler`]: the machine always has a handler once configured.
    fn register_handler_at_configure(&mut self, now: UnixMillis, input: &Input) -> Vec<Output> {
        let mut out = self.inner.handle(now, input);
        if matches!(input, Input::App(AppCall::Configure { .. })) {
            out.extend(self.inner.handle(now, &Input::App(AppCall::RegisterHandler { throws: false })));
        }
        out
    }

    /// [`Mutation::KeepRunningAfterStop`]: `stop_integration` is followed by the last
    /// configure again.
    fn configure_again_after_stop(&mut self, now: UnixMillis, input: &Input) -> Vec<Output> {
        if let Input::App(AppCall::Configure { jwt_enabled, debug, .. }) = input {
            self.memory.configured = Some((*jwt_enabled, *debug));
        }
        let running = self.inner.is_running();
        let mut out = self.inner.handle(now, input);
        let stopped = running && matches!(input, Input::App(AppCall::StopIntegration {}));
        if let (true, Some((jwt_enabled, debug))) = (stopped, self.memory.configured) {
            let again = Input::App(AppCall::Configure { jwt_enabled, debug, token: None });
            out.extend(self.inner.handle(now, &again));
        }
        out
    }

    /// [`Mutation::NoLiftAtNewSession`]: a `new_session` while suspended never reaches
    /// the machine, which stays suspended.
    fn keep_suspended_at_new_session(&mut self, now: UnixMillis, input: &Input) -> Vec<Output> {
        if matches!(input, Input::App(AppCall::NewSession {})) && self.inner.failures().suspended {
            return Vec::new();
        }
        self.inner.handle(now, input)
    }

    /// [`Mutation::CountNetworkErrors`], [`Mutation::CountServerErrors`]: replies that
    /// `counted` picks count toward the failure limit. The machine cannot be told to
    /// count them, so the wrapper keeps the extra count and, once the machine's count
    /// and its own reach the limit, suspends sync itself: flushes do nothing until the
    /// next session.
    fn count_as_failure(
        &mut self,
        now: UnixMillis,
        input: &Input,
        counted: impl Fn(Reply) -> bool,
    ) -> Vec<Output> {
        let Some(limit) = self.inner.profile().failure_limit else { return self.inner.handle(now, input) };
        match input {
            Input::App(AppCall::Configure { .. } | AppCall::NewSession {}) => {
                self.memory.extra_failures = 0;
                self.memory.extra_suspended = false;
            }
            Input::App(AppCall::Flush {}) if self.memory.extra_suspended => return Vec::new(),
            // Only the answer to the request in flight: a late answer to a deleted one is
            // ignored by the machine and would not be counted by an SDK either.
            Input::Respond { request, reply, .. }
                if self.inner.in_flight().is_some_and(|f| f.request == *request) =>
            {
                if counted(*reply) {
                    self.memory.extra_failures = self.memory.extra_failures.saturating_add(1);
                } else if reply.is_success() && limit.reset_on_success {
                    self.memory.extra_failures = 0;
                }
            }
            _ => {}
        }
        let out = self.inner.handle(now, input);
        let total = self.inner.failures().consecutive.saturating_add(self.memory.extra_failures);
        if limit.suspended_until_next_session && total >= limit.consecutive_failures {
            self.memory.extra_suspended = true;
        }
        out
    }

    /// [`Mutation::StaleRefreshTimer`] (every call), [`Mutation::RefreshSurvivesStop`]
    /// and [`Mutation::RefreshSurvivesIdentify`] (the calls `leaves` picks): when a
    /// token whose refresh is pending is replaced or cleared, its refresh stays due.
    fn leave_refresh_timer_behind(
        &mut self,
        now: UnixMillis,
        input: &Input,
        leaves: impl Fn(&AppCall) -> bool,
    ) -> Vec<Output> {
        let pending = self
            .inner
            .stored_token()
            .and_then(|t| t.refresh_due.map(|due| (due, t.customer.clone(), t.token.raw.clone())));
        let out = self.inner.handle(now, input);
        let Some((due, customer, raw)) = pending else { return out };
        let Input::App(call) = input else { return out };
        if !leaves(call) {
            return out;
        }
        let stored_again = provides_token(input) && self.inner.jwt_enabled();
        let gone = self.inner.stored_token().is_none_or(|t| t.token.raw != raw || t.customer != customer);
        if stored_again || gone {
            self.memory.stale_refresh = Some((due, customer));
        }
        out
    }

    /// [`Mutation::RepeatExpiredSoon`]: every first attempt carrying a token inside its
    /// refresh window is preceded by `expired_soon`, whether told before or not.
    fn expired_soon_before_every_first_attempt(&mut self, now: UnixMillis, input: &Input) -> Vec<Output> {
        let out = self.inner.handle(now, input);
        // The logout sync has no pre-flight check (PRE-004, QUEUE-002).
        if matches!(input, Input::App(AppCall::Logout {})) || !self.inner.has_handler() {
            return out;
        }
        let profile = self.inner.profile();
        let (Some(refresh), true) = (profile.refresh, profile.preflight.notify_expiring_soon) else {
            return out;
        };
        let Some(token) =
            self.inner.stored_token().filter(|t| t.token.is_expiring_soon(now, refresh.lead_ms))
        else {
            return out;
        };
        let notice = Output::HandlerCalled {
            reason: Reason::ExpiredSoon,
            customer_ids: token.customer.clone(),
            code: profile.code_for(Reason::ExpiredSoon),
        };
        let mut told = Vec::with_capacity(out.len() + 1);
        for output in out {
            let first_attempt = matches!(&output, Output::RequestSent { attempt: 1, authorization: Some(raw), .. }
                if *raw == token.token.raw);
            let just_told =
                matches!(told.last(), Some(Output::HandlerCalled { reason: Reason::ExpiredSoon, .. }));
            if first_attempt && !just_told {
                told.push(notice.clone());
            }
            told.push(output);
        }
        told
    }

    /// [`Mutation::InvalidForExpired`]: a rejection of an expired token is told `invalid`.
    fn invalid_for_expired(&mut self, now: UnixMillis, input: &Input) -> Vec<Output> {
        let mut out = self.inner.handle(now, input);
        if !matches!(input, Input::Respond { .. }) {
            return out;
        }
        let profile = self.inner.profile();
        let (expired, invalid) = (profile.code_for(Reason::Expired), profile.code_for(Reason::Invalid));
        for output in &mut out {
            match output {
                Output::HandlerCalled { reason: reason @ Reason::Expired, code, .. } => {
                    *reason = Reason::Invalid;
                    *code = invalid;
                }
                Output::AppError { error: AppErrorKind::TokenRejected, code } if *code == expired => {
                    *code = invalid
                }
                _ => {}
            }
        }
        out
    }

    /// [`Mutation::InsufficientOnForbidden`]: a 403 to a request whose token was valid is
    /// told `insufficient`: the handler call it has is rewritten, or one is added before
    /// the quiet failure.
    fn insufficient_on_forbidden(&mut self, now: UnixMillis, input: &Input) -> Vec<Output> {
        let flight = self.answered(input);
        let mut out = self.inner.handle(now, input);
        let forbidden = matches!(input, Input::Respond { reply: Reply::Status(403), .. });
        let Some(flight) =
            flight.filter(|f| forbidden && f.carried.as_ref().is_some_and(|t| !t.is_expired(now)))
        else {
            return out;
        };
        if !self.inner.has_handler() || !self.inner.jwt_enabled() {
            return out;
        }
        let code = self.inner.profile().code_for(Reason::Insufficient);
        match out.iter_mut().find(|o| matches!(o, Output::HandlerCalled { .. })) {
            Some(Output::HandlerCalled { reason, code: told, .. }) => {
                *reason = Reason::Insufficient;
                *told = code;
            }
            _ => {
                let at = out.iter().position(|o| matches!(o, Output::RequestFailed { .. })).unwrap_or(0);
                let notice = Output::HandlerCalled {
                    reason: Reason::Insufficient,
                    customer_ids: flight.customer,
                    code,
                };
                out.insert(at, notice);
            }
        }
        out
    }

    /// [`Mutation::HoldAcrossCustomers`] (the request held when the call came) and
    /// [`Mutation::KeepRefetchAcrossCustomers`] (any request): an authentication failure
    /// that an app call causes, because the customer changed under the request (RETRY-014,
    /// RETRY-018), is never reported for the requests `hidden` picks.
    fn hide_failures_at_app_calls(
        &mut self,
        now: UnixMillis,
        input: &Input,
        hidden: impl Fn(RequestId) -> bool,
    ) -> Vec<Output> {
        let mut out = self.inner.handle(now, input);
        if matches!(input, Input::App(_)) {
            out.retain(|o| {
                !matches!(o, Output::RequestFailed { request, cause: FailureCause::Authentication, .. }
                    if hidden(*request))
            });
        }
        out
    }

    /// [`Mutation::UnpromptedHandlerCall`]: every delivered request is followed by a
    /// handler call `invalid`.
    fn invalid_after_success(&mut self, now: UnixMillis, input: &Input) -> Vec<Output> {
        let flight = self.answered(input);
        let mut out = self.inner.handle(now, input);
        let success = matches!(input, Input::Respond { reply, .. } if reply.is_success());
        if let (Some(flight), true) = (flight, success) {
            if self.inner.has_handler() && self.inner.jwt_enabled() {
                out.push(Output::HandlerCalled {
                    reason: Reason::Invalid,
                    customer_ids: flight.customer,
                    code: self.inner.profile().code_for(Reason::Invalid),
                });
            }
        }
        out
    }

    /// [`Mutation::StoreTokenWhileJwtDisabled`]: the last token passed, whatever JWT says.
    fn remember_token_passed(&mut self, input: &Input) {
        match input {
            Input::App(
                AppCall::Configure { token: Some(raw), .. }
                | AppCall::SetToken { token: Some(raw), .. }
                | AppCall::Identify { token: Some(raw), .. },
            ) => self.memory.last_token = Some(raw.clone()),
            Input::App(AppCall::SetToken { token: None, .. }) => self.memory.last_token = None,
            _ => {}
        }
    }

    /// The request in flight that `input` answers, as it was before the answer.
    fn answered(&self, input: &Input) -> Option<InFlight> {
        let Input::Respond { request, .. } = input else { return None };
        self.inner.in_flight().filter(|f| f.awaits_response_to(*request)).cloned()
    }

    /// Rewrites each output as the bug says; drops those it hides.
    fn rewritten(&mut self, outputs: Vec<Output>) -> Vec<Output> {
        let mut kept = Vec::with_capacity(outputs.len());
        for mut output in outputs {
            if self.rewrite(&mut output) {
                kept.push(output);
            }
        }
        kept
    }

    /// Rewrites one output; false when the bug hides it.
    fn rewrite(&mut self, output: &mut Output) -> bool {
        use Mutation::*;
        match (self.bug, output) {
            (LeakTokenAcrossIdentify, Output::RequestSent { authorization: carried @ None, .. })
                if self.inner.jwt_enabled() =>
            {
                *carried = self.inner.stored_token().map(|t| t.token.raw.clone());
            }
            (StoreTokenWhileJwtDisabled, Output::RequestSent { authorization: carried @ None, .. })
                if !self.inner.jwt_enabled() =>
            {
                carried.clone_from(&self.memory.last_token);
            }
            (RetryWithStaleToken, Output::RequestSent { attempt, authorization, .. }) => {
                match &self.memory.first_carried {
                    Some(first) if *attempt > 1 => authorization.clone_from(first),
                    _ => self.memory.first_carried = Some(authorization.clone()),
                }
            }
            (MixCustomersInBatch, Output::RequestSent { customer_ids, .. }) => {
                customer_ids.clone_from(self.inner.customer());
            }
            (StopAfterThrowingHandler, Output::HandlerCalled { .. }) => {
                self.memory.threw |= self.memory.handler_throws;
            }
            (StopAfterThrowingHandler, Output::RequestSent { .. }) => return !self.memory.threw,
            (UntokenedCustomerUpdate, output) => self.added.show(output),
            _ => {}
        }
        true
    }

    /// [`Mutation::NeverRefresh`]: the refresh timer fires, and its notification is lost.
    fn silenced_timer_output(&self, output: &Output) -> bool {
        self.bug == Mutation::NeverRefresh
            && matches!(output, Output::HandlerCalled { reason: Reason::ExpiredSoon, .. })
    }

    fn stale_refresh_due(&self) -> Option<UnixMillis> {
        self.memory.stale_refresh.as_ref().map(|(due, _)| *due)
    }

    /// [`Mutation::StaleRefreshTimer`]: the left-behind refresh fires.
    fn fire_stale_refresh(&mut self) -> Vec<Output> {
        let Some((_, customer_ids)) = self.memory.stale_refresh.take() else { return Vec::new() };
        if !self.inner.has_handler() {
            return Vec::new();
        }
        let code = self.inner.profile().code_for(Reason::ExpiredSoon);
        vec![Output::HandlerCalled { reason: Reason::ExpiredSoon, customer_ids, code }]
    }
}

impl Machine for Mutant {
    fn handle(&mut self, now: UnixMillis, input: &Input) -> Vec<Output> {
        let out = self.transformed(now, input);
        let mut out = self.rewritten(out);
        self.add_customer_update(input, &mut out);
        out
    }

    fn next_timer(&self) -> Option<UnixMillis> {
        [self.inner.next_timer(), self.stale_refresh_due()].into_iter().flatten().min()
    }

    /// The machine's timers and a wrapper's own, each at its instant; at one instant the
    /// wrapper's fires first.
    fn fire_timers(&mut self, now: UnixMillis) -> Vec<Output> {
        let mut out = Vec::new();
        loop {
            let inner = self.inner.next_timer().filter(|&due| due <= now);
            let own = self.stale_refresh_due().filter(|&due| due <= now);
            match (inner, own) {
                (_, Some(own)) if inner.is_none_or(|inner| own <= inner) => {
                    out.extend(self.fire_stale_refresh())
                }
                (Some(inner), _) => {
                    let fired = self.inner.fire_timers(inner);
                    out.extend(fired.into_iter().filter(|o| !self.silenced_timer_output(o)));
                }
                _ => break,
            }
        }
        self.rewritten(out)
    }
}

/// 401 and 403: the statuses a profile's failure policies handle.
fn is_auth_failure(reply: Reply) -> bool {
    matches!(reply, Reply::Status(401 | 403))
}

/// `input` with the reply of a `respond` replaced by `to` where `which` holds.
fn swap_reply(input: &Input, which: impl Fn(Reply) -> bool, to: Reply) -> Input {
    match input {
        Input::Respond { request, reply, body } if which(*reply) => {
            Input::Respond { request: *request, reply: to, body: body.clone() }
        }
        _ => input.clone(),
    }
}

/// True when `input` is an app call that passes a token.
fn provides_token(input: &Input) -> bool {
    matches!(
        input,
        Input::App(
            AppCall::Configure { token: Some(_), .. }
                | AppCall::SetToken { token: Some(_), .. }
                | AppCall::Identify { token: Some(_), .. }
        )
    )
}
