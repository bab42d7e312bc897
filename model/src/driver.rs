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
        let mut seen = Vec::new();
        while let Some(due) = self.machine.next_timer().filter(|&due| due <= target) {
            self.now = due.max(self.now);
            let now = self.now;
            seen.extend(
                self.machine.fire_timers(now).into_iter().map(|output| Observation { at: now, output }),
            );
        }
        self.now = self.now.max(target);
        seen
    }
}
