//! Published vectors no one here wrote: RFC 7515 A.1 and RFC 7520 §4.4 (both HS256).
//! Their signatures verify with their published keys through the signature layer; the
//! full validator's decision on each is shown; one bit flipped in any part is rejected
//! with the reason that part's damage calls for.
#![allow(clippy::unwrap_used)] // test code: a panic is how a test reports a broken expectation

mod token_common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jwt_lifecycle_spec::profile::JwsAlgorithm;
use jwt_lifecycle_spec::ProfileId;
use jwt_lifecycle_token::{KeyRing, RejectReason, RequestIdentity, TokenError, Validator};
use serde::Deserialize;
use token_common::data_dir;

#[derive(Deserialize)]
struct Vector {
    source: String,
    key_b64url: String,
    kid: Option<String>,
    token: String,
    header: String,
    payload: String,
}

fn vector(name: &str) -> Vector {
    let text = std::fs::read_to_string(data_dir().join("vectors").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// An Exponea validator (HS256/384/512, kid optional, typ optional) holding the vector's key.
fn validator_for(v: &Vector) -> Validator {
    let key = URL_SAFE_NO_PAD.decode(&v.key_b64url).unwrap();
    let mut ring = KeyRing::new();
    match &v.kid {
        Some(kid) => ring.add(kid, &key, &[JwsAlgorithm::HS256]).unwrap(),
        None => ring.add_default(&key, &[JwsAlgorithm::HS256]).unwrap(),
    }
    Validator::new(&ProfileId::ExponeaStream.profile(), ring).unwrap()
}

fn parts(token: &str) -> Vec<Vec<u8>> {
    token.split('.').map(|p| URL_SAFE_NO_PAD.decode(p).unwrap()).collect()
}

fn assemble(parts: &[Vec<u8>]) -> String {
    parts.iter().map(|p| URL_SAFE_NO_PAD.encode(p)).collect::<Vec<_>>().join(".")
}

#[test]
fn the_vectors_decode_to_their_published_header_and_payload() {
    for name in ["rfc7515_a1.json", "rfc7520_4_4.json"] {
        let v = vector(name);
        let p = parts(&v.token);
        assert_eq!(p[0], v.header.as_bytes(), "{}", v.source);
        assert_eq!(p[1], v.payload.as_bytes(), "{}", v.source);
    }
}

#[test]
fn rfc7515_a1_verifies_and_the_full_validator_explains_why_it_is_not_an_exponea_token() {
    let v = vector("rfc7515_a1.json");
    let validator = validator_for(&v);
    let jws = validator.verify_signature(&v.token).unwrap();
    assert_eq!(jws.alg, JwsAlgorithm::HS256);
    assert_eq!(jws.key.kid(), None);
    // Full decision: the signature is fine, but the claims are not Exponea's (no `ids`).
    let req = RequestIdentity::default();
    for now in [1_300_819_379, 1_300_819_380, 1_700_000_000] {
        let d = validator.validate(&v.token, &req, now);
        let err = d.rejection().map(|r| r.error.clone());
        assert_eq!(err, Some(TokenError::MissingClaim { claim: "ids" }), "now {now}");
    }
}

#[test]
fn rfc7520_4_4_verifies_and_its_prose_payload_is_malformed_as_a_jwt() {
    let v = vector("rfc7520_4_4.json");
    let validator = validator_for(&v);
    let jws = validator.verify_signature(&v.token).unwrap();
    assert_eq!(jws.key.kid(), Some("018c0ae5-4d9b-471b-bfd6-eef314bc7037"));
    let d = validator.validate(&v.token, &RequestIdentity::default(), 1_700_000_000);
    assert_eq!(d.reason(), Some(RejectReason::Malformed));
    assert_eq!(d.status(), 401);
}

/// The reason a header damaged by a flip must get, decided independently of the
/// validator's own parser (serde_json::Value; a single flip cannot create a duplicate).
fn header_oracle(header: &[u8], ring_kid: Option<&str>) -> RejectReason {
    let Ok(serde_json::Value::Object(h)) = serde_json::from_slice::<serde_json::Value>(header) else {
        return RejectReason::Malformed;
    };
    if std::str::from_utf8(header).is_err() {
        return RejectReason::Malformed;
    }
    if h.contains_key("crit") {
        return RejectReason::CritNotSupported;
    }
    match h.get("alg") {
        Some(serde_json::Value::String(a)) if ["HS256", "HS384", "HS512"].contains(&a.as_str()) => {
            if a != "HS256" {
                return RejectReason::AlgorithmNotAllowed;
            }
        }
        Some(serde_json::Value::String(_)) => return RejectReason::AlgorithmNotAllowed,
        _ => return RejectReason::Malformed,
    }
    match h.get("typ") {
        Some(serde_json::Value::String(t)) if !t.eq_ignore_ascii_case("JWT") => {
            return RejectReason::WrongType
        }
        Some(serde_json::Value::String(_)) | None => {}
        Some(_) => return RejectReason::Malformed,
    }
    match (h.get("kid"), ring_kid) {
        (Some(serde_json::Value::String(k)), Some(r)) if k == r => {}
        (Some(serde_json::Value::String(_)), _) => return RejectReason::UnknownKid,
        (Some(_), _) => return RejectReason::Malformed,
        (None, Some(_)) => return RejectReason::MissingKid,
        (None, None) => {}
    }
    RejectReason::InvalidSignature
}

#[test]
fn every_single_bit_flip_in_every_part_is_rejected_with_the_right_reason() {
    for name in ["rfc7515_a1.json", "rfc7520_4_4.json"] {
        let v = vector(name);
        let validator = validator_for(&v);
        let original = parts(&v.token);
        let mut seen = std::collections::BTreeMap::new();
        for part in 0..3 {
            for byte in 0..original[part].len() {
                for bit in 0..8 {
                    let mut flipped = original.clone();
                    flipped[part][byte] ^= 1 << bit;
                    let token = assemble(&flipped);
                    let got = validator.verify_signature(&token).err().map(|e| e.reason());
                    let expected = match part {
                        0 => header_oracle(&flipped[0], v.kid.as_deref()),
                        // The signature is checked before the payload is even decoded.
                        _ => RejectReason::InvalidSignature,
                    };
                    assert_eq!(got, Some(expected), "{}: part {part} byte {byte} bit {bit}", v.source);
                    *seen.entry((part, expected)).or_insert(0) += 1;
                }
            }
        }
        // The header flips really exercise several reasons, not just one.
        let header_reasons = seen.keys().filter(|(p, _)| *p == 0).count();
        assert!(header_reasons >= 3, "{}: header flips only produced {seen:?}", v.source);
    }
}

#[test]
fn named_flips_give_named_reasons() {
    let v = vector("rfc7515_a1.json");
    let validator = validator_for(&v);
    let original = parts(&v.token);
    let flip = |part: usize, find: &[u8], offset: usize, bit: u8| {
        let mut p = original.clone();
        let at = p[part].windows(find.len()).position(|w| w == find).unwrap() + offset;
        p[part][at] ^= 1 << bit;
        validator.verify_signature(&assemble(&p)).err().map(|e| e.reason())
    };
    // "HS256" -> "HS257": an algorithm no one allows.
    assert_eq!(flip(0, b"HS256", 4, 0), Some(RejectReason::AlgorithmNotAllowed));
    // "JWT" -> "JWU": a different token type.
    assert_eq!(flip(0, b"JWT", 2, 0), Some(RejectReason::WrongType));
    // The closing brace of the header -> '|': no longer JSON.
    assert_eq!(flip(0, b"}", 0, 0), Some(RejectReason::Malformed));
    // "joe" -> "koe" in the payload: only the signature can tell.
    assert_eq!(flip(1, b"joe", 0, 0), Some(RejectReason::InvalidSignature));
    // exp 1300819380 -> 1300819381: a longer life, caught by the signature.
    assert_eq!(flip(1, b"1300819380", 9, 0), Some(RejectReason::InvalidSignature));
    assert_eq!(flip(2, &original[2][..4], 0, 7), Some(RejectReason::InvalidSignature));
}
