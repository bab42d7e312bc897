//! How criterion was asked to run, read from the bench binary's arguments.
//!
//! criterion decides this itself, but it does not tell the bench: a group that costs
//! seconds per iteration (the exhaustive model check) must know it is in test mode
//! (`cargo test --benches`, or `cargo bench -- --test`: one iteration) or quick mode
//! (`cargo bench -- --quick`) to shrink its bounds and timings, so that the short
//! modes stay short.

use std::time::Duration;

/// How the bench binary runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunMode {
    /// `cargo test --benches` or `cargo bench -- --test`: every bench runs once.
    Test,
    /// `cargo bench -- --quick`: criterion measures each bench only until its estimate
    /// is stable, without warm-up or the full sample.
    Quick,
    /// `cargo bench`: the full measurement.
    Full,
}

impl RunMode {
    /// The mode of this process, from its arguments as cargo passes them (`--bench`
    /// is present under `cargo bench` and absent under `cargo test`).
    pub fn current() -> RunMode {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let has = |flag: &str| args.iter().any(|a| a == flag);
        if !has("--bench") || has("--test") {
            RunMode::Test
        } else if has("--quick") {
            RunMode::Quick
        } else {
            RunMode::Full
        }
    }

    /// True for [`RunMode::Test`].
    pub fn is_test(self) -> bool {
        self == RunMode::Test
    }

    /// A measurement time: `full` normally, a short one in the quick and test modes.
    pub fn measurement(self, full: Duration) -> Duration {
        match self {
            RunMode::Full => full,
            RunMode::Quick | RunMode::Test => full.min(Duration::from_secs(1)),
        }
    }
}
