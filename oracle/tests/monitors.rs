//! The monitors on hand-made traces: each names the rule that broke, says what the rule
//! demanded and what happened, and stays quiet on a trace that follows the rules.

use jwt_lifecycle_oracle::{Act, Oracle, Violation};
use jwt_lifecycle_spec::alphabet::{
    AppCall, CustomerIds, Input, Observation, Output, Reason, Reply, RequestKind,
};
use jwt_lifecycle_spec::profile::ProfileId;

const START: u64 = 1_700_000_000_000;

/// A token whose client-readable `exp` is `exp_in` seconds after START.
fn token(exp_in: u64) -> String {
    use std::fmt::Write as _;
    let payload = format!(r#"{{"exp":{}}}"#, START / 1000 + exp_in);
    let mut b64 = String::new();
    // base64url without padding, by hand: the oracle reads only `exp`.
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for chunk in payload.as_bytes().chunks(3) {
        let n = chunk.iter().fold(0u32, |n, b| (n << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            let _ = write!(b64, "{}", ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    format!("eyJhbGciOiJIUzI1NiJ9.{b64}.c2ln")
}

struct Trace {
    oracle: Oracle,
    now: u64,
    steps: usize,
    found: Vec<Violation>,
}

impl Trace {
    fn new(profile: ProfileId) -> Self {
        Trace { oracle: Oracle::new(&profile.profile(), START), now: START, steps: 0, found: Vec::new() }
    }

    fn input(&mut self, input: Input, seen: Vec<Output>) -> &mut Self {
        let observed: Vec<Observation> =
            seen.into_iter().map(|output| Observation { at: self.now, output }).collect();
        let act = Act::Input { at: self.now, input };
        self.found.extend(self.oracle.step(self.steps, &act, &observed));
        self.steps += 1;
        self
    }

    fn call(&mut self, call: AppCall, seen: Vec<Output>) -> &mut Self {
        self.input(Input::App(call), seen)
    }

    fn advance(&mut self, ms: u64, seen: Vec<(u64, Output)>) -> &mut Self {
        let from = self.now;
        self.now += ms;
        let observed: Vec<Observation> =
            seen.into_iter().map(|(at, output)| Observation { at: START + at, output }).collect();
        self.found.extend(self.oracle.step(self.steps, &Act::Advance { from, to: self.now }, &observed));
        self.steps += 1;
        self
    }

    fn broken(&self) -> Vec<&'static str> {
        self.found.iter().map(|v| v.requirement).collect()
    }
}

fn soon() -> Output {
    Output::HandlerCalled { reason: Reason::ExpiredSoon, customer_ids: CustomerIds::anonymous(), code: None }
}

fn sent(request: u64, events: &[&str], auth: Option<&str>) -> Output {
    Output::RequestSent {
        request,
        kind: RequestKind::Events,
        customer_ids: CustomerIds::anonymous(),
        events: events.iter().map(|e| e.to_string()).collect(),
        authorization: auth.map(str::to_owned),
        attempt: 1,
    }
}

fn configured(profile: ProfileId, tok: &str) -> Trace {
    let mut t = Trace::new(profile);
    t.call(AppCall::Configure { jwt_enabled: true, debug: false, token: None }, vec![])
        .call(AppCall::RegisterHandler { throws: false }, vec![])
        .call(AppCall::SetToken { token: Some(tok.to_owned()), identifier: None }, vec![]);
    t
}

#[test]
fn a_trace_that_follows_the_rules_breaks_nothing() {
    let a = token(300);
    let mut t = configured(ProfileId::ExponeaStream, &a);
    t.call(AppCall::Track { event: "e1".into() }, vec![])
        .call(AppCall::Flush {}, vec![sent(1, &["e1"], Some(&a))])
        .input(Input::respond(1, Reply::OK), vec![])
        .advance(250_000, vec![(240_000, soon())]);
    assert!(t.found.is_empty(), "{:?}", t.found);
}

#[test]
fn a_repeated_expired_soon_names_refr_005_and_both_instants() {
    let a = token(300);
    let mut t = configured(ProfileId::ExponeaStream, &a);
    t.advance(250_000, vec![(240_000, soon())]).advance(10_000, vec![(250_000, soon())]);
    assert_eq!(t.broken(), ["REFR-005"]);
    let message = &t.found[0].message;
    assert!(
        message.contains("already delivered")
            && message.contains("at +240 s")
            && message.contains("again at +250 s"),
        "{message}"
    );
}

#[test]
fn a_flush_that_sends_nothing_breaks_queue_004_and_says_what_was_queued() {
    let a = token(3600);
    let mut t = configured(ProfileId::ExponeaStream, &a);
    t.call(AppCall::Track { event: "e1".into() }, vec![]).call(AppCall::Flush {}, vec![]);
    assert_eq!(t.broken(), ["QUEUE-004"]);
    assert!(t.found[0].message.contains("[e1]"), "{}", t.found[0].message);
}

#[test]
fn a_token_sent_after_anonymize_names_the_clearing_rule_and_life_008() {
    let a = token(3600);
    let mut t = configured(ProfileId::ExponeaStream, &a);
    t.call(AppCall::Anonymize {}, vec![]).call(AppCall::Track { event: "e1".into() }, vec![]).call(
        AppCall::Flush {},
        vec![
            Output::HandlerCalled {
                reason: Reason::NotProvided,
                customer_ids: CustomerIds::anonymous(),
                code: None,
            },
            sent(1, &["e1"], Some(&a)),
        ],
    );
    assert_eq!(t.broken(), ["LIFE-003", "LIFE-008"]);
    assert!(t.found[0].message.contains("cleared by anonymize"), "{}", t.found[0].message);
}

#[test]
fn an_extra_handler_call_before_a_request_is_named_not_the_request() {
    // The issue's example: an SDK that notifies expired_soon on every request inside the
    // window breaks REFR-005, not RETRY-001 nor PRE-005.
    let s = token(100);
    let mut t = configured(ProfileId::ExponeaStream, &s);
    t.advance(45_000, vec![(40_000, soon())])
        .call(AppCall::Track { event: "e1".into() }, vec![])
        .call(AppCall::Flush {}, vec![soon(), sent(1, &["e1"], Some(&s))]);
    assert_eq!(t.broken(), ["REFR-005"]);
}

#[test]
fn a_network_error_whose_events_are_never_resent_names_retry_012() {
    let a = token(3600);
    let mut t = configured(ProfileId::KhorosLegacy, &a);
    t.call(AppCall::Track { event: "e1".into() }, vec![])
        .call(AppCall::Flush {}, vec![sent(1, &["e1"], Some(&a))])
        .input(Input::respond(1, Reply::NetworkError), vec![])
        .call(AppCall::Track { event: "e2".into() }, vec![])
        .call(AppCall::Flush {}, vec![sent(2, &["e2"], Some(&a))]);
    assert!(t.broken().contains(&"RETRY-012"), "{:?}", t.found);
    assert!(!t.broken().contains(&"QUEUE-003"), "{:?}", t.found);
}
