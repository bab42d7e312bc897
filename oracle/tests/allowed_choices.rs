//! Where the specification leaves an SDK a choice, the monitors accept each allowed
//! behaviour, and still name the rule when the choice is made wrongly.

use jwt_lifecycle_oracle::{Act, Oracle, Violation};
use jwt_lifecycle_spec::alphabet::{
    AppCall, CustomerIds, Input, Observation, Output, Reason, RequestKind, UnixMillis,
};
use jwt_lifecycle_spec::profile::ProfileId;

const START: UnixMillis = 1_700_000_000_000;
/// `exp` 300 s after the start.
const SHORT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE3MDAwMDAzMDB9.c2ln";
/// `exp` a day after the start.
const LONG: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE3MDAwODY0MDB9.c2ln";

/// A trace being judged step by step.
struct Trace {
    oracle: Oracle,
    now: UnixMillis,
    steps: usize,
    violations: Vec<Violation>,
    own_preflights: Vec<Vec<usize>>,
}

impl Trace {
    fn new(profile: ProfileId) -> Self {
        Trace {
            oracle: Oracle::new(&profile.profile(), START),
            now: START,
            steps: 0,
            violations: Vec::new(),
            own_preflights: Vec::new(),
        }
    }

    fn input(&mut self, input: impl Into<Input>, seen: Vec<Output>) -> &mut Self {
        let act = Act::Input { at: self.now, input: input.into() };
        let seen: Vec<Observation> =
            seen.into_iter().map(|output| Observation { at: self.now, output }).collect();
        self.judge(&act, &seen)
    }

    fn advance(&mut self, ms: u64, seen: Vec<(u64, Output)>) -> &mut Self {
        let act = Act::Advance { from: self.now, to: self.now + ms };
        let seen: Vec<Observation> =
            seen.into_iter().map(|(at, output)| Observation { at: START + at, output }).collect();
        self.now += ms;
        self.judge(&act, &seen)
    }

    fn judge(&mut self, act: &Act, seen: &[Observation]) -> &mut Self {
        let judged = self.oracle.judge(self.steps, act, seen);
        self.steps += 1;
        self.violations.extend(judged.violations);
        self.own_preflights.push(judged.own_preflights);
        self
    }

    fn broken(&self) -> Vec<&'static str> {
        self.violations.iter().map(|v| v.requirement).collect()
    }
}

fn configure() -> AppCall {
    AppCall::Configure { jwt_enabled: true, debug: false, token: None }
}

fn set_token(raw: &str) -> AppCall {
    AppCall::SetToken { token: Some(raw.to_owned()), identifier: None }
}

fn told(reason: Reason, ids: &CustomerIds) -> Output {
    Output::HandlerCalled { reason, customer_ids: ids.clone(), code: None }
}

fn sent(request: u64, kind: RequestKind, ids: &CustomerIds, events: &[&str], token: Option<&str>) -> Output {
    Output::RequestSent {
        request,
        kind,
        customer_ids: ids.clone(),
        events: events.iter().map(|e| (*e).to_owned()).collect(),
        authorization: token.map(str::to_owned),
        attempt: 1,
    }
}

/// Exponea: a token notified `expired_soon` at +240 s, then a restart, a configure and a
/// handler again, and a flush inside the window whose pre-flight check says `again`.
fn restart_inside_the_window(again: bool) -> Trace {
    let anonymous = CustomerIds::anonymous();
    let mut t = Trace::new(ProfileId::ExponeaStream);
    t.input(configure(), vec![])
        .input(AppCall::RegisterHandler { throws: false }, vec![])
        .input(set_token(SHORT), vec![])
        .advance(250_000, vec![(240_000, told(Reason::ExpiredSoon, &anonymous))])
        .input(Input::Restart {}, vec![])
        .input(configure(), vec![])
        .input(AppCall::RegisterHandler { throws: false }, vec![])
        .input(AppCall::Track { event: "e1".into() }, vec![]);
    let mut flushed = vec![sent(1, RequestKind::Events, &anonymous, &["e1"], Some(SHORT))];
    if again {
        flushed.insert(0, told(Reason::ExpiredSoon, &anonymous));
    }
    t.input(AppCall::Flush {}, flushed);
    t
}

#[test]
fn life_014_refr_005_a_token_notified_before_a_restart_may_be_notified_again_or_not() {
    assert_eq!(restart_inside_the_window(true).broken(), Vec::<&str>::new(), "notified again");
    assert_eq!(restart_inside_the_window(false).broken(), Vec::<&str>::new(), "not notified again");
    // Once notified again, the once-per-token rule holds as for any token.
    let anonymous = CustomerIds::anonymous();
    let mut twice = restart_inside_the_window(true);
    twice
        .input(Input::respond(1, jwt_lifecycle_spec::alphabet::Reply::OK), vec![])
        .input(AppCall::Track { event: "e2".into() }, vec![])
        .input(
            AppCall::Flush {},
            vec![
                told(Reason::ExpiredSoon, &anonymous),
                sent(2, RequestKind::Events, &anonymous, &["e2"], Some(SHORT)),
            ],
        );
    assert_eq!(twice.broken(), ["REFR-005"], "{:?}", twice.violations);
}

/// Exponea, handler registered, no token: a second configure, after which the SDK sends
/// a session request of its own, with `before` it.
fn own_request_after(before: Vec<Output>) -> Trace {
    let anonymous = CustomerIds::anonymous();
    let mut t = Trace::new(ProfileId::ExponeaStream);
    t.input(configure(), vec![]).input(AppCall::RegisterHandler { throws: false }, vec![]);
    let mut seen = before;
    seen.push(sent(1, RequestKind::Session, &anonymous, &[], None));
    t.input(configure(), seen);
    t
}

#[test]
fn queue_008_pre_001_an_own_request_may_have_its_pre_flight_check_or_not() {
    let anonymous = CustomerIds::anonymous();
    let checked = own_request_after(vec![told(Reason::NotProvided, &anonymous)]);
    assert_eq!(checked.broken(), Vec::<&str>::new());
    assert_eq!(checked.own_preflights.last(), Some(&vec![0]), "the notification is the own request's");
    let unchecked = own_request_after(vec![]);
    assert_eq!(unchecked.broken(), Vec::<&str>::new());
    assert_eq!(unchecked.own_preflights.last(), Some(&vec![]));
    // A notification the check would not give is still named.
    let wrong = own_request_after(vec![told(Reason::Expired, &anonymous)]);
    assert!(!wrong.broken().is_empty(), "an expired notice without a token must be blamed");
}

#[test]
fn life_006_life_008_a_customer_update_sent_by_identify_without_a_token_carries_none() {
    let alice = CustomerIds::single("registered", "alice");
    let identify = |token: Option<&str>| AppCall::Identify {
        customer_ids: alice.clone(),
        token: token.map(str::to_owned),
    };
    for (carried, broken) in [(None, vec![]), (Some(LONG), vec!["LIFE-006", "LIFE-008"])] {
        let mut t = Trace::new(ProfileId::ExponeaStream);
        t.input(configure(), vec![])
            .input(identify(Some(LONG)), vec![])
            .input(identify(None), vec![sent(1, RequestKind::CustomerUpdate, &alice, &[], carried)]);
        assert_eq!(t.broken(), broken, "{:?}", t.violations);
    }
}
