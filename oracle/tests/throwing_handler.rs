//! NOTIFY-007: a handler that throws leaves the lifecycle unchanged; what an SDK leaves
//! undone after a throw is named as NOTIFY-007, besides the rule that asked for it.

mod common;

use common::{configure, sent, set_token, told, Trace, LONG};
use jwt_lifecycle_spec::alphabet::{AppCall, CustomerIds, Input, Reason, Reply, RequestKind};
use jwt_lifecycle_spec::profile::ProfileId;

/// MoEngage: a listener that throws (or not) hears of a 401; then a new token must resend
/// the held request, and the SDK `resends` it or not.
fn rejected_then_new_token(throws: bool, resends: bool) -> Trace {
    let anonymous = CustomerIds::anonymous();
    let mut t = Trace::new(ProfileId::MoengageIos);
    t.input(configure(), vec![])
        .input(AppCall::RegisterHandler { throws }, vec![])
        .input(set_token(LONG), vec![])
        .input(AppCall::Track { event: "e1".into() }, vec![])
        .input(AppCall::Flush {}, vec![sent(1, RequestKind::Events, &anonymous, &["e1"], Some(LONG))])
        .input(Input::respond(1, Reply::UNAUTHORIZED), vec![told(Reason::Invalid, &anonymous)]);
    let again = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE3MDAwODY0MDF9.c2ln";
    let mut resend = sent(2, RequestKind::Events, &anonymous, &["e1"], Some(again));
    if let jwt_lifecycle_spec::alphabet::Output::RequestSent { attempt, .. } = &mut resend {
        *attempt = 2;
    }
    t.input(set_token(again), if resends { vec![resend] } else { vec![] });
    t
}

#[test]
fn notify_007_what_is_left_undone_after_a_throw_is_named() {
    assert_eq!(rejected_then_new_token(true, true).broken(), Vec::<&str>::new());
    assert_eq!(rejected_then_new_token(true, false).broken(), ["NOTIFY-007", "RETRY-008"]);
    assert_eq!(rejected_then_new_token(false, false).broken(), ["RETRY-008"], "no throw, no NOTIFY-007");
}
