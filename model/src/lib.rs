//! The reference implementation of the SDK-side JWT lifecycle, and its model check.
//!
//! - [`sdk`]: the sans-IO state machine one SDK instance runs ([`Sdk`]), and a
//!   [`Driver`] that runs it on a virtual clock.
//! - [`diagram`]: the lifecycle's abstract states and transitions per profile (what the
//!   book's state diagrams draw and transition coverage counts), and the classification
//!   of the machine's steps into them.
//! - [`check`]: the exhaustive model check of the machine with stateright: its
//!   environment, properties and runner.
//! - [`mutation`]: deliberate bugs the machine can be built with, to prove that the
//!   model check and the conformance suite catch them.

pub mod check;
pub mod diagram;
pub mod driver;
pub mod machine;
pub mod mutation;
pub mod sdk;

pub use driver::Driver;
pub use machine::Machine;
pub use mutation::Mutation;
pub use sdk::Sdk;
