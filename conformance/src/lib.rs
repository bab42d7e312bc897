//! The conformance suite: case files, adapters, the runner, generated and random
//! cases, and reports.
//!
//! - [`case`]: case files (docs/formats.md §1), their loader and named tokens.
//! - [`adapter`]: the SDK under test, in process ([`adapter::Adapter`]) or as a process
//!   speaking the wire protocol (docs/formats.md §2); the model as the reference adapter.
//! - [`bounded`]: reading user-named files with a size limit.
//! - [`runner`]: runs cases against an adapter; the oracle's monitors and the case's
//!   expectations judge each step.
//! - [`verdict`]: aligning expectations with observations, and request-id bindings.
//! - [`select`]: which cases a run selects (profile, `--strict`, `--shard`,
//!   expectations file).
//! - [`deviation`]: an SDK's known deviations from its documentation, compared with a run.
//! - [`coverage`]: which transitions of each profile's state diagrams the fixed cases
//!   and random sequences exercise.
//! - [`generate`]: cases computed from the model's reachable paths.
//! - [`differential`]: random sequences run on the model and the adapter, shrunk on a
//!   divergence.
//! - [`report`]: text, JSON and JUnit output.

pub mod adapter;
pub mod bounded;
pub mod case;
pub mod coverage;
pub mod deviation;
pub mod differential;
pub mod generate;
pub mod report;
pub mod runner;
pub mod select;
pub mod verdict;
