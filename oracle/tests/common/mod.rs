//! Helpers shared by the oracle's tests: a trace judged step by step.
#![allow(dead_code)]

use jwt_lifecycle_oracle::{Act, Oracle, Violation};
use jwt_lifecycle_spec::alphabet::{
    AppCall, CustomerIds, Input, Observation, Output, Reason, RequestKind, UnixMillis,
};
use jwt_lifecycle_spec::profile::ProfileId;

pub(crate) const START: UnixMillis = 1_700_000_000_000;
/// `exp` 300 s after the start.
pub(crate) const SHORT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE3MDAwMDAzMDB9.c2ln";
/// `exp` a day after the start.
pub(crate) const LONG: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE3MDAwODY0MDB9.c2ln";

/// A trace being judged step by step.
pub(crate) struct Trace {
    pub(crate) oracle: Oracle,
    pub(crate) now: UnixMillis,
    pub(crate) steps: usize,
    pub(crate) violations: Vec<Violation>,
    pub(crate) own_preflights: Vec<Vec<usize>>,
}

impl Trace {
    pub(crate) fn new(profile: ProfileId) -> Self {
        Trace {
            oracle: Oracle::new(&profile.profile(), START),
            now: START,
            steps: 0,
            violations: Vec::new(),
            own_preflights: Vec::new(),
        }
    }

    pub(crate) fn input(&mut self, input: impl Into<Input>, seen: Vec<Output>) -> &mut Self {
        let act = Act::Input { at: self.now, input: input.into() };
        let seen: Vec<Observation> =
            seen.into_iter().map(|output| Observation { at: self.now, output }).collect();
        self.judge(&act, &seen)
    }

    pub(crate) fn advance(&mut self, ms: u64, seen: Vec<(u64, Output)>) -> &mut Self {
        let act = Act::Advance { from: self.now, to: self.now + ms };
        let seen: Vec<Observation> =
            seen.into_iter().map(|(at, output)| Observation { at: START + at, output }).collect();
        self.now += ms;
        self.judge(&act, &seen)
    }

    pub(crate) fn judge(&mut self, act: &Act, seen: &[Observation]) -> &mut Self {
        let judged = self.oracle.judge(self.steps, act, seen);
        self.steps += 1;
        self.violations.extend(judged.violations);
        self.own_preflights.push(judged.own_preflights);
        self
    }

    pub(crate) fn broken(&self) -> Vec<&'static str> {
        self.violations.iter().map(|v| v.requirement).collect()
    }
}

pub(crate) fn configure() -> AppCall {
    AppCall::Configure { jwt_enabled: true, debug: false, token: None }
}

pub(crate) fn set_token(raw: &str) -> AppCall {
    AppCall::SetToken { token: Some(raw.to_owned()), identifier: None }
}

pub(crate) fn told(reason: Reason, ids: &CustomerIds) -> Output {
    Output::HandlerCalled { reason, customer_ids: ids.clone(), code: None }
}

pub(crate) fn sent(
    request: u64,
    kind: RequestKind,
    ids: &CustomerIds,
    events: &[&str],
    token: Option<&str>,
) -> Output {
    Output::RequestSent {
        request,
        kind,
        customer_ids: ids.clone(),
        events: events.iter().map(|e| (*e).to_owned()).collect(),
        authorization: token.map(str::to_owned),
        attempt: 1,
    }
}
