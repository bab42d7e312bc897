//! The machine against the registry, one requirement at a time.
//!
//! Each test is named after the requirement it checks and reads as given / when / then
//! in that requirement's terms. Tokens are minted unsigned: the SDK reads `exp` without
//! verifying anything, so the model needs no key.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jwt_lifecycle_model::{Driver, Sdk};
use jwt_lifecycle_spec::alphabet::{
    AppCall, AppErrorKind, CallKind, CustomerIds, DeletionRule, FailureCause, Input, Observation, Output,
    Reason, Reply,
};
use jwt_lifecycle_spec::profile::{Profile, ProfileId};

const START: u64 = 1_700_000_000_000;
const START_S: i64 = 1_700_000_000;

/// A compact token whose payload is `{"exp": START_S + exp_in}` (or `{}`), unsigned.
fn token(exp_in: Option<i64>, tag: &str) -> String {
    let payload = match exp_in {
        Some(s) => format!(r#"{{"exp":{},"jti":"{tag}"}}"#, START_S + s),
        None => format!(r#"{{"jti":"{tag}"}}"#),
    };
    format!("eyJhbGciOiJIUzI1NiJ9.{}.c2ln", URL_SAFE_NO_PAD.encode(payload))
}

fn alice(p: &Profile) -> CustomerIds {
    p.identity_for("alice")
}

fn bob(p: &Profile) -> CustomerIds {
    p.identity_for("bob")
}

/// A driver on the virtual clock, with shorthand for the alphabet.
struct Run {
    d: Driver,
}

impl Run {
    fn new(id: ProfileId) -> Self {
        Self::with(id.profile())
    }

    fn with(profile: Profile) -> Self {
        Self { d: Driver::new(Sdk::new(profile), START) }
    }

    fn profile(&self) -> Profile {
        self.d.sdk().profile().clone()
    }

    fn call(&mut self, call: AppCall) -> Vec<Output> {
        self.d.input(&Input::App(call)).into_iter().map(|o| o.output).collect()
    }

    fn configure(&mut self) -> Vec<Output> {
        self.call(AppCall::Configure { jwt_enabled: true, debug: false, token: None })
    }

    /// Configured with JWT and a handler registered.
    fn ready(id: ProfileId) -> Self {
        let mut run = Self::new(id);
        run.configure();
        run.call(AppCall::RegisterHandler { throws: false });
        run
    }

    fn set(&mut self, token: &str) -> Vec<Output> {
        self.call(AppCall::SetToken { token: Some(token.into()), identifier: None })
    }

    fn set_for(&mut self, token: &str, identifier: &str) -> Vec<Output> {
        self.call(AppCall::SetToken { token: Some(token.into()), identifier: Some(identifier.into()) })
    }

    fn identify(&mut self, ids: CustomerIds, token: Option<&str>) -> Vec<Output> {
        self.call(AppCall::Identify { customer_ids: ids, token: token.map(str::to_owned) })
    }

    fn track(&mut self, event: &str) -> Vec<Output> {
        self.call(AppCall::Track { event: event.into() })
    }

    fn flush(&mut self) -> Vec<Output> {
        self.call(AppCall::Flush {})
    }

    fn send(&mut self, event: &str) -> Vec<Output> {
        self.track(event);
        self.flush()
    }

    fn reply(&mut self, request: u64, reply: Reply) -> Vec<Output> {
        self.d.input(&Input::respond(request, reply)).into_iter().map(|o| o.output).collect()
    }

    fn status(&mut self, request: u64, status: u16) -> Vec<Output> {
        self.reply(request, Reply::Status(status))
    }

    fn advance(&mut self, ms: u64) -> Vec<Observation> {
        self.d.advance(ms)
    }

    fn advance_outputs(&mut self, ms: u64) -> Vec<Output> {
        self.advance(ms).into_iter().map(|o| o.output).collect()
    }
}

/// (request, events, authorization, attempt, customer) of each request sent.
type Sent = (u64, Vec<String>, Option<String>, u32, CustomerIds);

fn sent(outputs: &[Output]) -> Vec<Sent> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::RequestSent { request, customer_ids, events, authorization, attempt, .. } => {
                Some((*request, events.clone(), authorization.clone(), *attempt, customer_ids.clone()))
            }
            _ => None,
        })
        .collect()
}

fn auth_of(outputs: &[Output]) -> Option<Option<String>> {
    sent(outputs).first().map(|s| s.2.clone())
}

fn reasons(outputs: &[Output]) -> Vec<Reason> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::HandlerCalled { reason, .. } => Some(*reason),
            _ => None,
        })
        .collect()
}

fn handler(reason: Reason, customer_ids: CustomerIds) -> Output {
    Output::HandlerCalled { reason, customer_ids, code: None }
}

fn request(
    request: u64,
    customer_ids: CustomerIds,
    events: &[&str],
    auth: Option<&str>,
    attempt: u32,
) -> Output {
    Output::RequestSent {
        request,
        kind: jwt_lifecycle_spec::alphabet::RequestKind::Events,
        customer_ids,
        events: events.iter().map(|e| e.to_string()).collect(),
        authorization: auth.map(str::to_owned),
        attempt,
    }
}

fn anon() -> CustomerIds {
    CustomerIds::anonymous()
}

/// The profiles `requirement` binds that have the app calls a test makes.
fn applying(requirement: &str, calls: &[CallKind]) -> Vec<ProfileId> {
    let rule = jwt_lifecycle_spec::registry::requirement(requirement).expect("a requirement");
    ProfileId::ALL
        .into_iter()
        .filter(|id| rule.applies_to(*id) && calls.iter().all(|c| id.profile().calls.contains(c)))
        .collect()
}

// ============================================================================ CONF

#[test]
fn conf_001_stored_token_goes_on_every_request_for_its_customer() {
    for id in applying("CONF-001", &[CallKind::SetToken, CallKind::Flush]) {
        let t = token(Some(3600), "a");
        let mut run = Run::ready(id);
        run.set(&t);
        assert_eq!(auth_of(&run.send("e1")), Some(Some(t.clone())), "{id}");
        run.status(1, 200);
        assert_eq!(auth_of(&run.send("e2")), Some(Some(t.clone())), "{id}");
    }
}

#[test]
fn conf_002_project_mode_ignores_tokens_silently() {
    let p = ProfileId::ExponeaStream.profile();
    let mut run = Run::new(ProfileId::ExponeaStream);
    run.call(AppCall::Configure { jwt_enabled: false, debug: false, token: None });
    run.call(AppCall::RegisterHandler { throws: false });
    let t = token(Some(30), "a");
    assert_eq!(run.set(&t), vec![]);
    assert_eq!(run.identify(alice(&p), Some(&t)), vec![]);
    assert!(run.d.sdk().stored_token().is_none());
    // identify still switches the customer; the request has no header and no handler call.
    assert_eq!(run.send("e1"), vec![request(1, alice(&p), &["e1"], None, 1)]);
    assert_eq!(
        run.status(1, 401),
        vec![Output::RequestFailed {
            request: 1,
            events: vec!["e1".into()],
            cause: FailureCause::Authentication
        }]
    );
    assert!(run.advance(120_000).is_empty());
}

#[test]
fn conf_003_jwt_mode_is_fixed_until_configured_again() {
    let mut run = Run::new(ProfileId::MoengageIos);
    run.call(AppCall::Configure { jwt_enabled: false, debug: false, token: None });
    run.set(&token(Some(3600), "a"));
    assert!(run.d.sdk().stored_token().is_none());
    run.configure();
    let t = token(Some(3600), "b");
    run.set(&t);
    assert_eq!(auth_of(&run.send("e1")), Some(Some(t)));
}

#[test]
fn conf_004_token_without_jwt_is_fatal_in_debug_builds() {
    for id in [ProfileId::MoengageIos, ProfileId::MoengageAndroid] {
        let mut run = Run::new(id);
        run.call(AppCall::Configure { jwt_enabled: false, debug: true, token: None });
        let out = run.set_for(&token(Some(3600), "a"), "alice");
        assert_eq!(out, vec![Output::AppError { error: AppErrorKind::JwtNotEnabled, code: None }]);
        assert!(run.d.sdk().stored_token().is_none());
        assert_eq!(auth_of(&run.send("e1")), Some(None));
    }
}

#[test]
fn conf_005_token_without_jwt_is_dropped_in_release_builds() {
    for id in [ProfileId::MoengageIos, ProfileId::MoengageAndroid] {
        let mut run = Run::new(id);
        run.call(AppCall::Configure { jwt_enabled: false, debug: false, token: None });
        assert_eq!(run.set_for(&token(Some(3600), "a"), "alice"), vec![]);
        assert!(run.d.sdk().stored_token().is_none());
        assert_eq!(auth_of(&run.send("e1")), Some(None));
    }
}

#[test]
fn conf_006_token_passed_to_configure_is_a_set_token_after_configuring() {
    for id in applying("CONF-006", &[CallKind::SetToken, CallKind::Flush]) {
        let t = token(Some(3600), "a");
        let mut with_configure = Run::new(id);
        let a = with_configure.call(AppCall::Configure {
            jwt_enabled: true,
            debug: false,
            token: Some(t.clone()),
        });
        let mut separately = Run::new(id);
        let mut b = separately.configure();
        b.extend(separately.set(&t));
        assert_eq!(a, b, "{id}");
        assert_eq!(with_configure.d.sdk(), separately.d.sdk(), "{id}");
        assert_eq!(auth_of(&with_configure.send("e1")), Some(Some(t)), "{id}");
    }
}

#[test]
fn conf_007_nothing_runs_before_configure_or_after_stop() {
    for id in applying("CONF-007", &[CallKind::SetToken, CallKind::Flush, CallKind::StopIntegration]) {
        let mut run = Run::new(id);
        assert_eq!(run.set(&token(Some(3600), "a")), vec![]);
        assert_eq!(
            run.track("e0"),
            vec![Output::EventsDeleted { events: vec!["e0".into()], rule: DeletionRule::SdkNotRunning }]
        );
        assert_eq!(run.flush(), vec![]);
        assert!(run.d.sdk().stored_token().is_none());
        run.configure();
        run.call(AppCall::StopIntegration {});
        assert_eq!(
            run.track("e1"),
            vec![Output::EventsDeleted { events: vec!["e1".into()], rule: DeletionRule::SdkNotRunning }]
        );
        assert_eq!(run.flush(), vec![], "{id}");
    }
}

#[test]
fn conf_008_without_jwt_no_token_no_handler_and_failures_are_final() {
    for id in
        [ProfileId::MoengageIos, ProfileId::MoengageAndroid, ProfileId::KhorosLegacy, ProfileId::WebexConnect]
    {
        let p = id.profile();
        let mut run = Run::new(id);
        run.call(AppCall::Configure {
            jwt_enabled: false,
            debug: false,
            token: Some(token(Some(3600), "a")),
        });
        run.call(AppCall::RegisterHandler { throws: false });
        assert_eq!(run.set_for(&token(Some(30), "b"), "alice"), vec![], "{id}");
        assert_eq!(run.identify(bob(&p), Some(&token(Some(3600), "c"))), vec![], "{id}");
        assert_eq!(run.send("e1"), vec![request(1, bob(&p), &["e1"], None, 1)], "{id}");
        for (status, request) in [(401, 1), (403, 2)] {
            if request == 2 {
                run.send("e2");
            }
            assert_eq!(
                run.status(request, status),
                vec![Output::RequestFailed {
                    request,
                    events: vec![format!("e{request}")],
                    cause: FailureCause::Authentication
                }],
                "{id}"
            );
        }
        assert!(run.advance(120_000).is_empty(), "{id}");
    }
}

// ============================================================================ LIFE

#[test]
fn life_001_set_token_stores_it_until_replaced() {
    for id in applying("LIFE-001", &[CallKind::SetToken, CallKind::Flush]) {
        let (a, b) = (token(Some(3600), "a"), token(Some(3600), "b"));
        let mut run = Run::ready(id);
        run.set(&a);
        assert_eq!(auth_of(&run.send("e1")), Some(Some(a.clone())));
        run.status(1, 200);
        assert_eq!(auth_of(&run.send("e2")), Some(Some(a)));
        run.status(2, 200);
        run.set(&b);
        assert_eq!(auth_of(&run.send("e3")), Some(Some(b)), "{id}");
    }
}

#[test]
fn life_002_a_scheduled_retry_carries_the_token_set_after_the_failure() {
    let (a, b) = (token(Some(3600), "a"), token(Some(3600), "b"));
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.set(&a);
    run.send("e1");
    assert_eq!(reasons(&run.status(1, 401)), vec![Reason::Invalid]);
    run.set(&b);
    let retry = run.advance_outputs(1_000);
    assert_eq!(retry, vec![request(2, anon(), &["e1"], Some(&b), 2)]);
}

#[test]
fn life_002_a_held_request_goes_out_again_with_the_new_token() {
    for id in [ProfileId::MoengageIos, ProfileId::MoengageAndroid, ProfileId::KhorosLegacy] {
        let (a, b) = (token(Some(3600), "a"), token(Some(3600), "b"));
        let mut run = Run::ready(id);
        run.set(&a);
        run.send("e1");
        run.status(1, 401);
        assert_eq!(run.set(&b), vec![request(2, anon(), &["e1"], Some(&b), 2)], "{id}");
    }
}

#[test]
fn life_003_anonymize_clears_the_token_and_starts_an_anonymous_customer() {
    let p = ProfileId::ExponeaStream.profile();
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.identify(alice(&p), Some(&token(Some(3600), "a")));
    run.call(AppCall::Anonymize {});
    assert!(run.d.sdk().stored_token().is_none());
    assert_eq!(run.d.sdk().customer(), &anon());
    let out = run.send("e1");
    assert_eq!(out, vec![handler(Reason::NotProvided, anon()), request(1, anon(), &["e1"], None, 1)]);
}

#[test]
fn life_004_stop_integration_clears_the_token() {
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.set(&token(Some(3600), "a"));
    run.call(AppCall::StopIntegration {});
    run.configure();
    assert!(run.d.sdk().stored_token().is_none());
    assert_eq!(auth_of(&run.send("e1")), Some(None));
}

#[test]
fn life_005_clear_local_data_clears_the_token_and_the_customer() {
    let p = ProfileId::ExponeaStream.profile();
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.identify(alice(&p), Some(&token(Some(3600), "a")));
    run.call(AppCall::ClearLocalData {});
    assert!(run.d.sdk().stored_token().is_none());
    assert_eq!(run.d.sdk().customer(), &anon());
}

#[test]
fn life_006_identify_without_a_token_clears_it() {
    let p = ProfileId::ExponeaStream.profile();
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.identify(alice(&p), Some(&token(Some(3600), "a")));
    run.identify(alice(&p), None);
    assert!(run.d.sdk().stored_token().is_none());
    assert_eq!(auth_of(&run.send("e1")), Some(None));
}

#[test]
fn life_007_identify_with_a_token_binds_it_to_the_new_customer() {
    for id in applying("LIFE-007", &[CallKind::Flush]) {
        let p = id.profile();
        let t = token(Some(3600), "a");
        let mut run = Run::ready(id);
        run.identify(bob(&p), Some(&t));
        let s = sent(&run.send("e1"));
        assert_eq!((s[0].4.clone(), s[0].2.clone()), (bob(&p), Some(t)), "{id}");
    }
}

#[test]
fn life_008_retry_after_anonymize_carries_no_token() {
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.set(&token(Some(3600), "a"));
    run.send("e1");
    run.status(1, 401);
    run.call(AppCall::Anonymize {});
    assert_eq!(run.advance_outputs(1_000), vec![request(2, anon(), &["e1"], None, 2)]);
}

#[test]
fn life_008_a_token_cleared_by_logout_is_not_sent_again() {
    for id in [ProfileId::MoengageIos, ProfileId::KhorosLegacy, ProfileId::WebexConnect] {
        let t = token(Some(3600), "a");
        let mut run = Run::ready(id);
        run.set(&t);
        run.call(AppCall::Logout {});
        let s = sent(&run.send("e1"));
        assert_eq!(s[0].2, None, "{id}");
    }
}

#[test]
fn life_009_events_of_another_customer_go_without_the_token() {
    let p = ProfileId::MoengageIos.profile();
    let t = token(Some(3600), "a");
    let mut run = Run::ready(ProfileId::MoengageIos);
    run.set_for(&t, "alice");
    run.track("e1");
    run.identify(bob(&p), None);
    run.track("e2");
    assert_eq!(run.flush(), vec![request(1, alice(&p), &["e1"], Some(&t), 1)]);
    run.status(1, 200);
    assert_eq!(run.flush(), vec![request(2, bob(&p), &["e2"], None, 1)]);
}

#[test]
fn life_010_logout_clears_the_token_and_the_customer() {
    for id in
        [ProfileId::MoengageIos, ProfileId::MoengageAndroid, ProfileId::KhorosLegacy, ProfileId::WebexConnect]
    {
        let mut run = Run::ready(id);
        run.set_for(&token(Some(3600), "a"), "alice");
        run.call(AppCall::Logout {});
        assert!(run.d.sdk().stored_token().is_none(), "{id}");
        assert_eq!(run.d.sdk().customer(), &anon(), "{id}");
    }
}

#[test]
fn life_010_a_logout_sync_keeps_the_token_it_was_sent_with() {
    let t = token(Some(3600), "a");
    let mut run = Run::ready(ProfileId::MoengageIos);
    run.set_for(&t, "alice");
    run.track("e1");
    let p = run.profile();
    assert_eq!(run.call(AppCall::Logout {}), vec![request(1, alice(&p), &["e1"], Some(&t), 1)]);
    assert!(run.d.sdk().stored_token().is_none());
}

#[test]
fn life_011_an_unparsable_token_is_stored_and_sent_without_expiry() {
    for id in applying("LIFE-011", &[CallKind::SetToken, CallKind::Flush]) {
        let mut run = Run::ready(id);
        run.set("not.a-jwt");
        assert_eq!(run.d.sdk().next_timer(), None);
        let out = run.send("e1");
        assert_eq!(reasons(&out), vec![], "{id}");
        assert_eq!(auth_of(&out), Some(Some("not.a-jwt".to_owned())), "{id}");
    }
}

#[test]
fn life_012_a_token_without_exp_never_expires_on_the_client() {
    for id in applying("LIFE-012", &[CallKind::SetToken, CallKind::Flush]) {
        let mut run = Run::ready(id);
        run.set(&token(None, "x"));
        assert_eq!(run.d.sdk().next_timer(), None);
        assert!(run.advance(365 * 86_400_000).is_empty());
        assert_eq!(reasons(&run.send("e1")), vec![], "{id}");
        // The server still decides: a 401 is handled as usual (invalid, not expired).
        let out = run.status(1, 401);
        assert!(!reasons(&out).contains(&Reason::Expired), "{id}");
    }
}

#[test]
fn life_013_the_identifier_passed_with_the_token_is_the_customer() {
    for id in [ProfileId::MoengageIos, ProfileId::MoengageAndroid, ProfileId::KhorosLegacy] {
        let p = id.profile();
        let t = token(Some(3600), "a");
        let mut run = Run::ready(id);
        run.set_for(&t, "u1");
        assert_eq!(run.d.sdk().customer(), &p.identity_for("u1"));
        assert_eq!(run.send("e1"), vec![request(1, p.identity_for("u1"), &["e1"], Some(&t), 1)], "{id}");
    }
}

// ============================================================================ REFR

#[test]
fn refr_001_expired_soon_at_exp_minus_60_s() {
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.set(&token(Some(300), "a"));
    assert!(run.advance(239_999).is_empty());
    let seen = run.advance(1);
    assert_eq!(seen, vec![Observation { at: START + 240_000, output: handler(Reason::ExpiredSoon, anon()) }]);
    assert!(run.advance(600_000).is_empty(), "fires once");
}

#[test]
fn refr_002_the_refresh_names_the_customer_the_token_is_bound_to() {
    let p = ProfileId::ExponeaStream.profile();
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.identify(alice(&p), Some(&token(Some(300), "a")));
    assert_eq!(run.advance_outputs(240_000), vec![handler(Reason::ExpiredSoon, alice(&p))]);
}

#[test]
fn refr_003_a_token_set_inside_the_window_is_notified_at_once() {
    let mut run = Run::ready(ProfileId::ExponeaStream);
    assert_eq!(run.set(&token(Some(30), "a")), vec![handler(Reason::ExpiredSoon, anon())]);
    assert!(run.advance(60_000).is_empty());
}

#[test]
fn refr_003_the_window_starts_exactly_60_s_before_exp() {
    let mut run = Run::ready(ProfileId::ExponeaStream);
    assert_eq!(run.set(&token(Some(60), "a")), vec![handler(Reason::ExpiredSoon, anon())]);
    let mut run = Run::ready(ProfileId::ExponeaStream);
    assert_eq!(run.set(&token(Some(61), "a")), vec![]);
    assert_eq!(run.advance(1_000)[0].at, START + 1_000);
}

#[test]
fn refr_004_an_expired_token_gets_no_refresh_and_preflight_says_expired() {
    let t = token(Some(-10), "a");
    let mut run = Run::ready(ProfileId::ExponeaStream);
    assert_eq!(run.set(&t), vec![]);
    assert!(run.advance(120_000).is_empty());
    assert_eq!(
        run.send("e1"),
        vec![handler(Reason::Expired, anon()), request(1, anon(), &["e1"], Some(&t), 1)]
    );
}

#[test]
fn refr_005_expired_soon_once_per_token_timer_then_preflight() {
    let t = token(Some(300), "a");
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.set(&t);
    assert_eq!(reasons(&run.advance_outputs(250_000)), vec![Reason::ExpiredSoon]);
    assert_eq!(run.send("e1"), vec![request(1, anon(), &["e1"], Some(&t), 1)]);
    run.status(1, 200);
    assert_eq!(reasons(&run.send("e2")), vec![]);
}

#[test]
fn refr_005_preflight_first_then_never_again() {
    // A profile variant that does not notify at set time inside the window, so the
    // pre-flight check is the first to notice.
    let mut p = ProfileId::ExponeaStream.profile();
    p.refresh = p
        .refresh
        .map(|r| jwt_lifecycle_spec::profile::RefreshPolicy { notify_at_once_inside_window: false, ..r });
    let t = token(Some(30), "a");
    let mut run = Run::with(p);
    run.configure();
    run.call(AppCall::RegisterHandler { throws: false });
    assert_eq!(run.set(&t), vec![]);
    assert_eq!(reasons(&run.send("e1")), vec![Reason::ExpiredSoon]);
    run.status(1, 200);
    assert_eq!(reasons(&run.send("e2")), vec![]);
}

#[test]
fn refr_006_replacing_or_clearing_cancels_the_pending_refresh() {
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.set(&token(Some(300), "a"));
    run.set(&token(Some(3600), "b"));
    assert!(run.advance(300_000).is_empty());
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.set(&token(Some(300), "a"));
    run.call(AppCall::Anonymize {});
    assert!(run.advance(300_000).is_empty());
    assert_eq!(run.d.sdk().next_timer(), None);
}

#[test]
fn refr_007_a_refresh_due_without_a_handler_is_dropped_not_replayed() {
    let mut run = Run::new(ProfileId::ExponeaStream);
    run.configure();
    let t = token(Some(300), "a");
    run.set(&t);
    assert!(run.advance(250_000).is_empty());
    run.call(AppCall::RegisterHandler { throws: false });
    assert!(run.advance(1_000).is_empty(), "registering does not replay it");
}

#[test]
fn refr_005_refr_007_a_dropped_notification_is_still_delivered_by_preflight() {
    let mut run = Run::new(ProfileId::ExponeaStream);
    run.configure();
    let t = token(Some(300), "a");
    run.set(&t);
    run.advance(250_000);
    run.call(AppCall::RegisterHandler { throws: false });
    assert_eq!(
        run.send("e1"),
        vec![handler(Reason::ExpiredSoon, anon()), request(1, anon(), &["e1"], Some(&t), 1)]
    );
    run.status(1, 200);
    assert_eq!(reasons(&run.send("e2")), vec![], "delivered once");
}

#[test]
fn refr_008_no_expired_soon_outside_exponea() {
    for id in
        [ProfileId::MoengageIos, ProfileId::MoengageAndroid, ProfileId::KhorosLegacy, ProfileId::WebexConnect]
    {
        let mut run = Run::ready(id);
        assert_eq!(run.set(&token(Some(30), "a")), vec![]);
        let mut run2 = Run::ready(id);
        run2.set(&token(Some(300), "b"));
        assert!(run2.advance(280_000).is_empty(), "{id}");
        assert_eq!(reasons(&run2.send("e1")), vec![], "{id}");
    }
}

// ============================================================================ PRE

#[test]
fn pre_001_no_token_not_provided_then_sent_without_header() {
    let mut run = Run::ready(ProfileId::ExponeaStream);
    assert_eq!(
        run.send("e1"),
        vec![handler(Reason::NotProvided, anon()), request(1, anon(), &["e1"], None, 1)]
    );
}

#[test]
fn pre_001_a_token_of_another_customer_counts_as_none() {
    let p = ProfileId::ExponeaStream.profile();
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.track("e0");
    run.identify(alice(&p), Some(&token(Some(3600), "a")));
    assert_eq!(run.flush(), vec![handler(Reason::NotProvided, anon()), request(1, anon(), &["e0"], None, 1)]);
}

#[test]
fn pre_002_expired_token_is_reported_and_still_sent() {
    let t = token(Some(90), "a");
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.set(&t);
    run.advance(90_000);
    assert_eq!(
        run.send("e1"),
        vec![handler(Reason::Expired, anon()), request(1, anon(), &["e1"], Some(&t), 1)]
    );
}

#[test]
fn pre_003_inside_the_window_the_request_carries_the_token() {
    let t = token(Some(90), "a");
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.set(&t);
    assert_eq!(reasons(&run.advance_outputs(40_000)), vec![Reason::ExpiredSoon]);
    assert_eq!(run.send("e1"), vec![request(1, anon(), &["e1"], Some(&t), 1)]);
}

#[test]
fn pre_004_no_preflight_before_a_retry() {
    let mut run = Run::ready(ProfileId::ExponeaStream);
    assert_eq!(reasons(&run.send("e1")), vec![Reason::NotProvided]);
    assert_eq!(reasons(&run.status(1, 401)), vec![Reason::NotProvided]);
    assert_eq!(run.advance_outputs(1_000), vec![request(2, anon(), &["e1"], None, 2)]);
}

#[test]
fn pre_005_expired_from_exp_onward_not_before() {
    let t = token(Some(100), "a");
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.set(&t);
    run.advance(99_999);
    assert_eq!(reasons(&run.send("e1")), vec![]);
    run.status(1, 200);
    run.advance(1);
    assert_eq!(reasons(&run.send("e2")), vec![Reason::Expired]);
}

#[test]
fn pre_005_webex_codes_switch_to_expired_exactly_at_exp() {
    let t = token(Some(100), "a");
    let mut run = Run::ready(ProfileId::WebexConnect);
    run.set(&t);
    run.advance(99_999);
    run.send("e1");
    assert_eq!(
        run.status(1, 401)[0],
        Output::AppError { error: AppErrorKind::TokenRejected, code: Some(38) }
    );
    run.advance(1);
    run.send("e2");
    assert_eq!(
        run.status(2, 401)[0],
        Output::AppError { error: AppErrorKind::TokenRejected, code: Some(40) }
    );
}

// ============================================================================ RETRY

#[test]
fn retry_001_reason_follows_the_carried_token_at_response_time() {
    let p = ProfileId::ExponeaStream.profile();
    // Carried a token that is valid: invalid.
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.set(&token(Some(3600), "a"));
    run.send("e1");
    assert_eq!(run.status(1, 401), vec![handler(Reason::Invalid, anon())]);
    // Carried a token that expired between send and answer: expired.
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.set(&token(Some(100), "a"));
    run.advance(99_000);
    run.send("e1");
    run.d.advance(1_000);
    assert_eq!(reasons(&run.status(1, 401)), vec![Reason::Expired]);
    // Carried none: not provided, even if a token is stored by now.
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.identify(alice(&p), None);
    run.send("e1");
    run.set(&token(Some(3600), "b"));
    assert_eq!(run.status(1, 401), vec![handler(Reason::NotProvided, alice(&p))]);
}

#[test]
fn retry_002_one_retry_1000_ms_after_the_response() {
    let t = token(Some(3600), "a");
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.set(&t);
    run.send("e1");
    run.status(1, 401);
    assert!(run.advance(999).is_empty());
    let seen = run.advance(1);
    assert_eq!(
        seen,
        vec![Observation { at: START + 1_000, output: request(2, anon(), &["e1"], Some(&t), 2) }]
    );
}

#[test]
fn retry_003_a_rejected_retry_fails_for_good_without_handler() {
    for status in [401, 403] {
        let mut run = Run::ready(ProfileId::ExponeaStream);
        run.set(&token(Some(3600), "a"));
        run.send("e1");
        run.status(1, 401);
        run.advance(1_000);
        let out = run.status(2, status);
        let cause = if status == 403 { FailureCause::Forbidden } else { FailureCause::Authentication };
        assert_eq!(out, vec![Output::RequestFailed { request: 2, events: vec!["e1".into()], cause }]);
        assert!(run.advance(10_000).is_empty());
        assert_eq!(run.flush(), vec![]);
    }
}

#[test]
fn retry_004_403_without_token_not_provided_and_one_retry() {
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.send("e1");
    assert_eq!(run.status(1, 403), vec![handler(Reason::NotProvided, anon())]);
    assert_eq!(run.advance_outputs(1_000), vec![request(2, anon(), &["e1"], None, 2)]);
}

#[test]
fn retry_005_403_with_valid_token_fails_at_once_and_keeps_the_token() {
    let t = token(Some(3600), "a");
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.set(&t);
    run.send("e1");
    assert_eq!(
        run.status(1, 403),
        vec![Output::RequestFailed { request: 1, events: vec!["e1".into()], cause: FailureCause::Forbidden }]
    );
    assert!(run.advance(5_000).is_empty());
    assert_eq!(auth_of(&run.send("e2")), Some(Some(t)));
}

#[test]
fn retry_006_insufficient_is_never_delivered() {
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.set(&token(Some(3600), "a"));
    run.send("e1");
    let mut all = run.status(1, 403);
    all.extend(run.send("e2"));
    all.extend(run.status(2, 401));
    all.extend(run.advance_outputs(1_000));
    all.extend(run.status(3, 403));
    assert!(!reasons(&all).contains(&Reason::Insufficient));
}

#[test]
fn retry_007_403_on_an_expired_token_is_an_expiry() {
    let t = token(Some(100), "a");
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.set(&t);
    run.advance(100_000);
    run.send("e1");
    assert_eq!(run.status(1, 403), vec![handler(Reason::Expired, anon())]);
    assert_eq!(sent(&run.advance_outputs(1_000)).len(), 1);
}

#[test]
fn retry_008_held_until_a_new_token_then_sent_at_once() {
    for id in [ProfileId::MoengageIos, ProfileId::MoengageAndroid, ProfileId::KhorosLegacy] {
        let t = token(Some(3600), "a");
        let mut run = Run::ready(id);
        run.set(&t);
        run.send("e1");
        assert_eq!(reasons(&run.status(1, 401)), vec![Reason::Invalid]);
        assert!(run.d.sdk().is_held());
        assert_eq!(run.flush(), vec![], "{id}: held");
        assert!(run.advance(60_000).is_empty());
        run.track("e2");
        assert_eq!(run.flush(), vec![], "{id}: the held request blocks the queue");
        let u = token(Some(3600), "b");
        // The same request goes out again, one attempt higher; e2 waits for a flush.
        assert_eq!(run.set(&u), vec![request(2, anon(), &["e1"], Some(&u), 2)], "{id}");
        run.status(2, 200);
        assert_eq!(run.flush(), vec![request(3, anon(), &["e2"], Some(&u), 1)], "{id}");
    }
}

#[test]
fn retry_008_each_new_token_sends_the_held_request_once_more() {
    let mut run = Run::ready(ProfileId::MoengageIos);
    run.set(&token(Some(3600), "a"));
    run.send("e1");
    run.status(1, 401);
    for (i, tag) in ["b", "c", "d"].iter().enumerate() {
        let u = token(Some(3600), tag);
        let attempt = i as u32 + 2;
        assert_eq!(run.set(&u), vec![request(attempt as u64, anon(), &["e1"], Some(&u), attempt)]);
        run.status(attempt as u64, 403);
    }
}

#[test]
fn retry_009_every_auth_failure_reaches_the_listener_once() {
    for id in [ProfileId::MoengageIos, ProfileId::MoengageAndroid] {
        let p = id.profile();
        let mut run = Run::ready(id);
        run.set_for(&token(Some(3600), "a"), "alice");
        run.send("e1");
        assert_eq!(run.status(1, 401), vec![handler(Reason::Invalid, alice(&p))]);
        run.set(&token(Some(3600), "b"));
        assert_eq!(run.status(2, 403), vec![handler(Reason::Invalid, alice(&p))]);
    }
}

#[test]
fn retry_010_every_auth_failure_reaches_the_delegate_once() {
    let p = ProfileId::KhorosLegacy.profile();
    let mut run = Run::ready(ProfileId::KhorosLegacy);
    run.set_for(&token(Some(3600), "a"), "alice");
    run.send("e1");
    assert_eq!(run.status(1, 401), vec![handler(Reason::Invalid, alice(&p))]);
    let again = run.set_for(&token(Some(3600), "b"), "alice");
    assert_eq!(sent(&again).len(), 1);
    assert_eq!(run.status(2, 403), vec![handler(Reason::Invalid, alice(&p))]);
}

#[test]
fn retry_011_webex_raises_39_40_38_and_never_retries() {
    let cases: [(Option<i64>, u64, i64); 3] = [(None, 0, 39), (Some(100), 100_000, 40), (Some(3600), 0, 38)];
    for (exp, wait, code) in cases {
        let mut run = Run::ready(ProfileId::WebexConnect);
        if let Some(exp) = exp {
            run.set(&token(Some(exp), "a"));
        }
        run.advance(wait);
        run.send("e1");
        assert_eq!(
            run.status(1, 401),
            vec![
                Output::AppError { error: AppErrorKind::TokenRejected, code: Some(code) },
                Output::RequestFailed {
                    request: 1,
                    events: vec!["e1".into()],
                    cause: FailureCause::Authentication
                },
            ]
        );
        assert!(run.advance(10_000).is_empty());
        assert_eq!(run.flush(), vec![]);
    }
}

#[test]
fn retry_012_network_errors_and_other_statuses_requeue_at_the_front() {
    for id in applying("RETRY-012", &[CallKind::SetToken, CallKind::Flush]) {
        for reply in [Reply::NetworkError, Reply::Status(500), Reply::Status(429)] {
            let t = token(Some(3600), "a");
            let mut run = Run::ready(id);
            run.set(&t);
            run.send("e1");
            run.track("e2");
            assert_eq!(run.reply(1, reply), vec![], "{id} {reply:?}");
            assert_eq!(run.d.sdk().failures().consecutive, 0);
            assert!(run.advance(5_000).is_empty());
            // A profile that backs off numbers its tries: the explicit flush is the second.
            let attempt = if id.profile().backoff().is_some() { 2 } else { 1 };
            assert_eq!(run.flush(), vec![request(2, anon(), &["e1", "e2"], Some(&t), attempt)], "{id}");
        }
    }
}

#[test]
fn retry_013_a_rejecting_server_gets_each_event_at_most_twice() {
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.set(&token(Some(3600), "a"));
    run.send("e1");
    let mut sends = 1;
    for request in 1..10 {
        let mut out = run.status(request, 401);
        out.extend(run.advance_outputs(10_000));
        sends += sent(&out).len();
    }
    assert_eq!(sends, 2);
}

#[test]
fn retry_013_a_held_request_goes_out_once_per_new_token() {
    let mut run = Run::ready(ProfileId::KhorosLegacy);
    run.set(&token(Some(3600), "a"));
    run.send("e1");
    run.status(1, 401);
    let u = token(Some(3600), "b");
    assert_eq!(sent(&run.set(&u)).len(), 1);
    // Answered or not, a flush without a new token sends nothing more.
    run.status(2, 401);
    assert_eq!(run.flush(), vec![]);
    assert!(run.advance(60_000).is_empty());
}

// ============================================================================ LIMIT

fn fail_n_times(run: &mut Run, n: u64) {
    // The first request is already in flight with id 1.
    for i in 0..n {
        run.status(i + 1, 401);
        if i + 1 < n {
            let out = run.set(&token(Some(3600), &format!("t{i}")));
            assert_eq!(sent(&out).len(), 1, "resend {i}");
        }
    }
}

#[test]
fn limit_001_ten_consecutive_failures_suspend_sync_until_next_session() {
    for id in [ProfileId::MoengageIos, ProfileId::MoengageAndroid] {
        let mut run = Run::ready(id);
        run.set(&token(Some(3600), "a"));
        run.send("e1");
        fail_n_times(&mut run, 9);
        assert!(!run.d.sdk().failures().suspended);
        run.set(&token(Some(3600), "b"));
        run.status(10, 401);
        assert!(run.d.sdk().failures().suspended, "{id}");
        assert_eq!(run.set(&token(Some(3600), "c")), vec![]);
        assert_eq!(run.flush(), vec![]);
        run.call(AppCall::NewSession {});
        assert_eq!(sent(&run.flush()).len(), 1);
    }
}

#[test]
fn limit_002_success_resets_the_count() {
    let mut run = Run::ready(ProfileId::MoengageIos);
    run.set(&token(Some(3600), "a"));
    run.send("e1");
    fail_n_times(&mut run, 9);
    run.set(&token(Some(3600), "b"));
    run.status(10, 200);
    assert_eq!(run.d.sdk().failures().consecutive, 0);
    run.send("e2");
    fail_n_times_from(&mut run, 11, 9);
    assert!(!run.d.sdk().failures().suspended);
}

fn fail_n_times_from(run: &mut Run, first: u64, n: u64) {
    for i in 0..n {
        run.status(first + i, 401);
        if i + 1 < n {
            run.set(&token(Some(3600), &format!("u{i}")));
        }
    }
}

#[test]
fn limit_003_configure_and_new_session_start_a_session() {
    for start_session in
        [AppCall::NewSession {}, AppCall::Configure { jwt_enabled: true, debug: false, token: None }]
    {
        let mut run = Run::ready(ProfileId::MoengageAndroid);
        run.set(&token(Some(3600), "a"));
        run.send("e1");
        fail_n_times(&mut run, 10);
        assert!(run.d.sdk().failures().suspended);
        run.call(start_session);
        assert_eq!(run.d.sdk().failures().consecutive, 0);
        assert!(!run.d.sdk().failures().suspended);
    }
}

#[test]
fn limit_004_events_tracked_while_suspended_are_kept_and_sent_later() {
    let mut run = Run::ready(ProfileId::MoengageIos);
    let t = token(Some(3600), "a");
    run.set(&t);
    run.send("e1");
    fail_n_times(&mut run, 10);
    run.track("e2");
    assert_eq!(run.flush(), vec![]);
    assert_eq!(run.d.sdk().queue().iter().count(), 1);
    run.call(AppCall::NewSession {});
    // The last failure still holds its request for a new token (RETRY-008).
    assert_eq!(run.flush(), vec![]);
    assert_eq!(run.set(&t), vec![request(11, anon(), &["e1"], Some(&t), 11)]);
    run.status(11, 200);
    assert_eq!(run.flush(), vec![request(12, anon(), &["e2"], Some(&t), 1)]);
}

#[test]
fn limit_005_a_new_token_while_suspended_is_stored_but_sends_nothing() {
    let mut run = Run::ready(ProfileId::MoengageIos);
    run.set(&token(Some(3600), "a"));
    run.send("e1");
    fail_n_times(&mut run, 10);
    let u = token(Some(3600), "z");
    assert_eq!(run.set(&u), vec![]);
    assert_eq!(run.d.sdk().stored_token().map(|t| t.token.raw.clone()), Some(u.clone()));
    run.call(AppCall::NewSession {});
    assert_eq!(run.flush(), vec![request(11, anon(), &["e1"], Some(&u), 11)]);
}

// ============================================================================ QUEUE

#[test]
fn queue_001_every_event_is_delivered_queued_or_reported() {
    for id in applying("QUEUE-001", &[CallKind::SetToken, CallKind::Flush, CallKind::StopIntegration]) {
        let mut run = Run::ready(id);
        run.set(&token(Some(3600), "a"));
        run.send("e1");
        run.reply(1, Reply::NetworkError);
        run.track("e2");
        let out = run.call(AppCall::StopIntegration {});
        assert_eq!(
            out,
            vec![Output::EventsDeleted {
                events: vec!["e1".into(), "e2".into()],
                rule: DeletionRule::StopIntegration
            }]
        );
    }
}

#[test]
fn queue_002_a_failed_logout_sync_deletes_its_events() {
    for id in [ProfileId::MoengageIos, ProfileId::MoengageAndroid] {
        let p = id.profile();
        let t = token(Some(3600), "a");
        let mut run = Run::ready(id);
        run.set_for(&t, "alice");
        run.track("e1");
        run.track("e2");
        assert_eq!(run.call(AppCall::Logout {}), vec![request(1, alice(&p), &["e1", "e2"], Some(&t), 1)]);
        let out = run.status(1, 401);
        assert_eq!(
            out,
            vec![
                handler(Reason::Invalid, alice(&p)),
                Output::EventsDeleted {
                    events: vec!["e1".into(), "e2".into()],
                    rule: DeletionRule::LogoutSyncFailed
                }
            ]
        );
        assert!(!run.d.sdk().is_held());
        assert!(run.d.sdk().queue().is_empty());
        assert_eq!(run.set(&token(Some(3600), "b")), vec![]);
    }
}

#[test]
fn queue_002_a_successful_logout_sync_delivers() {
    let mut run = Run::ready(ProfileId::MoengageIos);
    run.set_for(&token(Some(3600), "a"), "alice");
    run.track("e1");
    run.call(AppCall::Logout {});
    assert_eq!(run.status(1, 200), vec![]);
    assert_eq!(run.flush(), vec![]);
}

#[test]
fn queue_003_a_request_carries_the_head_run_of_one_customer() {
    let p = ProfileId::ExponeaStream.profile();
    let t = token(Some(3600), "a");
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.identify(alice(&p), Some(&t));
    run.track("e1");
    run.track("e2");
    run.call(AppCall::Anonymize {});
    run.track("e3");
    assert_eq!(
        run.flush(),
        vec![handler(Reason::NotProvided, alice(&p)), request(1, alice(&p), &["e1", "e2"], None, 1)]
    );
    run.status(1, 200);
    assert_eq!(sent(&run.flush())[0].1, vec!["e3".to_owned()]);
}

#[test]
fn queue_004_one_request_in_flight_flush_is_a_no_op_meanwhile() {
    for id in applying("QUEUE-004", &[CallKind::SetToken, CallKind::Flush]) {
        let mut run = Run::ready(id);
        run.set(&token(Some(3600), "a"));
        run.send("e1");
        run.track("e2");
        assert_eq!(run.flush(), vec![], "{id}");
        run.status(1, 200);
        assert_eq!(sent(&run.flush())[0].1, vec!["e2".to_owned()]);
    }
}

#[test]
fn queue_004_flush_waits_while_a_retry_is_pending() {
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.set(&token(Some(3600), "a"));
    run.send("e1");
    run.status(1, 401);
    run.track("e2");
    assert_eq!(run.flush(), vec![]);
}

#[test]
fn queue_005_a_permanently_failed_request_lists_its_events() {
    let mut run = Run::ready(ProfileId::WebexConnect);
    run.set(&token(Some(3600), "a"));
    run.track("e1");
    run.track("e2");
    run.flush();
    let out = run.status(1, 403);
    assert!(out.contains(&Output::RequestFailed {
        request: 1,
        events: vec!["e1".into(), "e2".into()],
        cause: FailureCause::Forbidden
    }));
}

#[test]
fn queue_006_clear_local_data_deletes_the_queue_anonymize_keeps_it() {
    for id in applying("QUEUE-006", &[CallKind::Anonymize, CallKind::ClearLocalData]) {
        let p = id.profile();
        let mut run = Run::ready(id);
        run.identify(alice(&p), None);
        run.track("e1");
        run.call(AppCall::Anonymize {});
        assert_eq!(
            run.d.sdk().queue().iter().map(|e| e.customer.clone()).collect::<Vec<_>>(),
            vec![alice(&p)]
        );
        assert_eq!(
            run.call(AppCall::ClearLocalData {}),
            vec![Output::EventsDeleted { events: vec!["e1".into()], rule: DeletionRule::ClearLocalData }]
        );
        assert_eq!(run.flush(), vec![], "{id}");
    }
}

#[test]
fn queue_007_delivered_events_are_never_sent_again() {
    for id in applying("QUEUE-007", &[CallKind::SetToken, CallKind::Flush]) {
        let mut run = Run::ready(id);
        run.set(&token(Some(3600), "a"));
        run.send("e1");
        assert_eq!(run.status(1, 200), vec![]);
        assert_eq!(run.flush(), vec![], "{id}");
        assert_eq!(run.status(1, 200), vec![], "a second answer is ignored");
        assert!(run.d.sdk().in_flight().is_none());
    }
}

// ============================================================================ NOTIFY

#[test]
fn notify_001_handler_calls_name_the_customer() {
    for id in [ProfileId::ExponeaStream, ProfileId::MoengageIos, ProfileId::KhorosLegacy] {
        let p = id.profile();
        let mut run = Run::ready(id);
        run.identify(bob(&p), Some(&token(Some(3600), "a")));
        run.send("e1");
        assert_eq!(run.status(1, 401), vec![handler(Reason::Invalid, bob(&p))], "{id}");
    }
}

#[test]
fn notify_002_without_a_handler_nothing_is_called_and_the_rest_goes_on() {
    let mut run = Run::new(ProfileId::ExponeaStream);
    run.configure();
    assert_eq!(run.set(&token(Some(30), "a")), vec![]);
    assert_eq!(sent(&run.send("e1")).len(), 1);
    assert_eq!(run.status(1, 401), vec![]);
    assert_eq!(sent(&run.advance_outputs(1_000)).len(), 1, "the retry still happens");
}

#[test]
fn notify_003_only_the_profiles_reasons() {
    for id in applying("NOTIFY-003", &[CallKind::SetToken, CallKind::Flush]) {
        let p = id.profile();
        let mut all = Vec::new();
        for (exp, wait, status) in [
            (None, 0, 401),
            (Some(3600), 0, 401),
            (Some(100), 100_000, 401),
            (Some(30), 0, 403),
            (Some(3600), 0, 403),
        ] {
            let mut run = Run::ready(id);
            if let Some(exp) = exp {
                all.extend(run.set(&token(Some(exp), "a")));
            }
            all.extend(run.advance_outputs(wait));
            all.extend(run.send("e1"));
            all.extend(run.status(1, status));
            all.extend(run.advance_outputs(1_000));
        }
        for reason in reasons(&all) {
            assert!(p.handler_reasons.contains(&reason), "{id}: {reason}");
        }
    }
}

#[test]
fn notify_004_moengage_listener_codes_are_left_open() {
    for id in [ProfileId::MoengageIos, ProfileId::MoengageAndroid] {
        let mut run = Run::ready(id);
        run.send("e1");
        let out = run.status(1, 401);
        assert!(matches!(out[0], Output::HandlerCalled { code: None, .. }), "{id}");
    }
}

#[test]
fn notify_005_webex_codes_38_39_40() {
    let p = ProfileId::WebexConnect.profile();
    assert_eq!(
        [Reason::Invalid, Reason::NotProvided, Reason::Expired].map(|r| p.code_for(r)),
        [Some(38), Some(39), Some(40)]
    );
    let mut run = Run::ready(ProfileId::WebexConnect);
    run.send("e1");
    assert_eq!(
        run.status(1, 403)[0],
        Output::AppError { error: AppErrorKind::TokenRejected, code: Some(39) }
    );
}

#[test]
fn notify_006_one_handler_that_survives_identify_anonymize_and_logout() {
    let p = ProfileId::ExponeaStream.profile();
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.call(AppCall::RegisterHandler { throws: false });
    run.identify(alice(&p), None);
    run.call(AppCall::Anonymize {});
    run.call(AppCall::Logout {});
    assert_eq!(reasons(&run.send("e1")), vec![Reason::NotProvided], "called once, not twice");
}

const HOLDING: [ProfileId; 3] = [ProfileId::MoengageIos, ProfileId::MoengageAndroid, ProfileId::KhorosLegacy];

fn failed(request: u64, events: &[&str]) -> Output {
    Output::RequestFailed {
        request,
        events: events.iter().map(|e| e.to_string()).collect(),
        cause: FailureCause::Authentication,
    }
}

/// Given a held request of alice's (request 1, event e1) with `e2` of alice's queued
/// behind it.
fn alice_held(id: ProfileId, t: &str) -> Run {
    let mut run = Run::ready(id);
    run.set_for(t, "alice");
    run.send("e1");
    assert_eq!(reasons(&run.status(1, 401)), vec![Reason::Invalid], "{id}");
    assert!(run.d.sdk().is_held(), "{id}");
    run.track("e2");
    run
}

#[test]
fn retry_014_identify_with_other_ids_fails_the_held_request_and_the_queue_moves_on() {
    for id in HOLDING {
        let p = id.profile();
        let t = token(Some(3600), "a");
        let mut run = alice_held(id, &t);
        // When bob is identified, alice's held request fails for good, with its events.
        assert_eq!(run.identify(bob(&p), None), vec![failed(1, &["e1"])], "{id}");
        assert!(!run.d.sdk().is_held() && run.d.sdk().in_flight().is_none(), "{id}");
        // Then nothing goes out by itself; the next flush sends alice's queued event,
        // without bob's token or alice's (LIFE-009: the token stays alice's, if stored).
        assert!(run.advance(60_000).is_empty(), "{id}");
        let out = run.flush();
        let stored = run.d.sdk().stored_token().map(|s| s.token.raw.clone());
        assert_eq!(sent(&out), vec![(2, vec!["e2".into()], stored, 1, alice(&p))], "{id}");
    }
}

#[test]
fn retry_014_anonymize_fails_a_held_request_of_a_known_customer() {
    for id in HOLDING {
        let mut run = alice_held(id, &token(Some(3600), "a"));
        assert_eq!(run.call(AppCall::Anonymize {}), vec![failed(1, &["e1"])], "{id}");
        assert!(run.d.sdk().in_flight().is_none(), "{id}");
        assert_eq!(sent(&run.flush()).len(), 1, "{id}: alice's e2 goes out on the next flush");
    }
}

#[test]
fn retry_014_logout_fails_the_held_request_after_the_logout_sync_rule() {
    for id in HOLDING {
        let p = id.profile();
        let mut run = alice_held(id, &token(Some(3600), "a"));
        // The held request is in flight, so there is no logout sync (QUEUE-002); then the
        // customer becomes anonymous and the held request fails. Nothing is deleted.
        assert_eq!(run.call(AppCall::Logout {}), vec![failed(1, &["e1"])], "{id}");
        assert_eq!(run.d.sdk().customer(), &anon(), "{id}");
        // alice's queued event goes out on the next flush, without the cleared token.
        assert_eq!(run.flush(), vec![request(2, alice(&p), &["e2"], None, 1)], "{id}");
    }
}

#[test]
fn retry_014_a_token_for_another_identifier_fails_the_held_request_instead_of_resending_it() {
    for id in HOLDING {
        let p = id.profile();
        let mut run = alice_held(id, &token(Some(3600), "a"));
        let u = token(Some(3600), "b");
        assert_eq!(run.set_for(&u, "bob"), vec![failed(1, &["e1"])], "{id}");
        // bob's token is stored and bound to bob; alice's e2 goes without it.
        assert_eq!(run.flush(), vec![request(2, alice(&p), &["e2"], None, 1)], "{id}");
        run.status(2, 200);
        run.track("e3");
        assert_eq!(run.flush(), vec![request(3, bob(&p), &["e3"], Some(&u), 1)], "{id}");
    }
}

#[test]
fn retry_014_the_same_customer_keeps_its_hold() {
    for id in HOLDING {
        let p = id.profile();
        let mut run = alice_held(id, &token(Some(3600), "a"));
        // identify with the same ids is no change of customer: still held.
        assert_eq!(run.identify(alice(&p), None), vec![], "{id}");
        assert!(run.d.sdk().is_held(), "{id}");
        let u = token(Some(3600), "b");
        assert_eq!(run.set_for(&u, "alice"), vec![request(2, alice(&p), &["e1"], Some(&u), 2)], "{id}");
    }
}

#[test]
fn retry_014_a_request_whose_customer_was_left_on_the_wire_fails_when_rejected() {
    for id in HOLDING {
        let p = id.profile();
        let mut run = Run::ready(id);
        run.set_for(&token(Some(3600), "a"), "alice");
        run.send("e1");
        assert_eq!(run.identify(bob(&p), None), vec![], "{id}: nothing held yet");
        // The rejection is reported for alice as usual, then the request fails at once
        // rather than wait for a token of alice's that will never come.
        assert_eq!(run.status(1, 401), vec![handler(Reason::Invalid, alice(&p)), failed(1, &["e1"])], "{id}");
        assert!(run.d.sdk().in_flight().is_none(), "{id}");
        assert_eq!(sent(&run.set(&token(Some(3600), "b"))), vec![], "{id}");
    }
}

#[test]
fn retry_014_queue_001_clear_local_data_still_deletes_the_held_request() {
    for id in HOLDING {
        let mut run = alice_held(id, &token(Some(3600), "a"));
        assert_eq!(
            run.call(AppCall::ClearLocalData {}),
            vec![Output::EventsDeleted {
                events: vec!["e1".into(), "e2".into()],
                rule: DeletionRule::ClearLocalData
            }],
            "{id}"
        );
    }
}

#[test]
fn retry_014_a_request_held_without_a_token_no_longer_blocks_the_next_customer() {
    // Before RETRY-014 a request held for a customer the app had left was resent once per
    // new token, always without one (LIFE-009), and blocked every later event.
    let p = ProfileId::MoengageIos.profile();
    let mut run = Run::ready(ProfileId::MoengageIos);
    run.send("e1");
    assert_eq!(reasons(&run.status(1, 401)), vec![Reason::NotProvided]);
    assert_eq!(run.identify(alice(&p), None), vec![failed(1, &["e1"])]);
    run.track("e2");
    let fresh = token(Some(3600), "f");
    assert_eq!(run.set(&fresh), vec![], "nothing is held, so nothing is resent");
    assert_eq!(run.flush(), vec![request(2, alice(&p), &["e2"], Some(&fresh), 1)]);
}

#[test]
fn retry_014_does_not_apply_where_failures_are_retried_on_a_timer() {
    let p = ProfileId::ExponeaStream.profile();
    let mut run = Run::ready(ProfileId::ExponeaStream);
    run.set(&token(Some(3600), "a"));
    run.send("e1");
    run.status(1, 401);
    assert_eq!(run.identify(bob(&p), None), vec![]);
    // The retry still goes out after 1 s (without a token: identify cleared it, LIFE-006).
    assert_eq!(run.advance_outputs(1_000), vec![request(2, anon(), &["e1"], None, 2)]);
}
