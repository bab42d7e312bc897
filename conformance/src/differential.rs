//! Differential runs: random input sequences, run on the model and on the adapter,
//! compared step by step, and shrunk to a minimal sequence on a divergence.
//!
//! proptest generates abstract [`Move`]s; each sequence is made concrete by running it
//! on the model (which also fixes the request ids a `respond` answers and computes every
//! expected observation exactly), giving an ordinary [`CaseFile`]. That case then runs
//! against the adapter with the usual runner. So a divergence comes out as a case file
//! anyone can read, keep, and rerun as a fixed case, and proptest's shrinking works on
//! the abstract moves, where deleting a step always yields a valid sequence.

use crate::adapter::Adapter;
use crate::case::{Action, Case, CaseFile, ExpectEntry, Expected, OrderedMap, Step, TokenSpec, TokenTable};
use crate::runner::{run_case, Status};
use jwt_lifecycle_model::{Driver, Sdk};
use jwt_lifecycle_spec::alphabet::{AppCall, CustomerIds, Output, Reply, RequestId};
use jwt_lifecycle_spec::profile::ProfileId;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use std::cell::{Cell, RefCell};

/// The tokens random sequences use: long-lived, due for refresh within two minutes,
/// already inside the refresh window, expired, without `exp`, unparsable.
pub const TOKENS: [(&str, Option<i64>); 5] =
    [("A", Some(3600)), ("S", Some(120)), ("W", Some(30)), ("E", Some(-60)), ("N", None)];
/// The name of the unparsable token.
pub const RAW_TOKEN: (&str, &str) = ("U", "not.a-jwt");

const ADVANCES: [u64; 7] = [500, 1_000, 1_250, 30_000, 60_000, 120_000, 3_600_000];
const REPLIES: [Reply; 5] =
    [Reply::Status(200), Reply::Status(401), Reply::Status(403), Reply::Status(500), Reply::NetworkError];
const PEOPLE: [&str; 2] = ["alice", "bob"];

/// One abstract step of a random sequence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Move {
    /// `configure`.
    Configure {
        /// JWT enabled.
        jwt: bool,
        /// Debug build.
        debug: bool,
        /// Index into the token names, if a token is passed.
        token: Option<usize>,
    },
    /// `set_token`.
    SetToken {
        /// Index into the token names.
        token: usize,
        /// Index into the people, if an identifier is passed.
        identifier: Option<usize>,
    },
    /// `register_handler`.
    RegisterHandler,
    /// `identify`.
    Identify {
        /// Index into the people.
        who: usize,
        /// Index into the token names, if a token is passed.
        token: Option<usize>,
    },
    /// Any call without arguments but `track`, `flush` and `register_handler`.
    Plain(&'static str),
    /// `track` (a fresh event name).
    Track,
    /// `flush`.
    Flush,
    /// Answer the `pick`-th request in flight (skipped when none is).
    Respond {
        /// Which in-flight request (modulo their number).
        pick: usize,
        /// Index into the replies.
        reply: usize,
    },
    /// Advance the clock (index into the advances).
    Advance(usize),
}

fn token_names() -> Vec<&'static str> {
    TOKENS.iter().map(|(n, _)| *n).chain([RAW_TOKEN.0]).collect()
}

fn move_strategy() -> impl Strategy<Value = Move> {
    let n_tokens = TOKENS.len() + 1;
    prop_oneof![
        1 => (any::<bool>(), 0..n_tokens).prop_map(|(debug, t)| Move::Configure { jwt: true, debug, token: Some(t) }),
        3 => (0..n_tokens, proptest::option::of(0..PEOPLE.len()))
            .prop_map(|(token, identifier)| Move::SetToken { token, identifier }),
        2 => Just(Move::RegisterHandler),
        2 => (0..PEOPLE.len(), proptest::option::of(0..n_tokens)).prop_map(|(who, token)| Move::Identify { who, token }),
        1 => proptest::sample::select(vec!["anonymize", "stop_integration", "clear_local_data", "logout", "new_session"])
            .prop_map(Move::Plain),
        4 => Just(Move::Track),
        4 => Just(Move::Flush),
        6 => (0..4usize, 0..REPLIES.len()).prop_map(|(pick, reply)| Move::Respond { pick, reply }),
        4 => (0..ADVANCES.len()).prop_map(Move::Advance),
    ]
}

/// A sequence: the first `configure` (so most sequences exercise a running SDK), then
/// up to `max_len` further moves.
pub fn sequence_strategy(max_len: usize) -> impl Strategy<Value = (Move, Vec<Move>)> {
    let first =
        (prop::bool::weighted(0.9), any::<bool>(), proptest::option::weighted(0.3, 0..TOKENS.len() + 1))
            .prop_map(|(jwt, debug, token)| Move::Configure { jwt, debug, token });
    (first, proptest::collection::vec(move_strategy(), 0..=max_len))
}

fn call_for(m: &Move, profile: ProfileId, events: &mut usize) -> Option<AppCall> {
    let names = token_names();
    let name = |i: usize| names[i % names.len()].to_owned();
    let person = |i: usize| PEOPLE[i % PEOPLE.len()];
    let identity_key = profile.profile().identifier_key.unwrap_or_else(|| "registered".to_owned());
    Some(match m {
        Move::Configure { jwt, debug, token } => {
            AppCall::Configure { jwt_enabled: *jwt, debug: *debug, token: token.map(name) }
        }
        Move::SetToken { token, identifier } => AppCall::SetToken {
            token: Some(name(*token)),
            identifier: identifier.map(|i| person(i).to_owned()),
        },
        Move::RegisterHandler => AppCall::RegisterHandler { throws: false },
        Move::Identify { who, token } => AppCall::Identify {
            customer_ids: CustomerIds::single(&identity_key, person(*who)),
            token: token.map(name),
        },
        Move::Plain("anonymize") => AppCall::Anonymize {},
        Move::Plain("stop_integration") => AppCall::StopIntegration {},
        Move::Plain("clear_local_data") => AppCall::ClearLocalData {},
        Move::Plain("logout") => AppCall::Logout {},
        Move::Plain(_) => AppCall::NewSession {},
        Move::Track => {
            *events += 1;
            AppCall::Track { event: format!("e{events}") }
        }
        Move::Flush => AppCall::Flush {},
        Move::Respond { .. } | Move::Advance(_) => return None,
    })
}

fn random_tokens() -> OrderedMap<TokenSpec> {
    let mut tokens: Vec<(String, TokenSpec)> = TOKENS
        .iter()
        .map(|(n, exp)| ((*n).to_owned(), TokenSpec::Minted { exp_in: *exp, claims: OrderedMap::default() }))
        .collect();
    tokens.push((RAW_TOKEN.0.to_owned(), TokenSpec::Raw(RAW_TOKEN.1.to_owned())));
    OrderedMap(tokens)
}

/// Makes a move sequence concrete on the model: a case whose expectations are exactly
/// what the model does. `respond` moves with no request in flight are dropped.
pub fn concretize(profile: ProfileId, moves: &[Move], id: &str) -> Case {
    let start = crate::case::DEFAULT_START;
    let file = CaseFile {
        id: id.to_owned(),
        description: format!(
            "A random sequence on {profile}, with the model's observations as expectations."
        ),
        profiles: vec![profile],
        requirements: vec!["QUEUE-001".to_owned()],
        start,
        tokens: random_tokens(),
        steps: Vec::new(),
    };
    // Minting the fixed token set cannot fail (no negative exp, no `exp` claim).
    let tokens = TokenTable::mint_all(&file.tokens, start).unwrap_or_default();
    let mut case = Case { file, tokens };
    let mut driver = Driver::new(Sdk::new(profile.profile()), start);
    let mut in_flight: Vec<RequestId> = Vec::new();
    let mut events = 0usize;
    for m in moves {
        let action = match m {
            Move::Respond { pick, reply } => {
                if in_flight.is_empty() {
                    continue;
                }
                let request = in_flight.remove(pick % in_flight.len());
                Action::Respond { request, reply: REPLIES[reply % REPLIES.len()], body: None }
            }
            Move::Advance(i) => Action::Advance(ADVANCES[i % ADVANCES.len()]),
            other => match call_for(other, profile, &mut events) {
                Some(call) => Action::Call(call),
                None => continue,
            },
        };
        let mut step = Step::exact(action, Vec::new());
        let seen = match (&step.action, step.input(&case.tokens)) {
            (Action::Advance(ms), _) => driver.advance(*ms),
            (_, Some(input)) => driver.input(&input),
            (_, None) => Vec::new(),
        };
        for o in &seen {
            if let Output::RequestSent { request, .. } = o.output {
                in_flight.push(request);
            }
        }
        step.expect = seen
            .iter()
            .map(|o| ExpectEntry::One(Expected::from_observation(o, start, &case.tokens)))
            .collect();
        case.file.steps.push(step);
    }
    case
}

/// Settings for a differential run.
#[derive(Clone, Copy, Debug)]
pub struct RandomConfig {
    /// How many random sequences per profile.
    pub sequences: u32,
    /// The seed; the same seed gives the same sequences.
    pub seed: u64,
    /// The longest sequence, in moves after the first `configure`.
    pub max_len: usize,
}

/// A divergence, shrunk.
#[derive(Clone, Debug)]
pub struct Divergence {
    /// What the runner said about the minimal sequence.
    pub message: String,
    /// The minimal sequence as a case file (expectations from the model).
    pub case: String,
    /// Its number of steps.
    pub steps: usize,
}

/// The outcome of a differential run on one profile.
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
    /// The minimal divergence, if one was found.
    pub divergence: Option<Divergence>,
    /// Sequences the adapter could not run (unimplemented); they are not compared.
    pub unimplemented: u64,
    /// The adapter could not be talked to (the run stopped there, unshrunk).
    pub error: Option<String>,
}

fn rng_for(seed: u64, profile: ProfileId) -> TestRng {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let index = ProfileId::ALL.iter().position(|p| *p == profile).unwrap_or(0);
    bytes[8] = index as u8 + 1;
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

/// Runs `config.sequences` random sequences on `profile` against the model and
/// `adapter`, shrinking the first divergence to a minimal one.
pub fn run_random(adapter: &mut dyn Adapter, profile: ProfileId, config: RandomConfig) -> RandomOutcome {
    let runner_config = Config {
        cases: config.sequences,
        failure_persistence: None,
        max_shrink_iters: 4096,
        // Shrinking reruns the adapter; bound the wall time a slow adapter can take.
        max_shrink_time: 120_000,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(runner_config, rng_for(config.seed, profile));
    let adapter = RefCell::new(adapter);
    let (sequences, steps, unimplemented) = (Cell::new(0u64), Cell::new(0u64), Cell::new(0u64));
    // An adapter that cannot be talked to is not a divergence: stop at the first error
    // instead of shrinking it (every shrink step would wait for the same timeout).
    let adapter_error: RefCell<Option<String>> = RefCell::new(None);
    let id = format!("random/{profile}-seed-{}", config.seed);
    let test = |(first, rest): (Move, Vec<Move>)| {
        if adapter_error.borrow().is_some() {
            return Ok(());
        }
        let moves: Vec<Move> = std::iter::once(first).chain(rest).collect();
        let case = concretize(profile, &moves, &id);
        sequences.set(sequences.get() + 1);
        steps.set(steps.get() + case.file.steps.len() as u64);
        let result = run_case(&mut **adapter.borrow_mut(), &case, profile);
        match result.status {
            Status::Passed => Ok(()),
            Status::Unimplemented | Status::Disabled => {
                unimplemented.set(unimplemented.get() + 1);
                Ok(())
            }
            Status::Error => {
                let message = result.message.unwrap_or_default();
                *adapter_error.borrow_mut() = Some(message.clone());
                Err(TestCaseError::fail(message))
            }
            Status::Failed => Err(TestCaseError::fail(result.message.unwrap_or_default())),
        }
    };
    let run = runner.run(&sequence_strategy(config.max_len), test);
    if let Some(error) = adapter_error.into_inner() {
        return RandomOutcome {
            profile,
            seed: config.seed,
            sequences: sequences.get(),
            steps: steps.get(),
            divergence: None,
            unimplemented: unimplemented.get(),
            error: Some(error),
        };
    }
    let divergence = match run {
        Ok(()) => None,
        Err(TestError::Abort(reason)) => {
            Some(Divergence { message: format!("aborted: {reason}"), case: String::new(), steps: 0 })
        }
        Err(TestError::Fail(reason, (first, rest))) => {
            let moves: Vec<Move> = std::iter::once(first).chain(rest).collect();
            let case = concretize(profile, &moves, &id);
            Some(Divergence {
                message: reason.message().to_owned(),
                steps: case.file.steps.len(),
                case: case.to_json_pretty(),
            })
        }
    };
    RandomOutcome {
        profile,
        seed: config.seed,
        sequences: sequences.get(),
        steps: steps.get(),
        divergence,
        unimplemented: unimplemented.get(),
        error: None,
    }
}
