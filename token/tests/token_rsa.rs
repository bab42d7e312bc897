//! RS256 with a real RSA key (the committed test pair of `data/rsa/`), on a test profile:
//! Exponea's rules with RS256 added to its algorithms, as no shipped profile takes RS256
//! yet. Minting needs the private key, verification only the public one, and the RFC 8725
//! hygiene holds: an algorithm only with its kind of key, no key under 2048 bits, no
//! `none`.
#![allow(clippy::unwrap_used)] // test code: a panic is how a test reports a broken expectation

mod token_common;

use jwt_lifecycle_spec::profile::{JwsAlgorithm, KeyKind, Profile};
use jwt_lifecycle_spec::{CustomerIds, ProfileId};
use jwt_lifecycle_token::{
    sign_exact, sign_raw, Claims, KeyRing, KeyRingError, MintError, Minter, RejectReason, RequestIdentity,
    SignError, Validator,
};
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use token_common::*;

/// Exponea's rules, with RS256 allowed next to its HMAC algorithms.
fn rs_profile() -> Profile {
    let mut profile = ProfileId::ExponeaStream.profile();
    profile.claims.algorithms.push(JwsAlgorithm::RS256);
    profile
}

fn private_ring() -> KeyRing {
    let mut ring = KeyRing::new();
    ring.add_rsa_private_pem(Some("rsa"), &rsa_pem("private.pem"), &[JwsAlgorithm::RS256]).unwrap();
    ring
}

fn public_ring() -> KeyRing {
    let mut ring = KeyRing::new();
    ring.add_rsa_public_pem(Some("rsa"), &rsa_pem("public.pem"), &[JwsAlgorithm::RS256]).unwrap();
    ring.add("main", &main_key(), &ALL_ALGS).unwrap();
    ring
}

fn alice() -> RequestIdentity {
    RequestIdentity::ids(CustomerIds::single("registered", "alice"))
}

fn rs256_token() -> String {
    let minter = Minter::new(&rs_profile(), private_ring()).unwrap();
    let mut claims = minter.claims_for(&alice()).unwrap();
    claims.exp = Some(NOW + 600);
    minter.mint(Some("rsa"), Some(JwsAlgorithm::RS256), &claims, NOW).unwrap()
}

#[test]
fn rs256_tokens_minted_with_the_private_key_verify_with_the_public_key_alone() {
    let token = rs256_token();
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!((header.alg, header.kid.as_deref()), (jsonwebtoken::Algorithm::RS256, Some("rsa")));
    let validator = Validator::new(&rs_profile(), public_ring()).unwrap();
    let decision = validator.validate(&token, &alice(), NOW);
    let verified = decision.accepted().unwrap_or_else(|| panic!("{decision}"));
    assert_eq!((verified.alg, verified.kid.as_deref()), (Some(JwsAlgorithm::RS256), Some("rsa")));
    assert_eq!(verified.claims.exp, Some(NOW + 600));
    // jsonwebtoken, handed only the public key's components, agrees.
    let public = rsa::RsaPublicKey::from_public_key_pem(&rsa_pem("public.pem")).unwrap();
    let key = jsonwebtoken::DecodingKey::from_rsa_der(public.to_pkcs1_der().unwrap().as_bytes());
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.validate_exp = false;
    assert!(jsonwebtoken::decode::<serde_json::Value>(&token, &key, &validation).is_ok());
    // Any change to it is refused.
    let tampered = format!("{}A", &token[..token.len() - 1]);
    let d = validator.validate(&tampered, &alice(), NOW);
    assert!(matches!(d.reason(), Some(RejectReason::InvalidSignature | RejectReason::Malformed)), "{d}");
}

#[test]
fn a_public_key_verifies_but_cannot_mint() {
    let minter = Minter::new(&rs_profile(), public_ring()).unwrap();
    let claims = Claims::exponea(CustomerIds::single("registered", "alice"), NOW + 60);
    let err = minter.mint(Some("rsa"), Some(JwsAlgorithm::RS256), &claims, NOW).unwrap_err();
    assert_eq!(err, MintError::CannotMint { kid: "\"rsa\"".into() });
    assert!(err.to_string().contains("private key"), "{err}");
    let ring = public_ring();
    assert!(!ring.get("rsa").unwrap().can_mint());
    assert_eq!(
        sign_exact(&ring, Some("rsa"), JwsAlgorithm::RS256, b"{}", b"{}"),
        Err(SignError::CannotSign("\"rsa\"".into()))
    );
    // The private key mints exactly, too, and what it signs verifies.
    let exact = sign_exact(
        &private_ring(),
        Some("rsa"),
        JwsAlgorithm::RS256,
        br#"{"alg":"RS256","kid":"rsa"}"#,
        b"{}",
    )
    .unwrap();
    let validator = Validator::new(&rs_profile(), public_ring()).unwrap();
    assert_eq!(validator.verify_signature(&exact).map(|j| j.alg).ok(), Some(JwsAlgorithm::RS256));
}

#[test]
fn rsa_keys_under_2048_bits_are_refused_when_the_ring_is_built() {
    let mut ring = KeyRing::new();
    let err = ring
        .add_rsa_public_pem(Some("old"), &rsa_pem("small-1024-public.pem"), &[JwsAlgorithm::RS256])
        .unwrap_err();
    assert_eq!(err, KeyRingError::RsaKeyTooSmall { kid: "\"old\"".into(), bits: 1024, min: 2048 });
    assert!(err.to_string().contains("2048-bit or larger"), "{err}");
    assert!(ring.is_empty());
    let key = private_ring();
    let key = key.get("rsa").unwrap();
    assert_eq!((key.kind(), key.rsa_bits(), key.secret()), (KeyKind::Rsa, Some(2048), None));
}

#[test]
fn an_algorithm_is_bound_to_its_kind_of_key() {
    let mut ring = KeyRing::new();
    assert!(matches!(
        ring.add("k", &main_key(), &[JwsAlgorithm::HS256, JwsAlgorithm::RS256]),
        Err(KeyRingError::WrongKeyKind { alg: JwsAlgorithm::RS256, .. })
    ));
    assert!(matches!(
        ring.add_fitting(None, &main_key(), &[JwsAlgorithm::RS256]),
        Err(KeyRingError::NoFittingAlgorithm { .. })
    ));
    assert!(matches!(
        ring.add_rsa_public_pem(Some("r"), &rsa_pem("public.pem"), &ALL_ALGS),
        Err(KeyRingError::NoFittingAlgorithm { .. })
    ));
    // Offered everything, each key takes only its own kind.
    ring.add_fitting(Some("s"), &main_key(), &JwsAlgorithm::ALL).unwrap();
    ring.add_rsa_public_pem(Some("r"), &rsa_pem("public.pem"), &JwsAlgorithm::ALL).unwrap();
    assert_eq!(ring.get("s").unwrap().algorithms(), &ALL_ALGS);
    assert_eq!(ring.get("r").unwrap().algorithms(), &[JwsAlgorithm::RS256]);
    assert!(sign_raw(b"{}", b"{}", JwsAlgorithm::RS256, &main_key()).is_err());
}

#[test]
fn algorithm_confusion_is_refused_both_ways_and_none_never_passes() {
    let validator = Validator::new(&rs_profile(), public_ring()).unwrap();
    let good = rs256_token();
    let payload = good.split('.').nth(1).unwrap();
    let payload = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload).unwrap();
    // An HS256 token keyed with the public key's PEM text, naming the RSA key.
    let public_pem = rsa_pem("public.pem");
    let confused = sign_raw(
        br#"{"alg":"HS256","typ":"JWT","kid":"rsa"}"#,
        &payload,
        JwsAlgorithm::HS256,
        public_pem.as_bytes(),
    )
    .unwrap();
    let d = validator.validate(&confused, &alice(), NOW);
    assert_eq!(d.reason(), Some(RejectReason::AlgorithmNotAllowed), "{d}");
    assert!(d.to_string().contains("RSA key"), "{d}");
    // An RS256 token naming the HMAC secret.
    let rs_on_secret = sign_exact(
        &private_ring(),
        Some("rsa"),
        JwsAlgorithm::RS256,
        br#"{"alg":"RS256","typ":"JWT","kid":"main"}"#,
        &payload,
    )
    .unwrap();
    let d = validator.validate(&rs_on_secret, &alice(), NOW);
    assert_eq!(d.reason(), Some(RejectReason::AlgorithmNotAllowed), "{d}");
    assert!(d.to_string().contains("HMAC secret"), "{d}");
    // `none`, in every spelling, is no algorithm.
    for alg in ["none", "None", "NONE", "rs256"] {
        let header = format!(r#"{{"alg":"{alg}","kid":"rsa"}}"#);
        let unsigned = format!(
            "{}.{}.",
            base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, header),
            good.split('.').nth(1).unwrap()
        );
        assert_eq!(
            validator.validate(&unsigned, &alice(), NOW).reason(),
            Some(RejectReason::AlgorithmNotAllowed)
        );
    }
}

#[test]
fn rsa_keys_are_read_from_either_pem_form_and_garbage_is_named() {
    let public = rsa::RsaPublicKey::from_public_key_pem(&rsa_pem("public.pem")).unwrap();
    let pkcs1 = public.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF).unwrap();
    assert!(pkcs1.starts_with("-----BEGIN RSA PUBLIC KEY-----"));
    let mut ring = KeyRing::new();
    ring.add_rsa_public_pem(None, &pkcs1, &[JwsAlgorithm::RS256]).unwrap();
    let err = ring.add_rsa_public_pem(
        Some("x"),
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        &[JwsAlgorithm::RS256],
    );
    assert!(matches!(err, Err(KeyRingError::InvalidRsaKey { what: "public", .. })), "{err:?}");
    let err = ring.add_rsa_private_pem(Some("y"), &rsa_pem("public.pem"), &[JwsAlgorithm::RS256]);
    assert!(matches!(err, Err(KeyRingError::InvalidRsaKey { what: "private", .. })), "{err:?}");
    // Debug output shows the key's size, never its private half.
    let shown = format!("{:?}", private_ring());
    assert!(shown.contains("rsa_bits: 2048") && !shown.contains("BEGIN"), "{shown}");
}
