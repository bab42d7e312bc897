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

    /// False only when the compact token `raw` appears nowhere in the machine's state, so
    /// that it can send it again only after the app passes it again. The model check
    /// forgets what the trace said of tokens that neither the oracle's account nor the
    /// machine holds (`check::reduction`); the default, true, keeps every token, which is
    /// right for a machine that cannot say.
    fn holds_token(&self, raw: &str) -> bool {
        let _ = raw;
        true
    }

    /// False only when the event `name` appears nowhere in the machine's state, so that
    /// no later output can name it. The model check forgets the events that are done and
    /// that the machine does not hold (`check::reduction`); the default, true, keeps
    /// every event.
    fn holds_event(&self, name: &str) -> bool {
        let _ = name;
        true
    }
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

    fn holds_token(&self, raw: &str) -> bool {
        Sdk::holds_token(self, raw)
    }

    fn holds_event(&self, name: &str) -> bool {
        Sdk::holds_event(self, name)
    }
}
