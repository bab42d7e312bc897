//! Random move sequences: abstract steps that become inputs only against a running SDK,
//! so that deleting a move while shrinking always leaves a valid sequence.

use crate::case::{OrderedMap, TokenSpec};
use jwt_lifecycle_spec::alphabet::{AppCall, Body, CallKind, CustomerIds, Reply};
use jwt_lifecycle_spec::profile::{BodyMeaning, Profile, ProfileId};
use proptest::prelude::*;

/// The tokens random sequences use: long-lived, due for refresh within two minutes,
/// already inside the refresh window, expired, without `exp`, unparsable.
pub const TOKENS: [(&str, Option<i64>); 5] =
    [("A", Some(3600)), ("S", Some(120)), ("W", Some(30)), ("E", Some(-60)), ("N", None)];
/// The name of the unparsable token.
pub const RAW_TOKEN: (&str, &str) = ("U", "not.a-jwt");

/// The clock advances random sequences draw from, in ms.
pub const ADVANCES: [u64; 7] = [500, 1_000, 1_250, 30_000, 60_000, 120_000, 3_600_000];
/// The answers random sequences draw from.
pub const REPLIES: [Reply; 5] =
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
    /// `set_token` (`None`: without a token, protocol 2).
    SetToken {
        /// Index into the token names.
        token: Option<usize>,
        /// Index into the people, if an identifier is passed.
        identifier: Option<usize>,
    },
    /// `register_handler` (throwing, protocol 2).
    RegisterHandler {
        /// The handler throws.
        throws: bool,
    },
    /// `identify`.
    Identify {
        /// Index into the people.
        who: usize,
        /// Index into the token names, if a token is passed.
        token: Option<usize>,
    },
    /// Any call without arguments but `track`, `flush` and `register_handler`.
    Plain(CallKind),
    /// `track` (a fresh event name).
    Track,
    /// `flush`.
    Flush,
    /// Answer the `pick`-th request awaiting an answer (skipped when none is).
    Respond {
        /// Which request (modulo their number).
        pick: usize,
        /// Index into the replies.
        reply: usize,
    },
    /// Answer the `pick`-th request awaiting an answer with a 200 whose body carries the
    /// profile's signal of a rejection (protocol 2, profiles that read bodies; skipped
    /// when no request awaits one).
    RespondWithBody {
        /// Which request (modulo their number).
        pick: usize,
        /// Index into the profile's [`signal_bodies`].
        body: usize,
    },
    /// Advance the clock (index into the advances).
    Advance(usize),
    /// The app process restarts (protocol 2).
    Restart,
    /// The app's token callback answers the `pick`-th open ask the SDK made (skipped when
    /// none is open): with a token (index into the token names), or failing (`None`).
    /// Only on a profile that pulls its tokens (protocol 2).
    ProvideToken {
        /// Which open ask (modulo their number).
        pick: usize,
        /// Index into the token names; `None`: the callback fails.
        token: Option<usize>,
    },
}

/// The token names, the unparsable one last.
pub fn token_names() -> Vec<&'static str> {
    TOKENS.iter().map(|(n, _)| *n).chain([RAW_TOKEN.0]).collect()
}

/// The token table random sequences declare.
pub fn random_tokens() -> OrderedMap<TokenSpec> {
    let mut tokens: Vec<(String, TokenSpec)> = TOKENS
        .iter()
        .map(|(n, exp)| ((*n).to_owned(), TokenSpec::Minted { exp_in: *exp, claims: OrderedMap::default() }))
        .collect();
    tokens.push((RAW_TOKEN.0.to_owned(), TokenSpec::Raw(RAW_TOKEN.1.to_owned())));
    OrderedMap(tokens)
}

/// What a sequence may contain: the profile's calls, and version 2 inputs only for an
/// adapter that speaks protocol 2.
#[derive(Clone, Debug)]
pub struct Alphabet {
    calls: Vec<CallKind>,
    protocol: u64,
    /// The app passes tokens (configure and identify may carry one).
    push: bool,
    /// The SDK has a mode without JWT (configure may turn it off).
    jwt_optional: bool,
    /// The profile's consecutive-failure limit, if it has one.
    failure_limit: Option<u32>,
    /// The bodies with a rejection signal the profile reads ([`signal_bodies`]), built once
    /// for every answer that carries one.
    bodies: Vec<Body>,
    /// An explicit flush sends while the failure limit suspends sync (LIMIT-006).
    flush_through_suspension: bool,
}

impl Alphabet {
    /// The alphabet of `profile` for an adapter speaking `protocol`.
    pub fn new(profile: ProfileId, protocol: u64) -> Self {
        let p = profile.profile();
        Alphabet {
            push: p.token_supply.push,
            jwt_optional: p.jwt_optional,
            failure_limit: p.failure_limit.map(|l| l.consecutive_failures),
            bodies: signal_bodies(&p),
            flush_through_suspension: p.failure_limit.is_some_and(|l| l.flush_while_suspended),
            calls: p.calls,
            protocol,
        }
    }

    /// The profile's consecutive-failure limit, if it has one.
    pub fn failure_limit(&self) -> Option<u32> {
        self.failure_limit
    }

    /// True when an explicit flush sends while the failure limit suspends sync.
    pub fn flush_through_suspension(&self) -> bool {
        self.flush_through_suspension
    }

    /// The signal body a [`Move::RespondWithBody`] answers with (its index modulo their
    /// number); `None` where the profile reads no body.
    pub fn signal_body(&self, index: usize) -> Option<&Body> {
        self.bodies.get(index % self.bodies.len().max(1))
    }

    fn has(&self, call: CallKind) -> bool {
        self.calls.contains(&call)
    }

    /// True when `m` may be sent to this profile and adapter.
    pub fn allows(&self, m: &Move) -> bool {
        let v2 = self.protocol >= 2;
        match m {
            // CONF-009: a pull-only profile takes no token, and one without a mode without
            // JWT is configured with it on.
            Move::Configure { jwt, token, .. } => {
                self.has(CallKind::Configure) && (*jwt || self.jwt_optional) && (token.is_none() || self.push)
            }
            Move::SetToken { token: None, .. } => v2 && self.has(CallKind::ClearToken),
            Move::SetToken { .. } => self.has(CallKind::SetToken),
            Move::RegisterHandler { throws } => self.has(CallKind::RegisterHandler) && (v2 || !throws),
            Move::Identify { token, .. } => self.has(CallKind::Identify) && (token.is_none() || self.push),
            Move::Plain(call) => self.has(*call),
            Move::Track => self.has(CallKind::Track),
            Move::Flush => self.has(CallKind::Flush),
            Move::Respond { .. } | Move::Advance(_) => true,
            Move::RespondWithBody { .. } => v2 && !self.bodies.is_empty(),
            Move::Restart => v2,
            Move::ProvideToken { .. } => v2 && self.has(CallKind::ProvideToken),
        }
    }

    /// The kinds of moves this alphabet allows, each once.
    pub fn features(&self) -> Vec<Feature> {
        // Only the profile's calls (CONF-009).
        let mut features = vec![Feature::Configure];
        if self.has(CallKind::SetToken) {
            features.push(Feature::SetToken);
        }
        if self.allows(&Move::SetToken { token: None, identifier: None }) {
            features.push(Feature::ClearToken);
        }
        if self.has(CallKind::RegisterHandler) {
            features.push(Feature::Handler);
        }
        if self.has(CallKind::Identify) {
            features.push(Feature::Identify);
        }
        features.extend(
            [
                CallKind::Anonymize,
                CallKind::StopIntegration,
                CallKind::ClearLocalData,
                CallKind::Logout,
                CallKind::NewSession,
            ]
            .into_iter()
            .filter(|c| self.has(*c))
            .map(Feature::Call),
        );
        features.extend([Feature::Track, Feature::Flush].into_iter().filter(|f| match f {
            Feature::Flush => self.has(CallKind::Flush),
            _ => self.has(CallKind::Track),
        }));
        features.extend((0..REPLIES.len()).map(Feature::Reply));
        if self.allows(&Move::RespondWithBody { pick: 0, body: 0 }) {
            features.push(Feature::BodyReply);
        }
        features.extend([Feature::AdvanceShort, Feature::AdvanceLong]);
        if self.allows(&Move::Restart) {
            features.push(Feature::Restart);
        }
        if self.allows(&Move::ProvideToken { pick: 0, token: None }) {
            features.push(Feature::ProvideToken);
        }
        features
    }

    /// The moves of one feature under `plan`.
    fn feature_strategy(&self, feature: Feature, plan: &Plan) -> BoxedStrategy<Move> {
        let n_tokens = TOKENS.len() + 1;
        let people = plan.people.clamp(1, PEOPLE.len());
        let throws = if self.protocol >= 2 { prop::bool::weighted(0.2).boxed() } else { Just(false).boxed() };
        let push = self.push;
        match feature {
            // A profile whose tokens are only pulled takes none at configure or identify.
            Feature::Configure if !push => {
                any::<bool>().prop_map(|debug| Move::Configure { jwt: true, debug, token: None }).boxed()
            }
            // Half the later configures pass no token: what a restart kept (LIFE-014) only
            // shows when configure does not replace it, and a configure of the running SDK
            // must not time its token again (REFR-007).
            Feature::Configure => (any::<bool>(), proptest::option::of(0..n_tokens))
                .prop_map(|(debug, token)| Move::Configure { jwt: true, debug, token })
                .boxed(),
            Feature::SetToken => ((0..n_tokens), proptest::option::of(0..people))
                .prop_map(|(token, identifier)| Move::SetToken { token: Some(token), identifier })
                .boxed(),
            Feature::ClearToken => Just(Move::SetToken { token: None, identifier: None }).boxed(),
            Feature::Handler => throws.prop_map(|throws| Move::RegisterHandler { throws }).boxed(),
            Feature::Identify => (0..people, proptest::option::of(0..n_tokens))
                .prop_map(move |(who, token)| Move::Identify { who, token: token.filter(|_| push) })
                .boxed(),
            Feature::Call(call) => Just(Move::Plain(call)).boxed(),
            Feature::Track => Just(Move::Track).boxed(),
            Feature::Flush => Just(Move::Flush).boxed(),
            Feature::Reply(reply) => (0..4usize).prop_map(move |pick| Move::Respond { pick, reply }).boxed(),
            Feature::BodyReply => (0..4usize, 0..self.bodies.len().max(1))
                .prop_map(|(pick, body)| Move::RespondWithBody { pick, body })
                .boxed(),
            Feature::AdvanceShort => (0..3usize).prop_map(Move::Advance).boxed(),
            Feature::AdvanceLong => (3..ADVANCES.len()).prop_map(Move::Advance).boxed(),
            Feature::Restart => Just(Move::Restart).boxed(),
            // Three answers in ten fail: the token callback rejects (LIFE-018).
            Feature::ProvideToken => (0..4usize, proptest::option::weighted(0.7, 0..n_tokens))
                .prop_map(|(pick, token)| Move::ProvideToken { pick, token })
                .boxed(),
        }
    }

    /// One move as `weights` weigh them (features this alphabet lacks are left out).
    pub fn move_strategy(&self, weights: &[(Feature, u32)], plan: &Plan) -> BoxedStrategy<Move> {
        let allowed = self.features();
        let mut options: Vec<(u32, BoxedStrategy<Move>)> = weights
            .iter()
            .filter(|(f, w)| *w > 0 && allowed.contains(f))
            .map(|(f, w)| (*w, self.feature_strategy(*f, plan)))
            .collect();
        if options.is_empty() {
            options.push((1, Just(Move::Flush).boxed()));
        }
        proptest::strategy::Union::new_weighted(options).boxed()
    }

    /// A sequence under `plan`: the first `configure` (so most sequences exercise a
    /// running SDK), then each phase's moves in turn; phases are cut to `max_len` moves
    /// in all.
    pub fn plan_strategy(&self, plan: &Plan, max_len: usize) -> BoxedStrategy<(Move, Vec<Move>)> {
        let (jwt, push) = (plan.jwt || !self.jwt_optional, self.push);
        let first = (any::<bool>(), proptest::option::weighted(0.3, 0..TOKENS.len() + 1))
            .prop_map(move |(debug, token)| Move::Configure { jwt, debug, token: token.filter(|_| push) });
        let mut left = plan.len.unwrap_or(max_len);
        let mut phases: Vec<BoxedStrategy<Vec<Move>>> = Vec::new();
        for phase in &plan.phases {
            let most = phase.most.min(left);
            left -= most;
            let moves = self.move_strategy(&phase.weights, plan);
            let range = phase.least.min(most)..=most;
            if phase.answers.is_empty() {
                phases.push(proptest::collection::vec(moves, range).boxed());
            } else {
                let answers = self.move_strategy(&phase.answers, plan);
                let pairs = (range.start() / 2)..=(range.end() / 2);
                phases.push(
                    proptest::collection::vec((moves, answers), pairs)
                        .prop_map(|pairs| pairs.into_iter().flat_map(|(m, a)| [m, a]).collect())
                        .boxed(),
                );
            }
        }
        (first, phases).prop_map(|(first, phases)| (first, phases.concat())).boxed()
    }

    /// A sequence with every feature at its usual weight, JWT enabled in nine sequences
    /// out of ten (the generator without steering).
    pub fn sequence_strategy(&self, max_len: usize) -> impl Strategy<Value = (Move, Vec<Move>)> {
        let on = Plan::everything(self, max_len);
        let off = Plan { jwt: false, ..on.clone() };
        let (on, off) = (self.plan_strategy(&on, max_len), self.plan_strategy(&off, max_len));
        proptest::strategy::Union::new_weighted(vec![(9, on), (1, off)])
    }
}

/// A kind of move: a plan says which kinds a sequence uses and how often.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Feature {
    /// A further `configure` (JWT on, maybe a token).
    Configure,
    /// `set_token` with a token.
    SetToken,
    /// `set_token` without a token (protocol 2, where the profile has it).
    ClearToken,
    /// `register_handler`.
    Handler,
    /// `identify`, with or without a token.
    Identify,
    /// A call without arguments: anonymize, stop_integration, clear_local_data, logout,
    /// new_session.
    Call(CallKind),
    /// `track`.
    Track,
    /// `flush`.
    Flush,
    /// An answer: index into [`REPLIES`].
    Reply(usize),
    /// 500 ms to 1.25 s: retry timers.
    AdvanceShort,
    /// 30 s to an hour: refresh windows and expiry.
    AdvanceLong,
    /// An app restart.
    Restart,
    /// The app's token callback answers an open ask (pull profiles, protocol 2).
    ProvideToken,
    /// A 200 whose body signals a rejection (profiles that read bodies, protocol 2).
    BodyReply,
}

impl Feature {
    /// Its weight when a plan gives every feature its usual share.
    pub fn usual_weight(self) -> u32 {
        match self {
            Feature::Configure | Feature::ClearToken | Feature::Call(_) | Feature::Restart => 1,
            Feature::Handler | Feature::Identify | Feature::AdvanceShort | Feature::AdvanceLong => 2,
            Feature::SetToken | Feature::ProvideToken => 3,
            Feature::Track | Feature::Flush => 4,
            // Six in all, shared by the five replies.
            Feature::Reply(_) | Feature::BodyReply => 1,
        }
    }
}

/// What one sequence is made of: phases of moves, each with its features and weights
/// (swarm testing: a sequence uses only some), whether the first `configure` enables
/// JWT, and how many people it names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The phases, in order.
    pub phases: Vec<Phase>,
    /// JWT is enabled by the first `configure`.
    pub jwt: bool,
    /// How many of the people identifiers and `identify` name (1 or 2).
    pub people: usize,
    /// The most moves after the first `configure`, where the plan needs more than the
    /// run's longest sequence: a climb to a failure limit that needs more (see
    /// [`super::steer`]). `None`: the run's.
    pub len: Option<usize>,
}

/// A run of moves drawn from the same features.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phase {
    /// Each feature the phase may use, with its weight.
    pub weights: Vec<(Feature, u32)>,
    /// The fewest moves.
    pub least: usize,
    /// The most moves (the sequence's `max_len` cuts it further).
    pub most: usize,
    /// When not empty, each move drawn from `weights` is followed by one drawn from
    /// these (a send, then its answer: a climb to a limit beyond the reach of moves
    /// drawn one at a time); `least` and `most` then count both.
    pub answers: Vec<(Feature, u32)>,
}

impl Plan {
    /// Every feature of `alphabet` at its usual weight, in one phase of up to `max_len`
    /// moves.
    pub fn everything(alphabet: &Alphabet, max_len: usize) -> Self {
        let weights = alphabet.features().into_iter().map(|f| (f, f.usual_weight())).collect();
        Plan {
            phases: vec![Phase { weights, least: 0, most: max_len, answers: Vec::new() }],
            jwt: true,
            people: PEOPLE.len(),
            len: None,
        }
    }
}

/// The app call a move makes on `profile`; `events` numbers the tracked events. `None`
/// for answers, time and restarts.
pub fn call_for(m: &Move, profile: ProfileId, events: &mut usize) -> Option<AppCall> {
    let names = token_names();
    let name = |i: usize| names[i % names.len()].to_owned();
    let person = |i: usize| PEOPLE[i % PEOPLE.len()];
    let identity_key = profile.profile().identifier_key.unwrap_or_else(|| "registered".to_owned());
    Some(match m {
        Move::Configure { jwt, debug, token } => {
            AppCall::Configure { jwt_enabled: *jwt, debug: *debug, token: token.map(name) }
        }
        Move::SetToken { token, identifier } => {
            AppCall::SetToken { token: token.map(name), identifier: identifier.map(|i| person(i).to_owned()) }
        }
        Move::RegisterHandler { throws } => AppCall::RegisterHandler { throws: *throws },
        Move::Identify { who, token } => AppCall::Identify {
            customer_ids: CustomerIds::single(&identity_key, person(*who)),
            token: token.map(name),
        },
        Move::Plain(CallKind::Anonymize) => AppCall::Anonymize {},
        Move::Plain(CallKind::StopIntegration) => AppCall::StopIntegration {},
        Move::Plain(CallKind::ClearLocalData) => AppCall::ClearLocalData {},
        Move::Plain(CallKind::Logout) => AppCall::Logout {},
        Move::Plain(_) => AppCall::NewSession {},
        Move::Track => {
            *events += 1;
            AppCall::Track { event: format!("e{events}") }
        }
        Move::Flush => AppCall::Flush {},
        Move::Respond { .. }
        | Move::RespondWithBody { .. }
        | Move::Advance(_)
        | Move::Restart
        | Move::ProvideToken { .. } => return None,
    })
}

/// The answer a [`Move::ProvideToken`] gives to ask `ask` (the caller picks the ask among
/// those open).
pub fn provide_token_call(ask: u64, token: Option<usize>) -> AppCall {
    let names = token_names();
    AppCall::ProvideToken { ask, token: token.map(|i| names[i % names.len()].to_owned()) }
}

/// The response bodies a random run answers with where `profile` reads bodies
/// (RETRY-019): each sets every field the profile's signals point at, one per vendor code
/// the profile lists and one with a code it does not list; none where it reads no body.
pub fn signal_bodies(profile: &Profile) -> Vec<Body> {
    if profile.body_signals.is_empty() {
        return Vec::new();
    }
    let unlisted = profile.codes.iter().map(|c| c.code).max().unwrap_or(0) + 1;
    let codes: Vec<i64> = profile.codes.iter().map(|c| c.code).chain([unlisted]).collect();
    codes.into_iter().map(|code| Body(body_with_signals(profile, code))).collect()
}

/// A body with every field the profile's signals point at: the vendor code `code`
/// where a signal reads a code, `true` where one reads an expiry, an empty object where
/// only the presence counts.
fn body_with_signals(profile: &Profile, code: i64) -> serde_json::Value {
    let mut body = serde_json::Value::Object(serde_json::Map::new());
    for signal in &profile.body_signals {
        let value = match signal.means {
            BodyMeaning::VendorCode => serde_json::Value::from(code),
            BodyMeaning::TokenExpired => serde_json::Value::Bool(true),
            BodyMeaning::AuthenticationFailure => serde_json::Value::Object(serde_json::Map::new()),
        };
        set_pointer(&mut body, &signal.pointer, value);
    }
    body
}

/// Sets the field at JSON pointer `pointer` (keys only), making objects on the way and
/// keeping an object already there.
fn set_pointer(body: &mut serde_json::Value, pointer: &str, value: serde_json::Value) {
    let keys: Vec<&str> = pointer.split('/').skip(1).collect();
    let Some((last, path)) = keys.split_last() else { return };
    let mut at = body;
    for key in path {
        let Some(object) = at.as_object_mut() else { return };
        at = object
            .entry((*key).to_owned())
            .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
    }
    if let Some(object) = at.as_object_mut() {
        let slot = object.entry((*last).to_owned()).or_insert(serde_json::Value::Null);
        if !slot.is_object() {
            *slot = value;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jwt_lifecycle_spec::profile::Answer;

    #[test]
    fn each_signal_body_is_read_as_a_rejection_by_the_body_with_its_code() {
        for id in ProfileId::ALL {
            let profile = id.profile();
            let bodies = signal_bodies(&profile);
            assert_eq!(bodies.is_empty(), profile.body_signals.is_empty(), "{id}");
            let mut codes = Vec::new();
            for body in &bodies {
                match profile.read_answer(Reply::OK, Some(body)) {
                    Answer::Rejected { by_body: true, code, .. } => codes.push(code),
                    other => panic!("{id}: {} read as {other:?}", body.0),
                }
            }
            let unlisted =
                codes.iter().filter(|c| !profile.codes.iter().any(|l| Some(l.code) == **c)).count();
            assert!(
                bodies.is_empty() || unlisted == 1,
                "{id}: one code the profile does not list: {codes:?}"
            );
        }
    }
}
