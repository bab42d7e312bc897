//! The model check: a [`Machine`](crate::Machine) in a nondeterministic environment,
//! explored exhaustively with stateright and judged by the oracle.
//!
//! - [`domain`]: the small domains the environment draws from (tokens, customers,
//!   events) and its steps.
//! - [`state`]: the model and its states, and how a step is applied and judged.
//! - [`environment`]: what the adversarial and the cooperative environment may do next.
//! - [`properties`]: one safety property per monitor of the oracle, and the reachability
//!   and liveness properties.
//! - `model` (private): the `stateright::Model` implementation.
//! - [`reduction`]: how the state space is kept small, and why each reduction keeps
//!   every property's verdict.
//! - [`runner`]: [`run_check`] and its report.

pub mod domain;
pub mod environment;
mod model;
pub mod properties;
pub mod reduction;
pub mod runner;
pub mod state;

pub use properties::{Kind, PropertyInfo};
pub use runner::{run_check, run_check_of, CheckOptions, CheckReport, PropertyResult};
pub use state::{Bounds, CheckState, Environment, LifecycleModel};

/// Every property of the model check: name, requirement, kind, environment and the
/// profiles it applies to.
pub fn property_catalog() -> Vec<PropertyInfo> {
    properties::catalog()
}
