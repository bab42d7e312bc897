//! The observable alphabet of an SDK under test.
//!
//! Everything the suite can do to an SDK ([`Input`]) and everything it can see an SDK do
//! ([`Output`]). The model consumes and produces exactly these values, the wire protocol
//! carries them as JSON, and case files are written in them, so all three speak one
//! language.
//!
//! Time is never read from a clock: every input is applied at an instant the caller
//! passes in, as milliseconds since the Unix epoch ([`UnixMillis`]).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// An instant on the virtual clock: milliseconds since the Unix epoch.
pub type UnixMillis = u64;

/// Identifies one HTTP request an SDK sent. Requests are numbered 1, 2, 3, ... in the
/// order the SDK sends them within one run; a retry is a new request with a new id.
pub type RequestId = u64;

/// Identifies one call the SDK made to the app's token callback (pulled tokens). Asks are
/// numbered 1, 2, 3, ... in the order the SDK makes them within one run.
pub type AskId = u64;

/// The name an app gives a tracked event. Unique within one case.
pub type EventId = String;

/// The customer identity a token is bound to and a request is made for.
///
/// Exponea uses the `ids` map as it is (`{"registered": "alice"}`); profiles whose SDKs
/// take a single identifier put it under one key (`identifier` for MoEngage, `userId`
/// for Khoros and Webex Connect). An empty map is the anonymous customer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CustomerIds(pub BTreeMap<String, String>);

impl CustomerIds {
    /// The anonymous customer: no identifiers.
    pub fn anonymous() -> Self {
        Self::default()
    }

    /// A customer known by a single identifier under `key`.
    pub fn single(key: &str, value: &str) -> Self {
        Self(BTreeMap::from([(key.to_owned(), value.to_owned())]))
    }

    /// True for the anonymous customer.
    pub fn is_anonymous(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for CustomerIds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("anonymous");
        }
        let parts: Vec<String> = self.0.iter().map(|(k, v)| format!("{k}={v}")).collect();
        f.write_str(&parts.join(","))
    }
}

/// A call the app makes into the SDK.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
/// Calls without arguments are written with empty braces (`AppCall::Flush {}`) so that
/// serde rejects unknown fields on them too.
#[serde(tag = "call", rename_all = "snake_case", deny_unknown_fields)]
pub enum AppCall {
    /// Initialise the SDK. `jwt_enabled: false` is Exponea's project/Engagement mode and
    /// MoEngage's default (`isJwtEnabled = false`); `debug` selects the debug-build
    /// behaviour where a profile distinguishes it. A `token` here acts as a
    /// [`AppCall::SetToken`] made right after configuring (CONF-006). Configure also
    /// starts the first session.
    Configure {
        /// Whether JWT authentication is enabled for this integration.
        #[serde(default = "default_true")]
        jwt_enabled: bool,
        /// Debug build (MoEngage: test instance attached to a debugger).
        #[serde(default)]
        debug: bool,
        /// An initial token, if the app passes one at start-up.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token: Option<String>,
    },
    /// Provide a token: Exponea `setSdkAuthToken`, MoEngage `passAuthenticationDetails`
    /// (with its `identifier`), Khoros `login(userId, jwt)` (with the user id as
    /// `identifier`), Webex Connect's token setter. Without a token (protocol 2) the app
    /// clears the stored token, as Exponea's `setSdkAuthToken(nil)` does.
    SetToken {
        /// The compact JWT; `None` clears the stored token.
        #[serde(default)]
        token: Option<String>,
        /// The identifier passed with the token, where the SDK's call takes one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        identifier: Option<String>,
    },
    /// Register the JWT error handler / authentication listener / delegate.
    RegisterHandler {
        /// The handler throws (raises, rejects) every time it is called (protocol 2).
        #[serde(default, skip_serializing_if = "is_false")]
        throws: bool,
    },
    /// Identify the customer, optionally bundling a token.
    Identify {
        /// The customer's identifiers.
        customer_ids: CustomerIds,
        /// The token bundled with the identity, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token: Option<String>,
    },
    /// Forget the current customer and start an anonymous one.
    Anonymize {},
    /// Stop the SDK integration.
    StopIntegration {},
    /// Delete all locally stored customer data.
    ClearLocalData {},
    /// Log the user out.
    Logout {},
    /// Queue an event for the current customer.
    Track {
        /// The event's name, unique within the case.
        event: EventId,
    },
    /// Ask the SDK to send what it has queued now.
    Flush {},
    /// A new app session begins (what ends a sync suspension; LIMIT-003).
    NewSession {},
    /// The app answers the SDK's token callback (pulled tokens, protocol 2): the callback
    /// for `ask` resolves with `token`, or fails when there is none.
    ProvideToken {
        /// The ask answered (see [`Output::TokenRequested`]).
        ask: AskId,
        /// The token the callback resolves with; `None`: the callback fails.
        #[serde(default)]
        token: Option<String>,
    },
}

fn default_true() -> bool {
    true
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// The kinds of app call, as a profile lists the calls its SDK has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallKind {
    /// `configure`.
    Configure,
    /// `set_token` with a token.
    SetToken,
    /// `set_token` without a token: clears the stored token.
    ClearToken,
    /// `register_handler`.
    RegisterHandler,
    /// `identify`.
    Identify,
    /// `anonymize`.
    Anonymize,
    /// `stop_integration`.
    StopIntegration,
    /// `clear_local_data`.
    ClearLocalData,
    /// `logout`.
    Logout,
    /// `track`.
    Track,
    /// `flush`.
    Flush,
    /// `new_session`.
    NewSession,
    /// `provide_token`.
    ProvideToken,
}

impl CallKind {
    /// The name used in case files and reports (`clear_token` is `set_token` without a
    /// token on the wire).
    pub fn as_str(self) -> &'static str {
        match self {
            CallKind::Configure => "configure",
            CallKind::SetToken => "set_token",
            CallKind::ClearToken => "clear_token",
            CallKind::RegisterHandler => "register_handler",
            CallKind::Identify => "identify",
            CallKind::Anonymize => "anonymize",
            CallKind::StopIntegration => "stop_integration",
            CallKind::ClearLocalData => "clear_local_data",
            CallKind::Logout => "logout",
            CallKind::Track => "track",
            CallKind::Flush => "flush",
            CallKind::NewSession => "new_session",
            CallKind::ProvideToken => "provide_token",
        }
    }
}

impl fmt::Display for CallKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AppCall {
    /// The call's name as written in case files and the wire protocol.
    pub fn name(&self) -> &'static str {
        match self {
            AppCall::Configure { .. } => "configure",
            AppCall::SetToken { .. } => "set_token",
            AppCall::RegisterHandler { .. } => "register_handler",
            AppCall::Identify { .. } => "identify",
            AppCall::Anonymize {} => "anonymize",
            AppCall::StopIntegration {} => "stop_integration",
            AppCall::ClearLocalData {} => "clear_local_data",
            AppCall::Logout {} => "logout",
            AppCall::Track { .. } => "track",
            AppCall::Flush {} => "flush",
            AppCall::NewSession {} => "new_session",
            AppCall::ProvideToken { .. } => "provide_token",
        }
    }

    /// Which kind of call this is (`set_token` without a token is [`CallKind::ClearToken`]).
    pub fn kind(&self) -> CallKind {
        match self {
            AppCall::Configure { .. } => CallKind::Configure,
            AppCall::SetToken { token: Some(_), .. } => CallKind::SetToken,
            AppCall::SetToken { token: None, .. } => CallKind::ClearToken,
            AppCall::RegisterHandler { .. } => CallKind::RegisterHandler,
            AppCall::Identify { .. } => CallKind::Identify,
            AppCall::Anonymize {} => CallKind::Anonymize,
            AppCall::StopIntegration {} => CallKind::StopIntegration,
            AppCall::ClearLocalData {} => CallKind::ClearLocalData,
            AppCall::Logout {} => CallKind::Logout,
            AppCall::Track { .. } => CallKind::Track,
            AppCall::Flush {} => CallKind::Flush,
            AppCall::NewSession {} => CallKind::NewSession,
            AppCall::ProvideToken { .. } => CallKind::ProvideToken,
        }
    }

    /// The lowest wire protocol version that can carry this call.
    pub fn min_protocol(&self) -> u64 {
        match self {
            AppCall::SetToken { token: None, .. }
            | AppCall::RegisterHandler { throws: true }
            | AppCall::ProvideToken { .. } => 2,
            _ => 1,
        }
    }
}

/// How the server answers one request: `{"status": 401}` or `"network_error"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Reply {
    /// An HTTP response with this status code (200, 401, 403, 500, ...).
    Status(u16),
    /// The request never got an HTTP response (connection refused, timeout, ...).
    NetworkError,
}

impl Reply {
    /// 200 OK.
    pub const OK: Reply = Reply::Status(200);
    /// 401 Unauthorized.
    pub const UNAUTHORIZED: Reply = Reply::Status(401);
    /// 403 Forbidden.
    pub const FORBIDDEN: Reply = Reply::Status(403);

    /// True for a 2xx status.
    pub fn is_success(self) -> bool {
        matches!(self, Reply::Status(status) if (200..300).contains(&status))
    }
}

/// A response body: any JSON value, returned to the SDK as `application/json`.
///
/// Profiles say which fields their SDK reads (an authentication failure signalled inside a
/// 2xx, a reason such as `token_expired`); other SDKs ignore it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Body(pub serde_json::Value);

impl std::hash::Hash for Body {
    // serde_json's `Value` has no `Hash`; its compact text is a faithful key (maps keep
    // their keys sorted, so equal values print equal).
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.to_string().hash(state);
    }
}

impl Body {
    /// The value at a JSON pointer (`/auth_error/code`), if present.
    pub fn pointer(&self, pointer: &str) -> Option<&serde_json::Value> {
        self.0.pointer(pointer)
    }
}

/// One thing the suite does to an SDK at a given instant.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "input", rename_all = "snake_case", deny_unknown_fields)]
pub enum Input {
    /// The app calls the SDK.
    App(AppCall),
    /// The server answers a request the SDK sent.
    Respond {
        /// The request answered.
        request: RequestId,
        /// The answer.
        reply: Reply,
        /// The response body, if the server sends one (protocol 2).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<Body>,
    },
    /// The app process ends and starts again (protocol 2): a new, unconfigured SDK
    /// instance over the same persistent storage; the old instance's requests and timers
    /// are abandoned.
    Restart {},
}

impl Input {
    /// The lowest wire protocol version that can carry this input.
    pub fn min_protocol(&self) -> u64 {
        match self {
            Input::App(call) => call.min_protocol(),
            Input::Respond { body: Some(_), .. } | Input::Restart {} => 2,
            Input::Respond { body: None, .. } => 1,
        }
    }

    /// A status answer without a body.
    pub fn respond(request: RequestId, reply: Reply) -> Input {
        Input::Respond { request, reply, body: None }
    }
}

impl From<AppCall> for Input {
    fn from(call: AppCall) -> Self {
        Input::App(call)
    }
}

/// Why the SDK tells the app's handler about its token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The token expires within the profile's refresh window.
    ExpiredSoon,
    /// The token has expired.
    Expired,
    /// No token is stored.
    NotProvided,
    /// The server rejected a token that is not expired.
    Invalid,
    /// The token's scope does not cover the request (reserved; RETRY-006).
    Insufficient,
}

impl Reason {
    /// Every reason, in a fixed order.
    pub const ALL: [Reason; 5] =
        [Reason::ExpiredSoon, Reason::Expired, Reason::NotProvided, Reason::Invalid, Reason::Insufficient];

    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::ExpiredSoon => "expired_soon",
            Reason::Expired => "expired",
            Reason::NotProvided => "not_provided",
            Reason::Invalid => "invalid",
            Reason::Insufficient => "insufficient",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a request ended without being delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureCause {
    /// The server rejected the request's authentication and no retry remains.
    Authentication,
    /// 403 with a valid token: the token's scope does not cover the request.
    Forbidden,
    /// No authentication failure: the SDK gave up after a network error or a status that is
    /// not an authentication failure (SDKs that keep no queue).
    Network,
}

/// Why queued events were removed without being delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeletionRule {
    /// The logout sync failed with a JWT error (QUEUE-002).
    LogoutSyncFailed,
    /// `stop_integration` discards what was queued (QUEUE-006).
    StopIntegration,
    /// `clear_local_data` discards what was queued (QUEUE-006).
    ClearLocalData,
    /// The SDK was not running (not configured, or stopped) when the event was tracked (CONF-007).
    SdkNotRunning,
    /// The consecutive-failure limit was reached in a profile whose limit deletes what is
    /// queued.
    FailureLimit,
}

/// What a request is for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// It carries tracked events (the queue's rules apply).
    #[default]
    Events,
    /// A customer update the SDK sends on its own (identify, attributes).
    CustomerUpdate,
    /// A session start or end the SDK sends on its own.
    Session,
    /// Any other request the SDK sends on its own.
    Other,
}

impl RequestKind {
    /// True for [`RequestKind::Events`].
    pub fn is_events(&self) -> bool {
        *self == RequestKind::Events
    }

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Events => "events",
            RequestKind::CustomerUpdate => "customer_update",
            RequestKind::Session => "session",
            RequestKind::Other => "other",
        }
    }
}

/// An error the SDK raises to the app (an exception, a fatal error, a failed callback).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppErrorKind {
    /// A token was passed while JWT is not enabled, in a debug build (CONF-004).
    JwtNotEnabled,
    /// The server rejected the token and the SDK reports it as an error (Webex Connect).
    TokenRejected,
}

/// One thing an SDK was seen to do.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "output", rename_all = "snake_case", deny_unknown_fields)]
pub enum Output {
    /// The SDK sent an HTTP request.
    RequestSent {
        /// Sequential id of this request within the run.
        request: RequestId,
        /// What it is for (protocol 2; `events` when absent).
        #[serde(default, skip_serializing_if = "RequestKind::is_events")]
        kind: RequestKind,
        /// The customer the request is made for.
        customer_ids: CustomerIds,
        /// The events it carries, in order.
        events: Vec<EventId>,
        /// The token in its `Authorization: Bearer` header, if it had one.
        authorization: Option<String>,
        /// 1 for a first attempt, 2 for the first retry, ...
        attempt: u32,
    },
    /// The SDK called the app's JWT error handler / listener / delegate.
    HandlerCalled {
        /// The reason given.
        reason: Reason,
        /// The customer the call concerns.
        customer_ids: CustomerIds,
        /// The vendor error code, where the profile defines one.
        #[serde(default)]
        code: Option<i64>,
    },
    /// The SDK called the app's token callback (pulled tokens, protocol 2).
    TokenRequested {
        /// Sequential id of this ask within the run; [`AppCall::ProvideToken`] answers it.
        ask: AskId,
        /// Why, where the SDK says or the adapter can see it.
        #[serde(default)]
        reason: Option<Reason>,
        /// The customer the token is asked for.
        customer_ids: CustomerIds,
    },
    /// A request ended for good without being delivered; its events are gone.
    RequestFailed {
        /// The request.
        request: RequestId,
        /// The events it carried.
        events: Vec<EventId>,
        /// Why.
        cause: FailureCause,
    },
    /// Queued events were deleted without being sent.
    EventsDeleted {
        /// The events.
        events: Vec<EventId>,
        /// The rule that deleted them.
        rule: DeletionRule,
    },
    /// The SDK raised an error to the app.
    AppError {
        /// What kind of error.
        error: AppErrorKind,
        /// The vendor error code, where the profile defines one.
        #[serde(default)]
        code: Option<i64>,
    },
}

impl Output {
    /// The output's name as written in case files and the wire protocol.
    pub fn name(&self) -> &'static str {
        match self {
            Output::RequestSent { .. } => "request_sent",
            Output::HandlerCalled { .. } => "handler_called",
            Output::TokenRequested { .. } => "token_requested",
            Output::RequestFailed { .. } => "request_failed",
            Output::EventsDeleted { .. } => "events_deleted",
            Output::AppError { .. } => "app_error",
        }
    }
}

/// An output together with the instant it happened.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Observation {
    /// When it happened on the virtual clock.
    pub at: UnixMillis,
    /// What happened.
    #[serde(flatten)]
    pub output: Output,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_round_trip_through_json_in_their_documented_shape() {
        let input: Input = AppCall::Identify {
            customer_ids: CustomerIds::single("registered", "alice"),
            token: Some("t".into()),
        }
        .into();
        let json = serde_json::to_value(&input).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"input":"app","call":"identify","customer_ids":{"registered":"alice"},"token":"t"})
        );
        assert_eq!(serde_json::from_value::<Input>(json).unwrap(), input);

        let respond = Input::respond(3, Reply::UNAUTHORIZED);
        let json = serde_json::to_value(&respond).unwrap();
        assert_eq!(json, serde_json::json!({"input":"respond","request":3,"reply":{"status":401}}));
        assert_eq!(serde_json::from_value::<Input>(json).unwrap(), respond);
    }

    #[test]
    fn version_2_inputs_have_their_documented_shape() {
        let cases = [
            (Input::Restart {}, serde_json::json!({"input":"restart"})),
            (
                AppCall::SetToken { token: None, identifier: None }.into(),
                serde_json::json!({"input":"app","call":"set_token","token":null}),
            ),
            (
                AppCall::RegisterHandler { throws: true }.into(),
                serde_json::json!({"input":"app","call":"register_handler","throws":true}),
            ),
            (
                AppCall::ProvideToken { ask: 2, token: Some("t".into()) }.into(),
                serde_json::json!({"input":"app","call":"provide_token","ask":2,"token":"t"}),
            ),
            (
                Input::Respond {
                    request: 1,
                    reply: Reply::OK,
                    body: Some(Body(serde_json::json!({"auth_error":{"error_code":22}}))),
                },
                serde_json::json!({"input":"respond","request":1,"reply":{"status":200},"body":{"auth_error":{"error_code":22}}}),
            ),
        ];
        for (input, json) in cases {
            assert_eq!(serde_json::to_value(&input).unwrap(), json);
            assert_eq!(serde_json::from_value::<Input>(json).unwrap(), input);
            assert_eq!(input.min_protocol(), 2, "{input:?}");
        }
        let clear: Input = serde_json::from_str(r#"{"input":"app","call":"set_token"}"#).unwrap();
        assert_eq!(clear, Input::App(AppCall::SetToken { token: None, identifier: None }));
        let plain: Input = serde_json::from_str(r#"{"input":"app","call":"register_handler"}"#).unwrap();
        assert_eq!(plain.min_protocol(), 1);
        assert_eq!(
            serde_json::to_value(&plain).unwrap(),
            serde_json::json!({"input":"app","call":"register_handler"})
        );
    }

    #[test]
    fn version_1_observations_read_as_event_requests() {
        let v1 = serde_json::json!({"at":1,"output":"request_sent","request":1,"customer_ids":{},"events":["e1"],"authorization":null,"attempt":1});
        let obs: Observation = serde_json::from_value(v1.clone()).unwrap();
        assert!(matches!(obs.output, Output::RequestSent { kind: RequestKind::Events, .. }));
        assert_eq!(serde_json::to_value(&obs).unwrap(), v1, "an event request writes the version 1 shape");
        let asked = serde_json::json!({"at":1,"output":"token_requested","ask":1,"reason":null,"customer_ids":{"userID":"u"}});
        let obs: Observation = serde_json::from_value(asked.clone()).unwrap();
        assert_eq!(obs.output.name(), "token_requested");
        assert_eq!(serde_json::to_value(&obs).unwrap(), asked);
    }

    #[test]
    fn call_kinds_name_clear_token_apart_from_set_token() {
        assert_eq!(AppCall::SetToken { token: None, identifier: None }.kind(), CallKind::ClearToken);
        assert_eq!(
            AppCall::SetToken { token: Some("t".into()), identifier: None }.kind(),
            CallKind::SetToken
        );
        assert_eq!(CallKind::ClearToken.to_string(), "clear_token");
    }

    #[test]
    fn configure_defaults_to_jwt_enabled_release_build() {
        let input: Input = serde_json::from_str(r#"{"input":"app","call":"configure"}"#).unwrap();
        assert_eq!(input, Input::App(AppCall::Configure { jwt_enabled: true, debug: false, token: None }));
    }

    #[test]
    fn unknown_fields_are_rejected_not_ignored() {
        let err = serde_json::from_str::<Input>(r#"{"input":"app","call":"flush","extra":1}"#);
        assert!(err.is_err());
    }

    #[test]
    fn observations_flatten_the_output() {
        let obs = Observation {
            at: 5,
            output: Output::HandlerCalled {
                reason: Reason::ExpiredSoon,
                customer_ids: CustomerIds::anonymous(),
                code: None,
            },
        };
        let json = serde_json::to_value(&obs).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"at":5,"output":"handler_called","reason":"expired_soon","customer_ids":{},"code":null})
        );
        assert_eq!(serde_json::from_value::<Observation>(json).unwrap(), obs);
    }
}
