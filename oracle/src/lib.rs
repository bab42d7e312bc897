//! The oracle: the requirements of client-side JWT lifecycles, judged on a trace.
//!
//! An [`Oracle`] reads what a black box shows (the inputs sent, the observations received
//! with their instants, and the profile's data) and reports each broken requirement as a
//! [`Violation`] naming it. It never looks inside the SDK, so the same code judges the
//! reference model in the model check and any SDK in the conformance suite.
//!
//! - [`trace`]: what the oracle reads ([`Act`]) and reports ([`Violation`]).
//! - [`belief`]: the account the specification gives of what the SDK holds, kept from the
//!   trace alone.
//! - [`catalog`]: which requirements have a monitor, what each checks, and why the others
//!   have none.
//! - `rules` (private): what each step obliges, and how each observation is judged.

pub mod belief;
pub mod book;
pub mod catalog;
mod duty;
mod judge;
mod rules;
pub mod trace;

pub use catalog::{monitor, monitors, unmonitored, MonitorInfo};
pub use trace::{Act, Judged, Violation};

use belief::Belief;
use jwt_lifecycle_spec::alphabet::{Observation, UnixMillis};
use jwt_lifecycle_spec::profile::Profile;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Judges one run of one SDK instance's lifecycle, step by step.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Oracle {
    profile: ProfileRef,
    start: UnixMillis,
    belief: Belief,
    violated: u128,
}

impl Oracle {
    /// An oracle for `profile`, with the trace starting at `start`.
    pub fn new(profile: &Profile, start: UnixMillis) -> Self {
        Self::sharing(Arc::new(profile.clone()), start)
    }

    /// An oracle for a trace that starts at `start`, judging by `profile`, shared with
    /// its other users (a suite judges every case of a profile by one copy).
    pub fn sharing(profile: Arc<Profile>, start: UnixMillis) -> Self {
        Oracle { profile: ProfileRef(profile), start, belief: Belief::new(start), violated: 0 }
    }

    /// Judges one step: `act`, and everything the SDK reported because of it, in order.
    /// `step` is the caller's index of the step, quoted in each violation.
    pub fn step(&mut self, step: usize, act: &Act, observed: &[Observation]) -> Vec<Violation> {
        self.judge(step, act, observed).violations
    }

    /// Judges one step as [`Oracle::step`] does, and also says which observations were
    /// allowed without being required (the pre-flight checks of the SDK's own requests).
    pub fn judge(&mut self, step: usize, act: &Act, observed: &[Observation]) -> Judged {
        let judge = judge::Judge::new(&self.profile.0, &mut self.belief, self.start, step, act);
        let judged = judge.run(observed);
        for v in &judged.violations {
            if let Some(index) = catalog::index_of(v.requirement) {
                self.violated |= 1 << index;
            }
        }
        judged
    }

    /// Every requirement seen broken so far.
    pub fn violated(&self) -> impl Iterator<Item = &'static str> + '_ {
        monitors()
            .iter()
            .enumerate()
            .filter(move |(i, _)| self.violated & (1 << i) != 0)
            .map(|(_, m)| m.requirement)
    }

    /// The monitors seen broken, one bit per index in [`monitors`].
    pub fn violated_bits(&self) -> u128 {
        self.violated
    }

    /// True when `requirement` was seen broken.
    pub fn has_violated(&self, requirement: &str) -> bool {
        catalog::index_of(requirement).is_some_and(|i| self.violated & (1 << i) != 0)
    }

    /// What the specification says the SDK holds now.
    pub fn belief(&self) -> &Belief {
        &self.belief
    }

    /// Forgets what the trace said of the tokens neither the account nor the SDK holds
    /// (`held` says which the SDK holds); see [`Belief::forget_tokens`]. Later steps are
    /// judged exactly as before.
    pub fn forget_tokens(&mut self, held: impl Fn(&str) -> bool) {
        self.belief.forget_tokens(held);
    }

    /// Forgets the done events `forget` names; see [`Belief::forget_events`].
    pub fn forget_events(&mut self, forget: impl Fn(&belief::Event) -> bool) {
        self.belief.forget_events(forget);
    }

    /// Moves the instants of the account that no rule compares exactly to a fixed
    /// representative of their region; see [`Belief::forget_instants`].
    pub fn forget_instants(&mut self) {
        let refresh = self.profile.0.refresh;
        self.belief.forget_instants(refresh, self.start);
    }

    /// The profile judged by.
    pub fn profile(&self) -> &Profile {
        &self.profile.0
    }
}

/// The profile an oracle judges by, shared between clones; hashed by its id (equal
/// profiles have equal ids, so `Hash` stays consistent with `Eq`).
#[derive(Clone, Debug)]
struct ProfileRef(Arc<Profile>);

impl PartialEq for ProfileRef {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || *self.0 == *other.0
    }
}

impl Eq for ProfileRef {}

impl Hash for ProfileRef {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.id.hash(state);
    }
}
