//! Random runs judged by the rules: each move becomes an input against the SDK under
//! test as it runs (a `respond` answers one of the requests it has actually sent), the
//! oracle judges every step, and a violation is shrunk to the shortest sequence that
//! still breaks the same requirement. The same inputs run on the reference alongside, so
//! each step is classified into the diagrams' transitions: that coverage steers the
//! next sequences ([`super::steer`]) and is reported.

use super::moves::{call_for, provide_token_call, random_tokens, Alphabet, Move, ADVANCES, REPLIES};
use super::steer::{Shared, Steered};
use super::{rng_for, runner_config, Divergence, RandomConfig, RandomOutcome};
use crate::adapter::{Adapter, Started, StepReply};
use crate::case::{Action, CaseFile, Expected, Housekeeping, Step, TokenTable, DEFAULT_START};
use crate::coverage::Tally;
use jwt_lifecycle_model::diagram::classify::Classified;
use jwt_lifecycle_model::diagram::walk::Walk;
use jwt_lifecycle_oracle::{Act, Oracle, Violation};
use jwt_lifecycle_spec::alphabet::{AppCall, Input, Output, Reply};
use jwt_lifecycle_spec::profile::ProfileId;
use proptest::test_runner::{TestCaseError, TestError, TestRunner};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// What one sequence did.
enum Driven {
    /// It ran to the end; these are its steps (observations as expectations), its
    /// violations, and the transitions its inputs take on the reference.
    Ran { steps: Vec<Step>, violations: Vec<Violation>, classified: Classified },
    /// The adapter has no call the sequence needs.
    Unimplemented,
    /// The adapter could not be talked to.
    Error(String),
}

/// Drives `moves` against `adapter` on `profile`, judged by a fresh oracle.
fn drive(
    adapter: &mut dyn Adapter,
    profile: ProfileId,
    moves: &[Move],
    alphabet: &Alphabet,
    id: &str,
) -> Driven {
    let start = DEFAULT_START;
    let tokens = TokenTable::mint_all(&random_tokens(), start).unwrap_or_default();
    match adapter.start(id, profile, start) {
        Ok(Started::Ready) => {}
        Ok(Started::Unsupported(_)) => return Driven::Unimplemented,
        Err(e) => return Driven::Error(e.to_string()),
    }
    let mut oracle = Oracle::new(&profile.profile(), start);
    let mut reference = Walk::new(&profile.profile(), start);
    let mut classified = Classified::default();
    let (mut now, mut events) = (start, 0usize);
    let (mut steps, mut violations) = (Vec::new(), Vec::new());
    for m in moves.iter().filter(|m| alphabet.allows(m)) {
        let Some(action) = action_for(m, profile, alphabet, &oracle, &mut events) else { continue };
        let step = Step::exact(action, vec![]);
        let (act, reply) = match (&step.action, step.input(&tokens)) {
            (Action::Advance(ms), _) => {
                classified.extend(reference.advance(*ms).classified);
                (Act::Advance { from: now, to: now.saturating_add(*ms) }, adapter.advance(*ms))
            }
            (_, Some(input)) => {
                if let Some(same) = on_reference(&reference, &input) {
                    classified.extend(reference.input(&same).classified);
                }
                (Act::Input { at: now, input: input.clone() }, adapter.input(&input))
            }
            (_, None) => continue,
        };
        let seen = match reply {
            Ok(StepReply::Done(seen)) => seen,
            Ok(StepReply::Unimplemented(_)) => return Driven::Unimplemented,
            Err(e) => return Driven::Error(e.to_string()),
        };
        violations.extend(oracle.step(steps.len(), &act, &seen));
        now = act.end();
        let expect = seen.iter().map(|o| Expected::from_observation(o, start, &tokens)).collect();
        steps.push(Step::exact(step.action.clone(), expect));
        if let Err(e) =
            answer_housekeeping(adapter, &mut oracle, &mut steps, &mut violations, now, &seen, &tokens)
        {
            return Driven::Error(e);
        }
    }
    Driven::Ran { steps, violations, classified }
}

/// The input the reference gets for one sent to the SDK under test: the same, except an
/// answer goes to the reference's own request awaiting one (the SDK's numbering may
/// differ); `None` when the reference awaits no answer.
fn on_reference(reference: &Walk, input: &Input) -> Option<Input> {
    let sdk = reference.driver().sdk();
    match input {
        Input::Respond { request, reply, body } => {
            // The request of the same number where the reference has one awaiting an
            // answer (per-event sending has several), else its one request in flight.
            let awaiting = sdk.awaiting_response();
            let request =
                awaiting.iter().copied().find(|r| r == request).or_else(|| awaiting.first().copied())?;
            Some(Input::Respond { request, reply: *reply, body: body.clone() })
        }
        Input::App(AppCall::ProvideToken { ask, token }) => {
            let open: Vec<u64> = sdk.open_asks().iter().map(|a| a.id).collect();
            let ask = open.iter().copied().find(|a| a == ask).or_else(|| open.first().copied())?;
            Some(Input::App(AppCall::ProvideToken { ask, token: token.clone() }))
        }
        other => Some(other.clone()),
    }
}

/// The action a move takes now, given what the SDK has sent; `None` when it does not
/// apply (an answer with no request awaiting one).
fn action_for(
    m: &Move,
    profile: ProfileId,
    alphabet: &Alphabet,
    oracle: &Oracle,
    events: &mut usize,
) -> Option<Action> {
    Some(match m {
        Move::Respond { pick, reply } => Action::Respond {
            request: awaiting_answer(oracle, *pick)?,
            reply: REPLIES[reply % REPLIES.len()],
            body: None,
        },
        Move::RespondWithBody { pick, body } => Action::Respond {
            request: awaiting_answer(oracle, *pick)?,
            reply: Reply::OK,
            body: Some(alphabet.signal_body(*body)?.clone()),
        },
        Move::Advance(i) => Action::Advance(ADVANCES[i % ADVANCES.len()]),
        Move::Restart => Action::Restart,
        // Only an ask the SDK made and the app has not answered yet.
        Move::ProvideToken { pick, token } => {
            let open: Vec<u64> = oracle.belief().asks.iter().map(|a| a.id).collect();
            if open.is_empty() {
                return None;
            }
            Action::Call(provide_token_call(open[pick % open.len()], *token))
        }
        other => Action::Call(call_for(other, profile, events)?),
    })
}

/// QUEUE-008: the SDK's own requests are answered 200 at once, as the runner does.
fn answer_housekeeping(
    adapter: &mut dyn Adapter,
    oracle: &mut Oracle,
    steps: &mut Vec<Step>,
    violations: &mut Vec<Violation>,
    now: u64,
    seen: &[jwt_lifecycle_spec::alphabet::Observation],
    tokens: &TokenTable,
) -> Result<(), String> {
    for o in seen {
        let Output::RequestSent { request, kind, .. } = o.output else { continue };
        if kind.is_events() {
            continue;
        }
        let input = Input::respond(request, Reply::OK);
        let answered = match adapter.input(&input).map_err(|e| e.to_string())? {
            StepReply::Done(answered) => answered,
            StepReply::Unimplemented(reason) => return Err(reason),
        };
        violations.extend(oracle.step(steps.len(), &Act::Input { at: now, input }, &answered));
        let expect = answered.iter().map(|a| Expected::from_observation(a, DEFAULT_START, tokens)).collect();
        steps.push(Step::exact(Action::Respond { request, reply: Reply::OK, body: None }, expect));
    }
    Ok(())
}

/// The most sequences the final minimisation runs.
const MINIMIZE_RUNS: usize = 2_000;

/// Deletes moves one at a time, last first, while the sequence still `breaks`, until no
/// single deletion keeps it broken. proptest's shrinking stops earlier where deleting a
/// move re-aims the answers after it; the first `configure` stays.
fn minimize(mut moves: Vec<Move>, mut breaks: impl FnMut(&[Move]) -> bool) -> Vec<Move> {
    let mut runs = 0;
    let mut changed = true;
    while changed && runs < MINIMIZE_RUNS {
        changed = false;
        let mut i = moves.len();
        while i > 1 && runs < MINIMIZE_RUNS {
            i -= 1;
            let mut candidate = moves.clone();
            candidate.remove(i);
            runs += 1;
            if breaks(&candidate) {
                moves = candidate;
                changed = true;
            }
        }
    }
    moves
}

/// The minimal sequence as a case file anyone can rerun.
fn trace_case(profile: ProfileId, id: &str, steps: Vec<Step>, requirement: &str) -> String {
    let file = CaseFile {
        id: id.to_owned(),
        description: format!("A random sequence on {profile} that breaks {requirement}; the SDK's observations as expectations."),
        profiles: vec![profile],
        requirements: vec![requirement.to_owned()],
        clauses: Vec::new(),
        start: DEFAULT_START,
        tokens: random_tokens(),
        housekeeping: Housekeeping::Manual,
        steps,
    };
    crate::case::write_pretty(&file)
}

/// Runs `config.sequences` random sequences on `profile` against `adapter`, judged by the
/// monitors, and shrinks the first violation to the shortest sequence that still breaks
/// the same requirement.
pub fn run_judged(
    adapter: &mut dyn Adapter,
    profile: ProfileId,
    config: RandomConfig,
    protocol: u64,
) -> RandomOutcome {
    let mut runner = TestRunner::new_with_rng(runner_config(config.sequences), rng_for(config.seed, profile));
    let alphabet = Alphabet::new(profile, protocol);
    let tally: Shared = Rc::new(RefCell::new(Tally::new(profile)));
    let strategy = Steered::new(alphabet.clone(), Rc::clone(&tally), config.max_len);
    let adapter = RefCell::new(adapter);
    let (sequences, steps, unimplemented) = (Cell::new(0u64), Cell::new(0u64), Cell::new(0u64));
    let adapter_error: RefCell<Option<String>> = RefCell::new(None);
    // The requirement the first failing sequence broke: shrinking keeps only sequences
    // that break it too, so the minimal trace names the rule that really broke.
    let target: Cell<Option<&'static str>> = Cell::new(None);
    let id = format!("random/{profile}-seed-{}", config.seed);
    let test = |(first, rest): (Move, Vec<Move>)| {
        if adapter_error.borrow().is_some() {
            return Ok(());
        }
        let moves: Vec<Move> = std::iter::once(first).chain(rest).collect();
        sequences.set(sequences.get() + 1);
        match drive(&mut **adapter.borrow_mut(), profile, &moves, &alphabet, &id) {
            Driven::Ran { steps: ran, violations, classified } => {
                steps.set(steps.get() + ran.len() as u64);
                tally.borrow_mut().record(&classified, None);
                let Some(first) = violations.first() else { return Ok(()) };
                let wanted = *target.get().get_or_insert(first.requirement);
                target.set(Some(wanted));
                if violations.iter().any(|v| v.requirement == wanted) {
                    Err(TestCaseError::fail(wanted))
                } else {
                    Ok(())
                }
            }
            Driven::Unimplemented => {
                unimplemented.set(unimplemented.get() + 1);
                Ok(())
            }
            Driven::Error(message) => {
                *adapter_error.borrow_mut() = Some(message.clone());
                Err(TestCaseError::fail(message))
            }
        }
    };
    let run = runner.run(&strategy, test);
    let mut outcome = RandomOutcome {
        profile,
        seed: config.seed,
        sequences: sequences.get(),
        steps: steps.get(),
        divergence: None,
        unimplemented: unimplemented.get(),
        error: adapter_error.borrow().clone(),
        coverage: Some(tally.borrow().clone()),
    };
    if outcome.error.is_some() {
        return outcome;
    }
    outcome.divergence = match run {
        Ok(()) => None,
        Err(TestError::Abort(reason)) => Some(Divergence::aborted(reason.to_string())),
        Err(TestError::Fail(_, (first, rest))) => {
            let moves: Vec<Move> = std::iter::once(first).chain(rest).collect();
            let wanted = target.get().unwrap_or("QUEUE-001");
            let moves = minimize(moves, |candidate| {
                matches!(
                    drive(&mut **adapter.borrow_mut(), profile, candidate, &alphabet, &id),
                    Driven::Ran { violations, .. } if violations.iter().any(|v| v.requirement == wanted)
                )
            });
            match drive(&mut **adapter.borrow_mut(), profile, &moves, &alphabet, &id) {
                Driven::Ran { steps: ran, violations, .. } => {
                    let count = ran.len();
                    let message = violations.iter().map(|v| format!("{v}")).collect::<Vec<_>>().join("\n");
                    Some(Divergence {
                        message,
                        steps: count,
                        case: trace_case(profile, &id, ran, wanted),
                        violations,
                        requirement: Some(wanted),
                    })
                }
                Driven::Unimplemented => {
                    Some(Divergence::aborted("the minimal sequence became unimplemented".into()))
                }
                Driven::Error(e) => Some(Divergence::aborted(e)),
            }
        }
    };
    outcome
}

/// The `pick`-th request awaiting an answer (modulo their number), if any awaits one.
fn awaiting_answer(oracle: &Oracle, pick: usize) -> Option<u64> {
    let awaiting: Vec<u64> = oracle.belief().awaiting_response().collect();
    awaiting.get(pick % awaiting.len().max(1)).copied()
}
