//! The validator never panics and always decides: 300,000 proptest cases of random and
//! mutated tokens across every profile. Beyond "no panic" the run asserts what can fail:
//! a token is accepted exactly when it is byte-for-byte a token the backend minted, and
//! every decision carries a status from {200, 401, 403} and a vendor code only on Webex.
#![allow(clippy::unwrap_used)] // test code: a panic is how a test reports a broken expectation

mod token_common;

use jwt_lifecycle_spec::{CustomerIds, ProfileId};
use jwt_lifecycle_token::{Claims, Minter, RequestIdentity, Validator};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use token_common::*;

#[derive(Clone, Debug)]
enum Mutation {
    FlipBit { at: usize, bit: u8 },
    Insert { at: usize, byte: u8 },
    Delete { at: usize },
    Truncate { at: usize },
    DuplicatePart { part: usize },
    SwapParts { a: usize, b: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let interesting = prop_oneof![
        Just(b'.'),
        Just(b'='),
        Just(b'+'),
        Just(b'/'),
        Just(b' '),
        Just(b'A'),
        Just(b'_'),
        Just(b'-'),
        Just(0xff),
        any::<u8>()
    ];
    prop_oneof![
        4 => (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Mutation::FlipBit { at, bit }),
        2 => (any::<usize>(), interesting).prop_map(|(at, byte)| Mutation::Insert { at, byte }),
        2 => any::<usize>().prop_map(|at| Mutation::Delete { at }),
        1 => any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        1 => (0usize..3).prop_map(|part| Mutation::DuplicatePart { part }),
        1 => (0usize..3, 0usize..3).prop_map(|(a, b)| Mutation::SwapParts { a, b }),
    ]
}

fn apply(token: &str, m: &Mutation) -> String {
    let mut bytes = token.as_bytes().to_vec();
    let n = bytes.len().max(1);
    match *m {
        Mutation::FlipBit { at, bit } => {
            if !bytes.is_empty() {
                bytes[at % n] ^= 1 << bit;
            }
        }
        Mutation::Insert { at, byte } => bytes.insert(at % (bytes.len() + 1), byte),
        Mutation::Delete { at } => {
            if !bytes.is_empty() {
                bytes.remove(at % n);
            }
        }
        Mutation::Truncate { at } => bytes.truncate(at % n),
        Mutation::DuplicatePart { part } => {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let mut parts: Vec<&str> = text.split('.').collect();
            if let Some(p) = parts.get(part).copied() {
                parts.insert(part, p);
            }
            return parts.join(".");
        }
        Mutation::SwapParts { a, b } => {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let mut parts: Vec<&str> = text.split('.').collect();
            if a < parts.len() && b < parts.len() {
                parts.swap(a, b);
            }
            return parts.join(".");
        }
    }
    // Tokens arrive as text: invalid UTF-8 is replaced the way an HTTP layer's lossy
    // decoding would.
    String::from_utf8_lossy(&bytes).into_owned()
}

struct Fixture {
    id: ProfileId,
    validator: Validator,
    request: RequestIdentity,
    good: String,
}

fn fixtures() -> Vec<Fixture> {
    ProfileId::ALL
        .into_iter()
        .map(|id| {
            let profile = id.profile();
            let claims = match id {
                ProfileId::ExponeaStream => {
                    Claims::exponea(CustomerIds::single("registered", "alice"), NOW + 60)
                }
                ProfileId::KhorosLegacy => Claims::khoros("alice", "Alice", "ios", NOW),
                ProfileId::WebexConnect => Claims::webex(WEBEX_APP, Some("alice"), None, Some(NOW + 60)),
                ProfileId::MoengageIos | ProfileId::MoengageAndroid => Claims::moengage("alice", NOW + 60),
                // The newer profiles' claims come from their identity bindings, as data.
                _ => {
                    let minter = Minter::new(&profile, minting_ring(id)).unwrap();
                    let mut claims = minter.claims_for(&default_request(&profile)).unwrap();
                    claims.exp = Some(NOW + 60);
                    claims
                }
            };
            let good = Minter::new(&profile, minting_ring(id))
                .unwrap()
                .mint(Some(main_kid(id)), None, &claims, NOW)
                .unwrap();
            Fixture { id, validator: validator(id), request: default_request(&profile), good }
        })
        .collect()
}

fn check(f: &Fixture, token: &str) -> Result<(), TestCaseError> {
    let d = f.validator.validate(token, &f.request, NOW);
    prop_assert_eq!(d.is_accepted(), token == f.good, "{} token {:?}: {}", f.id, token, d);
    prop_assert!([200, 401, 403].contains(&d.status()));
    if f.id != ProfileId::WebexConnect {
        // A profile's codes, where it has some (braze-web's codes name some reasons only).
        let codes: Vec<i64> = f.id.profile().codes.iter().map(|c| c.code).collect();
        prop_assert!(d.vendor_code().is_none_or(|c| codes.contains(&c)), "{}: {:?}", f.id, d.vendor_code());
    } else if !d.is_accepted() {
        prop_assert!(matches!(d.vendor_code(), Some(38..=40)));
    }
    Ok(())
}

#[test]
fn the_validator_always_decides_on_random_and_mutated_tokens() {
    let fixtures = fixtures();
    let config = Config { cases: 300_000, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new(config);
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ";
    let strategy = (
        0..fixtures.len(),
        prop_oneof![
            // Mutations of a good token.
            6 => proptest::collection::vec(mutation(), 1..4).prop_map(Ok),
            // Random text in (and just outside) the token alphabet.
            1 => proptest::collection::vec(proptest::sample::select(ALPHABET), 0..300)
                .prop_map(|b| Err(String::from_utf8_lossy(&b).into_owned())),
        ],
    );
    let started = std::time::Instant::now();
    let accepted = std::cell::Cell::new(0u32);
    runner
        .run(&strategy, |(which, input)| {
            let f = &fixtures[which];
            let token = match input {
                Ok(mutations) => mutations.iter().fold(f.good.clone(), |t, m| apply(&t, m)),
                Err(random) => random,
            };
            if token == f.good {
                accepted.set(accepted.get() + 1);
            }
            check(f, &token)
        })
        .unwrap();
    eprintln!("300000 validator cases in {:.2?}", started.elapsed());
    // Both sides of "accepted exactly when identical" were exercised (no-op mutation
    // sequences give back the good token), so the property is not vacuous.
    assert!(accepted.get() > 100, "only {} unchanged tokens were generated", accepted.get());
}

/// Random tokens almost never get past the signature, so the strict JSON and claim checks
/// behind it are fuzzed separately: mutated payloads, correctly signed.
#[test]
fn mutated_payloads_behind_a_valid_signature_always_get_a_consistent_decision() {
    use jwt_lifecycle_spec::profile::JwsAlgorithm;
    use jwt_lifecycle_token::{sign_raw, RejectReason};
    // HMAC profiles only: re-signing 50 000 payloads with RSA would dominate the test's
    // time, and the claim checks behind the signature do not depend on the algorithm.
    let fixtures: Vec<Fixture> = fixtures().into_iter().filter(|f| !rsa_only(f.id)).collect();
    let header = br#"{"alg":"HS256","typ":"JWT","kid":"main"}"#;
    let payloads: Vec<Vec<u8>> = fixtures
        .iter()
        .map(|f| {
            let payload = f.good.split('.').nth(1).unwrap_or_default();
            base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload).unwrap()
        })
        .collect();
    let config = Config { cases: 50_000, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new(config);
    let strategy = (0..fixtures.len(), proptest::collection::vec(mutation(), 1..4));
    let reasons = std::cell::RefCell::new(std::collections::BTreeSet::new());
    runner
        .run(&strategy, |(which, mutations)| {
            let f = &fixtures[which];
            let mut payload = payloads[which].clone();
            for m in &mutations {
                payload = match m {
                    // Part-level mutations do not apply to a JSON text; use them as flips.
                    Mutation::DuplicatePart { part } | Mutation::SwapParts { a: part, .. } => {
                        let mut p = payload.clone();
                        if !p.is_empty() {
                            let at = part % p.len();
                            p[at] ^= 0x20;
                        }
                        p
                    }
                    other => apply_bytes(&payload, other),
                };
            }
            let token = sign_raw(header, &payload, JwsAlgorithm::HS256, &main_key()).unwrap();
            let d = f.validator.validate(&token, &f.request, NOW);
            reasons.borrow_mut().insert(d.reason());
            prop_assert!([200, 401, 403].contains(&d.status()));
            match serde_json::from_slice::<serde_json::Value>(&payload) {
                Err(_) => {
                    // What serde_json cannot read is never accepted, and is refused for
                    // its form, not for its meaning.
                    let allowed = [
                        RejectReason::Malformed,
                        RejectReason::DuplicateMember,
                        RejectReason::InvalidNumericDate,
                        RejectReason::InvalidClaim,
                    ];
                    prop_assert!(d.reason().is_some_and(|r| allowed.contains(&r)), "{:?}: {}", payload, d);
                }
                Ok(value) => {
                    if let Some(t) = d.accepted() {
                        // An accepted token's claims are what serde_json reads there too.
                        prop_assert_eq!(value.get("exp").and_then(|e| e.as_u64()), t.claims.exp);
                        prop_assert_eq!(value.get("sub").and_then(|e| e.as_str()), t.claims.sub.as_deref());
                        prop_assert!(value.is_object());
                    }
                }
            }
            Ok(())
        })
        .unwrap();
    // The mutations reach past the JSON syntax into the claim checks: acceptance and the
    // claim-level reasons all occur.
    let reasons = reasons.into_inner();
    for wanted in [
        None,
        Some(RejectReason::Malformed),
        Some(RejectReason::IdentityMismatch),
        Some(RejectReason::InvalidNumericDate),
    ] {
        assert!(reasons.contains(&wanted), "no mutated payload produced {wanted:?}; saw {reasons:?}");
    }
}

fn apply_bytes(bytes: &[u8], m: &Mutation) -> Vec<u8> {
    let mut b = bytes.to_vec();
    let n = b.len().max(1);
    match *m {
        Mutation::FlipBit { at, bit } => {
            if !b.is_empty() {
                b[at % n] ^= 1 << bit;
            }
        }
        Mutation::Insert { at, byte } => {
            let json_bytes = [b'"', b'{', b'}', b',', b':', b'[', b'\\', b'1', b'.', b'-'];
            b.insert(at % (b.len() + 1), json_bytes[byte as usize % json_bytes.len()]);
        }
        Mutation::Delete { at } => {
            if !b.is_empty() {
                b.remove(at % n);
            }
        }
        Mutation::Truncate { at } => b.truncate(at % n),
        Mutation::DuplicatePart { .. } | Mutation::SwapParts { .. } => {}
    }
    b
}
