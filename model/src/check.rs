//! The model check: the [`Sdk`](crate::Sdk) in a nondeterministic environment, explored
//! exhaustively with stateright.
//!
//! - [`domain`]: the small domains the environment draws from (tokens, customers,
//!   events) and its steps.
//! - [`model`]: the `stateright::Model` and its two environments, adversarial and
//!   cooperative, bounded so that every path ends.
//! - [`observer`]: the environment's own account of what the spec says should happen,
//!   against which every output is judged.
//! - [`properties`]: the properties, named `"<REQ-ID>: <rule>"`.
//! - [`runner`]: [`run_check`] and its report.

pub mod domain;
pub mod model;
pub mod observer;
pub mod properties;
pub mod runner;

pub use model::{Bounds, CheckState, Environment, LifecycleModel};
pub use properties::{Kind, PropertyInfo};
pub use runner::{run_check, CheckOptions, CheckReport, PropertyResult};

/// Every property of the model check: name, requirement, kind, the profiles it applies
/// to, and the mutation that proves it can fail.
pub fn property_catalog() -> Vec<PropertyInfo> {
    properties::catalog()
}
