//! Random move sequences: abstract steps that become inputs only against a running SDK,
//! so that deleting a move while shrinking always leaves a valid sequence.

use crate::case::{OrderedMap, TokenSpec};
use jwt_lifecycle_spec::alphabet::{AppCall, CallKind, CustomerIds, Reply};
use jwt_lifecycle_spec::profile::ProfileId;
use proptest::prelude::*;
use proptest::strategy::Union;

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
    /// Advance the clock (index into the advances).
    Advance(usize),
    /// The app process restarts (protocol 2).
    Restart,
    /// Answer the `pick`-th ask of the token callback still open (skipped when none is;
    /// protocol 2, profiles that pull their tokens).
    ProvideToken {
        /// Which ask (modulo their number).
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
}

impl Alphabet {
    /// The alphabet of `profile` for an adapter speaking `protocol`.
    pub fn new(profile: ProfileId, protocol: u64) -> Self {
        let p = profile.profile();
        Alphabet { calls: p.calls, protocol, push: p.token_supply.push, jwt_optional: p.jwt_optional }
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
            Move::Restart => v2,
            Move::ProvideToken { .. } => v2 && self.has(CallKind::ProvideToken),
        }
    }

    fn plain_calls(&self) -> Vec<CallKind> {
        [
            CallKind::Anonymize,
            CallKind::StopIntegration,
            CallKind::ClearLocalData,
            CallKind::Logout,
            CallKind::NewSession,
        ]
        .into_iter()
        .filter(|c| self.has(*c))
        .collect()
    }

    /// One move this alphabet allows.
    pub fn move_strategy(&self) -> BoxedStrategy<Move> {
        let n_tokens = TOKENS.len() + 1;
        let plain = self.plain_calls();
        let token_choice = if self.protocol >= 2 && self.has(CallKind::ClearToken) {
            proptest::option::weighted(0.9, 0..n_tokens).boxed()
        } else {
            (0..n_tokens).prop_map(Some).boxed()
        };
        let throws = if self.protocol >= 2 { prop::bool::weighted(0.2).boxed() } else { Just(false).boxed() };
        let restart_weight = if self.protocol >= 2 { 1 } else { 0 };
        let plain_weight = if plain.is_empty() { 0 } else { 1 };
        let plain = if plain.is_empty() { vec![CallKind::NewSession] } else { plain };
        // Only the profile's calls are generated (CONF-009): a call it lacks weighs nothing.
        let weight = |call: CallKind, w: u32| if self.has(call) { w } else { 0 };
        let push = self.push;
        let provide_weight = if self.protocol >= 2 { weight(CallKind::ProvideToken, 4) } else { 0 };
        let arms: Vec<(u32, BoxedStrategy<Move>)> = vec![
            (
                1,
                (any::<bool>(), 0..n_tokens)
                    .prop_map(move |(debug, t)| Move::Configure {
                        jwt: true,
                        debug,
                        token: push.then_some(t),
                    })
                    .boxed(),
            ),
            (
                weight(CallKind::SetToken, 3),
                (token_choice, proptest::option::of(0..PEOPLE.len()))
                    .prop_map(|(token, identifier)| Move::SetToken { token, identifier })
                    .boxed(),
            ),
            (
                weight(CallKind::RegisterHandler, 2),
                throws.prop_map(|throws| Move::RegisterHandler { throws }).boxed(),
            ),
            (
                weight(CallKind::Identify, 2),
                (0..PEOPLE.len(), proptest::option::of(0..n_tokens))
                    .prop_map(move |(who, token)| Move::Identify { who, token: token.filter(|_| push) })
                    .boxed(),
            ),
            (plain_weight, proptest::sample::select(plain).prop_map(Move::Plain).boxed()),
            (weight(CallKind::Track, 4), Just(Move::Track).boxed()),
            (weight(CallKind::Flush, 4), Just(Move::Flush).boxed()),
            (
                6,
                (0..4usize, 0..REPLIES.len()).prop_map(|(pick, reply)| Move::Respond { pick, reply }).boxed(),
            ),
            (4, (0..ADVANCES.len()).prop_map(Move::Advance).boxed()),
            (restart_weight, Just(Move::Restart).boxed()),
            (
                provide_weight,
                (0..4usize, proptest::option::weighted(0.8, 0..n_tokens))
                    .prop_map(|(pick, token)| Move::ProvideToken { pick, token })
                    .boxed(),
            ),
        ];
        // proptest refuses an arm that weighs nothing, so those are left out.
        Union::new_weighted(arms.into_iter().filter(|(w, _)| *w > 0).collect()).boxed()
    }

    /// A sequence: the first `configure` (so most sequences exercise a running SDK), then
    /// up to `max_len` further moves.
    pub fn sequence_strategy(&self, max_len: usize) -> impl Strategy<Value = (Move, Vec<Move>)> {
        let (push, jwt_optional) = (self.push, self.jwt_optional);
        let first =
            (prop::bool::weighted(0.9), any::<bool>(), proptest::option::weighted(0.3, 0..TOKENS.len() + 1))
                .prop_map(move |(jwt, debug, token)| Move::Configure {
                    jwt: jwt || !jwt_optional,
                    debug,
                    token: token.filter(|_| push),
                });
        (first, proptest::collection::vec(self.move_strategy(), 0..=max_len))
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
        Move::Respond { .. } | Move::Advance(_) | Move::Restart | Move::ProvideToken { .. } => return None,
    })
}

/// The answer to ask `ask` that a [`Move::ProvideToken`] gives once its ask is chosen.
pub fn provide_call(ask: u64, token: Option<usize>) -> AppCall {
    let names = token_names();
    AppCall::ProvideToken { ask, token: token.map(|i| names[i % names.len()].to_owned()) }
}
