//! CONF-009: cases and random runs send each profile only the app calls its SDK has. The
//! rule is about the suite, so no case can list it; the case loader and the random
//! generator enforce it, and these tests hold them to it.

use jwt_lifecycle_conformance::case::parse_case;
use jwt_lifecycle_conformance::differential::moves::call_for;
use jwt_lifecycle_conformance::differential::Alphabet;
use jwt_lifecycle_spec::alphabet::CallKind;
use jwt_lifecycle_spec::profile::ProfileId;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use std::path::Path;

/// Every kind of app call, as a case step writes it.
const STEPS: [(CallKind, &str); 13] = [
    (CallKind::Configure, r#"{"call": "configure"}"#),
    (CallKind::SetToken, r#"{"call": "set_token", "token": "A"}"#),
    (CallKind::ClearToken, r#"{"call": "set_token"}"#),
    (CallKind::RegisterHandler, r#"{"call": "register_handler"}"#),
    (CallKind::Identify, r#"{"call": "identify", "customer_ids": {"user": "alice"}}"#),
    (CallKind::Anonymize, r#"{"call": "anonymize"}"#),
    (CallKind::StopIntegration, r#"{"call": "stop_integration"}"#),
    (CallKind::ClearLocalData, r#"{"call": "clear_local_data"}"#),
    (CallKind::Logout, r#"{"call": "logout"}"#),
    (CallKind::Track, r#"{"call": "track", "event": "e1"}"#),
    (CallKind::Flush, r#"{"call": "flush"}"#),
    (CallKind::NewSession, r#"{"call": "new_session"}"#),
    (CallKind::ProvideToken, r#"{"call": "provide_token", "ask": 1, "token": "A"}"#),
];

fn case_with(profile: ProfileId, step: &str) -> String {
    format!(
        r#"{{"id": "x/y", "description": "d", "profiles": ["{profile}"], "requirements": ["CONF-001"],
            "tokens": {{"A": {{"exp_in": 3600}}}}, "steps": [{{"call": "configure"}}, {step}]}}"#
    )
}

#[test]
fn conf_009_a_case_loads_exactly_when_its_profiles_have_every_call_it_makes() {
    for profile in ProfileId::ALL {
        let calls = profile.profile().calls;
        for (kind, step) in STEPS {
            let loaded = parse_case(&case_with(profile, step), Path::new("x.json"));
            if calls.contains(&kind) {
                assert!(loaded.is_ok(), "{profile} has {kind}: {:?}", loaded.err());
            } else {
                let message = loaded.err().map(|e| e.to_string()).unwrap_or_default();
                assert!(
                    message.contains(&format!("profile {profile} has no `{kind}` call")),
                    "{profile} lacks {kind}, yet the case loaded or failed otherwise: {message:?}"
                );
            }
        }
    }
}

#[test]
fn conf_009_every_profile_has_a_known_set_of_calls() {
    let lacks = |profile: ProfileId| -> Vec<CallKind> {
        let calls = profile.profile().calls;
        STEPS.iter().map(|(k, _)| *k).filter(|k| !calls.contains(k)).collect()
    };
    use CallKind::*;
    assert_eq!(lacks(ProfileId::ExponeaStream), [Logout, ProvideToken]);
    for profile in
        [ProfileId::MoengageIos, ProfileId::MoengageAndroid, ProfileId::KhorosLegacy, ProfileId::WebexConnect]
    {
        assert_eq!(lacks(profile), [ClearToken, Anonymize, ProvideToken], "{profile}");
    }
}

#[test]
fn conf_009_random_sequences_send_each_profile_only_its_calls() {
    let mut runner = TestRunner::deterministic();
    for profile in ProfileId::ALL {
        let calls = profile.profile().calls;
        for protocol in [1, 2] {
            let alphabet = Alphabet::new(profile, protocol);
            let mut seen = std::collections::BTreeSet::new();
            for _ in 0..400 {
                let tree = alphabet.sequence_strategy(30).new_tree(&mut runner).expect("a sequence");
                let (first, rest) = tree.current();
                let mut events = 0;
                for m in std::iter::once(first).chain(rest) {
                    let Some(call) = call_for(&m, profile, &mut events) else { continue };
                    assert!(
                        alphabet.allows(&m),
                        "{profile} v{protocol}: generated {m:?}, which it does not allow"
                    );
                    assert!(calls.contains(&call.kind()), "{profile} v{protocol}: sent {}", call.kind());
                    assert!(call.min_protocol() <= protocol, "{profile} v{protocol}: sent {call:?}");
                    seen.insert(call.kind());
                }
            }
            // The generator is not vacuous: it sends the profile's calls (the token
            // callback only to a profile that pulls; a clearing set_token only in v2).
            let expected: Vec<CallKind> = calls
                .iter()
                .copied()
                .filter(|k| *k != CallKind::ProvideToken && (protocol >= 2 || *k != CallKind::ClearToken))
                .collect();
            let missing: Vec<&CallKind> = expected.iter().filter(|k| !seen.contains(k)).collect();
            assert!(missing.is_empty(), "{profile} v{protocol}: never sent {missing:?}");
        }
    }
}
