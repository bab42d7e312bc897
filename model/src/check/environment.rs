//! What the environment may do next: the app's calls, the server's answers to the
//! requests the machine was seen to send, and the clock. It reads the oracle's account of
//! the trace (which requests await an answer) and the machine's next timer, the one thing
//! a sans-IO machine tells its caller.

use super::domain::{Step, Tok, Who, HORIZON_MS, START};
use super::state::{CheckState, LifecycleModel};
use crate::machine::Machine;
use jwt_lifecycle_oracle::belief::Waiting;
use jwt_lifecycle_spec::alphabet::{CallKind, Reply, UnixMillis};

/// Most events a check tracks.
pub const MAX_EVENTS: u8 = 4;

impl<M: Machine> LifecycleModel<M> {
    /// The adversarial environment: anything the domains allow, within the budgets.
    pub(super) fn adversarial_actions(&self, state: &CheckState<M>, actions: &mut Vec<Step>) {
        if state.calls_left > 0 {
            self.app_calls(state, actions);
        }
        if state.events_tracked < self.bounds_events() {
            actions.push(Step::Track(state.events_tracked));
        }
        let held = || state.oracle.belief().requests.iter().any(|r| r.waiting == Waiting::NewToken);
        if state.answers_left > 0 && held() {
            actions.push(Step::Answer);
        }
        if state.replies_left > 0 {
            // A profile that reads a rejection in the body also gets a 2xx carrying one,
            // with the code of an expired token and of a refused one (RETRY-019).
            let coded: &[i64] = if self.profile().body_signals.is_empty() { &[] } else { &[22, 21] };
            let awaiting: Vec<u64> = state.oracle.belief().awaiting_response().collect();
            for request in awaiting {
                for reply in [Reply::OK, Reply::UNAUTHORIZED, Reply::FORBIDDEN, Reply::NetworkError] {
                    actions.push(Step::Respond { request, reply, auth_error: None });
                }
                for &code in coded {
                    actions.push(Step::Respond { request, reply: Reply::OK, auth_error: Some(code) });
                }
            }
        }
        if state.advances_left > 0 {
            for target in advance_targets(state, self.short_in_play(state)) {
                actions.push(Step::AdvanceTo(target - START));
            }
        }
    }

    /// Every app call of the profile, with the domains' arguments (CONF-009: only the
    /// calls it has, tokens only where the app pushes them, JWT off only where it can be).
    fn app_calls(&self, state: &CheckState<M>, actions: &mut Vec<Step>) {
        let p = self.profile();
        let has = |call: CallKind| p.calls.contains(&call);
        let push = p.token_supply.push;
        if !state.oracle.belief().running {
            actions.push(Step::Configure { jwt: true, debug: false, token: None });
            if push {
                actions.push(Step::Configure { jwt: true, debug: false, token: Some(Tok::Short) });
            }
            if p.jwt_optional {
                actions.push(Step::Configure { jwt: false, debug: false, token: None });
                if p.token_while_jwt_disabled.debug != p.token_while_jwt_disabled.release {
                    actions.push(Step::Configure { jwt: false, debug: true, token: None });
                }
            }
        }
        // Both customers, or with the customer symmetry those present and the next one.
        let customers = self.customers_offered(state);
        let mut identifiers = vec![None];
        if p.token_call_identifier {
            identifiers.extend(customers.iter().copied().map(Some));
        }
        if has(CallKind::SetToken) {
            for token in [Tok::Short, Tok::Expired, Tok::NoExp] {
                for identifier in &identifiers {
                    actions.push(Step::SetToken { token, identifier: *identifier });
                }
            }
        }
        if has(CallKind::RegisterHandler) {
            actions.push(Step::RegisterHandler { throws: false });
        }
        for who in customers {
            actions.push(Step::Identify { who, token: None });
            if push {
                actions.push(Step::Identify { who, token: Some(Tok::Short) });
            }
        }
        if has(CallKind::ProvideToken) {
            // LIFE-017, LIFE-018: the app answers any ask the SDK was seen to make.
            for ask in state.oracle.belief().asks.iter().map(|a| a.id) {
                for token in [Some(Tok::Short), Some(Tok::Expired), Some(Tok::NoExp), None] {
                    actions.push(Step::ProvideToken { ask, token });
                }
            }
        }
        let plain = [
            (CallKind::Anonymize, Step::Anonymize),
            (CallKind::StopIntegration, Step::StopIntegration),
            (CallKind::ClearLocalData, Step::ClearLocalData),
            (CallKind::Logout, Step::Logout),
            (CallKind::Flush, Step::Flush),
            (CallKind::NewSession, Step::NewSession),
            (CallKind::ClearToken, Step::ClearToken),
        ];
        actions.extend(plain.into_iter().filter(|(call, _)| has(*call)).map(|(_, step)| step));
        // LIFE-014: the app may restart at any point, within the calls' budget.
        actions.push(Step::Restart);
        if self.bounds().throwing_handler && has(CallKind::RegisterHandler) {
            // NOTIFY-007: the app's handler throws every time it is called.
            actions.push(Step::RegisterHandler { throws: true });
        }
    }

    /// The short-lived token is stored, or carried by a live request: its expiry is a
    /// boundary worth reaching.
    fn short_in_play(&self, state: &CheckState<M>) -> bool {
        let belief = state.oracle.belief();
        let is_short = |tok| self.tok_of(&belief.tokens.get(tok).raw) == Some(Tok::Short);
        belief.stored.is_some_and(|s| is_short(s.tok))
            || belief.requests.iter().any(|r| r.carried.is_some_and(is_short))
    }

    /// The cooperative environment: an app that answers every handler call with a fresh
    /// token and a server that accepts exactly the unexpired tokens.
    pub(super) fn cooperative_actions(&self, state: &CheckState<M>, actions: &mut Vec<Step>) {
        if state.events_tracked < self.bounds_events() {
            actions.push(Step::Track(state.events_tracked));
        }
        let p = self.profile();
        if p.calls.contains(&CallKind::Flush) {
            actions.push(Step::Flush);
        }
        let belief = state.oracle.belief();
        if belief.suspended {
            // Events a switch of customer left behind fail, and with the limit scaled
            // down two such failures suspend sync: the user comes back in a new session
            // (LIMIT-003), as a real app is eventually reopened.
            actions.push(Step::NewSession);
        }
        if state.calls_left > 0 && state.events_tracked == 0 && p.calls.contains(&CallKind::SetToken) {
            // The app may start with a poor token; once events flow it only ever sets
            // the fresh tokens it answers handler calls with.
            for token in [Tok::Short, Tok::Expired, Tok::NoExp] {
                actions.push(Step::SetToken { token, identifier: None });
            }
        }
        if state.calls_left > 0 && belief.customers.ids(belief.customer) != &Who::Bob.ids(self.profile()) {
            // The user switches: the previous customer's events can no longer get a
            // token (LIFE-009) and must not block bob's (RETRY-014). A pulling SDK asks
            // for bob's token, which the app answers at once.
            let token = p.token_supply.push.then_some(Tok::Fresh);
            actions.push(Step::Identify { who: Who::Bob, token });
        }
        // The server stops answering after a generous number of requests (far more than
        // the machine as specified needs), so that every path ends even for a machine
        // that resends without end: liveness is only judged on paths that end.
        let cap = 4 * u64::from(self.bounds_events()) + 4;
        for request in belief.requests.iter().filter(|r| r.waiting == Waiting::Response && r.id <= cap) {
            let valid = request.carried.is_some_and(|t| !belief.expired(t, state.now));
            let reply = if valid { Reply::OK } else { Reply::UNAUTHORIZED };
            actions.push(Step::Respond { request: request.id, reply, auth_error: None });
        }
        if let Some(due) = state.machine.next_timer().filter(|&d| d > state.now && d <= START + HORIZON_MS) {
            actions.push(Step::AdvanceTo(due - START));
        }
    }
}

/// The instants time may advance to: just before and at the next timer, and just before
/// and at the expiry of the short-lived token when it is in play.
fn advance_targets<M: Machine>(state: &CheckState<M>, short_in_play: bool) -> Vec<UnixMillis> {
    let mut targets = Vec::new();
    if let Some(due) = state.machine.next_timer() {
        targets.extend([due.saturating_sub(1), due]);
    }
    if short_in_play {
        if let Some(exp) = Tok::Short.exp_ms() {
            targets.extend([exp - 1, exp]);
        }
    }
    targets.retain(|&t| t > state.now && t <= START + HORIZON_MS);
    targets.sort_unstable();
    targets.dedup();
    targets
}
