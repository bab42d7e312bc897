//! The judge of one step: it sets the step's duties from the spec, walks the observations
//! in order (checking each and discharging the duty it fits), and reports what is left.

use crate::belief::Belief;
use crate::book::{Cust, Ev, Offset, Tok};
use crate::duty::Duty;
use crate::trace::{Act, Judged, Violation};
use jwt_lifecycle_spec::alphabet::{Input, Observation, Output, UnixMillis};
use jwt_lifecycle_spec::profile::Profile;

/// One step being judged.
pub(crate) struct Judge<'a> {
    pub profile: &'a Profile,
    pub belief: &'a mut Belief,
    pub start: UnixMillis,
    pub step: usize,
    pub act: &'a Act,
    pub duties: Vec<Duty>,
    pub out: Vec<Violation>,
    /// The request this step's answer finished, and how the answer counted.
    pub answered: Option<(crate::belief::Request, crate::rules::answers::Verdict)>,
    /// The index of the observation being judged.
    pub index: usize,
    /// The observations that are pre-flight notifications of the SDK's own requests.
    pub own_preflights: Vec<usize>,
}

impl<'a> Judge<'a> {
    pub(crate) fn new(
        profile: &'a Profile,
        belief: &'a mut Belief,
        start: UnixMillis,
        step: usize,
        act: &'a Act,
    ) -> Self {
        Judge {
            profile,
            belief,
            start,
            step,
            act,
            duties: Vec::new(),
            out: Vec::new(),
            answered: None,
            index: 0,
            own_preflights: Vec::new(),
        }
    }

    /// Judges the whole step.
    pub(crate) fn run(mut self, observed: &[Observation]) -> Judged {
        match self.act {
            Act::Input { at, input } => {
                self.belief.now = *at;
                self.before(input);
                self.own_preflights(observed);
                for (index, obs) in observed.iter().enumerate() {
                    self.index = index;
                    self.observe(obs);
                }
                self.after(input);
            }
            Act::Advance { from, to } => {
                self.timers(*from, *to);
                self.own_preflights(observed);
                for (index, obs) in observed.iter().enumerate() {
                    // The runner refuses stamps outside the step (an adapter fault), so a
                    // stamp is trusted here, kept within the step for the model check.
                    self.belief.now = obs.at.clamp(*from, *to);
                    self.index = index;
                    self.observe(obs);
                }
                self.belief.now = *to;
                self.timers_after(*from, *to);
            }
        }
        self.track_sendable();
        self.unmet();
        Judged { violations: self.out, own_preflights: self.own_preflights }
    }

    /// QUEUE-010: the automatic flush's interval runs from the instant queued events became
    /// sendable.
    fn track_sendable(&mut self) {
        if !self.sendable() {
            self.belief.sendable_since = None;
        } else if self.belief.sendable_since.is_none() {
            self.belief.sendable_since = Some(self.belief.now);
        }
    }

    fn observe(&mut self, obs: &Observation) {
        match &obs.output {
            Output::RequestSent { .. } => self.on_request(obs),
            Output::HandlerCalled { .. } => self.on_handler(obs),
            Output::TokenRequested { .. } => self.on_token_requested(obs),
            Output::RequestFailed { .. } => self.on_failed(obs),
            Output::EventsDeleted { .. } => self.on_deleted(obs),
            Output::AppError { .. } => self.on_app_error(obs),
        };
    }

    /// Every duty of the step not discharged is a violation; after the app's handler
    /// threw, also of NOTIFY-007 (the lifecycle must go on as if it had returned).
    fn unmet(&mut self) {
        let pending: Vec<Duty> = self.duties.iter().filter(|d| !d.done && !d.optional).cloned().collect();
        for duty in pending {
            let (why, message) = self.describe_unmet(&duty);
            let at = self.act.end();
            if let Some(thrown) = self.belief.thrown_at {
                let context = format!(
                    "the app's handler threw at {}, and the lifecycle must go on as if it had returned; since then: {message}",
                    self.off(thrown)
                );
                self.violate_at("NOTIFY-007", at, context);
            }
            self.violate_at(why, at, message);
        }
    }

    // ------------------------------------------------------------------ helpers

    /// Records a violation of `requirement` at the current instant.
    pub(crate) fn violate(&mut self, requirement: &'static str, message: String) {
        let at = self.belief.now;
        self.violate_at(requirement, at, message);
    }

    pub(crate) fn violate_at(&mut self, requirement: &'static str, at: UnixMillis, message: String) {
        let duplicate = self.out.iter().any(|v| v.requirement == requirement && v.message == message);
        if !duplicate {
            self.out.push(Violation { requirement, step: self.step, at, message });
        }
    }

    /// `at` as an offset from the start of the trace.
    pub(crate) fn off(&self, at: UnixMillis) -> Offset {
        Offset(i128::from(at) - i128::from(self.start))
    }

    /// The current instant as an offset.
    pub(crate) fn now(&self) -> Offset {
        self.off(self.belief.now)
    }

    pub(crate) fn cust(&self, cust: Cust) -> String {
        self.belief.customers.ids(cust).to_string()
    }

    pub(crate) fn tok(&self, tok: Tok) -> String {
        format!("token {}", self.belief.tokens.get(tok).raw)
    }

    pub(crate) fn evs(&self, events: &[Ev]) -> String {
        format!("[{}]", self.belief.names(events).join(", "))
    }

    /// The input of this step, if it is one.
    pub(crate) fn input(&self) -> Option<&'a Input> {
        match self.act {
            Act::Input { input, .. } => Some(input),
            Act::Advance { .. } => None,
        }
    }

    /// The first requirement among `ids` that applies to the profile.
    pub(crate) fn first_applying(&self, ids: &[&'static str]) -> &'static str {
        ids.iter()
            .copied()
            .find(|id| {
                jwt_lifecycle_spec::registry::requirement(id).is_some_and(|r| r.applies_to(self.profile.id))
            })
            .unwrap_or(ids[ids.len() - 1])
    }

    pub(crate) fn push(&mut self, duty: Duty) {
        self.duties.push(duty);
    }
}
