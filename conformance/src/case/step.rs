//! One step of a case: an action (app call, server answer, time) and what it must produce.
//!
//! In a case file a step is a flat object: the action's fields next to `expect`. Token
//! arguments hold token NAMES; [`Step::input`] substitutes the minted strings.

use super::expect::Expected;
use super::token::TokenTable;
use jwt_lifecycle_spec::alphabet::{AppCall, Input, Reply, RequestId};
use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize};

/// What a step does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// The app calls the SDK (token fields hold token names).
    Call(AppCall),
    /// The server answers a request.
    Respond {
        /// The request answered.
        request: RequestId,
        /// The answer.
        reply: Reply,
    },
    /// The virtual clock moves forward by this many ms.
    Advance(u64),
}

/// One step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The action.
    pub action: Action,
    /// Exactly the observations it must produce, in order.
    pub expect: Vec<Expected>,
}

/// The token name an app call carries, if any.
pub fn call_token(call: &AppCall) -> Option<&str> {
    match call {
        AppCall::Configure { token, .. } | AppCall::Identify { token, .. } => token.as_deref(),
        AppCall::SetToken { token, .. } => Some(token),
        _ => None,
    }
}

fn with_token(call: &AppCall, f: impl Fn(&str) -> String) -> AppCall {
    let mut call = call.clone();
    match &mut call {
        AppCall::Configure { token: Some(t), .. } | AppCall::Identify { token: Some(t), .. } => *t = f(t),
        AppCall::SetToken { token, .. } => *token = f(token),
        _ => {}
    }
    call
}

impl Step {
    /// The input this step sends, with token names replaced by minted tokens; `None`
    /// for a clock advance.
    pub fn input(&self, tokens: &TokenTable) -> Option<Input> {
        match &self.action {
            Action::Call(call) => {
                Some(Input::App(with_token(call, |name| tokens.raw(name).unwrap_or(name).to_owned())))
            }
            Action::Respond { request, reply } => Some(Input::Respond { request: *request, reply: *reply }),
            Action::Advance(_) => None,
        }
    }

    /// A short human rendering: `set_token A`, `respond 1 401`, `advance 1000`.
    pub fn describe(&self) -> String {
        match &self.action {
            Action::Call(call) => match call_token(call) {
                Some(token) => format!("{} {token}", call.name()),
                None => call.name().to_owned(),
            },
            Action::Respond { request, reply: Reply::Status(s) } => format!("respond {request} {s}"),
            Action::Respond { request, reply: Reply::NetworkError } => {
                format!("respond {request} network_error")
            }
            Action::Advance(ms) => format!("advance {ms}"),
        }
    }
}

/// Turns an app call with raw tokens back into names (for writing observed runs).
pub fn call_with_names(call: &AppCall, tokens: &TokenTable) -> AppCall {
    with_token(call, |raw| tokens.name(raw).unwrap_or(raw).to_owned())
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut map = serde_json::Map::deserialize(deserializer)?;
        let expect = match map.remove("expect") {
            None => Vec::new(),
            Some(serde_json::Value::Array(items)) => {
                let mut expect = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    expect.push(
                        Expected::deserialize(item)
                            .map_err(|e| D::Error::custom(format!("expect[{i}]: {e}")))?,
                    );
                }
                expect
            }
            Some(_) => return Err(D::Error::custom("`expect` must be an array of observations")),
        };
        let kinds: Vec<&str> =
            ["call", "respond", "advance"].into_iter().filter(|k| map.contains_key(*k)).collect();
        let action = match kinds.as_slice() {
            ["call"] => {
                let name = map.get("call").and_then(|v| v.as_str()).unwrap_or("?").to_owned();
                let call = AppCall::deserialize(serde_json::Value::Object(map))
                    .map_err(|e| D::Error::custom(format!("call `{name}`: {e}")))?;
                Action::Call(call)
            }
            ["respond"] => {
                let request = map
                    .remove("respond")
                    .and_then(|v| v.as_u64())
                    .ok_or_else(|| D::Error::custom("`respond` must be a request id (a positive integer)"))?;
                let status = map.remove("status");
                let network = map.remove("network_error");
                if let Some(extra) = map.keys().next() {
                    return Err(D::Error::custom(format!(
                        "unknown field `{extra}` in a respond step; expected `status` or `network_error`"
                    )));
                }
                let reply = match (status, network) {
                    (Some(s), None) => Reply::Status(
                        s.as_u64()
                            .and_then(|s| u16::try_from(s).ok())
                            .ok_or_else(|| D::Error::custom("`status` must be an HTTP status code"))?,
                    ),
                    (None, Some(serde_json::Value::Bool(true))) => Reply::NetworkError,
                    _ => {
                        return Err(D::Error::custom(
                            "a respond step needs exactly one of `status` or `network_error: true`",
                        ))
                    }
                };
                Action::Respond { request, reply }
            }
            ["advance"] => {
                let ms = map
                    .remove("advance")
                    .and_then(|v| v.as_u64())
                    .ok_or_else(|| D::Error::custom("`advance` must be a number of milliseconds"))?;
                if let Some(extra) = map.keys().next() {
                    return Err(D::Error::custom(format!("unknown field `{extra}` in an advance step")));
                }
                Action::Advance(ms)
            }
            _ => {
                return Err(D::Error::custom(format!(
                    "a step needs exactly one of `call`, `respond`, `advance`; found {}",
                    if kinds.is_empty() { "none".to_owned() } else { kinds.join(", ") }
                )))
            }
        };
        Ok(Step { action, expect })
    }
}

impl Serialize for Step {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        match &self.action {
            Action::Call(call) => {
                // `call` sorts before every argument name, so the Value's sorted keys
                // already put it first.
                if let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(call) {
                    for (k, v) in fields {
                        map.serialize_entry(&k, &v)?;
                    }
                }
            }
            Action::Respond { request, reply } => {
                map.serialize_entry("respond", request)?;
                match reply {
                    Reply::Status(status) => map.serialize_entry("status", status)?,
                    Reply::NetworkError => map.serialize_entry("network_error", &true)?,
                }
            }
            Action::Advance(ms) => map.serialize_entry("advance", ms)?,
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
        ] {
            let step: Step = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&step).unwrap(), text);
        }
    }

    #[test]
    fn malformed_steps_say_what_is_wrong() {
        let err = |t: &str| serde_json::from_str::<Step>(t).unwrap_err().to_string();
        assert!(err(r#"{"call":"set_token","token":"A","advance":3}"#).contains("exactly one of"));
        assert!(err(r#"{"call":"teleport"}"#).contains("teleport"));
        assert!(err(r#"{"call":"flush","extra":1}"#).contains("extra"));
        assert!(err(r#"{"respond":1}"#).contains("status"));
        assert!(err(r#"{"respond":1,"status":401,"network_error":true}"#).contains("exactly one"));
        assert!(err(r#"{"advance":"soon"}"#).contains("milliseconds"));
        assert!(err(r#"{"advance":1,"expect":[{"output":"nope"}]}"#).contains("expect[0]"));
    }
}
