//! What a monitor reads and what it reports.

use jwt_lifecycle_spec::alphabet::{Input, UnixMillis};
use serde::Serialize;
use std::fmt;

/// One thing the suite did to the SDK: an input at an instant, or time passing.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Act {
    /// An input applied at `at`.
    Input {
        /// The virtual instant.
        at: UnixMillis,
        /// The input.
        input: Input,
    },
    /// The virtual clock moved from `from` to `to`, firing the SDK's timers on the way.
    Advance {
        /// The instant before.
        from: UnixMillis,
        /// The instant after.
        to: UnixMillis,
    },
}

impl Act {
    /// The instant the act begins at.
    pub fn at(&self) -> UnixMillis {
        match self {
            Act::Input { at, .. } => *at,
            Act::Advance { from, .. } => *from,
        }
    }

    /// The instant the act ends at.
    pub fn end(&self) -> UnixMillis {
        match self {
            Act::Input { at, .. } => *at,
            Act::Advance { to, .. } => *to,
        }
    }
}

/// What the oracle says about one step.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Judged {
    /// The requirements the step broke.
    pub violations: Vec<Violation>,
    /// The indices (in the step's observations) of the handler calls that were the
    /// pre-flight checks of requests the SDK sent on its own (QUEUE-008): allowed, not
    /// required, so a comparison with a case's expectations leaves them out.
    pub own_preflights: Vec<usize>,
}

/// A requirement seen broken in a trace.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Violation {
    /// The requirement id, `AREA-NNN`.
    pub requirement: &'static str,
    /// The index of the step (in the caller's numbering) that broke it.
    pub step: usize,
    /// The virtual instant it broke at.
    pub at: UnixMillis,
    /// What the rule demanded and what happened.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.requirement, self.message)
    }
}
