//! Expected observations: what a case says a step produces, how one is compared with an
//! observation, and how an observation is written back in the same form.
//!
//! Fields a case leaves out are not compared; fields it writes are compared exactly,
//! except `at`, which may carry a tolerance (the profile's timing slack).

use super::token::{present, TokenTable};
use jwt_lifecycle_spec::alphabet::{
    AppErrorKind, AskId, CustomerIds, DeletionRule, FailureCause, Observation, Output, Reason, RequestId,
    RequestKind, UnixMillis,
};
use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize};

/// One observation a case expects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    /// Milliseconds after the case's start, if time is compared.
    pub at: Option<u64>,
    /// How far the observed instant may be from `at`, either way.
    pub tolerance_ms: u64,
    /// The output and the fields to compare.
    pub output: ExpectedOutput,
}

/// One entry of a step's `expect`: an observation, or a group whose members may come in
/// any order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpectEntry {
    /// One observation, in its place.
    One(Expected),
    /// `{"any_order": [...]}`: these observations, one after another, in any order.
    AnyOrder(Vec<Expected>),
}

impl ExpectEntry {
    /// The observations of the entry.
    pub fn members(&self) -> &[Expected] {
        match self {
            ExpectEntry::One(e) => std::slice::from_ref(e),
            ExpectEntry::AnyOrder(group) => group,
        }
    }
}

/// An [`Output`] with every field optional: present fields are compared.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "output", rename_all = "snake_case", deny_unknown_fields)]
#[allow(missing_docs)] // the fields mirror `Output`'s, documented there
pub enum ExpectedOutput {
    /// See [`Output::RequestSent`]; `authorization` is a token name or null. Without
    /// `kind` it expects an event request.
    RequestSent {
        #[serde(default)]
        request: Option<RequestId>,
        #[serde(default)]
        kind: Option<RequestKind>,
        #[serde(default)]
        customer_ids: Option<CustomerIds>,
        #[serde(default)]
        events: Option<Vec<String>>,
        #[serde(default, deserialize_with = "present")]
        authorization: Option<Option<String>>,
        #[serde(default)]
        attempt: Option<u32>,
    },
    /// See [`Output::HandlerCalled`].
    HandlerCalled {
        #[serde(default)]
        reason: Option<Reason>,
        #[serde(default)]
        customer_ids: Option<CustomerIds>,
        #[serde(default, deserialize_with = "present")]
        code: Option<Option<i64>>,
    },
    /// See [`Output::TokenRequested`].
    TokenRequested {
        #[serde(default)]
        ask: Option<AskId>,
        #[serde(default, deserialize_with = "present")]
        reason: Option<Option<Reason>>,
        #[serde(default)]
        customer_ids: Option<CustomerIds>,
    },
    /// See [`Output::RequestFailed`].
    RequestFailed {
        #[serde(default)]
        request: Option<RequestId>,
        #[serde(default)]
        events: Option<Vec<String>>,
        #[serde(default)]
        cause: Option<FailureCause>,
    },
    /// See [`Output::EventsDeleted`]; `events` are compared as a set (QUEUE-006).
    EventsDeleted {
        #[serde(default)]
        events: Option<Vec<String>>,
        #[serde(default)]
        rule: Option<DeletionRule>,
    },
    /// See [`Output::AppError`].
    AppError {
        #[serde(default)]
        error: Option<AppErrorKind>,
        #[serde(default, deserialize_with = "present")]
        code: Option<Option<i64>>,
    },
}

/// One field that differs between an expected and an observed observation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldDiff {
    /// The field's name (`output` when the outputs are of different kinds).
    pub field: &'static str,
    /// What the case expects, as JSON.
    pub expected: String,
    /// What was observed, as JSON (tokens by name where the case declared them).
    pub actual: String,
}

/// What a comparison needs besides the two values: the case's start, its tokens, and
/// how the case's request and ask numbers map to the SDK's.
pub trait Ids {
    /// Whether the case's request `case` may be the SDK's request `actual`.
    fn request(&self, case: RequestId, actual: RequestId) -> bool;
    /// Whether the case's ask `case` may be the SDK's ask `actual`.
    fn ask(&self, case: AskId, actual: AskId) -> bool;
}

/// Ids compared as they are: the case's numbers are the SDK's.
pub struct SameIds;

impl Ids for SameIds {
    fn request(&self, case: RequestId, actual: RequestId) -> bool {
        case == actual
    }
    fn ask(&self, case: AskId, actual: AskId) -> bool {
        case == actual
    }
}

fn json<T: Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "?".into())
}

fn diff_if<T: PartialEq + Serialize>(
    out: &mut Vec<FieldDiff>,
    field: &'static str,
    expected: &Option<T>,
    actual: &T,
) {
    if let Some(e) = expected {
        if e != actual {
            out.push(FieldDiff { field, expected: json(e), actual: json(actual) });
        }
    }
}

fn same_set(a: &[String], b: &[String]) -> bool {
    let mut a: Vec<&String> = a.iter().collect();
    let mut b: Vec<&String> = b.iter().collect();
    a.sort();
    b.sort();
    a == b
}

impl ExpectedOutput {
    /// The output name, as in case files.
    pub fn name(&self) -> &'static str {
        match self {
            ExpectedOutput::RequestSent { .. } => "request_sent",
            ExpectedOutput::HandlerCalled { .. } => "handler_called",
            ExpectedOutput::TokenRequested { .. } => "token_requested",
            ExpectedOutput::RequestFailed { .. } => "request_failed",
            ExpectedOutput::EventsDeleted { .. } => "events_deleted",
            ExpectedOutput::AppError { .. } => "app_error",
        }
    }

    /// The token name in `authorization`, if one is written.
    pub fn authorization_name(&self) -> Option<&str> {
        match self {
            ExpectedOutput::RequestSent { authorization: Some(Some(name)), .. } => Some(name),
            _ => None,
        }
    }

    /// The request kind this pattern matches (`events` unless written).
    pub fn request_kind(&self) -> Option<RequestKind> {
        match self {
            ExpectedOutput::RequestSent { kind, .. } => Some(kind.unwrap_or_default()),
            _ => None,
        }
    }

    /// Every field fully written, from an observed output (token raws mapped to names
    /// where the case declared them).
    pub fn from_output(output: &Output, tokens: &TokenTable) -> Self {
        match output.clone() {
            Output::RequestSent { request, kind, customer_ids, events, authorization, attempt } => {
                ExpectedOutput::RequestSent {
                    request: Some(request),
                    kind: (!kind.is_events()).then_some(kind),
                    customer_ids: Some(customer_ids),
                    events: Some(events),
                    authorization: Some(
                        authorization.map(|raw| tokens.name(&raw).map(str::to_owned).unwrap_or(raw)),
                    ),
                    attempt: Some(attempt),
                }
            }
            Output::HandlerCalled { reason, customer_ids, code } => ExpectedOutput::HandlerCalled {
                reason: Some(reason),
                customer_ids: Some(customer_ids),
                code: Some(code),
            },
            Output::TokenRequested { ask, reason, customer_ids } => ExpectedOutput::TokenRequested {
                ask: Some(ask),
                reason: Some(reason),
                customer_ids: Some(customer_ids),
            },
            Output::RequestFailed { request, events, cause } => ExpectedOutput::RequestFailed {
                request: Some(request),
                events: Some(events),
                cause: Some(cause),
            },
            Output::EventsDeleted { events, rule } => {
                ExpectedOutput::EventsDeleted { events: Some(events), rule: Some(rule) }
            }
            Output::AppError { error, code } => {
                ExpectedOutput::AppError { error: Some(error), code: Some(code) }
            }
        }
    }

    /// The fields written, in the order case files list them.
    fn entries(&self) -> Vec<(&'static str, serde_json::Value)> {
        fn put<T: Serialize>(
            out: &mut Vec<(&'static str, serde_json::Value)>,
            key: &'static str,
            v: &Option<T>,
        ) {
            if let Some(v) = v {
                out.push((key, serde_json::to_value(v).unwrap_or(serde_json::Value::Null)));
            }
        }
        let mut out = Vec::new();
        match self {
            ExpectedOutput::RequestSent { request, kind, customer_ids, events, authorization, attempt } => {
                put(&mut out, "request", request);
                put(&mut out, "kind", kind);
                put(&mut out, "events", events);
                put(&mut out, "authorization", authorization);
                put(&mut out, "customer_ids", customer_ids);
                put(&mut out, "attempt", attempt);
            }
            ExpectedOutput::HandlerCalled { reason, customer_ids, code } => {
                put(&mut out, "reason", reason);
                put(&mut out, "customer_ids", customer_ids);
                put(&mut out, "code", code);
            }
            ExpectedOutput::TokenRequested { ask, reason, customer_ids } => {
                put(&mut out, "ask", ask);
                put(&mut out, "reason", reason);
                put(&mut out, "customer_ids", customer_ids);
            }
            ExpectedOutput::RequestFailed { request, events, cause } => {
                put(&mut out, "request", request);
                put(&mut out, "events", events);
                put(&mut out, "cause", cause);
            }
            ExpectedOutput::EventsDeleted { events, rule } => {
                put(&mut out, "events", events);
                put(&mut out, "rule", rule);
            }
            ExpectedOutput::AppError { error, code } => {
                put(&mut out, "error", error);
                put(&mut out, "code", code);
            }
        }
        out
    }

    /// Every field that differs from `output`; empty when it matches.
    pub fn differences(&self, output: &Output, tokens: &TokenTable, ids: &dyn Ids) -> Vec<FieldDiff> {
        let mut out = Vec::new();
        match (self, output) {
            (
                ExpectedOutput::RequestSent { request, kind, customer_ids, events, authorization, attempt },
                Output::RequestSent {
                    request: a_request,
                    kind: a_kind,
                    customer_ids: a_ids,
                    events: a_events,
                    authorization: a_auth,
                    attempt: a_attempt,
                },
            ) => {
                if request.is_some_and(|r| !ids.request(r, *a_request)) {
                    out.push(FieldDiff {
                        field: "request",
                        expected: json(request),
                        actual: json(a_request),
                    });
                }
                if kind.unwrap_or_default() != *a_kind {
                    out.push(FieldDiff {
                        field: "kind",
                        expected: json(&kind.unwrap_or_default()),
                        actual: json(a_kind),
                    });
                }
                diff_if(&mut out, "events", events, a_events);
                if let Some(expected) = authorization {
                    let expected_raw = expected.as_deref().map(|n| tokens.raw(n).unwrap_or(n));
                    if expected_raw != a_auth.as_deref() {
                        let actual = a_auth.as_deref().map(|raw| tokens.name(raw).unwrap_or(raw));
                        out.push(FieldDiff {
                            field: "authorization",
                            expected: json(expected),
                            actual: json(&actual),
                        });
                    }
                }
                diff_if(&mut out, "customer_ids", customer_ids, a_ids);
                diff_if(&mut out, "attempt", attempt, a_attempt);
            }
            (
                ExpectedOutput::HandlerCalled { reason, customer_ids, code },
                Output::HandlerCalled { reason: a_reason, customer_ids: a_ids, code: a_code },
            ) => {
                diff_if(&mut out, "reason", reason, a_reason);
                diff_if(&mut out, "customer_ids", customer_ids, a_ids);
                diff_if(&mut out, "code", code, a_code);
            }
            (
                ExpectedOutput::TokenRequested { ask, reason, customer_ids },
                Output::TokenRequested { ask: a_ask, reason: a_reason, customer_ids: a_ids },
            ) => {
                if ask.is_some_and(|k| !ids.ask(k, *a_ask)) {
                    out.push(FieldDiff { field: "ask", expected: json(ask), actual: json(a_ask) });
                }
                diff_if(&mut out, "reason", reason, a_reason);
                diff_if(&mut out, "customer_ids", customer_ids, a_ids);
            }
            (
                ExpectedOutput::RequestFailed { request, events, cause },
                Output::RequestFailed { request: a_request, events: a_events, cause: a_cause },
            ) => {
                if request.is_some_and(|r| !ids.request(r, *a_request)) {
                    out.push(FieldDiff {
                        field: "request",
                        expected: json(request),
                        actual: json(a_request),
                    });
                }
                diff_if(&mut out, "events", events, a_events);
                diff_if(&mut out, "cause", cause, a_cause);
            }
            (
                ExpectedOutput::EventsDeleted { events, rule },
                Output::EventsDeleted { events: a_events, rule: a_rule },
            ) => {
                if events.as_ref().is_some_and(|e| !same_set(e, a_events)) {
                    out.push(FieldDiff { field: "events", expected: json(events), actual: json(a_events) });
                }
                diff_if(&mut out, "rule", rule, a_rule);
            }
            (ExpectedOutput::AppError { error, code }, Output::AppError { error: a_error, code: a_code }) => {
                diff_if(&mut out, "error", error, a_error);
                diff_if(&mut out, "code", code, a_code);
            }
            _ => out.push(FieldDiff {
                field: "output",
                expected: json(&self.name()),
                actual: json(&output.name()),
            }),
        }
        out
    }
}

impl Expected {
    /// Every field of an observation written out, `at` exact (ms after `start`).
    pub fn from_observation(obs: &Observation, start: UnixMillis, tokens: &TokenTable) -> Self {
        Expected {
            at: Some(obs.at.saturating_sub(start)),
            tolerance_ms: 0,
            output: ExpectedOutput::from_output(&obs.output, tokens),
        }
    }

    /// Every field of `obs` that differs from this expectation (`at` included); empty when
    /// it matches.
    pub fn differences(
        &self,
        obs: &Observation,
        start: UnixMillis,
        tokens: &TokenTable,
        ids: &dyn Ids,
    ) -> Vec<FieldDiff> {
        let mut out = self.output.differences(&obs.output, tokens, ids);
        if out.first().is_some_and(|d| d.field == "output") {
            return out;
        }
        if let Some(at) = self.at {
            let actual = i128::from(obs.at) - i128::from(start);
            let (at, tol) = (i128::from(at), i128::from(self.tolerance_ms));
            if actual < at - tol || actual > at + tol {
                let window = if tol == 0 { format!("{at}") } else { format!("{at} ± {tol}") };
                out.push(FieldDiff {
                    field: "at",
                    expected: format!("{window} ms after start"),
                    actual: actual.to_string(),
                });
            }
        }
        out
    }

    /// Why `obs` does not match, or `None` when it does (the case's ids taken as the
    /// SDK's).
    pub fn mismatch(&self, obs: &Observation, start: UnixMillis, tokens: &TokenTable) -> Option<String> {
        let diffs = self.differences(obs, start, tokens, &SameIds);
        (!diffs.is_empty()).then(|| {
            diffs
                .iter()
                .map(|d| format!("{}: expected {}, got {}", d.field, d.expected, d.actual))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }
}

impl Serialize for Expected {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(at) = self.at {
            map.serialize_entry("at", &at)?;
        }
        if self.tolerance_ms != 0 {
            map.serialize_entry("tolerance_ms", &self.tolerance_ms)?;
        }
        map.serialize_entry("output", self.output.name())?;
        for (k, v) in self.output.entries() {
            map.serialize_entry(k, &v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Expected {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut map = serde_json::Map::deserialize(deserializer)?;
        let at = match map.remove("at") {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => Some(u64::deserialize(v).map_err(|e| D::Error::custom(format!("`at`: {e}")))?),
        };
        let tolerance_ms = match map.remove("tolerance_ms") {
            None => 0,
            Some(v) => u64::deserialize(v).map_err(|e| D::Error::custom(format!("`tolerance_ms`: {e}")))?,
        };
        if tolerance_ms != 0 && at.is_none() {
            return Err(D::Error::custom("`tolerance_ms` needs `at`"));
        }
        let output = ExpectedOutput::deserialize(serde_json::Value::Object(map)).map_err(D::Error::custom)?;
        Ok(Expected { at, tolerance_ms, output })
    }
}

impl Serialize for ExpectEntry {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ExpectEntry::One(e) => e.serialize(serializer),
            ExpectEntry::AnyOrder(group) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("any_order", group)?;
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for ExpectEntry {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut map = serde_json::Map::deserialize(deserializer)?;
        let Some(group) = map.remove("any_order") else {
            return Expected::deserialize(serde_json::Value::Object(map))
                .map(ExpectEntry::One)
                .map_err(D::Error::custom);
        };
        if let Some(extra) = map.keys().next() {
            return Err(D::Error::custom(format!("unknown field `{extra}` next to `any_order`")));
        }
        let members: Vec<Expected> =
            Vec::deserialize(group).map_err(|e| D::Error::custom(format!("any_order: {e}")))?;
        if members.len() < 2 {
            return Err(D::Error::custom("any_order: a group needs at least two observations"));
        }
        Ok(ExpectEntry::AnyOrder(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(at: u64, output: Output) -> Observation {
        Observation { at, output }
    }

    #[test]
    fn absent_fields_are_not_compared_present_ones_are() {
        let e: Expected = serde_json::from_str(r#"{"output":"handler_called","reason":"invalid"}"#).unwrap();
        let t = TokenTable::default();
        let ok = obs(
            5,
            Output::HandlerCalled {
                reason: Reason::Invalid,
                customer_ids: CustomerIds::anonymous(),
                code: Some(3),
            },
        );
        assert_eq!(e.mismatch(&ok, 0, &t), None);
        let bad = obs(
            5,
            Output::HandlerCalled {
                reason: Reason::Expired,
                customer_ids: CustomerIds::anonymous(),
                code: None,
            },
        );
        assert_eq!(e.mismatch(&bad, 0, &t).unwrap(), r#"reason: expected "invalid", got "expired""#);
    }

    #[test]
    fn at_is_compared_with_its_tolerance() {
        let e: Expected =
            serde_json::from_str(r#"{"at":240000,"tolerance_ms":2000,"output":"handler_called"}"#).unwrap();
        let t = TokenTable::default();
        let out = Output::HandlerCalled {
            reason: Reason::ExpiredSoon,
            customer_ids: CustomerIds::anonymous(),
            code: None,
        };
        assert_eq!(e.mismatch(&obs(1000 + 238_500, out.clone()), 1000, &t), None);
        assert!(e.mismatch(&obs(1000 + 230_000, out), 1000, &t).unwrap().contains("240000 ± 2000"));
    }

    #[test]
    fn null_authorization_means_no_header_and_a_different_output_is_named() {
        let e: Expected = serde_json::from_str(r#"{"output":"request_sent","authorization":null}"#).unwrap();
        let t = TokenTable::default();
        let sent = |auth: Option<&str>| {
            obs(
                0,
                Output::RequestSent {
                    request: 1,
                    kind: RequestKind::Events,
                    customer_ids: CustomerIds::anonymous(),
                    events: vec![],
                    authorization: auth.map(str::to_owned),
                    attempt: 1,
                },
            )
        };
        assert_eq!(e.mismatch(&sent(None), 0, &t), None);
        assert!(e.mismatch(&sent(Some("x")), 0, &t).is_some());
        let other = obs(0, Output::AppError { error: AppErrorKind::JwtNotEnabled, code: None });
        assert!(e.mismatch(&other, 0, &t).unwrap().starts_with("output:"));
    }

    #[test]
    fn unknown_fields_and_outputs_are_rejected() {
        assert!(serde_json::from_str::<Expected>(r#"{"output":"handler_called","reasons":"x"}"#).is_err());
        assert!(serde_json::from_str::<Expected>(r#"{"output":"teleported"}"#).is_err());
        assert!(serde_json::from_str::<Expected>(r#"{"output":"handler_called","tolerance_ms":3}"#).is_err());
    }

    #[test]
    fn a_written_observation_reads_back_and_matches_itself() {
        let t = TokenTable::default();
        let o = obs(
            1500,
            Output::RequestFailed { request: 2, events: vec!["e1".into()], cause: FailureCause::Forbidden },
        );
        let e = Expected::from_observation(&o, 1000, &t);
        let text = serde_json::to_string(&e).unwrap();
        assert_eq!(
            text,
            r#"{"at":500,"output":"request_failed","request":2,"events":["e1"],"cause":"forbidden"}"#
        );
        let back: Expected = serde_json::from_str(&text).unwrap();
        assert_eq!(back, e);
        assert_eq!(back.mismatch(&o, 1000, &t), None);
    }
}
