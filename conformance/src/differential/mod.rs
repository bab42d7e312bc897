//! Random runs: random input sequences driven against the SDK under test, judged, and
//! shrunk to a minimal sequence, printed as a case file anyone can rerun.
//!
//! - [`moves`]: the abstract moves and their generator, limited to the profile's calls
//!   and the adapter's protocol version.
//! - [`judged`]: the default: each sequence runs against the SDK as it goes, the oracle's
//!   monitors judge it, and a violation shrinks to the shortest sequence breaking the same
//!   requirement.
//! - [`steer`]: plans for each sequence drawn from the coverage reached so far (swarm
//!   testing, and sequences aimed at the transitions still missing).
//! - [`exact`]: `--differential exact`: each sequence is made concrete on the model and
//!   the SDK must match the model's every observation.

pub mod exact;
pub mod judged;
pub mod moves;
pub mod steer;

pub use exact::concretize;
pub use moves::{Alphabet, Move, RAW_TOKEN, TOKENS};

use crate::adapter::Adapter;
use jwt_lifecycle_oracle::Violation;
use jwt_lifecycle_spec::profile::ProfileId;
use proptest::test_runner::{Config, RngAlgorithm, TestRng};

/// How random runs are judged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Differential {
    /// By the requirements' monitors: any behaviour the rules allow passes.
    #[default]
    Rules,
    /// Equal to the reference model, observation for observation.
    Exact,
}

/// The longest random sequence by default, in moves after the first `configure`: long
/// enough for ten rejections, each followed by a new token, and a new session after them.
pub const DEFAULT_MAX_LEN: usize = 100;

/// Settings for a random run.
#[derive(Clone, Copy, Debug)]
pub struct RandomConfig {
    /// How many random sequences per profile.
    pub sequences: u32,
    /// The seed; the same seed gives the same sequences.
    pub seed: u64,
    /// The longest sequence, in moves after the first `configure`; a climb to a failure
    /// limit beyond its reach is as long as the limit needs (see [`steer`]).
    pub max_len: usize,
}

impl RandomConfig {
    /// `sequences` sequences from `seed`, at most [`DEFAULT_MAX_LEN`] moves long.
    pub fn new(sequences: u32, seed: u64) -> Self {
        RandomConfig { sequences, seed, max_len: DEFAULT_MAX_LEN }
    }
}

/// A sequence that broke a rule (or diverged from the model), shrunk.
#[derive(Clone, Debug)]
pub struct Divergence {
    /// What the judge said about the minimal sequence.
    pub message: String,
    /// The minimal sequence as a case file.
    pub case: String,
    /// Its number of steps.
    pub steps: usize,
    /// The violations of the minimal sequence (empty for an exact-mode divergence the
    /// monitors accept).
    pub violations: Vec<Violation>,
    /// The requirement the shrinking kept broken, for a rule-judged run.
    pub requirement: Option<&'static str>,
}

impl Divergence {
    pub(crate) fn aborted(reason: String) -> Self {
        Divergence {
            message: format!("aborted: {reason}"),
            case: String::new(),
            steps: 0,
            violations: Vec::new(),
            requirement: None,
        }
    }
}

/// The outcome of a random run on one profile.
#[derive(Clone, Debug)]
pub struct RandomOutcome {
    /// The profile.
    pub profile: ProfileId,
    /// The seed used.
    pub seed: u64,
    /// Sequences run (including shrinking runs).
    pub sequences: u64,
    /// Steps run (including shrinking runs).
    pub steps: u64,
    /// The minimal failing sequence, if one was found.
    pub divergence: Option<Divergence>,
    /// Sequences the adapter could not run (unimplemented); they are not judged.
    pub unimplemented: u64,
    /// The adapter could not be talked to (the run stopped there, unshrunk).
    pub error: Option<String>,
    /// The transitions the run's inputs took on the reference.
    pub coverage: Option<crate::coverage::Tally>,
}

/// Runs a random run of `mode` against `adapter`, which speaks wire protocol `protocol`.
pub fn run_random(
    adapter: &mut dyn Adapter,
    profile: ProfileId,
    config: RandomConfig,
    mode: Differential,
    protocol: u64,
) -> RandomOutcome {
    match mode {
        Differential::Rules => judged::run_judged(adapter, profile, config, protocol),
        Differential::Exact => exact::run_exact(adapter, profile, config, protocol),
    }
}

pub(crate) fn rng_for(seed: u64, profile: ProfileId) -> TestRng {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let index = ProfileId::ALL.iter().position(|p| *p == profile).unwrap_or(0);
    bytes[8] = index as u8 + 1;
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

pub(crate) fn runner_config(sequences: u32) -> Config {
    Config {
        cases: sequences,
        failure_persistence: None,
        max_shrink_iters: 4096,
        // Shrinking reruns the adapter; bound the wall time a slow adapter can take.
        max_shrink_time: 120_000,
        ..Config::default()
    }
}
