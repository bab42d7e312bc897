//! Where the specification leaves an SDK a choice, the monitors accept each allowed
//! behaviour, and still name the rule when the choice is made wrongly.

mod common;

use common::{configure, sent, set_token, told, Trace, LONG, SHORT};
use jwt_lifecycle_spec::alphabet::{AppCall, CustomerIds, Input, Output, Reason, RequestKind};
use jwt_lifecycle_spec::profile::ProfileId;

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
