//! Deliberate bugs built around the unchanged reference machine, to prove that the model
//! check and the conformance suite catch what they are meant to catch.
//!
//! The reference machine (`jwt_lifecycle_model::Sdk`) holds no mutation code. A mutant is
//! built from outside it, in one of two ways:
//! - a **perturbed profile** ([`perturb`]): the unchanged machine follows other profile
//!   data (one retry more, a token kept on logout, no refresh), while the oracle keeps
//!   judging by the true profile;
//! - a **wrapper** ([`wrapper`]): the machine's inputs or outputs are transformed through
//!   its public API (a network error answered as a success, a retry's token rewritten,
//!   a handler call added).
//!
//! Modules:
//! - [`catalogue`]: [`Mutation`], the one list of mutants and the one parser of their names.
//! - [`perturb`]: the perturbed profiles.
//! - [`wrapper`]: [`Mutant`], the machine of any mutant (a `jwt_lifecycle_model::Machine`),
//!   for the model check and the driver.
//! - [`added`]: the request ids of a wrapper that sends requests of its own.
//! - [`adapter`]: [`MutantAdapter`], a mutant as an in-process conformance adapter; the
//!   `jwt-lifecycle-mutant` binary serves it over the wire protocol.

pub mod adapter;
pub mod added;
pub mod catalogue;
pub mod perturb;
pub mod wrapper;

pub use adapter::MutantAdapter;
pub use catalogue::{Construction, Mutation};
pub use wrapper::Mutant;
