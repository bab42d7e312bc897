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
    /// `identifier`), Webex Connect's token setter.
    SetToken {
        /// The compact JWT.
        token: String,
        /// The identifier passed with the token, where the SDK's call takes one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        identifier: Option<String>,
    },
    /// Register the JWT error handler / authentication listener / delegate.
    RegisterHandler {},
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
}

fn default_true() -> bool {
    true
}

impl AppCall {
    /// The call's name as written in case files and the wire protocol.
    pub fn name(&self) -> &'static str {
        match self {
            AppCall::Configure { .. } => "configure",
            AppCall::SetToken { .. } => "set_token",
            AppCall::RegisterHandler {} => "register_handler",
            AppCall::Identify { .. } => "identify",
            AppCall::Anonymize {} => "anonymize",
            AppCall::StopIntegration {} => "stop_integration",
            AppCall::ClearLocalData {} => "clear_local_data",
            AppCall::Logout {} => "logout",
            AppCall::Track { .. } => "track",
            AppCall::Flush {} => "flush",
            AppCall::NewSession {} => "new_session",
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
    },
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

        let respond = Input::Respond { request: 3, reply: Reply::UNAUTHORIZED };
        let json = serde_json::to_value(&respond).unwrap();
        assert_eq!(json, serde_json::json!({"input":"respond","request":3,"reply":{"status":401}}));
        assert_eq!(serde_json::from_value::<Input>(json).unwrap(), respond);
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
