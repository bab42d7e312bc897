//! One profile's validation fixture: realistic tokens, our validator, `jsonwebtoken`
//! configured as closely as it allows, and the floor.
//!
//! Every function decides the same question on the same token: may this request
//! (customer, app) go through with this token, now? [`ValidationFixture::new`] checks
//! that each of them answers as expected before anything is timed, so a bench can never
//! silently measure a fast failure.
//!
//! Time: `jsonwebtoken` reads the real clock, so tokens are minted around the real
//! current time and live for an hour; our validator is given that same instant.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use jwt_lifecycle_spec::alphabet::CustomerIds;
use jwt_lifecycle_spec::profile::{JwsAlgorithm, Profile, ProfileId};
use jwt_lifecycle_token::{sign_raw, Claims, KeyRing, Minter, RejectReason, RequestIdentity, Validator};
use serde::Deserialize;
use sha2::Sha256;
use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

/// The signing key of the current tokens (32 random-looking bytes).
const KEY_CURRENT: &[u8; 32] = b"3f9c1a7e5b2d8046c1e9a3f7b5d20864";
/// A second key in the ring, as during a key rotation.
const KEY_PREVIOUS: &[u8; 32] = b"a81d4f6c2e9b7053d8a4c1f6e2b97035";
/// A key the validator does not know.
const KEY_RETIRED: &[u8; 32] = b"5e2b8c1f7a4d9063e1c7b4a8f2d50916";

/// Exponea's claims as `jsonwebtoken` and the floor deserialise them.
#[derive(Debug, Deserialize)]
pub struct ExponeaClaims {
    /// `exp`.
    pub exp: u64,
    /// The customer's ids.
    pub ids: BTreeMap<String, String>,
}

/// Khoros' claims as `jsonwebtoken` and the floor deserialise them.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KhorosClaims {
    /// `userId`.
    pub user_id: String,
    /// `scope`.
    pub scope: String,
    /// `platform`.
    pub platform: Option<String>,
    /// `givenName`.
    pub given_name: Option<String>,
    /// `iat`.
    pub iat: u64,
    /// `exp`, optional.
    pub exp: Option<u64>,
}

/// Webex Connect's claims as `jsonwebtoken` and the floor deserialise them.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebexClaims {
    /// `appId`.
    pub app_id: String,
    /// `userId`, optional.
    pub user_id: Option<String>,
    /// `customerId`, optional.
    pub customer_id: Option<String>,
    /// `exp`, optional.
    pub exp: Option<u64>,
}

/// The rejection benches: which token, and the reason our validator must give.
pub const REJECTIONS: [(&str, RejectReason); 4] = [
    ("bad_signature", RejectReason::InvalidSignature),
    ("expired", RejectReason::Expired),
    ("unknown_kid", RejectReason::UnknownKid),
    ("malformed", RejectReason::Malformed),
];

/// How many header spellings [`ValidationFixture::unseen_headers`] cycles through.
pub const UNSEEN_HEADERS: usize = 64;

/// The profiles the validation benches cover (one per kind of identity binding that
/// has its own token shape: an `ids` map with `kid`, a Khoros user, a Webex app).
pub const PROFILES: [ProfileId; 3] =
    [ProfileId::ExponeaStream, ProfileId::KhorosLegacy, ProfileId::WebexConnect];

/// One profile's fixture.
pub struct ValidationFixture {
    /// The profile.
    pub profile: ProfileId,
    /// The instant of validation, Unix seconds (the real clock at construction).
    pub now_s: u64,
    /// Our validator, with a two-key ring.
    pub validator: Validator,
    /// The request the tokens are validated for.
    pub request: RequestIdentity,
    /// A good token for `request`, as this project's minter (`jsonwebtoken`) writes it.
    pub good: String,
    /// The same claims and key with the header written with spaces after `:` and `,`
    /// (Python's `json.dumps` default): a header the validator has not precomputed. It is
    /// decoded and parsed the first time a thread sees it, and then found in that
    /// thread's cache of recently seen headers, as every token of a backend that writes
    /// its headers this way would be.
    pub uncached_header: String,
    /// The good token's claims under [`UNSEEN_HEADERS`] spellings of the same header
    /// (nothing, a space or a line feed after `{`, `:` and `,` and before `}`), more than
    /// a thread's cache of recently seen headers holds: taken in turn, each is always
    /// decoded and parsed.
    pub unseen_headers: Vec<String>,
    /// Tokens for the rejection benches, keyed as in [`REJECTIONS`].
    pub rejected: Vec<(&'static str, String)>,
    /// Good tokens of many customers, with their requests, for the batch benches.
    pub batch: Vec<(String, RequestIdentity)>,
    jwt_keys: Vec<(String, DecodingKey)>,
    jwt_default: Option<DecodingKey>,
    jwt_validation: Validation,
    floor_mac: Hmac<Sha256>,
}

fn now_s() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(1_700_000_000, |d| d.as_secs())
}

/// Flips one base64url character in the middle of the signature (a character that
/// carries only data bits, so the result is canonical base64url of another MAC).
fn flip_signature(token: &str) -> String {
    let dot = token.rfind('.').unwrap_or(0);
    let at = dot + 1 + (token.len() - dot - 1) / 2;
    let mut bytes = token.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap_or_default()
}

/// The signature re-encoded with padding, as a careless minter would: malformed.
fn pad_signature(token: &str) -> String {
    format!("{token}=")
}

/// The compact form of `header` with the `n`th choice of nothing, a space or a line feed
/// (base-3 digits of `n`) after each `{`, `:` and `,` and before the closing `}`.
fn respaced(header: &str, n: usize) -> String {
    let compact: String = header.split(", ").collect::<Vec<_>>().join(",").replace(": ", ":");
    let mut digits = n;
    let mut next_gap = || {
        let gap = ["", " ", "\n"][digits % 3];
        digits /= 3;
        gap
    };
    let mut out = String::new();
    for ch in compact.chars() {
        if ch == '}' {
            out.push_str(next_gap());
        }
        out.push(ch);
        if matches!(ch, '{' | ':' | ',') {
            out.push_str(next_gap());
        }
    }
    out
}

fn exponea_ids(n: usize) -> CustomerIds {
    let mut ids = BTreeMap::new();
    ids.insert("registered".to_owned(), format!("customer{n:05}@example.com"));
    ids.insert("cookie".to_owned(), format!("5f8e2c1a-3b7d-4e9f-a6c2-{n:012x}"));
    CustomerIds(ids)
}

/// What a profile's tokens carry for customer `n`, and the request they are good for.
fn claims_for(profile: &Profile, n: usize, now: u64, exp: u64) -> (Claims, RequestIdentity) {
    match profile.id {
        ProfileId::ExponeaStream => {
            let ids = exponea_ids(n);
            (Claims::exponea(ids.clone(), exp), RequestIdentity::ids(ids))
        }
        ProfileId::KhorosLegacy => {
            let user = format!("user-{n:06}-7f3a9c");
            let mut claims = Claims::khoros(&user, "Alice", "ios", now - 60);
            if exp < now {
                claims.exp = Some(exp);
            }
            (claims, RequestIdentity::identifier(profile, &user))
        }
        _ => {
            let user = format!("customer{n:05}@example.com");
            let claims = Claims::webex(
                "app-3f9a2b7c-1d4e-4b8a-9c6f",
                Some(&user),
                Some(&format!("cust-{n:08}")),
                Some(exp),
            );
            let request =
                RequestIdentity::identifier(profile, &user).with_app_id("app-3f9a2b7c-1d4e-4b8a-9c6f");
            (claims, request)
        }
    }
}

impl ValidationFixture {
    /// Builds the fixture of `profile` (one of [`PROFILES`]) and checks every function
    /// decides as expected.
    ///
    /// # Panics
    /// If a function does not decide as expected: the bench would measure the wrong
    /// thing.
    pub fn new(id: ProfileId) -> Self {
        let profile = id.profile();
        let now = now_s();
        let algs = [JwsAlgorithm::HS256];
        // Exponea and Khoros name their keys; Webex Connect has one secret per app.
        let kid = match id {
            ProfileId::WebexConnect => None,
            _ => Some("key-2026-11"),
        };
        let mut ring = KeyRing::new();
        let mut retired = KeyRing::new();
        match kid {
            Some(kid) => {
                ring.add(kid, KEY_CURRENT, &algs).expect("fixture key");
                ring.add("key-2026-10", KEY_PREVIOUS, &algs).expect("fixture key");
            }
            None => ring.add_default(KEY_CURRENT, &algs).expect("fixture key"),
        }
        retired.add("key-2025-01", KEY_RETIRED, &algs).expect("fixture key");
        let minter = Minter::new(&profile, ring.clone()).expect("fixture minter");
        let mint = |n: usize, exp: u64| {
            let (claims, request) = claims_for(&profile, n, now, exp);
            let token = minter.mint(kid, Some(JwsAlgorithm::HS256), &claims, now).expect("fixture token");
            (token, request)
        };
        let (good, request) = mint(1, now + 3600);
        let (expired, _) = mint(1, now - 60);
        let (claims, _) = claims_for(&profile, 1, now, now + 3600);
        let unknown_kid = Minter::new(&profile, retired)
            .expect("fixture minter")
            .mint(Some("key-2025-01"), Some(JwsAlgorithm::HS256), &claims, now)
            .expect("fixture token");
        let header = match kid {
            Some(kid) => format!(r#"{{"alg": "HS256", "typ": "JWT", "kid": "{kid}"}}"#),
            None => r#"{"alg": "HS256", "typ": "JWT"}"#.to_owned(),
        };
        let payload =
            serde_json::to_vec(&claims_for(&profile, 1, now, now + 3600).0).expect("claims serialise");
        let sign = |header: &str| {
            sign_raw(header.as_bytes(), &payload, JwsAlgorithm::HS256, KEY_CURRENT)
                .expect("HMAC signs with any key")
        };
        let uncached_header = sign(&header);
        let unseen_headers = (0..UNSEEN_HEADERS).map(|n| sign(&respaced(&header, n))).collect();
        let rejected = vec![
            ("bad_signature", flip_signature(&good)),
            ("expired", expired),
            ("unknown_kid", unknown_kid),
            ("malformed", pad_signature(&good)),
        ];
        let batch = (0..1024).map(|n| mint(n, now + 3600)).collect();

        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.validate_aud = false;
        validation.validate_exp = true;
        match id {
            ProfileId::ExponeaStream => {
                validation.algorithms = vec![Algorithm::HS256, Algorithm::HS384, Algorithm::HS512];
                validation.set_required_spec_claims(&["exp"]);
            }
            // `exp` optional: checked when present.
            _ => validation.required_spec_claims.clear(),
        }
        let (jwt_keys, jwt_default) = match kid {
            Some(kid) => (
                vec![
                    (kid.to_owned(), DecodingKey::from_secret(KEY_CURRENT)),
                    ("key-2026-10".to_owned(), DecodingKey::from_secret(KEY_PREVIOUS)),
                ],
                None,
            ),
            None => (Vec::new(), Some(DecodingKey::from_secret(KEY_CURRENT))),
        };
        let fixture = ValidationFixture {
            profile: id,
            now_s: now,
            validator: Validator::new(&profile, ring).expect("fixture validator"),
            request,
            good,
            uncached_header,
            unseen_headers,
            rejected,
            batch,
            jwt_keys,
            jwt_default,
            jwt_validation: validation,
            floor_mac: Hmac::<Sha256>::new_from_slice(KEY_CURRENT).expect("HMAC takes any key length"),
        };
        fixture.assert_decisions();
        fixture
    }

    fn assert_decisions(&self) {
        let p = self.profile;
        let ours = self.validator.validate(&self.good, &self.request, self.now_s);
        assert!(ours.is_accepted(), "{p}: our validator rejects the good token: {ours:?}");
        assert!(self.jsonwebtoken(&self.good), "{p}: jsonwebtoken rejects the good token");
        assert!(self.jsonwebtoken_one_key(&self.good), "{p}: jsonwebtoken (one key) rejects the good token");
        assert!(self.floor(&self.good), "{p}: the floor rejects the good token");
        let uncached = self.validator.validate(&self.uncached_header, &self.request, self.now_s);
        assert!(uncached.is_accepted(), "{p}: our validator rejects the spaced header: {uncached:?}");
        assert!(self.jsonwebtoken(&self.uncached_header), "{p}: jsonwebtoken rejects the spaced header");
        for token in &self.unseen_headers {
            let d = self.validator.validate(token, &self.request, self.now_s);
            assert!(d.is_accepted(), "{p}: our validator rejects a respaced header: {d:?}");
        }
        for (name, reason) in REJECTIONS {
            let token = self.rejected(name);
            let decision = self.validator.validate(token, &self.request, self.now_s);
            assert_eq!(decision.reason(), Some(reason), "{p}: token {name} decided {decision:?}");
            assert!(!self.jsonwebtoken(token), "{p}: jsonwebtoken accepts token {name}");
        }
        for (token, request) in &self.batch {
            assert!(
                self.validator.validate(token, request, self.now_s).is_accepted(),
                "{p}: batch token rejected"
            );
        }
        let other = &self.batch[7].1;
        assert!(
            !self.validator.validate(&self.good, other, self.now_s).is_accepted(),
            "{p}: identity not bound"
        );
        assert!(!self.jsonwebtoken_for(&self.good, other, true), "{p}: jsonwebtoken identity not bound");
    }

    /// The rejection token named `name` (one of [`REJECTIONS`]).
    pub fn rejected(&self, name: &str) -> &str {
        self.rejected.iter().find(|(n, _)| *n == name).map_or("", |(_, t)| t.as_str())
    }

    /// Our full decision: true when accepted.
    pub fn ours(&self, token: &str) -> bool {
        self.validator.validate(token, &self.request, self.now_s).is_accepted()
    }

    /// `jsonwebtoken::decode` as a backend with a key ring uses it: `decode_header` to
    /// read `kid` and pick the key (profiles with `kid`), `decode` with the profile's
    /// algorithms, no leeway, `exp` required where the profile requires it, then the
    /// checks it has no option for (`typ`, the lifetime cap, the identity binding).
    pub fn jsonwebtoken(&self, token: &str) -> bool {
        self.jsonwebtoken_for(token, &self.request, true)
    }

    /// Like [`ValidationFixture::jsonwebtoken`] but handed the right key without
    /// reading the header first: `jsonwebtoken::decode` alone, for a fair view of the
    /// library when there is a single key.
    pub fn jsonwebtoken_one_key(&self, token: &str) -> bool {
        self.jsonwebtoken_for(token, &self.request, false)
    }

    fn jwt_key(&self, token: &str, by_kid: bool) -> Option<&DecodingKey> {
        if let Some(key) = &self.jwt_default {
            return Some(key);
        }
        if !by_kid {
            return self.jwt_keys.first().map(|(_, k)| k);
        }
        let header = jsonwebtoken::decode_header(token).ok()?;
        let kid = header.kid?;
        self.jwt_keys.iter().find(|(k, _)| *k == kid).map(|(_, key)| key)
    }

    fn jsonwebtoken_for(&self, token: &str, request: &RequestIdentity, by_kid: bool) -> bool {
        let Some(key) = self.jwt_key(token, by_kid) else { return false };
        let now = self.now_s;
        let validation = &self.jwt_validation;
        let typ_jwt = |typ: &Option<String>| typ.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("JWT"));
        match self.profile {
            ProfileId::ExponeaStream => match jsonwebtoken::decode::<ExponeaClaims>(token, key, validation) {
                Ok(data) => data.claims.exp - now <= 90 * 86_400 && data.claims.ids == request.customer_ids.0,
                Err(_) => false,
            },
            ProfileId::KhorosLegacy => match jsonwebtoken::decode::<KhorosClaims>(token, key, validation) {
                Ok(data) => {
                    typ_jwt(&data.header.typ)
                        && data.claims.scope == "appUser"
                        && data.claims.iat <= now
                        && Some(data.claims.user_id.as_str()) == request.single("userId")
                }
                Err(_) => false,
            },
            _ => match jsonwebtoken::decode::<WebexClaims>(token, key, validation) {
                Ok(data) => {
                    typ_jwt(&data.header.typ)
                        && Some(data.claims.app_id.as_str()) == request.app_id.as_deref()
                        && data.claims.user_id.as_deref().is_none_or(|u| Some(u) == request.single("userId"))
                }
                Err(_) => false,
            },
        }
    }

    /// The floor: HMAC-SHA256 over the signing input with a precomputed keyed state
    /// (cloned), and the payload's base64url decode and `serde_json` parse into the
    /// profile's claims struct. Nothing else: no header, no `kid`, no claim checks.
    pub fn floor(&self, token: &str) -> bool {
        let Some((signing_input, signature_b64)) = token.rsplit_once('.') else { return false };
        let mut signature = [0u8; 32];
        if URL_SAFE_NO_PAD.decode_slice(signature_b64, &mut signature) != Ok(32) {
            return false;
        }
        let mut mac = self.floor_mac.clone();
        mac.update(signing_input.as_bytes());
        if mac.verify_slice(&signature).is_err() {
            return false;
        }
        let Some((_, payload_b64)) = signing_input.split_once('.') else { return false };
        let mut payload = [0u8; 1024];
        let Ok(n) = URL_SAFE_NO_PAD.decode_slice(payload_b64, &mut payload) else { return false };
        let json = &payload[..n];
        match self.profile {
            ProfileId::ExponeaStream => serde_json::from_slice::<ExponeaClaims>(json).is_ok(),
            ProfileId::KhorosLegacy => serde_json::from_slice::<KhorosClaims>(json).is_ok(),
            _ => serde_json::from_slice::<WebexClaims>(json).is_ok(),
        }
    }

    /// The batch jobs, borrowed as [`Validator::validate_batch`] takes them.
    pub fn batch_jobs(&self) -> Vec<(&str, &RequestIdentity)> {
        self.batch.iter().map(|(t, r)| (t.as_str(), r)).collect()
    }
}
