//! The reference implementation of the SDK-side JWT lifecycle, and its model check.
//!
//! - [`sdk`]: the sans-IO state machine one SDK instance runs ([`Sdk`]).
//! - [`machine`]: what the check and the driver need of a machine ([`Machine`]); the
//!   reference is one, a wrapper around it (as in the `jwt-lifecycle-mutants` crate) is
//!   another.
//! - [`driver`]: a [`Driver`] that runs any machine on a virtual clock.
//! - [`diagram`]: the lifecycle's abstract states and transitions per profile (what the
//!   book's state diagrams draw and transition coverage counts), and the classification
//!   of the machine's steps into them.
//! - [`check`]: the exhaustive model check of a machine with stateright: its
//!   environment, properties and runner.

pub mod check;
pub mod diagram;
pub mod driver;
pub mod machine;
pub mod sdk;

pub use driver::Driver;
pub use machine::Machine;
pub use sdk::Sdk;
