//! Shared fixtures of the jwt-lifecycle benchmarks (the benches themselves are in
//! `benches/`; figures and how to read them are in `docs/performance.md`).
//!
//! - [`mode`]: whether criterion runs a full measurement, `--quick`, or test mode, so
//!   the slow groups can size themselves.
//! - [`validation`]: one profile's realistic tokens (good and rejected), our validator,
//!   `jsonwebtoken` set up as closely as it allows, and the floor.
//! - [`sequence`]: long deterministic random input sequences for the reference SDK.
//! - [`process`]: the case files and the `reference-adapter` command the suite and
//!   protocol benches run.

pub mod mode;
pub mod process;
pub mod sequence;
pub mod validation;
