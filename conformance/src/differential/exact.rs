//! `--differential exact`: random sequences run on the model and on the adapter,
//! compared step by step, and shrunk to a minimal sequence on a divergence. Stricter than
//! the rules: for SDKs that aim to behave exactly as the reference.
//!
//! proptest generates abstract [`Move`]s; each sequence is made concrete by running it
//! on the model (which also fixes the request ids a `respond` answers and computes every
//! expected observation exactly), giving an ordinary [`CaseFile`]. That case then runs
//! against the adapter with the usual runner. So a divergence comes out as a case file
//! anyone can read, keep, and rerun as a fixed case, and proptest's shrinking works on
//! the abstract moves, where deleting a step always yields a valid sequence.

use super::moves::{call_for, provide_token_call, random_tokens, Alphabet, Move, ADVANCES, REPLIES};
use super::steer::{Shared, Steered};
use super::{rng_for, runner_config, Divergence, RandomConfig, RandomOutcome};
use crate::adapter::Adapter;
use crate::case::{Action, Case, CaseFile, ExpectEntry, Expected, Step, TokenTable};
use crate::coverage::{walk_case, Tally};
use crate::runner::{run_case, Status};
use jwt_lifecycle_model::{Driver, Sdk};
use jwt_lifecycle_spec::alphabet::{Output, Reply, RequestId};
use jwt_lifecycle_spec::profile::ProfileId;
use proptest::test_runner::{TestCaseError, TestError, TestRunner};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Makes a move sequence concrete on the model: a case whose expectations are exactly
/// what the model does. `respond` moves with no request in flight are dropped.
pub fn concretize(profile: ProfileId, moves: &[Move], id: &str) -> Case {
    let alphabet = Alphabet::new(profile, 2);
    let start = crate::case::DEFAULT_START;
    let file = CaseFile {
        id: id.to_owned(),
        description: format!(
            "A random sequence on {profile}, with the model's observations as expectations."
        ),
        profiles: vec![profile],
        requirements: vec!["QUEUE-001".to_owned()],
        clauses: Vec::new(),
        start,
        tokens: random_tokens(),
        housekeeping: Default::default(),
        steps: Vec::new(),
    };
    // Minting the fixed token set cannot fail (no negative exp, no `exp` claim).
    let tokens = TokenTable::mint_all(&file.tokens, start).unwrap_or_default();
    let mut case = Case { file, tokens };
    let mut driver = Driver::new(Sdk::new(profile.profile()), start);
    let mut in_flight: Vec<RequestId> = Vec::new();
    let mut events = 0usize;
    for m in moves.iter().filter(|m| alphabet.allows(m)) {
        let action = match m {
            Move::Respond { pick, reply } => {
                let Some(request) = take_in_flight(&mut in_flight, *pick) else { continue };
                Action::Respond { request, reply: REPLIES[reply % REPLIES.len()], body: None }
            }
            Move::RespondWithBody { pick, body } => {
                // The body first: a move skipped for want of one must not use up a request.
                let Some(body) = alphabet.signal_body(*body) else { continue };
                let Some(request) = take_in_flight(&mut in_flight, *pick) else { continue };
                Action::Respond { request, reply: Reply::OK, body: Some(body.clone()) }
            }
            Move::Advance(i) => Action::Advance(ADVANCES[i % ADVANCES.len()]),
            Move::Restart => {
                // Requests of the old process can no longer be answered.
                in_flight.clear();
                Action::Restart
            }
            Move::ProvideToken { pick, token } => {
                let open: Vec<u64> = driver.sdk().open_asks().iter().map(|a| a.id).collect();
                if open.is_empty() {
                    continue;
                }
                Action::Call(provide_token_call(open[pick % open.len()], *token))
            }
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

/// Takes the `pick`-th request in flight (modulo their number) out of `in_flight`: the
/// one an answer goes to; `None` when none is in flight.
fn take_in_flight(in_flight: &mut Vec<RequestId>, pick: usize) -> Option<RequestId> {
    if in_flight.is_empty() {
        return None;
    }
    Some(in_flight.remove(pick % in_flight.len()))
}

/// Runs `config.sequences` random sequences on `profile` against the model and
/// `adapter`, shrinking the first divergence to a minimal one.
pub fn run_exact(
    adapter: &mut dyn Adapter,
    profile: ProfileId,
    config: RandomConfig,
    protocol: u64,
) -> RandomOutcome {
    let mut runner = TestRunner::new_with_rng(runner_config(config.sequences), rng_for(config.seed, profile));
    let alphabet = Alphabet::new(profile, protocol);
    let tally: Shared = Rc::new(RefCell::new(Tally::new(profile)));
    let strategy = Steered::new(alphabet, Rc::clone(&tally), config.max_len);
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
        tally.borrow_mut().record(&walk_case(&case, profile), None);
        sequences.set(sequences.get() + 1);
        steps.set(steps.get() + case.file.steps.len() as u64);
        let result = run_case(&mut **adapter.borrow_mut(), &case, profile, protocol);
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
    let run = runner.run(&strategy, test);
    if let Some(error) = adapter_error.into_inner() {
        return RandomOutcome {
            profile,
            seed: config.seed,
            sequences: sequences.get(),
            steps: steps.get(),
            divergence: None,
            unimplemented: unimplemented.get(),
            error: Some(error),
            coverage: Some(tally.borrow().clone()),
        };
    }
    let divergence = match run {
        Ok(()) => None,
        Err(TestError::Abort(reason)) => Some(Divergence::aborted(reason.to_string())),
        Err(TestError::Fail(reason, (first, rest))) => {
            let moves: Vec<Move> = std::iter::once(first).chain(rest).collect();
            let case = concretize(profile, &moves, &id);
            let result = run_case(&mut **adapter.borrow_mut(), &case, profile, protocol);
            Some(Divergence {
                message: reason.message().to_owned(),
                steps: case.file.steps.len(),
                case: case.to_json_pretty(),
                requirement: result.violations.first().map(|v| v.requirement),
                violations: result.violations,
            })
        }
    };
    let covered = tally.borrow().clone();
    RandomOutcome {
        profile,
        seed: config.seed,
        sequences: sequences.get(),
        steps: steps.get(),
        divergence,
        unimplemented: unimplemented.get(),
        error: None,
        coverage: Some(covered),
    }
}
