//! A [`Machine`] on a virtual clock: inputs at the current instant, and time advanced with
//! every timer fired at its own due instant.

use crate::machine::Machine;
use crate::sdk::Sdk;
use jwt_lifecycle_spec::alphabet::{Input, Observation, UnixMillis};

/// Runs a machine on a virtual clock.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Driver<M: Machine = Sdk> {
    machine: M,
    now: UnixMillis,
}

impl<M: Machine> Driver<M> {
    /// Starts `machine` with the clock at `start`.
    pub fn new(machine: M, start: UnixMillis) -> Self {
        Self { machine, now: start }
    }

    /// The virtual clock.
    pub fn now(&self) -> UnixMillis {
        self.now
    }

    /// The machine.
    pub fn sdk(&self) -> &M {
        &self.machine
    }

    /// Applies `input` now.
    pub fn input(&mut self, input: &Input) -> Vec<Observation> {
        let now = self.now;
        self.machine.handle(now, input).into_iter().map(|output| Observation { at: now, output }).collect()
    }

    /// Advances the clock by `ms`, firing each timer at its due instant.
    pub fn advance(&mut self, ms: u64) -> Vec<Observation> {
        let target = self.now.saturating_add(ms);
        self.advance_to(target)
    }

    /// Advances the clock to `target` (never backwards), firing each timer at its due
    /// instant.
    pub fn advance_to(&mut self, target: UnixMillis) -> Vec<Observation> {
        advance_clock(&mut self.machine, &mut self.now, target)
    }
}

/// Moves the clock `now` of `machine` to `target` (never backwards), firing each timer at
/// its due instant; returns what the timers did, stamped with their instants. The one
/// clock loop: the [`Driver`] and the model check both advance time with it.
pub fn advance_clock<M: Machine>(
    machine: &mut M,
    now: &mut UnixMillis,
    target: UnixMillis,
) -> Vec<Observation> {
    let mut seen = Vec::new();
    while let Some(due) = machine.next_timer().filter(|&due| due <= target) {
        *now = due.max(*now);
        let at = *now;
        seen.extend(machine.fire_timers(at).into_iter().map(|output| Observation { at, output }));
    }
    *now = (*now).max(target);
    seen
}
