//! The `stateright::Model`: one [`Sdk`] in an environment that calls it, answers its
//! requests and moves its clock.

use super::domain::{Step, Tok, Who, HORIZON_MS, START};
use super::observer::{advance_targets, Observer, MAX_EVENTS};
use super::properties;
use crate::mutation::Mutation;
use crate::sdk::Sdk;
use jwt_lifecycle_spec::alphabet::{Observation, Output, Reply, UnixMillis};
use jwt_lifecycle_spec::profile::Profile;
use serde::Serialize;
use stateright::{Model, Property};

/// Who the environment is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    /// Any app call from the domains, any answer (200 / 401 / 403 / network error), any
    /// timer boundary: the safety properties must hold whatever happens.
    Adversarial,
    /// An app that answers every handler call with a fresh valid token at once, may
    /// switch once to a second customer (identified with a fresh token), and a server
    /// that accepts exactly the unexpired tokens: the liveness properties say every event
    /// then gets through, except those a switch left behind, which are reported.
    Cooperative,
}

/// How far the environment may go; every path ends when the budgets are spent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Bounds {
    /// App calls other than `track`.
    pub calls: u8,
    /// Events tracked.
    pub events: u8,
    /// Server answers (adversarial environment).
    pub replies: u8,
    /// Clock advances.
    pub advances: u8,
    /// The consecutive-failure limit is checked at this value when the profile's is
    /// larger (the properties are parametric in the limit; a small one keeps the
    /// suspension reachable within the budgets).
    pub failure_limit: u32,
}

impl Bounds {
    /// The bounds `jwt-lifecycle check` uses.
    pub const CI: Bounds = Bounds { calls: 4, events: 3, replies: 3, advances: 2, failure_limit: 2 };
    /// Smaller bounds for `cargo test`.
    pub const TEST: Bounds = Bounds { calls: 3, events: 2, replies: 2, advances: 2, failure_limit: 2 };
}

/// One SDK and its environment.
#[derive(Clone, Debug)]
pub struct LifecycleModel {
    profile: Profile,
    mutation: Option<Mutation>,
    environment: Environment,
    bounds: Bounds,
    raws: [String; 4],
    max_retries: u32,
}

/// A state of the check: the machine, the clock, what is left of the budgets, and the
/// observer's account.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CheckState {
    /// The machine.
    pub sdk: Sdk,
    /// The virtual clock.
    pub now: UnixMillis,
    /// App calls left.
    pub calls_left: u8,
    /// Events tracked so far.
    pub events_tracked: u8,
    /// Server answers left.
    pub replies_left: u8,
    /// Clock advances left.
    pub advances_left: u8,
    /// What the environment saw.
    pub seen: Observer,
}

impl LifecycleModel {
    /// The model of `profile` (with its failure limit scaled to `bounds`), optionally
    /// with a deliberate bug.
    pub fn new(
        profile: &Profile,
        mutation: Option<Mutation>,
        environment: Environment,
        bounds: Bounds,
    ) -> Self {
        let mut profile = profile.clone();
        if let Some(limit) = profile.failure_limit.as_mut() {
            limit.consecutive_failures = limit.consecutive_failures.min(bounds.failure_limit);
        }
        let max_retries = [
            profile.on_unauthorized,
            profile.on_forbidden_without_token,
            profile.on_forbidden_with_valid_token,
        ]
        .iter()
        .map(|p| p.retry.max_retries().unwrap_or(0))
        .max()
        .unwrap_or(0);
        Self { profile, mutation, environment, bounds, raws: Tok::ALL.map(Tok::raw), max_retries }
    }

    /// The profile as checked.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The environment.
    pub fn environment(&self) -> Environment {
        self.environment
    }

    /// The deliberate bug, if any.
    pub fn mutation(&self) -> Option<Mutation> {
        self.mutation
    }

    /// The bounds.
    pub fn bounds(&self) -> Bounds {
        self.bounds
    }

    /// How many events the environment tracks on every complete path.
    pub fn bounds_events(&self) -> u8 {
        self.bounds.events.min(MAX_EVENTS as u8)
    }

    /// The most retries any failure policy of the profile allows.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// The token whose compact form is `raw`.
    pub fn tok_of(&self, raw: &str) -> Option<Tok> {
        Tok::ALL.into_iter().find(|t| self.raws[*t as usize] == raw)
    }

    fn fresh_sdk(&self) -> Sdk {
        match self.mutation {
            Some(m) => Sdk::with_mutation(self.profile.clone(), m),
            None => Sdk::new(self.profile.clone()),
        }
    }

    fn initial(&self) -> CheckState {
        let mut state = CheckState {
            sdk: self.fresh_sdk(),
            now: START,
            calls_left: self.bounds.calls,
            events_tracked: 0,
            replies_left: self.bounds.replies,
            advances_left: self.bounds.advances,
            seen: Observer::default(),
        };
        if self.environment == Environment::Cooperative {
            // A cooperative app configures with JWT and registers its handler first.
            for step in [Step::Configure { jwt: true, debug: false, token: None }, Step::RegisterHandler] {
                self.apply(&mut state, &step);
            }
            state.calls_left = 2;
        }
        state
    }

    /// Applies `step` to `state` (observer included) and returns what the SDK did.
    pub fn apply(&self, state: &mut CheckState, step: &Step) -> Vec<Observation> {
        let pre = state.sdk.clone();
        let then = state.now;
        let outputs = match step {
            Step::AdvanceTo(ms) => {
                let target = START + ms;
                let mut seen = Vec::new();
                while let Some(due) = state.sdk.next_timer().filter(|&d| d <= target) {
                    state.now = due.max(state.now);
                    let now = state.now;
                    seen.extend(
                        state.sdk.fire_timers(now).into_iter().map(|output| Observation { at: now, output }),
                    );
                }
                state.now = target;
                seen
            }
            _ => match step.input(&self.profile) {
                Some(input) => {
                    let now = state.now;
                    state
                        .sdk
                        .handle(now, &input)
                        .into_iter()
                        .map(|output| Observation { at: now, output })
                        .collect()
                }
                None => Vec::new(),
            },
        };
        let post = state.sdk.clone();
        state.seen.observe(self, step, &pre, &post, then, state.now, &outputs);
        outputs
    }

    /// Applies `step` and, in the cooperative environment, the app's answer to any
    /// handler call it caused; returns every output, in order.
    pub fn step(&self, state: &mut CheckState, step: &Step) -> Vec<Observation> {
        match *step {
            Step::Track(_) => state.events_tracked += 1,
            Step::Respond { .. } => state.replies_left = state.replies_left.saturating_sub(1),
            Step::AdvanceTo(_) => state.advances_left = state.advances_left.saturating_sub(1),
            Step::Flush | Step::NewSession if self.environment == Environment::Cooperative => {}
            _ => state.calls_left = state.calls_left.saturating_sub(1),
        }
        let mut outputs = self.apply(state, step);
        let told = outputs.iter().any(|o| matches!(o.output, Output::HandlerCalled { .. }));
        if told && self.environment == Environment::Cooperative {
            let last = state.seen.last;
            outputs.extend(self.apply(state, &Step::SetToken { token: Tok::Fresh, identifier: None }));
            state.seen.last |= last;
        }
        outputs
    }

    fn short_in_play(state: &CheckState) -> bool {
        let raw = Tok::Short.raw();
        state.sdk.stored_token().is_some_and(|t| t.token.raw == raw)
            || state.sdk.in_flight().is_some_and(|f| f.carried.as_ref().is_some_and(|t| t.raw == raw))
    }

    fn adversarial_actions(&self, state: &CheckState, actions: &mut Vec<Step>) {
        let p = &self.profile;
        if state.calls_left > 0 {
            if !state.sdk.is_running() {
                actions.push(Step::Configure { jwt: true, debug: false, token: None });
                actions.push(Step::Configure { jwt: true, debug: false, token: Some(Tok::Short) });
                actions.push(Step::Configure { jwt: false, debug: false, token: None });
                if p.token_while_jwt_disabled.debug != p.token_while_jwt_disabled.release {
                    actions.push(Step::Configure { jwt: false, debug: true, token: None });
                }
            }
            let identifiers: &[Option<Who>] =
                if p.identifier_key.is_some() { &[None, Some(Who::Alice)] } else { &[None] };
            for token in [Tok::Short, Tok::Expired, Tok::NoExp] {
                for identifier in identifiers {
                    actions.push(Step::SetToken { token, identifier: *identifier });
                }
            }
            actions.push(Step::RegisterHandler);
            for who in [Who::Alice, Who::Bob] {
                actions.push(Step::Identify { who, token: None });
                actions.push(Step::Identify { who, token: Some(Tok::Short) });
            }
            actions.extend([
                Step::Anonymize,
                Step::StopIntegration,
                Step::ClearLocalData,
                Step::Logout,
                Step::Flush,
                Step::NewSession,
            ]);
        }
        if usize::from(state.events_tracked) < usize::from(self.bounds.events).min(MAX_EVENTS) {
            actions.push(Step::Track(state.events_tracked));
        }
        if state.replies_left > 0 {
            if let Some(flight) = state.sdk.in_flight().filter(|f| f.awaits_response()) {
                for reply in [Reply::OK, Reply::UNAUTHORIZED, Reply::FORBIDDEN, Reply::NetworkError] {
                    actions.push(Step::Respond { request: flight.request, reply });
                }
            }
        }
        if state.advances_left > 0 {
            for target in advance_targets(&state.sdk, state.now, Self::short_in_play(state)) {
                actions.push(Step::AdvanceTo(target - START));
            }
        }
    }

    fn cooperative_actions(&self, state: &CheckState, actions: &mut Vec<Step>) {
        if usize::from(state.events_tracked) < usize::from(self.bounds.events).min(MAX_EVENTS) {
            actions.push(Step::Track(state.events_tracked));
        }
        actions.push(Step::Flush);
        if state.sdk.failures().suspended {
            // Events a switch of customer left behind fail, and with the limit scaled
            // down two such failures suspend sync: the user comes back in a new session
            // (LIMIT-003), as a real app is eventually reopened.
            actions.push(Step::NewSession);
        }
        if state.calls_left > 0 && state.events_tracked == 0 {
            // The app may start with a poor token; once events flow it only ever sets
            // the fresh tokens it answers handler calls with.
            for token in [Tok::Short, Tok::Expired, Tok::NoExp] {
                actions.push(Step::SetToken { token, identifier: None });
            }
        }
        if state.calls_left > 0 && state.sdk.customer() != &Who::Bob.ids(&self.profile) {
            // The user switches: the previous customer's events can no longer get a
            // token (LIFE-009) and must not block bob's (RETRY-014).
            actions.push(Step::Identify { who: Who::Bob, token: Some(Tok::Fresh) });
        }
        // The server stops answering after a generous number of requests (far more than
        // the machine as specified needs), so that every path ends even for a machine
        // that resends without end: liveness is only judged on paths that end.
        let cap = 4 * u64::from(self.bounds_events()) + 4;
        if let Some(flight) = state.sdk.in_flight().filter(|f| f.awaits_response() && f.request <= cap) {
            // The server accepts exactly the unexpired tokens.
            let valid = flight.carried.as_ref().is_some_and(|t| !t.is_expired(state.now));
            let reply = if valid { Reply::OK } else { Reply::UNAUTHORIZED };
            actions.push(Step::Respond { request: flight.request, reply });
        }
        if let Some(due) = state.sdk.next_timer().filter(|&d| d > state.now && d <= START + HORIZON_MS) {
            actions.push(Step::AdvanceTo(due - START));
        }
    }
}

impl Model for LifecycleModel {
    type State = CheckState;
    type Action = Step;

    fn init_states(&self) -> Vec<CheckState> {
        vec![self.initial()]
    }

    fn actions(&self, state: &CheckState, actions: &mut Vec<Step>) {
        match self.environment {
            Environment::Adversarial => self.adversarial_actions(state, actions),
            Environment::Cooperative => self.cooperative_actions(state, actions),
        }
    }

    fn next_state(&self, last: &CheckState, action: Step) -> Option<CheckState> {
        let mut next = last.clone();
        self.step(&mut next, &action);
        // A step that changes nothing but the budgets is no step: it would only
        // multiply states (and, in the cooperative environment, keep paths from ending).
        let unchanged = next.sdk == last.sdk && next.now == last.now && next.seen == last.seen;
        (!unchanged).then_some(next)
    }

    fn format_action(&self, action: &Step) -> String {
        action.to_string()
    }

    fn properties(&self) -> Vec<Property<Self>> {
        properties::for_model(self)
    }
}
