//! Long deterministic random input sequences for the reference SDK.
//!
//! The moves are drawn with the same kinds and weights as the suite's differential runs
//! (`conformance::differential`), from a fixed seed, and made concrete once on the model
//! itself (which fixes the request ids each answer refers to). The bench then replays
//! the concrete inputs on a fresh [`Driver`], so it times the machine alone.

use jwt_lifecycle_conformance::case::Action;
use jwt_lifecycle_conformance::differential::{concretize, Move, TOKENS};
use jwt_lifecycle_model::{Driver, Sdk};
use jwt_lifecycle_spec::alphabet::{CallKind, Input, UnixMillis};
use jwt_lifecycle_spec::profile::ProfileId;

/// The seed of the bench sequences.
pub const SEED: u64 = 0x6a77_742d_6c69_6665;

/// One step of a concrete sequence.
#[derive(Clone, Debug)]
pub enum Stimulus {
    /// An app call or a server answer.
    Input(Input),
    /// The clock moves forward by this many ms.
    Advance(u64),
}

/// A concrete sequence on one profile.
#[derive(Clone, Debug)]
pub struct Sequence {
    /// The profile.
    pub profile: ProfileId,
    /// The virtual clock's start.
    pub start: UnixMillis,
    /// The steps.
    pub steps: Vec<Stimulus>,
}

/// SplitMix64: small, fast, and the same on every platform.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PLAIN: [CallKind; 5] = [
    CallKind::Anonymize,
    CallKind::StopIntegration,
    CallKind::ClearLocalData,
    CallKind::Logout,
    CallKind::NewSession,
];

fn random_move(rng: &mut SplitMix) -> Move {
    let n_tokens = TOKENS.len() + 1;
    // Weights as in the differential runs: 1 configure, 3 set_token, 2 register_handler,
    // 2 identify, 1 other call, 4 track, 4 flush, 6 answers, 4 clock advances.
    match rng.below(27) {
        0 => Move::Configure { jwt: true, debug: rng.below(2) == 0, token: Some(rng.below(n_tokens)) },
        1..=3 => Move::SetToken {
            token: Some(rng.below(n_tokens)),
            identifier: if rng.below(2) == 0 { Some(rng.below(2)) } else { None },
        },
        4..=5 => Move::RegisterHandler { throws: false },
        6..=7 => Move::Identify {
            who: rng.below(2),
            token: if rng.below(2) == 0 { Some(rng.below(n_tokens)) } else { None },
        },
        8 => Move::Plain(PLAIN[rng.below(PLAIN.len())]),
        9..=12 => Move::Track,
        13..=16 => Move::Flush,
        17..=22 => Move::Respond { pick: rng.below(4), reply: rng.below(5) },
        _ => Move::Advance(rng.below(7)),
    }
}

impl Sequence {
    /// A sequence of about `moves` steps on `profile` (answers drawn while no request is
    /// in flight are dropped), from [`SEED`].
    pub fn random(profile: ProfileId, moves: usize) -> Sequence {
        let mut rng = SplitMix(SEED ^ profile.as_str().len() as u64);
        let mut all = vec![
            Move::Configure { jwt: true, debug: false, token: Some(0) },
            Move::RegisterHandler { throws: false },
        ];
        all.extend((0..moves).map(|_| random_move(&mut rng)));
        let case = concretize(profile, &all, "bench/model-steps");
        let steps = case
            .file
            .steps
            .iter()
            .filter_map(|step| match &step.action {
                Action::Advance(ms) => Some(Stimulus::Advance(*ms)),
                _ => step.input(&case.tokens).map(Stimulus::Input),
            })
            .collect();
        Sequence { profile, start: case.file.start, steps }
    }

    /// Replays the sequence on a fresh SDK; returns how many observations it produced.
    pub fn replay(&self) -> usize {
        let mut driver = Driver::new(Sdk::new(self.profile.profile()), self.start);
        let mut seen = 0;
        for step in &self.steps {
            seen += match step {
                Stimulus::Input(input) => driver.input(input).len(),
                Stimulus::Advance(ms) => driver.advance(*ms).len(),
            };
        }
        seen
    }
}
