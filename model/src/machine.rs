//! What the model check and the driver need of a state machine: inputs at an instant, and
//! timers. The reference [`Sdk`](crate::Sdk) is one; a wrapper that changes what it does
//! (a deliberate bug, or an allowed variation) is another.

use crate::sdk::Sdk;
use jwt_lifecycle_spec::alphabet::{Input, Output, UnixMillis};
use std::fmt::Debug;
use std::hash::Hash;

/// A sans-IO SDK lifecycle: it reads no clock and does no I/O.
pub trait Machine: Clone + Debug + PartialEq + Eq + Hash + Send + Sync + 'static {
    /// Applies `input` at instant `now`; returns what the SDK does in response, in order.
    /// Timers due at or before `now` have been fired first.
    fn handle(&mut self, now: UnixMillis, input: &Input) -> Vec<Output>;

    /// The earliest instant at which a timer is due, if any.
    fn next_timer(&self) -> Option<UnixMillis>;

    /// Fires every timer due at or before `now`, in order; returns what they did.
    fn fire_timers(&mut self, now: UnixMillis) -> Vec<Output>;
}

impl Machine for Sdk {
    fn handle(&mut self, now: UnixMillis, input: &Input) -> Vec<Output> {
        Sdk::handle(self, now, input)
    }

    fn next_timer(&self) -> Option<UnixMillis> {
        Sdk::next_timer(self)
    }

    fn fire_timers(&mut self, now: UnixMillis) -> Vec<Output> {
        Sdk::fire_timers(self, now)
    }
}
