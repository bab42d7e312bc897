//! The reductions of the check's state space, and why each keeps every property's verdict.
//!
//! A reduction here is sound when every path of the unreduced check has a counterpart in
//! the reduced one along which the oracle finds the same violations (so every `always`
//! property fails in both or holds in both, with a counterexample naming the same
//! requirement), and every path of the reduced check is a path of the unreduced one or
//! such a counterpart of one (so `sometimes` properties are reached in both or in
//! neither). `mutants/tests/reduction.rs` compares the two on small bounds, for the
//! reference machine and for every mutant of `jwt-lifecycle-mutants` with all the
//! reductions off, and for the reference machine with each one off alone.
//!
//! Measured on MoEngage (limit 10, 4 calls, 2 events, 3 replies, 2 answers, adversarial
//! and cooperative): 385,184 unique states with only the customer symmetry; 140,744 with
//! the tokens forgotten too; 94,319 with the instants moved too; 77,364 with the done
//! events forgotten too (5.0x fewer). `docs/performance.md` has the numbers per profile.
//!
//! # Customers: first use in a fixed order (on unless [`Bounds::customer_symmetry`] is off)
//!
//! The adversarial app may name two customers, alice and bob. The machine and the oracle
//! only copy customer ids and compare them for equality (`Profile::identity_for` gives
//! both names the same shape), so swapping the two names everywhere (inputs, outputs,
//! machine, oracle) maps every step to a step, and leaves the oracle's set of violated
//! requirements as it is. The unreduced environment is closed under that swap: every call
//! that takes a customer is offered with alice and with bob (identify; `set_token` with an
//! identifier where the profile has one).
//!
//! The reduced environment offers bob only once alice is present, that is once the
//! oracle has interned her ids (it interns every customer the SDK is told to adopt and
//! every customer an output names). Take any unreduced path and the first step at which
//! a customer becomes present. Before it neither name is in any state, so every state is
//! its own swap image, and a step that names bob without making him present leads where
//! the same step naming alice leads. If that first customer is bob, swap the rest of the
//! path: the image names alice first and is a path of the reduced environment with the
//! same violations. So the reduced check explores one path of every swapped pair, and
//! roughly halves the states reached before the second customer appears.
//!
//! The argument assumes that a machine holds no customer the oracle has not interned,
//! i.e. that it adopts customers only from the calls the oracle reads the same way. The
//! reference machine does; a mutant that adopted a customer the oracle ignores could lose
//! paths, which the comparison test would show for the mutants that exist.
//!
//! stateright's own symmetry reduction (`CheckerBuilder::symmetry` with a
//! `Representative` state) is not used: in stateright 0.31 only the depth-first and
//! simulation checkers honour it, the breadth-first checker (which the check uses for
//! its shortest counterexamples) ignores it, and a representative would have to rename
//! customers inside every machine's private state, mutants' wrappers included. Choosing
//! the order of first use in the environment gives the same quotient for two customers
//! without either.
//!
//! # Events: named in the order they are tracked (always on)
//!
//! `track` always names the next event (`e1`, `e2`, ...): tracking an event of another
//! name would lead to a state that differs only by a renaming of event names, which the
//! machine and the oracle treat as opaque labels compared for equality. So event names are
//! canonical by construction, and no state differs from another only by event names.
//!
//! # Tokens nobody holds: forgotten (on unless [`Bounds::forget_tokens`] is off)
//!
//! The oracle keeps a record of every token string the trace showed (to whom it was
//! bound, whether it was cleared or replaced, whether the app's callback provided it), in
//! the order the tokens were first seen. After every step the check has the oracle forget
//! the record of each token that neither its account (the stored token, the tokens live
//! requests carried) nor the machine ([`Machine::holds_token`]) holds, and number the
//! rest in the order of their compact forms. A record is read only when its token shows
//! up again: sent by the machine, which can send only a token it holds (the tokens come
//! from the app's calls; a machine keeps them in its state), or passed again by the app,
//! which stores it afresh (bound to the current customer, neither cleared nor replaced)
//! exactly as a first sighting does. The numbering is a renaming of the oracle's private
//! token numbers. So every later step is judged the same, with or without the records.
//!
//! The argument assumes that a machine says truly which tokens it holds. The reference
//! machine looks at its stored token and its requests in flight; a machine that cannot
//! say (the mutants' wrappers) keeps the default, "every token", and nothing is
//! forgotten for it.
//!
//! # Done events: forgotten, where they ended remembered (on unless [`Bounds::forget_events`] is off)
//!
//! In the adversarial environment, after every step the oracle forgets each event that
//! is done (delivered, or removed by a rule, or refused, or lost) and that the machine
//! ([`Machine::holds_event`]) does not hold, keeping only the set of the ways forgotten
//! events ended (`Belief::forgotten`, sorted, each way once). The oracle reads an event's
//! record only when an output names it (which a machine can do only for an event it holds)
//! or when the app tracks its name (never again: names are `e1`, `e2`, ... in order). The
//! reachability properties that ask whether some event was delivered or removed by a
//! given rule read the forgotten set too, so they are reached in the same states. The
//! cooperative environment keeps every event: its liveness properties ask about all of
//! them at the end of a path.
//!
//! # Time: the instants where something can change (always on), and instants no rule reads exactly (on unless [`Bounds::time_regions`] is off)
//!
//! The clock only advances to just before and at the next timer, and to just before and
//! at the expiry of the short-lived token while it is in play
//! (`environment::advance_targets`). Between two such instants neither the machine
//! (whose behaviour depends on time only through its timers and the tokens' expiry,
//! compared with `<`/`>=`) nor the oracle (whose rules compare instants with timers,
//! expiries and refresh windows) can tell two instants apart, so every path of an
//! environment that could stop the clock anywhere has a counterpart stopping at one of
//! these instants with the same violations. Tokens other than the short one expire
//! before the start or after the horizon, so only its expiry is a boundary.
//!
//! Two instants the oracle keeps are read only against one boundary: when the stored
//! token was stored (`set_at`, read only as the lower end of its refresh window,
//! `max(exp - lead - tolerance, set_at)`), and when the handler was registered
//! (`handler_since`, read only as `handler_since >` that lower end). After every step
//! both are moved to the check's start when they are at or before the boundary, where
//! every value gives the same window and the same comparison; without a refresh policy or
//! an `exp` there is no window and both always move. A token stored later is stored at a
//! later instant than the handler came, so the comparison stays false for it, as it is
//! for the start (`Belief::forget_instants`).
//!
//! # Tried and not kept
//!
//! Numbering the requests in flight 1, 2, ... in the machine and the oracle alike (ids
//! are labels only compared for equality) merged 0.2 % of the states of the full bounds
//! on MoEngage, and would have made counterexamples harder to read (a request changes its
//! number along a path). Capping the failure counts at the limit merged none: with the
//! replies the bounds give, no count passes the limit. Capping the answers left at the
//! replies left plus the requests held (an answer needs a held request, and only a reply
//! holds one) merged 3.7 % of the states of the full bounds on MoEngage (147,557 to
//! 142,069): not worth an argument that every answer releases its hold.
//!
//! # The failure limit: checked at the profile's number or scaled down
//!
//! The properties are parametric in the consecutive-failure limit: the machine and the
//! oracle compare the count with the limit and nothing else. [`Bounds::failure_limit`]
//! scales the limit down for the quick bounds (2, so suspension is reachable within
//! a few replies); [`Bounds::FULL`] checks at the profile's own number. A profile that
//! backs off after a failure (braze-web, RETRY-016) sends its next try only when the wait
//! is over, so each failure after the first costs a clock advance: its limit is checked
//! at one more than the advances at most (`state::reachable_limit`), where its
//! suspension is reachable, rather than at a number no path within the budgets can
//! reach, which would leave every rule about the suspension unchecked.
//!
//! [`Bounds::customer_symmetry`]: super::Bounds::customer_symmetry
//! [`Bounds::forget_tokens`]: super::Bounds::forget_tokens
//! [`Bounds::forget_events`]: super::Bounds::forget_events
//! [`Bounds::time_regions`]: super::Bounds::time_regions
//! [`Machine::holds_token`]: crate::Machine::holds_token
//! [`Machine::holds_event`]: crate::Machine::holds_event
//! [`Bounds::failure_limit`]: super::Bounds::failure_limit
//! [`Bounds::FULL`]: super::Bounds::FULL

use super::domain::Who;
use super::state::{CheckState, Environment, LifecycleModel};
use crate::machine::Machine;
use jwt_lifecycle_oracle::belief::EventState;

/// Both customers, alice first: the order of first use the reduced environment keeps.
const ORDER: [Who; 2] = [Who::Alice, Who::Bob];

impl<M: Machine> LifecycleModel<M> {
    /// The customers the app may name next: both without the reduction; with it, those
    /// already present and the first one not yet present.
    pub(super) fn customers_offered(&self, state: &CheckState<M>) -> Vec<Who> {
        if !self.bounds().customer_symmetry {
            return ORDER.to_vec();
        }
        let customers = &state.oracle.belief().customers;
        let (present, absent): (Vec<Who>, Vec<Who>) =
            ORDER.iter().partition(|who| customers.find(self.ids_of(**who)).is_some());
        present.into_iter().chain(absent.into_iter().take(1)).collect()
    }

    /// Has the oracle forget the tokens neither it nor the machine holds
    /// ([`Bounds::forget_tokens`](super::Bounds::forget_tokens)), the events that are done
    /// and that the machine does not hold ([`Bounds::forget_events`](super::Bounds::forget_events),
    /// adversarial environment), and move the instants no rule compares exactly
    /// ([`Bounds::time_regions`](super::Bounds::time_regions)).
    pub(super) fn forget(&self, state: &mut CheckState<M>) {
        let bounds = self.bounds();
        let machine = &state.machine;
        if bounds.forget_tokens {
            state.oracle.forget_tokens(|raw| machine.holds_token(raw));
        }
        if bounds.time_regions {
            state.oracle.forget_instants();
        }
        if bounds.forget_events && self.environment() == Environment::Adversarial {
            state.oracle.forget_events(|e| is_done(e.state) && !machine.holds_event(&e.name));
        }
    }
}

/// Delivered or removed: nothing the specification asks of the SDK is left to do.
fn is_done(state: EventState) -> bool {
    !matches!(state, EventState::Queued | EventState::Sent)
}
