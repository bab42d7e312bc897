//! Random sequences steered toward the transitions not yet exercised.
//!
//! Each sequence follows a [`Plan`] drawn afresh from the run's coverage so far:
//! - while some transition of the profile's diagrams is still missing, half the
//!   sequences aim at one of them: they use the features its recipe needs, weighted up,
//!   plus a few others, and are long where the transition lies deep (the failure limit
//!   needs ten rejections, each followed by a new token, then a new session);
//! - the other sequences are swarm tests: each feature is in or out at random, and a
//!   feature weighs more the more missing transitions need it;
//! - where the profile has a failure limit, one sequence in four climbs to it whatever
//!   the coverage, with other answers mixed in at random and a random mix of calls
//!   after it: the limit's rules (count, reset, what a session lifts) live there. A
//!   limit beyond the reach of moves drawn one at a time within the longest sequence
//!   (braze-web's 50) is climbed in pairs, a send then its answer, and that climb is as
//!   long as the limit needs, whatever the run's longest sequence.
//!
//! Shrinking does not see plans: a failing sequence shrinks by deleting moves, as before.

use super::moves::{Alphabet, Feature, Move, Phase, Plan, REPLIES};
use crate::coverage::Tally;
use jwt_lifecycle_model::diagram::Transition;
use jwt_lifecycle_spec::alphabet::{CallKind, Reply as Answer};
use proptest::prelude::RngExt;
use proptest::strategy::{NewTree, Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use std::cell::RefCell;
use std::rc::Rc;

/// The coverage a run has reached so far, shared by the strategy and the test.
pub type Shared = Rc<RefCell<Tally>>;

/// Sequences whose plans follow the coverage in a [`Shared`] tally.
#[derive(Clone, Debug)]
pub struct Steered {
    alphabet: Alphabet,
    tally: Shared,
    max_len: usize,
}

impl Steered {
    /// Sequences of at most `max_len` moves after the first `configure`, over `alphabet`,
    /// steered by `tally`.
    pub fn new(alphabet: Alphabet, tally: Shared, max_len: usize) -> Self {
        Steered { alphabet, tally, max_len }
    }

    fn plan(&self, rng: &mut impl RngExt) -> Plan {
        let tally = self.tally.borrow();
        let missing: Vec<Transition> = tally.missing().iter().map(|e| e.transition).collect();
        let limited = tally.edges().iter().any(|e| e.transition == Transition::Suspend);
        if limited && rng.random_ratio(1, 4) {
            climb(&self.alphabet, self.max_len, rng)
        } else if !missing.is_empty() && rng.random_bool(0.5) {
            let target = missing[rng.random_range(0..missing.len())];
            aimed(&self.alphabet, target, self.max_len, rng)
        } else {
            swarm(&self.alphabet, &missing, self.max_len, rng)
        }
    }
}

impl Strategy for Steered {
    type Tree = Box<dyn ValueTree<Value = (Move, Vec<Move>)>>;
    type Value = (Move, Vec<Move>);

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        let plan = self.plan(runner.rng());
        self.alphabet.plan_strategy(&plan, self.max_len).new_tree(runner)
    }
}

/// True when a climb of moves drawn one at a time cannot reach `limit` failures within
/// `max_len` moves: each failure takes about four (a send, an answer, and the moves that
/// find nothing to send or answer).
fn climbs_in_pairs(limit: u32, max_len: usize) -> bool {
    limit as usize * 4 > max_len * 85 / 100
}

fn reply(r: Answer) -> Feature {
    Feature::Reply(REPLIES.iter().position(|x| *x == r).unwrap_or(0))
}

/// The features a transition needs, with the weight each gets when aiming at it.
fn recipe(t: Transition) -> Vec<(Feature, u32)> {
    use Feature::*;
    use Transition as T;
    let stop = Call(CallKind::StopIntegration);
    let send = [(Track, 3), (Flush, 3)];
    let (ok, unauthorized, forbidden) =
        (reply(Answer::OK), reply(Answer::UNAUTHORIZED), reply(Answer::FORBIDDEN));
    let (server, network) = (reply(Answer::Status(500)), reply(Answer::NetworkError));
    let rejections = [(unauthorized, 5), (forbidden, 3)];
    let mut r: Vec<(Feature, u32)> = match t {
        T::SdkStarts | T::Configure | T::TokenStarts | T::PipelineStarts => vec![],
        T::Stop => vec![(stop, 2)],
        T::Reconfigure => vec![(stop, 2), (Configure, 2)],
        T::RestartRunning => vec![(Restart, 2)],
        T::RestartStopped => vec![(stop, 2), (Restart, 2)],
        T::TokenSet | T::TokenSetInsideWindow | T::TokenSetExpired | T::TokenReplaced => {
            vec![(SetToken, 4), (Identify, 2), (ProvideToken, 4)]
        }
        T::WindowOpens | T::ExpiresInWindow | T::Expires => {
            vec![(SetToken, 2), (AdvanceLong, 4), (Identify, 1), (ProvideToken, 3)]
        }
        T::TokenAsked => vec![(Identify, 4)],
        T::AskFailed => vec![(Identify, 3), (ProvideToken, 4)],
        // A token inside the window (or one a long advance brings there) is asked for
        // again; that ask then fails.
        T::RefreshAskFailed => vec![(Identify, 2), (ProvideToken, 6), (AdvanceLong, 1)],
        T::TokenCleared => vec![
            (SetToken, 3),
            (ClearToken, 2),
            (Identify, 2),
            (Call(CallKind::Anonymize), 2),
            (stop, 1),
            (Call(CallKind::ClearLocalData), 2),
            (Call(CallKind::Logout), 2),
        ],
        T::Send => vec![],
        T::AutoFlush => vec![(AdvanceLong, 3), (AdvanceShort, 1)],
        T::OtherFailureFails | T::BackoffFailed => vec![(server, 3), (network, 3)],
        T::BackoffRejected => rejections.to_vec(),
        T::BackoffOver => vec![(unauthorized, 4), (server, 2), (AdvanceLong, 4)],
        T::FlushDuringBackoff => vec![(unauthorized, 4), (server, 2), (Flush, 3)],
        T::BackoffLapses => {
            vec![(unauthorized, 4), (server, 2), (Call(CallKind::ClearLocalData), 3), (AdvanceLong, 3)]
        }
        T::Refetch | T::RefetchResent | T::RefetchFailed | T::RefetchRejected => {
            vec![(Identify, 2), (unauthorized, 6), (ProvideToken, 6)]
        }
        T::RefetchCustomerLeft => {
            vec![(Identify, 4), (unauthorized, 6), (ProvideToken, 3), (Call(CallKind::Logout), 2)]
        }
        T::LogoutSync => vec![(SetToken, 2), (Call(CallKind::Logout), 2)],
        T::LogoutSyncRejected => vec![(SetToken, 2), (Call(CallKind::Logout), 3), (unauthorized, 5)],
        T::Delivered => vec![(ok, 4)],
        T::Requeued => vec![(server, 3), (network, 3)],
        T::RetryScheduled | T::Hold | T::RejectedWithAppError | T::RejectedWithoutJwt => rejections.to_vec(),
        T::RetrySent | T::RetryRejected => {
            vec![(unauthorized, 6), (forbidden, 2), (AdvanceShort, 4), (SetToken, 1)]
        }
        T::ForbiddenFails => vec![(SetToken, 4), (forbidden, 6)],
        T::Release => vec![(unauthorized, 5), (SetToken, 5)],
        T::DiscardInFlight => vec![(Call(CallKind::ClearLocalData), 2), (stop, 2)],
        T::DiscardRetry | T::DiscardHeld => {
            vec![(unauthorized, 6), (Call(CallKind::ClearLocalData), 2), (stop, 2)]
        }
        T::HeldCustomerLeft | T::RejectedCustomerLeft => vec![
            (unauthorized, 5),
            (SetToken, 3),
            (Identify, 3),
            (Call(CallKind::Logout), 2),
            (ProvideToken, 2),
        ],
        // The failure limit: rejections, each answered with a new token (the climb), and
        // what happens once suspended (see `deep`).
        T::Suspend
        | T::SuspendedStays
        | T::NewSession
        | T::NewSessionHeld
        | T::NewSessionWaiting
        | T::FlushThroughSuspension
        | T::AnsweredWhileSuspended => {
            vec![(unauthorized, 10), (forbidden, 2), (SetToken, 10)]
        }
    };
    let pipeline = t.diagram() == jwt_lifecycle_model::diagram::Diagram::Pipeline;
    if pipeline && !t.is_initial() {
        r.extend(send);
    }
    // Without a handler most notifications are never seen.
    if !r.iter().any(|(f, _)| *f == Handler) {
        r.push((Handler, 1));
    }
    r
}

/// A climb to the failure limit (rejections, each answered with a new token), with 200,
/// 500 and network errors mixed in at random, then a phase of calls chosen at random.
fn climb(alphabet: &Alphabet, max_len: usize, rng: &mut impl RngExt) -> Plan {
    use Feature::*;
    let (up, len) = climb_phase(alphabet, max_len, rng);
    let mut after = vec![(Track, 3), (Flush, 3), (SetToken, 2)];
    for (f, w) in [
        (Call(CallKind::NewSession), 3),
        (Call(CallKind::ClearLocalData), 2),
        (Call(CallKind::StopIntegration), 1),
        (Configure, 1),
        (reply(Answer::UNAUTHORIZED), 2),
        (reply(Answer::OK), 1),
    ] {
        if rng.random_bool(0.5) {
            after.push((f, w));
        }
    }
    if len > max_len {
        // A suspension after a long climb ends with a wait still running or over.
        after.push((AdvanceLong, 2));
    }
    Plan {
        phases: vec![
            up,
            Phase { weights: after, least: len / 20, most: len * 15 / 100, answers: Vec::new() },
        ],
        jwt: true,
        people: 1,
        len: (len > max_len).then_some(len),
    }
}

/// The phase that climbs to the failure limit, and the length of a sequence that holds
/// it and a phase after it. Where moves drawn one at a time cannot reach the limit within
/// `max_len`, the climb is drawn in pairs (a send, then its answer) and the sequence is
/// as long as the limit needs.
fn climb_phase(alphabet: &Alphabet, max_len: usize, rng: &mut impl RngExt) -> (Phase, usize) {
    use Feature::*;
    let limit = alphabet.failure_limit().unwrap_or(10);
    if climbs_in_pairs(limit, max_len) {
        // Each pair sends (a flush, or a clock advance past the wait) and answers; a
        // success would start the count again, so none is mixed in.
        let sends = vec![(Flush, 8), (AdvanceLong, 1), (Track, 2)];
        // A profile that reads rejections in the body (braze-web) is also rejected that
        // way, the path its shipped SDK takes.
        let mut answers =
            vec![(reply(Answer::UNAUTHORIZED), 10), (reply(Answer::FORBIDDEN), 2), (BodyReply, 6)];
        for other in [Answer::Status(500), Answer::NetworkError] {
            if rng.random_bool(0.5) {
                answers.push((reply(other), 1));
            }
        }
        // Pairs find nothing to send or answer at times (no event tracked yet, events a
        // 403 failed for good): half the limit again leaves room for them.
        let pairs = limit as usize + limit as usize / 2 + 4;
        let len = (pairs * 2 * 100 / 85).max(max_len);
        let least = (limit as usize + limit as usize / 4 + 4) * 2;
        return (Phase { weights: sends, least, most: pairs * 2, answers }, len);
    }
    let mut up = vec![
        (reply(Answer::UNAUTHORIZED), 10),
        (reply(Answer::FORBIDDEN), 2),
        (SetToken, 10),
        (Track, 5),
        (Flush, 6),
        (Handler, 1),
    ];
    for other in [Answer::OK, Answer::Status(500), Answer::NetworkError] {
        if rng.random_bool(0.5) {
            up.push((reply(other), rng.random_range(1..=2)));
        }
    }
    (Phase { weights: up, least: max_len * 6 / 10, most: max_len * 85 / 100, answers: Vec::new() }, max_len)
}

/// For a transition that lies past the failure limit: the features of the phase after
/// the climb (a new session too early would start the count again).
fn deep(t: Transition) -> Option<Vec<(Feature, u32)>> {
    use Feature::*;
    let track_flush = vec![(Track, 3), (Flush, 3), (SetToken, 2)];
    let return_phase = match t {
        Transition::Suspend | Transition::SuspendedStays => track_flush,
        Transition::FlushThroughSuspension | Transition::AnsweredWhileSuspended => {
            [track_flush, vec![(reply(Answer::OK), 3), (reply(Answer::UNAUTHORIZED), 2)]].concat()
        }
        Transition::NewSessionWaiting => [track_flush, vec![(Call(CallKind::NewSession), 4)]].concat(),
        Transition::NewSessionHeld => [track_flush, vec![(Call(CallKind::NewSession), 4)]].concat(),
        // Suspended with nothing held: the held request deleted, or stopped and configured.
        Transition::NewSession => [
            track_flush,
            vec![
                (Call(CallKind::ClearLocalData), 3),
                (Call(CallKind::StopIntegration), 1),
                (Configure, 1),
                (Call(CallKind::NewSession), 3),
                (AdvanceLong, 3),
            ],
        ]
        .concat(),
        _ => return None,
    };
    Some(return_phase)
}

/// A plan aiming at `target`: its recipe's features, weighted up, plus each other
/// feature at weight 1 one time in six. A transition past the failure limit gets a
/// climb phase (half to three quarters of `max_len`) and a phase after it.
fn aimed(alphabet: &Alphabet, target: Transition, max_len: usize, rng: &mut impl RngExt) -> Plan {
    let recipe = recipe(target);
    let mut weights: Vec<(Feature, u32)> = recipe.clone();
    // A new session during the climb starts the count again.
    let extras: Vec<Feature> = alphabet
        .features()
        .into_iter()
        .filter(|f| !recipe.iter().any(|(r, _)| r == f))
        .filter(|f| {
            deep(target).is_none() || !matches!(f, Feature::Call(_) | Feature::Configure | Feature::Restart)
        })
        .collect();
    for f in extras {
        if rng.random_ratio(1, 6) {
            weights.push((f, 1));
        }
    }
    let limit = alphabet.failure_limit().unwrap_or(10);
    let mut deep = deep(target);
    if target == Transition::NewSession && alphabet.flush_through_suspension() {
        // A flush there sends, and the SDK is no longer suspended with nothing on the way;
        // the backoff wait has to lapse first instead.
        if let Some(after) = deep.as_mut() {
            after.retain(|(f, _)| *f != Feature::Flush);
            after.push((Feature::AdvanceLong, 3));
        }
    }
    let (phases, len) = match deep {
        // A limit beyond the reach of single moves: the climb in pairs, then the phase
        // after it.
        Some(after) if climbs_in_pairs(limit, max_len) => {
            let (up, len) = climb_phase(alphabet, max_len, rng);
            (vec![up, Phase { weights: after, least: len / 20, most: len / 4, answers: Vec::new() }], len)
        }
        Some(after) => (
            vec![
                Phase { weights, least: max_len / 2, most: max_len * 3 / 4, answers: Vec::new() },
                Phase { weights: after, least: max_len / 20, most: max_len / 4, answers: Vec::new() },
            ],
            max_len,
        ),
        None => (vec![Phase { weights, least: 0, most: max_len, answers: Vec::new() }], max_len),
    };
    // A held request fails when its customer changes: only the transitions about that
    // change name two people.
    let customer_change = matches!(
        target,
        Transition::HeldCustomerLeft | Transition::RejectedCustomerLeft | Transition::RefetchCustomerLeft
    );
    Plan {
        phases,
        jwt: target != Transition::RejectedWithoutJwt,
        people: if customer_change { 2 } else { 1 },
        len: (len > max_len).then_some(len),
    }
}

/// How likely a swarm plan keeps `f`: the features without which little is seen (a
/// handler, a token, events sent) are kept more often.
fn swarm_odds(f: Feature) -> f64 {
    match f {
        Feature::Handler => 0.9,
        Feature::SetToken | Feature::Track | Feature::Flush => 0.8,
        _ => 0.5,
    }
}

/// A swarm plan: each feature in or out at random; a feature weighs its usual weight
/// plus one for every missing transition whose recipe needs it.
fn swarm(alphabet: &Alphabet, missing: &[Transition], max_len: usize, rng: &mut impl RngExt) -> Plan {
    let recipes: Vec<Vec<(Feature, u32)>> = missing.iter().map(|t| recipe(*t)).collect();
    let mut weights: Vec<(Feature, u32)> = alphabet
        .features()
        .into_iter()
        .filter(|f| rng.random_bool(swarm_odds(*f)))
        .map(|f| {
            let wanted = recipes.iter().filter(|r| r.iter().any(|(x, _)| *x == f)).count() as u32;
            (f, f.usual_weight() + wanted)
        })
        .collect();
    if weights.is_empty() {
        weights = vec![(Feature::Track, 1), (Feature::Flush, 1)];
    }
    Plan {
        phases: vec![Phase { weights, least: 0, most: max_len, answers: Vec::new() }],
        jwt: rng.random_ratio(9, 10),
        people: 2,
        len: None,
    }
}
