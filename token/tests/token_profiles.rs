//! Minting and validating each profile's tokens: the round trip, the profile rules the
//! minter enforces, key-ring construction (CLAIM-014, CLAIM-016), identity binding, batch
//! validation, and that no single-character change to a good token is ever accepted.
#![allow(clippy::unwrap_used)] // test code: a panic is how a test reports a broken expectation

mod token_common;

use jwt_lifecycle_spec::profile::JwsAlgorithm;
use jwt_lifecycle_spec::{CustomerIds, ProfileId};
use jwt_lifecycle_token::{
    sign_raw, Claims, Decision, KeyRing, KeyRingError, MintError, Minter, RejectReason, RequestIdentity,
    TokenError, Validator, ValidatorError,
};
use std::collections::BTreeMap;
use token_common::*;

fn minter(profile: ProfileId) -> Minter {
    Minter::new(&profile.profile(), minting_ring(profile)).unwrap()
}

fn good_claims(profile: ProfileId) -> Claims {
    match profile {
        ProfileId::ExponeaStream => Claims::exponea(CustomerIds::single("registered", "alice"), NOW + 3600),
        ProfileId::MoengageIos | ProfileId::MoengageAndroid => Claims::moengage("alice", NOW + 3600),
        ProfileId::KhorosLegacy => Claims::khoros("alice", "Alice", "ios", NOW - 5),
        ProfileId::WebexConnect => Claims::webex(WEBEX_APP, Some("alice"), Some("cust-1"), Some(NOW + 3600)),
        // The newer profiles' claims come from their identity bindings, as data: Iterable's
        // `userId`, Braze's `sub`.
        ProfileId::IterableWeb | ProfileId::BrazeWeb => {
            let mut claims = minter(profile).claims_for(&default_request(&profile.profile())).unwrap();
            claims.exp = Some(NOW + 3600);
            claims
        }
    }
}

fn kid_for(profile: ProfileId) -> Option<&'static str> {
    // Khoros requires kid; the others are minted both ways below.
    (profile == ProfileId::KhorosLegacy).then_some("main")
}

#[test]
fn every_profile_mints_tokens_its_validator_accepts_with_the_claims_it_minted() {
    for id in ProfileId::ALL {
        let profile = id.profile();
        let kids =
            if rsa_only(id) { vec![Some("rsa")] } else { vec![kid_for(id), Some("main"), Some("short")] };
        for kid in kids {
            let claims = good_claims(id);
            let token = minter(id).mint(kid, None, &claims, NOW).unwrap();
            let d = validator(id).validate(&token, &default_request(&profile), NOW);
            let Decision::Accepted(verified) = d else { panic!("{id} kid {kid:?}: {d}") };
            assert_eq!(verified.claims, claims, "{id}");
            assert_eq!(verified.kid.as_deref(), kid);
            assert_eq!(verified.alg, Some(profile.claims.algorithms[0]), "{id}");
        }
    }
}

#[test]
fn exponea_mints_with_each_of_its_algorithms() {
    let id = ProfileId::ExponeaStream;
    for alg in [JwsAlgorithm::HS256, JwsAlgorithm::HS384, JwsAlgorithm::HS512] {
        let token = minter(id).mint(Some("main"), Some(alg), &good_claims(id), NOW).unwrap();
        let d = validator(id).validate(&token, &default_request(&id.profile()), NOW);
        assert_eq!(d.accepted().and_then(|t| t.alg), Some(alg));
    }
}

#[test]
fn khoros_and_webex_headers_carry_typ_jwt_and_khoros_carries_kid() {
    for id in [ProfileId::KhorosLegacy, ProfileId::WebexConnect] {
        let token = minter(id).mint(Some("main"), None, &good_claims(id), NOW).unwrap();
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.typ.as_deref(), Some("JWT"));
        assert_eq!(header.kid.as_deref(), Some("main"));
        assert_eq!(header.alg, jsonwebtoken::Algorithm::HS256);
    }
}

#[test]
fn the_minter_refuses_what_the_profile_forbids() {
    let e = ProfileId::ExponeaStream;
    let far = Claims::exponea(CustomerIds::single("registered", "alice"), NOW + 91 * 86_400);
    assert!(matches!(minter(e).mint(Some("main"), None, &far, NOW), Err(MintError::LifetimeTooLong { .. })));
    let no_ids = Claims { exp: Some(NOW + 60), ..Claims::default() };
    assert_eq!(
        minter(e).mint(Some("main"), None, &no_ids, NOW),
        Err(MintError::MissingClaim { profile: e, claim: "ids" })
    );
    assert!(matches!(
        minter(e).mint(Some("nope"), None, &good_claims(e), NOW),
        Err(MintError::UnknownKid(_))
    ));
    assert!(matches!(
        minter(e).mint(Some("short"), Some(JwsAlgorithm::HS512), &good_claims(e), NOW),
        Err(MintError::AlgorithmNotAllowed { .. })
    ));
    let k = ProfileId::KhorosLegacy;
    assert!(matches!(minter(k).mint(None, None, &good_claims(k), NOW), Err(MintError::MissingKid { .. })));
    let w = ProfileId::WebexConnect;
    assert!(matches!(
        minter(w).mint(Some("main"), Some(JwsAlgorithm::HS384), &good_claims(w), NOW),
        Err(MintError::AlgorithmNotAllowed { .. })
    ));
    // Already-expired tokens can be minted: tests need them.
    let old = Claims::exponea(CustomerIds::single("registered", "alice"), NOW - 10);
    let token = minter(e).mint(Some("main"), None, &old, NOW).unwrap();
    let d = validator(e).validate(&token, &default_request(&e.profile()), NOW);
    assert_eq!(d.reason(), Some(RejectReason::Expired));
}

#[test]
fn key_rings_refuse_short_keys_with_a_message_that_says_what_to_fix() {
    let mut ring = KeyRing::new();
    let err = ring.add("k", &[1u8; 31], &[JwsAlgorithm::HS256]).unwrap_err();
    assert_eq!(
        err,
        KeyRingError::KeyTooShort { kid: "\"k\"".into(), len: 31, alg: JwsAlgorithm::HS256, needed: 32 }
    );
    assert!(err.to_string().contains("at least 32"), "{err}");
    let err = ring.add("k", &[1u8; 48], &[JwsAlgorithm::HS256, JwsAlgorithm::HS512]).unwrap_err();
    assert!(matches!(err, KeyRingError::KeyTooShort { alg: JwsAlgorithm::HS512, needed: 64, .. }));
    let err = ring.add_fitting(None, &[1u8; 16], &ALL_ALGS).unwrap_err();
    assert!(matches!(err, KeyRingError::TooShortForAny { len: 16, needed: 32, .. }), "{err}");
    ring.add_fitting(Some("k"), &[1u8; 48], &ALL_ALGS).unwrap();
    assert_eq!(
        ring.get("k").map(|k| k.algorithms().to_vec()),
        Some(vec![JwsAlgorithm::HS256, JwsAlgorithm::HS384])
    );
    assert_eq!(
        ring.add("k", &[1u8; 32], &[JwsAlgorithm::HS256]),
        Err(KeyRingError::DuplicateKid("k".into()))
    );
    assert_eq!(ring.add("", &[1u8; 32], &[JwsAlgorithm::HS256]), Err(KeyRingError::EmptyKid));
    assert_eq!(ring.add("x", &[1u8; 32], &[]), Err(KeyRingError::NoAlgorithm("\"x\"".into())));
    ring.add_default(&[2u8; 32], &[JwsAlgorithm::HS256]).unwrap();
    assert_eq!(ring.add_default(&[2u8; 32], &[JwsAlgorithm::HS256]), Err(KeyRingError::DuplicateDefault));
    // The secret never shows up in Debug output.
    assert!(!format!("{ring:?}").contains("[1, 1"), "{ring:?}");
}

#[test]
fn validators_refuse_rings_that_do_not_fit_the_profile() {
    let webex = ProfileId::WebexConnect.profile();
    assert_eq!(Validator::new(&webex, KeyRing::new()).unwrap_err(), ValidatorError::EmptyRing);
    let mut ring = KeyRing::new();
    ring.add("big", &[3u8; 64], &[JwsAlgorithm::HS512]).unwrap();
    assert!(matches!(Validator::new(&webex, ring).unwrap_err(), ValidatorError::NoCommonAlgorithm { .. }));
    let mut strict = ProfileId::ExponeaStream.profile();
    strict.claims.min_key_bytes = 48;
    let mut ring = KeyRing::new();
    ring.add("k", &[3u8; 32], &[JwsAlgorithm::HS256]).unwrap();
    let err = Validator::new(&strict, ring).unwrap_err();
    assert!(matches!(err, ValidatorError::KeyTooShortForProfile { len: 32, min: 48, .. }), "{err}");
}

#[test]
fn exponea_ids_must_match_exactly_and_mismatches_are_403() {
    let id = ProfileId::ExponeaStream;
    let ids =
        CustomerIds(BTreeMap::from([("registered".into(), "alice".into()), ("cookie".into(), "c1".into())]));
    let token = minter(id).mint(Some("main"), None, &Claims::exponea(ids.clone(), NOW + 60), NOW).unwrap();
    let v = validator(id);
    assert!(v.validate(&token, &RequestIdentity::ids(ids.clone()), NOW).is_accepted());
    let mut fewer = ids.clone();
    fewer.0.remove("cookie");
    let mut other = ids.clone();
    other.0.insert("cookie".into(), "c2".into());
    for req in [fewer, other, CustomerIds::anonymous()] {
        let d = v.validate(&token, &RequestIdentity::ids(req), NOW);
        assert_eq!((d.reason(), d.status()), (Some(RejectReason::IdentityMismatch), 403));
    }
}

#[test]
fn webex_binds_app_user_and_customer_on_link_only() {
    let id = ProfileId::WebexConnect;
    let p = id.profile();
    let v = validator(id);
    let token = minter(id).mint(None, None, &good_claims(id), NOW).unwrap();
    let base = RequestIdentity::identifier(&p, "alice").with_app_id(WEBEX_APP);
    assert!(v.validate(&token, &base, NOW).is_accepted());
    assert!(v.validate(&token, &base.clone().linking("cust-1"), NOW).is_accepted());
    let cases = [
        (base.clone().linking("cust-2"), RejectReason::IdentityMismatch),
        (RequestIdentity::identifier(&p, "bob").with_app_id(WEBEX_APP), RejectReason::IdentityMismatch),
        (RequestIdentity::identifier(&p, "alice").with_app_id("TR0"), RejectReason::AppIdMismatch),
        (RequestIdentity::identifier(&p, "alice"), RejectReason::AppIdMismatch),
    ];
    for (req, reason) in cases {
        let d = v.validate(&token, &req, NOW);
        assert_eq!((d.reason(), d.status(), d.vendor_code()), (Some(reason), 403, Some(38)));
    }
    // userId is optional: a token without it covers any user of the app.
    let appwide = minter(id).mint(None, None, &Claims::webex(WEBEX_APP, None, None, None), NOW).unwrap();
    let d = v.validate(&appwide, &RequestIdentity::identifier(&p, "bob").with_app_id(WEBEX_APP), NOW);
    assert!(d.is_accepted(), "{d}");
    // Codes: TokenRequired 39, TokenExpired 40.
    assert_eq!(v.validate("", &base, NOW).vendor_code(), Some(39));
    assert_eq!(v.validate(&token, &base, NOW + 3600).vendor_code(), Some(40));
}

#[test]
fn moengage_binds_sub_to_the_identifier_passed_with_the_token() {
    for id in [ProfileId::MoengageIos, ProfileId::MoengageAndroid] {
        let p = id.profile();
        let token = minter(id).mint(None, None, &Claims::moengage("u-42", NOW + 60), NOW).unwrap();
        let v = validator(id);
        assert!(v.validate(&token, &RequestIdentity::identifier(&p, "u-42"), NOW).is_accepted());
        let d = v.validate(&token, &RequestIdentity::identifier(&p, "u-43"), NOW);
        assert_eq!((d.reason(), d.vendor_code()), (Some(RejectReason::IdentityMismatch), None));
    }
}

#[test]
fn leeway_is_the_profiles_and_nothing_else() {
    // Every profile states 0 s (VALID-007): one second past exp is expired, where
    // jsonwebtoken's default Validation would still accept for 60 s.
    let id = ProfileId::ExponeaStream;
    let token = minter(id).mint(Some("main"), None, &good_claims(id), NOW).unwrap();
    let req = default_request(&id.profile());
    assert!(validator(id).validate(&token, &req, NOW + 3599).is_accepted());
    assert_eq!(validator(id).validate(&token, &req, NOW + 3600).reason(), Some(RejectReason::Expired));
    let mut lenient = id.profile();
    lenient.claims.leeway_s = 30;
    let v = Validator::new(&lenient, corpus_ring()).unwrap();
    assert!(v.validate(&token, &req, NOW + 3629).is_accepted());
    let d = v.validate(&token, &req, NOW + 3630);
    assert_eq!(
        d.rejection().map(|r| r.error.clone()),
        Some(TokenError::Expired { exp: NOW + 3600, now: NOW + 3630, leeway_s: 30 })
    );
}

#[test]
fn bearer_headers_are_parsed_strictly() {
    let id = ProfileId::ExponeaStream;
    let token = minter(id).mint(Some("main"), None, &good_claims(id), NOW).unwrap();
    let v = validator(id);
    let req = default_request(&id.profile());
    assert!(v.validate_bearer(Some(&format!("Bearer {token}")), &req, NOW).is_accepted());
    assert_eq!(v.validate_bearer(None, &req, NOW).reason(), Some(RejectReason::NotProvided));
    assert_eq!(
        v.validate_bearer(Some(&format!("Basic {token}")), &req, NOW).reason(),
        Some(RejectReason::Malformed)
    );
    assert_eq!(v.validate_bearer(Some("Bearer "), &req, NOW).reason(), Some(RejectReason::NotProvided));
}

#[test]
fn batch_validation_gives_the_same_decisions_in_order_on_any_number_of_threads() {
    let id = ProfileId::ExponeaStream;
    let req = default_request(&id.profile());
    let good = minter(id).mint(Some("main"), None, &good_claims(id), NOW).unwrap();
    let tokens: Vec<String> = (0..101)
        .map(|i| match i % 3 {
            0 => good.clone(),
            1 => format!("{good}x"),
            _ => String::new(),
        })
        .collect();
    let jobs: Vec<(&str, &RequestIdentity)> = tokens.iter().map(|t| (t.as_str(), &req)).collect();
    let v = validator(id);
    let one = v.validate_batch(&jobs, NOW, 1);
    assert_eq!(one.len(), 101);
    for threads in [2, 3, 7, 500] {
        assert_eq!(v.validate_batch(&jobs, NOW, threads), one, "{threads} threads");
    }
    let reasons: Vec<Option<RejectReason>> = one.iter().take(3).map(Decision::reason).collect();
    assert_eq!(reasons, vec![None, Some(RejectReason::InvalidSignature), Some(RejectReason::NotProvided)]);
    assert!(v.validate_batch(&[], NOW, 2).is_empty());
}

#[test]
fn no_single_character_change_to_a_good_token_is_accepted() {
    let id = ProfileId::ExponeaStream;
    let req = default_request(&id.profile());
    let good = minter(id).mint(Some("main"), None, &good_claims(id), NOW).unwrap();
    let v = validator(id);
    assert!(v.validate(&good, &req, NOW).is_accepted());
    let mut checked = 0;
    for i in 0..good.len() {
        for bit in 0..7 {
            let mut bytes = good.clone().into_bytes();
            bytes[i] ^= 1 << bit;
            let Ok(text) = String::from_utf8(bytes) else { continue };
            let d = v.validate(&text, &req, NOW);
            assert!(!d.is_accepted(), "byte {i} bit {bit} accepted: {text}");
            checked += 1;
        }
    }
    assert!(checked > 1000);
}

#[test]
fn raw_signing_matches_jsonwebtoken() {
    let header = br#"{"alg":"HS256","typ":"JWT"}"#;
    let payload = br#"{"sub":"alice","exp":1700003600}"#;
    let ours = sign_raw(header, payload, JwsAlgorithm::HS256, &main_key()).unwrap();
    let key = jsonwebtoken::DecodingKey::from_secret(&main_key());
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.validate_exp = false;
    let decoded = jsonwebtoken::decode::<serde_json::Value>(&ours, &key, &validation).unwrap();
    assert_eq!(decoded.claims["sub"], "alice");
}

#[test]
fn claim_017_iterable_tokens_are_hs256_typ_jwt_and_bound_to_the_user_id() {
    let id = ProfileId::IterableWeb;
    let p = id.profile();
    let alice = RequestIdentity::identifier(&p, "alice");
    let token = minter(id).mint(Some("main"), None, &good_claims(id), NOW).unwrap();
    let header = token.split('.').next().unwrap();
    let header = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, header).unwrap();
    let header: serde_json::Value = serde_json::from_slice(&header).unwrap();
    assert_eq!((header["alg"].as_str(), header["typ"].as_str()), (Some("HS256"), Some("JWT")));
    assert_eq!(good_claims(id).user_id.as_deref(), Some("alice"), "the user is named by `userId`");
    let v = validator(id);
    assert!(v.validate(&token, &alice, NOW).is_accepted());
    // Another user's request: the token gives no access to it (403).
    let d = v.validate(&token, &RequestIdentity::identifier(&p, "bob"), NOW);
    assert_eq!((d.reason(), d.status()), (Some(RejectReason::IdentityMismatch), 403));
    // An expired token is answered 401.
    let d = v.validate(&token, &alice, NOW + 3600);
    assert_eq!((d.reason(), d.status()), (Some(RejectReason::Expired), 401));
    // HS256 only: the profile refuses the longer HMACs.
    assert!(matches!(
        minter(id).mint(Some("main"), Some(JwsAlgorithm::HS512), &good_claims(id), NOW),
        Err(MintError::AlgorithmNotAllowed { .. })
    ));
    let hs512 = sign_raw(
        br#"{"alg":"HS512","typ":"JWT","kid":"main"}"#,
        br#"{"userId":"alice"}"#,
        JwsAlgorithm::HS512,
        &main_key(),
    )
    .unwrap();
    assert_eq!(v.validate(&hs512, &alice, NOW).reason(), Some(RejectReason::AlgorithmNotAllowed));
}

#[test]
fn claim_018_braze_tokens_are_rs256_with_sub_and_exp() {
    let id = ProfileId::BrazeWeb;
    let p = id.profile();
    let alice = RequestIdentity::identifier(&p, "alice");
    let claims = good_claims(id);
    assert_eq!(claims.sub.as_deref(), Some("alice"), "`sub` is the changeUser id");
    let token = minter(id).mint(Some("rsa"), None, &claims, NOW).unwrap();
    let v = validator(id);
    let Decision::Accepted(verified) = v.validate(&token, &alice, NOW) else { panic!("refused") };
    assert_eq!(verified.alg, Some(JwsAlgorithm::RS256));
    let d = v.validate(&token, &RequestIdentity::identifier(&p, "bob"), NOW);
    assert_eq!((d.reason(), d.status()), (Some(RejectReason::IdentityMismatch), 403));
    // `exp` is required.
    let no_exp = Claims { exp: None, ..claims.clone() };
    assert!(matches!(minter(id).mint(Some("rsa"), None, &no_exp, NOW), Err(MintError::MissingClaim { .. })));
    // An HMAC token, even one signed with a key some ring holds, is never accepted.
    let hs = sign_raw(
        br#"{"alg":"HS256","typ":"JWT","kid":"rsa"}"#,
        br#"{"sub":"alice","exp":1700000600}"#,
        JwsAlgorithm::HS256,
        &main_key(),
    )
    .unwrap();
    assert_eq!(v.validate(&hs, &alice, NOW).reason(), Some(RejectReason::AlgorithmNotAllowed));
}
