//! The conformance suite: adapters, case files, differential runs and reports.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
