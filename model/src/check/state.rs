//! The check's model and states: one machine, its clock, the environment's budgets, and
//! the oracle that judges what the machine is seen to do.

use super::domain::{Step, Tok, Who, START};
use crate::driver::advance_clock;
use crate::machine::Machine;
use crate::sdk::Sdk;
use jwt_lifecycle_oracle::{Act, Oracle, Violation};
use jwt_lifecycle_spec::alphabet::{CallKind, CustomerIds, Observation, Output, UnixMillis};
use jwt_lifecycle_spec::profile::Profile;
use serde::Serialize;

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
    /// The adversarial app may also register a handler that throws (NOTIFY-007), at the
    /// cost of one call. Off in [`Bounds::CI`] and [`Bounds::TEST`], whose handlers
    /// return.
    pub throwing_handler: bool,
    /// The app names its second customer only once the first is present (see
    /// [`reduction`](super::reduction)): the same verdicts over fewer states. Off, both
    /// customers are offered everywhere.
    pub customer_symmetry: bool,
    /// Times the adversarial app may answer a request held for a new token with a fresh
    /// token without spending a call: each held request costs a call otherwise, so a
    /// failure limit of 10 would need more than 10 calls.
    pub answers: u8,
    /// After every step the oracle forgets what the trace said of tokens that neither its
    /// account nor the machine holds, and numbers the rest in a fixed order (see
    /// [`reduction`](super::reduction)): the same verdicts over fewer states.
    pub forget_tokens: bool,
    /// In the adversarial environment, the oracle forgets the events that are done
    /// (delivered or removed) and that the machine does not hold, remembering only where
    /// they ended (see
    /// [`reduction`](super::reduction)): the same verdicts over fewer states.
    pub forget_events: bool,
    /// After every step the oracle moves the instants no rule compares exactly (when the
    /// token was stored, when the handler came) to the representative of their region
    /// (see [`reduction`](super::reduction)): the same verdicts over fewer states.
    pub time_regions: bool,
}

impl Bounds {
    /// The bounds `jwt-lifecycle check` uses.
    pub const CI: Bounds = Bounds {
        calls: 4,
        events: 3,
        replies: 3,
        advances: 2,
        failure_limit: 2,
        throwing_handler: false,
        customer_symmetry: true,
        answers: 0,
        forget_tokens: true,
        forget_events: true,
        time_regions: true,
    };
    /// Smaller bounds for `cargo test`.
    pub const TEST: Bounds = Bounds {
        calls: 3,
        events: 2,
        replies: 2,
        advances: 2,
        failure_limit: 2,
        throwing_handler: false,
        customer_symmetry: true,
        answers: 0,
        forget_tokens: true,
        forget_events: true,
        time_regions: true,
    };

    /// The full bounds (`jwt-lifecycle check --full`): the profiles' own failure limit
    /// (10), reached and ended (eleven replies, ten answers to held requests, a call left
    /// for the new session), with four events. A profile whose failures wait out a
    /// backoff is checked at the limit its two clock advances reach (3, see
    /// [`reachable_limit`]). Three calls, not six: at these replies a
    /// fourth call multiplies the space about fourteen times even with every reduction of
    /// [`reduction`](super::reduction) (2.1 M unique states on MoEngage), far beyond a
    /// minute on two cores (see `docs/performance.md`).
    pub const FULL: Bounds = Bounds {
        calls: 3,
        events: 4,
        replies: 11,
        advances: 2,
        failure_limit: 10,
        throwing_handler: false,
        customer_symmetry: true,
        answers: 10,
        forget_tokens: true,
        forget_events: true,
        time_regions: true,
    };

    /// The same budgets without the reductions that can be switched off: what the
    /// reduced check is compared with.
    pub const fn unreduced(self) -> Bounds {
        Bounds {
            customer_symmetry: false,
            forget_tokens: false,
            forget_events: false,
            time_regions: false,
            ..self
        }
    }

    /// The same budgets, with a handler that throws in the app's repertoire.
    pub const fn with_throwing_handler(self) -> Bounds {
        Bounds { throwing_handler: true, ..self }
    }
}

/// What one step did, and what the oracle found wrong with it.
#[derive(Clone, Debug, Default)]
pub struct Judged {
    /// The machine's observations, in order.
    pub outputs: Vec<Observation>,
    /// The requirements the step broke.
    pub violations: Vec<Violation>,
}

/// One machine and its environment.
#[derive(Clone, Debug)]
pub struct LifecycleModel<M: Machine = Sdk> {
    profile: Profile,
    initial: M,
    environment: Environment,
    bounds: Bounds,
    raws: [String; 4],
    ids: [CustomerIds; 2],
}

/// A state of the check: the machine, the clock, what is left of the budgets, and the
/// oracle's account of what the machine was seen to do.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CheckState<M: Machine = Sdk> {
    /// The machine.
    pub machine: M,
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
    /// Answers to held requests left.
    pub answers_left: u8,
    /// The judge of the trace so far.
    pub oracle: Oracle,
}

impl Bounds {
    /// The budgets for `profile`: a profile whose SDK also sends on its own timer (an
    /// automatic flush, and the end of each backoff wait) gets one app call and one event
    /// fewer. Its timer adds a send to every path without spending a call, which at the
    /// seed profiles' bounds multiplies the explored space about twenty-five times (7.5 M
    /// unique states for braze-web instead of 0.3 M); the properties do not depend on the
    /// budgets' size, as they do not on the failure limit's.
    pub fn for_profile(self, profile: &Profile) -> Bounds {
        if profile.auto_flush.is_none() {
            return self;
        }
        Bounds {
            calls: self.calls.saturating_sub(1).max(2),
            events: self.events.saturating_sub(1).max(1),
            ..self
        }
    }
}

/// `profile` with its failure limit scaled down to `bounds`, and, where every failure
/// after the first waits out a backoff, to what `bounds.advances` can reach
/// ([`reachable_limit`]).
pub fn scaled(profile: &Profile, bounds: Bounds) -> Profile {
    let reachable = reachable_limit(profile, bounds);
    let mut profile = profile.clone();
    if let Some(limit) = profile.failure_limit.as_mut() {
        limit.consecutive_failures = limit.consecutive_failures.min(reachable);
    }
    profile
}

/// The largest failure limit the budgets of `bounds` can make the machine reach:
/// [`Bounds::failure_limit`], or, in a profile that backs off after a failure
/// (RETRY-016), one more than the clock advances. There the next try goes out only once
/// the wait is over, so each failure after the first costs an advance; a limit beyond
/// that would leave its suspension (LIMIT-006) unreachable, and the rules about it
/// unchecked.
pub fn reachable_limit(profile: &Profile, bounds: Bounds) -> u32 {
    if profile.backoff().is_some() {
        bounds.failure_limit.min(u32::from(bounds.advances) + 1)
    } else {
        bounds.failure_limit
    }
}

impl LifecycleModel<Sdk> {
    /// The reference machine of `profile` (its failure limit scaled to `bounds`).
    pub fn new(profile: &Profile, environment: Environment, bounds: Bounds) -> Self {
        let profile = scaled(profile, bounds);
        let initial = Sdk::new(profile.clone());
        LifecycleModel::with_machine(&profile, initial, environment, bounds)
    }
}

impl<M: Machine> LifecycleModel<M> {
    /// `initial` judged by `profile` (already scaled): the machine may be built from
    /// another profile, or wrap the reference, as a mutant does.
    pub fn with_machine(profile: &Profile, initial: M, environment: Environment, bounds: Bounds) -> Self {
        let bounds = bounds.for_profile(profile);
        Self {
            profile: profile.clone(),
            initial,
            environment,
            bounds,
            raws: Tok::ALL.map(Tok::raw),
            ids: [Who::Alice, Who::Bob].map(|who| who.ids(profile)),
        }
    }

    /// The ids of `who` in the profile's shape.
    pub fn ids_of(&self, who: Who) -> &CustomerIds {
        &self.ids[who as usize]
    }

    /// The profile the oracle judges by.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The environment.
    pub fn environment(&self) -> Environment {
        self.environment
    }

    /// The bounds.
    pub fn bounds(&self) -> Bounds {
        self.bounds
    }

    /// How many events the environment tracks on every complete path.
    pub fn bounds_events(&self) -> u8 {
        self.bounds.events.min(super::environment::MAX_EVENTS)
    }

    /// The token whose compact form is `raw`.
    pub fn tok_of(&self, raw: &str) -> Option<Tok> {
        Tok::ALL.into_iter().find(|t| self.raws[*t as usize] == raw)
    }

    pub(super) fn initial(&self) -> CheckState<M> {
        let mut state = CheckState {
            machine: self.initial.clone(),
            now: START,
            calls_left: self.bounds.calls,
            events_tracked: 0,
            replies_left: self.bounds.replies,
            advances_left: self.bounds.advances,
            answers_left: self.bounds.answers,
            oracle: Oracle::new(&self.profile, START),
        };
        if self.environment == Environment::Cooperative {
            // A cooperative app configures with JWT and registers its handler first; where
            // the SDK sends nothing for an anonymous customer, it signs its user in.
            let p = &self.profile;
            let mut steps = vec![Step::Configure { jwt: true, debug: false, token: None }];
            if p.calls.contains(&CallKind::RegisterHandler) {
                steps.push(Step::RegisterHandler { throws: false });
            }
            if !p.anonymous_events {
                steps.push(Step::Identify {
                    who: Who::Alice,
                    token: p.token_supply.push.then_some(Tok::Fresh),
                });
            }
            for step in steps {
                self.apply(&mut state, &step);
            }
            state.calls_left = 2;
        }
        self.forget(&mut state);
        state
    }

    /// Applies `step` to `state`, has the oracle judge it, and returns what the machine did
    /// and the violations the oracle found in it.
    pub fn apply(&self, state: &mut CheckState<M>, step: &Step) -> Judged {
        let then = state.now;
        let (act, outputs) = match step {
            Step::AdvanceTo(ms) => {
                let seen = advance_clock(&mut state.machine, &mut state.now, START + ms);
                (Act::Advance { from: then, to: state.now }, seen)
            }
            _ => match step.input(&self.profile) {
                Some(input) => {
                    let seen: Vec<Observation> = state
                        .machine
                        .handle(then, &input)
                        .into_iter()
                        .map(|output| Observation { at: then, output })
                        .collect();
                    (Act::Input { at: then, input }, seen)
                }
                None => return Judged::default(),
            },
        };
        let violations = state.oracle.step(0, &act, &outputs);
        Judged { outputs, violations }
    }

    /// Applies `step` and, in the cooperative environment, the app's answer to any
    /// handler call it caused; returns every output, in order.
    pub fn step(&self, state: &mut CheckState<M>, step: &Step) -> Judged {
        match *step {
            Step::Track(_) => state.events_tracked += 1,
            Step::Respond { .. } => state.replies_left = state.replies_left.saturating_sub(1),
            Step::AdvanceTo(_) => state.advances_left = state.advances_left.saturating_sub(1),
            Step::Answer => state.answers_left = state.answers_left.saturating_sub(1),
            Step::Flush | Step::NewSession if self.environment == Environment::Cooperative => {}
            _ => state.calls_left = state.calls_left.saturating_sub(1),
        }
        let mut judged = self.apply(state, step);
        if self.environment == Environment::Cooperative {
            // The app answers a handler call with a fresh token, and every ask with one.
            let told = judged.outputs.iter().any(|o| matches!(o.output, Output::HandlerCalled { .. }));
            let mut answers: Vec<Step> = judged
                .outputs
                .iter()
                .filter_map(|o| match o.output {
                    Output::TokenRequested { ask, .. } => {
                        Some(Step::ProvideToken { ask, token: Some(Tok::Fresh) })
                    }
                    _ => None,
                })
                .collect();
            if told && self.profile.calls.contains(&CallKind::SetToken) {
                answers.push(Step::SetToken { token: Tok::Fresh, identifier: None });
            }
            for answer in answers {
                let answered = self.apply(state, &answer);
                judged.outputs.extend(answered.outputs);
                judged.violations.extend(answered.violations);
            }
        }
        self.forget(state);
        judged
    }
}
