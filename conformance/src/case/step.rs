//! One step of a case: an action (app call, server answer, time, restart) and what it must
//! produce.
//!
//! In a case file a step is a flat object: the action's fields next to `expect` (and,
//! optionally, `match`). Token arguments hold token NAMES; [`Step::input`] substitutes the
//! minted strings.

use super::expect::{ExpectEntry, Expected};
use super::token::TokenTable;
use jwt_lifecycle_spec::alphabet::{AppCall, Body, Input, Reply, RequestId};
use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize};

/// What a step does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// The app calls the SDK (token fields hold token names).
    Call(AppCall),
    /// The server answers a request (the case's request numbering).
    Respond {
        /// The request answered.
        request: RequestId,
        /// The answer.
        reply: Reply,
        /// The response body, if any (protocol 2).
        body: Option<Body>,
    },
    /// The virtual clock moves forward by this many ms.
    Advance(u64),
    /// The app process ends and starts again (protocol 2).
    Restart,
}

/// How a step's observations are compared with its expectations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Match {
    /// Exactly the expected observations (groups in any order inside), nothing more.
    #[default]
    Exact,
    /// At least the expected observations, in order; others may come between them.
    AtLeast,
}

/// One step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The action.
    pub action: Action,
    /// The observations it must produce.
    pub expect: Vec<ExpectEntry>,
    /// How they are compared.
    pub matching: Match,
}

/// The token name an app call carries, if any.
pub fn call_token(call: &AppCall) -> Option<&str> {
    match call {
        AppCall::Configure { token, .. }
        | AppCall::Identify { token, .. }
        | AppCall::SetToken { token, .. }
        | AppCall::ProvideToken { token, .. } => token.as_deref(),
        _ => None,
    }
}

fn with_token(call: &AppCall, f: impl Fn(&str) -> String) -> AppCall {
    let mut call = call.clone();
    match &mut call {
        AppCall::Configure { token: Some(t), .. }
        | AppCall::Identify { token: Some(t), .. }
        | AppCall::SetToken { token: Some(t), .. }
        | AppCall::ProvideToken { token: Some(t), .. } => *t = f(t),
        _ => {}
    }
    call
}

impl Step {
    /// A step expecting exactly `expect`, in order.
    pub fn exact(action: Action, expect: Vec<Expected>) -> Self {
        Step { action, expect: expect.into_iter().map(ExpectEntry::One).collect(), matching: Match::Exact }
    }

    /// The input this step sends, with token names replaced by minted tokens; `None` for
    /// a clock advance.
    pub fn input(&self, tokens: &TokenTable) -> Option<Input> {
        match &self.action {
            Action::Call(call) => {
                Some(Input::App(with_token(call, |name| tokens.raw(name).unwrap_or(name).to_owned())))
            }
            Action::Respond { request, reply, body } => {
                Some(Input::Respond { request: *request, reply: *reply, body: body.clone() })
            }
            Action::Advance(_) => None,
            Action::Restart => Some(Input::Restart {}),
        }
    }

    /// The lowest wire protocol version that can carry this step.
    pub fn min_protocol(&self) -> u64 {
        match &self.action {
            Action::Call(call) => call.min_protocol(),
            Action::Respond { body: Some(_), .. } | Action::Restart => 2,
            Action::Respond { body: None, .. } | Action::Advance(_) => 1,
        }
    }

    /// Every expected observation, groups flattened, in file order.
    pub fn expected(&self) -> impl Iterator<Item = &Expected> {
        self.expect.iter().flat_map(ExpectEntry::members)
    }

    /// A short human rendering: `set_token A`, `respond 1 401`, `advance 1000`.
    pub fn describe(&self) -> String {
        match &self.action {
            Action::Call(call @ AppCall::SetToken { token: None, .. }) => format!("{} (clear)", call.name()),
            Action::Call(AppCall::ProvideToken { ask, token }) => match token {
                Some(token) => format!("provide_token {ask} {token}"),
                None => format!("provide_token {ask} (fails)"),
            },
            Action::Call(call) => match call_token(call) {
                Some(token) => format!("{} {token}", call.name()),
                None => call.name().to_owned(),
            },
            Action::Respond { request, reply, body } => {
                let reply = match reply {
                    Reply::Status(s) => s.to_string(),
                    Reply::NetworkError => "network_error".to_owned(),
                };
                let body = body.as_ref().map(|b| format!(" {}", b.0)).unwrap_or_default();
                format!("respond {request} {reply}{body}")
            }
            Action::Advance(ms) => format!("advance {ms}"),
            Action::Restart => "restart".to_owned(),
        }
    }
}

/// Turns an app call with raw tokens back into names (for writing observed runs).
pub fn call_with_names(call: &AppCall, tokens: &TokenTable) -> AppCall {
    with_token(call, |raw| tokens.name(raw).unwrap_or(raw).to_owned())
}

fn parse_expect<E: serde::de::Error>(value: serde_json::Value) -> Result<Vec<ExpectEntry>, E> {
    let serde_json::Value::Array(items) = value else {
        return Err(E::custom("`expect` must be an array of observations"));
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| ExpectEntry::deserialize(item).map_err(|e| E::custom(format!("expect[{i}]: {e}"))))
        .collect()
}

fn no_extra<E: serde::de::Error>(
    map: &serde_json::Map<String, serde_json::Value>,
    what: &str,
) -> Result<(), E> {
    match map.keys().next() {
        Some(extra) => Err(E::custom(format!("unknown field `{extra}` in {what}"))),
        None => Ok(()),
    }
}

fn parse_respond<E: serde::de::Error>(
    mut map: serde_json::Map<String, serde_json::Value>,
) -> Result<Action, E> {
    let request = map
        .remove("respond")
        .and_then(|v| v.as_u64())
        .ok_or_else(|| E::custom("`respond` must be a request id (a positive integer)"))?;
    let status = map.remove("status");
    let network = map.remove("network_error");
    let body = map.remove("body").map(Body);
    if let Some(extra) = map.keys().next() {
        return Err(E::custom(format!(
            "unknown field `{extra}` in a respond step; expected `status` or `network_error`, and `body`"
        )));
    }
    let reply = match (status, network) {
        (Some(s), None) => Reply::Status(
            s.as_u64()
                .and_then(|s| u16::try_from(s).ok())
                .ok_or_else(|| E::custom("`status` must be an HTTP status code"))?,
        ),
        (None, Some(serde_json::Value::Bool(true))) => Reply::NetworkError,
        _ => return Err(E::custom("a respond step needs exactly one of `status` or `network_error: true`")),
    };
    if body.is_some() && reply == Reply::NetworkError {
        return Err(E::custom("a network error has no body"));
    }
    Ok(Action::Respond { request, reply, body })
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut map = serde_json::Map::deserialize(deserializer)?;
        let expect = match map.remove("expect") {
            None => Vec::new(),
            Some(value) => parse_expect(value)?,
        };
        let matching = match map.remove("match") {
            None => Match::Exact,
            Some(value) => Match::deserialize(value)
                .map_err(|_| D::Error::custom("`match` must be \"exact\" or \"at_least\""))?,
        };
        let kinds: Vec<&str> =
            ["call", "respond", "advance", "restart"].into_iter().filter(|k| map.contains_key(*k)).collect();
        let action = match kinds.as_slice() {
            ["call"] => {
                let name = map.get("call").and_then(|v| v.as_str()).unwrap_or("?").to_owned();
                let call = AppCall::deserialize(serde_json::Value::Object(map))
                    .map_err(|e| D::Error::custom(format!("call `{name}`: {e}")))?;
                Action::Call(call)
            }
            ["respond"] => parse_respond(map)?,
            ["advance"] => {
                let ms = map
                    .remove("advance")
                    .and_then(|v| v.as_u64())
                    .ok_or_else(|| D::Error::custom("`advance` must be a number of milliseconds"))?;
                no_extra(&map, "an advance step")?;
                Action::Advance(ms)
            }
            ["restart"] => {
                if map.remove("restart") != Some(serde_json::Value::Bool(true)) {
                    return Err(D::Error::custom("a restart step is written `\"restart\": true`"));
                }
                no_extra(&map, "a restart step")?;
                Action::Restart
            }
            _ => {
                return Err(D::Error::custom(format!(
                    "a step needs exactly one of `call`, `respond`, `advance`, `restart`; found {}",
                    if kinds.is_empty() { "none".to_owned() } else { kinds.join(", ") }
                )))
            }
        };
        Ok(Step { action, expect, matching })
    }
}

impl Serialize for Step {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        match &self.action {
            Action::Call(call) => {
                map.serialize_entry("call", call.name())?;
                if let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(call) {
                    for (k, v) in fields.iter().filter(|(k, _)| *k != "call") {
                        map.serialize_entry(k, v)?;
                    }
                }
            }
            Action::Respond { request, reply, body } => {
                map.serialize_entry("respond", request)?;
                match reply {
                    Reply::Status(status) => map.serialize_entry("status", status)?,
                    Reply::NetworkError => map.serialize_entry("network_error", &true)?,
                }
                if let Some(body) = body {
                    map.serialize_entry("body", body)?;
                }
            }
            Action::Advance(ms) => map.serialize_entry("advance", ms)?,
            Action::Restart => map.serialize_entry("restart", &true)?,
        }
        if self.matching != Match::Exact {
            map.serialize_entry("match", &self.matching)?;
        }
        if !self.expect.is_empty() {
            map.serialize_entry("expect", &self.expect)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_read_and_write_their_flat_form() {
        for text in [
            r#"{"call":"set_token","token":"A"}"#,
            r#"{"call":"identify","customer_ids":{"registered":"alice"},"token":"B"}"#,
            r#"{"respond":1,"status":401,"expect":[{"output":"handler_called","reason":"invalid"}]}"#,
            r#"{"respond":2,"network_error":true}"#,
            r#"{"advance":250000}"#,
            r#"{"restart":true}"#,
            r#"{"respond":1,"status":200,"body":{"auth_error":{"error_code":22}}}"#,
            r#"{"call":"provide_token","ask":1,"token":"A"}"#,
            r#"{"call":"register_handler","throws":true}"#,
            r#"{"call":"flush","match":"at_least","expect":[{"output":"request_sent"}]}"#,
            r#"{"call":"stop_integration","expect":[{"any_order":[{"output":"events_deleted"},{"output":"handler_called"}]}]}"#,
        ] {
            let step: Step = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&step).unwrap(), text);
        }
    }

    #[test]
    fn version_2_steps_need_protocol_2() {
        let needs = |t: &str| serde_json::from_str::<Step>(t).unwrap().min_protocol();
        assert_eq!(needs(r#"{"restart":true}"#), 2);
        assert_eq!(needs(r#"{"call":"set_token"}"#), 2);
        assert_eq!(needs(r#"{"respond":1,"status":200,"body":{}}"#), 2);
        assert_eq!(needs(r#"{"call":"register_handler","throws":true}"#), 2);
        assert_eq!(needs(r#"{"call":"register_handler"}"#), 1);
        assert_eq!(needs(r#"{"respond":1,"status":401}"#), 1);
    }

    #[test]
    fn malformed_steps_say_what_is_wrong() {
        let err = |t: &str| serde_json::from_str::<Step>(t).unwrap_err().to_string();
        assert!(err(r#"{"call":"set_token","token":"A","advance":3}"#).contains("exactly one of"));
        assert!(err(r#"{"call":"teleport"}"#).contains("teleport"));
        assert!(err(r#"{"call":"flush","extra":1}"#).contains("extra"));
        assert!(err(r#"{"respond":1}"#).contains("status"));
        assert!(err(r#"{"respond":1,"status":401,"network_error":true}"#).contains("exactly one"));
        assert!(err(r#"{"respond":1,"network_error":true,"body":{}}"#).contains("no body"));
        assert!(err(r#"{"advance":"soon"}"#).contains("milliseconds"));
        assert!(err(r#"{"advance":1,"expect":[{"output":"nope"}]}"#).contains("expect[0]"));
        assert!(err(r#"{"restart":false}"#).contains("restart"));
        assert!(err(r#"{"flush":1,"call":"flush","match":"most"}"#).contains("match"));
    }
}
