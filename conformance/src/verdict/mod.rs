//! What a case run is judged against besides the oracle: the case's own expectations.
//!
//! - [`align`]: a step's expected observations aligned with what the SDK reported, as
//!   missing, unexpected and field differences.
//! - [`ids`]: the case's request and ask numbers bound to the SDK's.
//! - [`deletions`]: `events_deleted` outputs merged per rule before the comparison.

pub mod align;
pub mod deletions;
pub mod ids;
