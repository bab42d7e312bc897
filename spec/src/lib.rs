//! The specification of client-side JWT authentication in customer-engagement SDKs.
//!
//! - [`registry`]: every normative rule, with its stable id, level, source and decision.
//! - [`requirement`]: what a rule is.
//! - [`profile`]: each vendor's behaviour set as plain data.
//! - [`alphabet`]: the inputs an SDK under test receives and the outputs it produces.
//! - [`client_view`]: what an SDK can read from a token without a key.
//!
//! Minting and validating tokens (the backend side) is the `jwt-lifecycle-token` crate.

pub mod alphabet;
pub mod client_view;
pub mod profile;
pub mod registry;
pub mod requirement;

pub use alphabet::{AppCall, CustomerIds, Input, Observation, Output, Reason, Reply, UnixMillis};
pub use profile::{Profile, ProfileId};
pub use registry::{requirement, requirements_for, REQUIREMENTS};
pub use requirement::{Level, Requirement};
