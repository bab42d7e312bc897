//! The small domains the environment draws from: tokens, customers, events, and the
//! steps it can take.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jwt_lifecycle_spec::alphabet::{AppCall, AskId, Body, CustomerIds, Input, Reply, RequestId, UnixMillis};
use jwt_lifecycle_spec::profile::Profile;
use std::fmt;

/// The instant every check starts at.
pub const START: UnixMillis = 1_700_000_000_000;

/// Time never advances past this many ms after [`START`], so paths end.
pub const HORIZON_MS: u64 = 200_000;

/// The tokens the app can pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tok {
    /// Expires 90 s after start: its refresh window and its expiry are both reachable.
    Short,
    /// Expired 10 s before start.
    Expired,
    /// No `exp` claim (LIFE-012).
    NoExp,
    /// Expires an hour after start, far past the horizon: what a cooperative app answers
    /// a handler call with.
    Fresh,
}

impl Tok {
    /// Every token, in a fixed order.
    pub const ALL: [Tok; 4] = [Tok::Short, Tok::Expired, Tok::NoExp, Tok::Fresh];

    /// `exp` in seconds after start, if the token has one.
    fn exp_in_s(self) -> Option<i64> {
        match self {
            Tok::Short => Some(90),
            Tok::Expired => Some(-10),
            Tok::NoExp => None,
            Tok::Fresh => Some(3_600),
        }
    }

    /// `exp` in ms, if any.
    pub fn exp_ms(self) -> Option<UnixMillis> {
        self.exp_in_s().map(|s| START.saturating_add_signed(s * 1_000))
    }

    /// True once the token has expired at `now` (PRE-005).
    pub fn expired_at(self, now: UnixMillis) -> bool {
        self.exp_ms().is_some_and(|exp| now >= exp)
    }

    /// The compact token: an unsigned JWT whose payload names the token and carries its
    /// `exp` (the client reads `exp` unverified, so no signature is needed here).
    pub fn raw(self) -> String {
        let payload = match self.exp_in_s() {
            Some(s) => format!(r#"{{"exp":{},"jti":"{}"}}"#, (START / 1_000) as i64 + s, self.name()),
            None => format!(r#"{{"jti":"{}"}}"#, self.name()),
        };
        format!("eyJhbGciOiJIUzI1NiJ9.{}.c2ln", URL_SAFE_NO_PAD.encode(payload))
    }

    /// The token's name in traces.
    pub fn name(self) -> &'static str {
        match self {
            Tok::Short => "short",
            Tok::Expired => "expired",
            Tok::NoExp => "no-exp",
            Tok::Fresh => "fresh",
        }
    }

    /// A bit for masks of tokens.
    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// The two known customers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Who {
    /// The first customer.
    Alice,
    /// The second customer.
    Bob,
}

impl Who {
    /// The identifier string.
    pub fn name(self) -> &'static str {
        match self {
            Who::Alice => "alice",
            Who::Bob => "bob",
        }
    }

    /// The customer ids in `profile`'s shape.
    pub fn ids(self, profile: &Profile) -> CustomerIds {
        profile.identity_for(self.name())
    }
}

/// One environment step: an app call, a server answer, or time passing.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// `configure`.
    Configure {
        /// JWT enabled.
        jwt: bool,
        /// Debug build.
        debug: bool,
        /// Initial token.
        token: Option<Tok>,
    },
    /// `set_token`.
    SetToken {
        /// The token.
        token: Tok,
        /// The identifier passed with it.
        identifier: Option<Who>,
    },
    /// `register_handler`.
    RegisterHandler {
        /// The handler throws every time it is called (protocol 2).
        throws: bool,
    },
    /// `identify`.
    Identify {
        /// The customer.
        who: Who,
        /// The bundled token.
        token: Option<Tok>,
    },
    /// `anonymize`.
    Anonymize,
    /// `stop_integration`.
    StopIntegration,
    /// `clear_local_data`.
    ClearLocalData,
    /// `logout`.
    Logout,
    /// `track` of the next event (e1, e2, ...).
    Track(u8),
    /// `flush`.
    Flush,
    /// `new_session`.
    NewSession,
    /// `set_token` without a token (clears, where the profile has the call).
    ClearToken,
    /// The app process restarts.
    Restart,
    /// The app answers a request held for a new token with the fresh token (`set_token`),
    /// from its own budget ([`Bounds::answers`](super::Bounds::answers)), not the calls'.
    Answer,
    /// The server answers the request in flight.
    Respond {
        /// The request.
        request: RequestId,
        /// The answer.
        reply: Reply,
        /// The vendor code of an authentication failure the body signals (a body
        /// `{"auth_error": {"error_code": N}}`), for profiles that read one.
        auth_error: Option<i64>,
    },
    /// The app answers the SDK's ask `ask` with a token, or fails it.
    ProvideToken {
        /// The ask.
        ask: AskId,
        /// The token; `None`: the callback fails.
        token: Option<Tok>,
    },
    /// The clock moves to this many ms after start, firing timers on the way.
    AdvanceTo(u64),
}

/// The name of event number `n`.
pub fn event_name(n: u8) -> String {
    format!("e{}", n + 1)
}

/// The number of a named event.
pub fn event_number(name: &str) -> Option<u8> {
    name.strip_prefix('e')?.parse::<u8>().ok()?.checked_sub(1)
}

impl Step {
    /// True for app calls.
    pub fn is_app_call(&self) -> bool {
        !matches!(self, Step::Respond { .. } | Step::AdvanceTo(_))
    }

    /// The alphabet input for this step (None for time).
    pub fn input(&self, profile: &Profile) -> Option<Input> {
        let call = match *self {
            Step::Configure { jwt, debug, token } => {
                AppCall::Configure { jwt_enabled: jwt, debug, token: token.map(Tok::raw) }
            }
            Step::SetToken { token, identifier } => AppCall::SetToken {
                token: Some(token.raw()),
                identifier: identifier.map(|w| w.name().to_owned()),
            },
            Step::RegisterHandler { throws } => AppCall::RegisterHandler { throws },
            Step::Identify { who, token } => {
                AppCall::Identify { customer_ids: who.ids(profile), token: token.map(Tok::raw) }
            }
            Step::Anonymize => AppCall::Anonymize {},
            Step::StopIntegration => AppCall::StopIntegration {},
            Step::ClearLocalData => AppCall::ClearLocalData {},
            Step::Logout => AppCall::Logout {},
            Step::Track(n) => AppCall::Track { event: event_name(n) },
            Step::Flush => AppCall::Flush {},
            Step::NewSession => AppCall::NewSession {},
            Step::ClearToken => AppCall::SetToken { token: None, identifier: None },
            Step::Answer => AppCall::SetToken { token: Some(Tok::Fresh.raw()), identifier: None },
            Step::Restart => return Some(Input::Restart {}),
            Step::Respond { request, reply, auth_error } => {
                let body =
                    auth_error.map(|code| Body(serde_json::json!({ "auth_error": { "error_code": code } })));
                return Some(Input::Respond { request, reply, body });
            }
            Step::ProvideToken { ask, token } => AppCall::ProvideToken { ask, token: token.map(Tok::raw) },
            Step::AdvanceTo(_) => return None,
        };
        Some(Input::App(call))
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tok = |t: &Option<Tok>| t.map(|t| format!(" token={}", t.name())).unwrap_or_default();
        match self {
            Step::Configure { jwt, debug, token } => {
                write!(f, "configure jwt_enabled={jwt}{}{}", if *debug { " debug" } else { "" }, tok(token))
            }
            Step::SetToken { token, identifier } => write!(
                f,
                "set_token {}{}",
                token.name(),
                identifier.map(|w| format!(" identifier={}", w.name())).unwrap_or_default()
            ),
            Step::RegisterHandler { throws: false } => f.write_str("register_handler"),
            Step::RegisterHandler { throws: true } => f.write_str("register_handler that throws"),
            Step::Identify { who, token } => write!(f, "identify {}{}", who.name(), tok(token)),
            Step::Anonymize => f.write_str("anonymize"),
            Step::StopIntegration => f.write_str("stop_integration"),
            Step::ClearLocalData => f.write_str("clear_local_data"),
            Step::Logout => f.write_str("logout"),
            Step::Track(n) => write!(f, "track {}", event_name(*n)),
            Step::Flush => f.write_str("flush"),
            Step::NewSession => f.write_str("new_session"),
            Step::ClearToken => f.write_str("set_token without a token"),
            Step::Restart => f.write_str("the app restarts"),
            Step::Answer => f.write_str("set_token fresh (the app answers the held request)"),
            Step::Respond { request, reply, auth_error } => {
                match reply {
                    Reply::Status(s) => write!(f, "server answers request {request} with {s}")?,
                    Reply::NetworkError => write!(f, "request {request} fails on the network")?,
                }
                match auth_error {
                    Some(code) => write!(f, " and auth_error {code}"),
                    None => Ok(()),
                }
            }
            Step::ProvideToken { ask, token } => match token {
                Some(t) => write!(f, "provide_token {ask} {}", t.name()),
                None => write!(f, "provide_token {ask} fails"),
            },
            Step::AdvanceTo(ms) => write!(f, "time advances to start+{ms} ms"),
        }
    }
}
