//! Fuzzes the token validator: `cargo +nightly fuzz run validate` from `token/`.
//!
//! The first byte picks a profile and a mode; the rest is either the compact token as
//! text, or the payload (or header) JSON, which is then signed with the ring's key so the
//! strict JSON and claim checks behind the signature are reached too. Any panic is a
//! bug; so is a decision outside 200/401/403, or an accepted token whose payload is not a
//! JSON object serde_json agrees with.
#![no_main]

use jwt_lifecycle_spec::profile::JwsAlgorithm;
use jwt_lifecycle_token::{sign_raw, KeyRing, RequestIdentity, Validator};
use jwt_lifecycle_spec::{CustomerIds, ProfileId};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const NOW: u64 = 1_700_000_000;
const KEY: [u8; 64] = [7; 64];

struct Fixture {
    validator: Validator,
    request: RequestIdentity,
}

fn fixtures() -> &'static Vec<Fixture> {
    static FIXTURES: OnceLock<Vec<Fixture>> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        ProfileId::ALL
            .into_iter()
            .filter_map(|id| {
                let profile = id.profile();
                let mut ring = KeyRing::new();
                let algs = [JwsAlgorithm::HS256, JwsAlgorithm::HS384, JwsAlgorithm::HS512];
                ring.add_fitting(Some("k"), &KEY, &algs).ok()?;
                ring.add_fitting(None, &KEY, &algs).ok()?;
                let request = match id {
                    ProfileId::ExponeaStream => {
                        RequestIdentity::ids(CustomerIds::single("registered", "alice"))
                    }
                    ProfileId::WebexConnect => {
                        RequestIdentity::identifier(&profile, "alice").with_app_id("app")
                    }
                    _ => RequestIdentity::identifier(&profile, "alice"),
                };
                Some(Fixture { validator: Validator::new(&profile, ring).ok()?, request })
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let fixtures = fixtures();
    let f = &fixtures[selector as usize % fixtures.len()];
    let header = br#"{"alg":"HS256","typ":"JWT","kid":"k"}"#;
    let signed = match (selector / 8) % 3 {
        0 => Ok(String::from_utf8_lossy(rest).into_owned()),
        1 => sign_raw(header, rest, JwsAlgorithm::HS256, &KEY),
        _ => sign_raw(rest, br#"{"sub":"alice","exp":1700000600}"#, JwsAlgorithm::HS256, &KEY),
    };
    // HMAC signs with any key, so signing cannot fail; if it did, there is nothing to fuzz.
    let Ok(token) = signed else { return };
    let decision = f.validator.validate(&token, &f.request, NOW);
    assert!(matches!(decision.status(), 200 | 401 | 403));
    if decision.is_accepted() && (selector / 8) % 3 == 1 {
        let parsed = serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(rest);
        assert!(parsed.is_ok(), "accepted a payload serde_json does not read as an object");
    }
});
