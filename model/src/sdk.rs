//! The sans-IO state machine of one SDK instance.
//!
//! SKELETON: the signatures are the contract the conformance suite codes against; the
//! bodies are being written (issue 4).

use crate::mutation::Mutation;
use jwt_lifecycle_spec::alphabet::{Input, Observation, Output, UnixMillis};
use jwt_lifecycle_spec::profile::Profile;

/// One SDK instance's authentication state.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Sdk {
    profile: Profile,
    mutation: Option<Mutation>,
}

impl Sdk {
    /// A fresh, unconfigured SDK following `profile`.
    pub fn new(profile: Profile) -> Self {
        Self { profile, mutation: None }
    }

    /// The same, with a deliberate bug.
    pub fn with_mutation(profile: Profile, mutation: Mutation) -> Self {
        Self { profile, mutation: Some(mutation) }
    }

    /// The profile this SDK follows.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// Applies `input` at instant `now`; returns what the SDK does in response, in order.
    /// Timers due at or before `now` must have been fired first with [`Sdk::fire_timers`].
    pub fn handle(&mut self, _now: UnixMillis, _input: &Input) -> Vec<Output> {
        Vec::new()
    }

    /// The earliest instant at which a timer is due, if any.
    pub fn next_timer(&self) -> Option<UnixMillis> {
        None
    }

    /// Fires every timer due at or before `now`, in order; returns what they did.
    pub fn fire_timers(&mut self, _now: UnixMillis) -> Vec<Output> {
        Vec::new()
    }
}

/// Runs an [`Sdk`] on a virtual clock: inputs at the current instant, and time advanced
/// with every timer fired at its own due instant.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Driver {
    sdk: Sdk,
    now: UnixMillis,
}

impl Driver {
    /// Starts `sdk` with the clock at `start`.
    pub fn new(sdk: Sdk, start: UnixMillis) -> Self {
        Self { sdk, now: start }
    }

    /// The virtual clock.
    pub fn now(&self) -> UnixMillis {
        self.now
    }

    /// The machine.
    pub fn sdk(&self) -> &Sdk {
        &self.sdk
    }

    /// Applies `input` now.
    pub fn input(&mut self, input: &Input) -> Vec<Observation> {
        let now = self.now;
        self.sdk.handle(now, input).into_iter().map(|output| Observation { at: now, output }).collect()
    }

    /// Advances the clock by `ms`, firing each timer at its due instant.
    pub fn advance(&mut self, ms: u64) -> Vec<Observation> {
        let target = self.now.saturating_add(ms);
        let mut seen = Vec::new();
        while let Some(due) = self.sdk.next_timer().filter(|&due| due <= target) {
            self.now = due.max(self.now);
            let now = self.now;
            seen.extend(self.sdk.fire_timers(now).into_iter().map(|output| Observation { at: now, output }));
        }
        self.now = target;
        seen
    }
}
