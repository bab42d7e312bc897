//! The validator: one per profile and key ring, built once, then used for every request.
//!
//! Order of checks, cheapest and least trusting first: size (VALID-004) before any
//! decoding; three parts; the header (duplicates, `crit`, `alg`, `typ`, `kid`), which has
//! to be read before the signature; the key and its algorithms (VALID-001, VALID-002);
//! the signature over the exact signing input, compared in constant time (VALID-008);
//! only then is the attacker's payload decoded and parsed, once, strictly (VALID-005,
//! VALID-006); then required claims, time (VALID-007, explicit leeway), lifetime, and
//! the binding to the request's identity.

use crate::claims::{Claims, KnownClaim, VerifiedToken};
use crate::keyring::{alg_index, KeyRing, RingKey};
use crate::reason::{Decision, Part, Rejection, TokenError};
use crate::request::RequestIdentity;
use crate::strict_json::{self, Fault, ParseFailure};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jwt_lifecycle_spec::alphabet::Reason;
use jwt_lifecycle_spec::profile::{ClaimRules, HmacAlgorithm, IdentityBinding, Presence, Profile, ProfileId};

/// Why a validator cannot be built for a profile and ring.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValidatorError {
    /// The ring has no key.
    #[error("the key ring is empty: add at least one key (a default key, or one per kid)")]
    EmptyRing,
    /// A key is shorter than the profile allows (CLAIM-014, CLAIM-016).
    #[error("key {kid} is {len} bytes but profile {profile} needs at least {min}: use a longer secret")]
    KeyTooShortForProfile {
        /// The key.
        kid: String,
        /// Its length.
        len: usize,
        /// The profile.
        profile: ProfileId,
        /// The profile's minimum.
        min: usize,
    },
    /// A key allows none of the profile's algorithms.
    #[error(
        "key {kid} allows none of profile {profile}'s algorithms ({allowed}): list one of them for the key"
    )]
    NoCommonAlgorithm {
        /// The key.
        kid: String,
        /// The profile.
        profile: ProfileId,
        /// The profile's algorithms.
        allowed: String,
    },
    /// The profile requires a claim this validator does not read.
    #[error("profile {profile} requires claim `{claim}`, which the validator does not read")]
    UnsupportedClaim {
        /// The profile.
        profile: ProfileId,
        /// The claim.
        claim: String,
    },
}

/// A token whose header and signature verified (the signature layer).
#[derive(Clone, Copy, Debug)]
pub struct VerifiedJws<'v, 't> {
    /// The algorithm it verified with.
    pub alg: HmacAlgorithm,
    /// The key it verified with.
    pub key: &'v RingKey,
    /// The base64url payload part, not yet decoded.
    pub payload_b64: &'t str,
}

/// Stack space for decoding typical parts without allocating; larger parts fall back to
/// the heap (the whole token is bounded by the profile's size limit).
const HEADER_STACK: usize = 256;
const PAYLOAD_STACK: usize = 1024;

/// Validates one profile's tokens against a key ring.
#[derive(Clone, Debug)]
pub struct Validator {
    profile: ProfileId,
    rules: ClaimRules,
    identifier_key: String,
    ring: KeyRing,
    profile_algs: [bool; 3],
    allowed_text: String,
    required_mask: u16,
    code_not_provided: Option<i64>,
    code_expired: Option<i64>,
    code_invalid: Option<i64>,
    known_headers: Vec<KnownHeader>,
}

/// A header, byte for byte as this project's minter (and PyJWT) writes it for a key of
/// the ring, with the outcome of checking it. A token whose header part is exactly one of
/// these skips decoding and parsing it: identical bytes cannot parse differently, and the
/// outcome was computed by the same checks at build time.
#[derive(Clone, Debug)]
struct KnownHeader {
    b64: String,
    alg: HmacAlgorithm,
    key: usize,
}

/// How many known headers are kept; beyond that, headers are simply parsed.
const MAX_KNOWN_HEADERS: usize = 64;

fn truncated(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

fn decoded_len(encoded: usize) -> Option<usize> {
    match encoded % 4 {
        0 => Some(encoded / 4 * 3),
        2 => Some(encoded / 4 * 3 + 1),
        3 => Some(encoded / 4 * 3 + 2),
        _ => None,
    }
}

/// Decodes a base64url part (no padding, canonical) into `stack` if it fits, else `heap`.
fn decode_part<'b>(
    part: &str,
    which: Part,
    stack: &'b mut [u8],
    heap: &'b mut Vec<u8>,
) -> Result<&'b [u8], TokenError> {
    let bad = || TokenError::malformed(format!("the {which} is not unpadded base64url"));
    let len = decoded_len(part.len()).ok_or_else(bad)?;
    let out: &'b mut [u8] = if len <= stack.len() {
        &mut stack[..len]
    } else {
        heap.resize(len, 0);
        &mut heap[..]
    };
    let n = URL_SAFE_NO_PAD.decode_slice(part, out).map_err(|_| bad())?;
    Ok(&out[..n])
}

fn parse_alg(alg: &str) -> Option<HmacAlgorithm> {
    match alg {
        "HS256" => Some(HmacAlgorithm::HS256),
        "HS384" => Some(HmacAlgorithm::HS384),
        "HS512" => Some(HmacAlgorithm::HS512),
        _ => None,
    }
}

fn alg_list(algs: impl Iterator<Item = HmacAlgorithm>) -> String {
    let names: Vec<&str> = algs.map(HmacAlgorithm::as_str).collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

impl Validator {
    /// Builds a validator for `profile` with `ring`. Every key must be at least the
    /// profile's minimum length and allow one of the profile's algorithms.
    pub fn new(profile: &Profile, ring: KeyRing) -> Result<Self, ValidatorError> {
        let rules = profile.claims.clone();
        if ring.is_empty() {
            return Err(ValidatorError::EmptyRing);
        }
        let mut profile_algs = [false; 3];
        for &a in &rules.algorithms {
            profile_algs[alg_index(a)] = true;
        }
        let allowed_text = alg_list(rules.algorithms.iter().copied());
        for key in ring.keys() {
            let kid = key.kid().map_or_else(|| "(default)".to_owned(), |k| format!("{k:?}"));
            if key.secret().len() < rules.min_key_bytes {
                return Err(ValidatorError::KeyTooShortForProfile {
                    kid,
                    len: key.secret().len(),
                    profile: profile.id,
                    min: rules.min_key_bytes,
                });
            }
            if !key.algorithms().iter().any(|a| profile_algs[alg_index(*a)]) {
                return Err(ValidatorError::NoCommonAlgorithm {
                    kid,
                    profile: profile.id,
                    allowed: allowed_text.clone(),
                });
            }
        }
        let mut required_mask = 0u16;
        for name in &rules.required_claims {
            let claim = KnownClaim::from_name(name).ok_or_else(|| ValidatorError::UnsupportedClaim {
                profile: profile.id,
                claim: name.clone(),
            })?;
            required_mask |= claim.bit();
        }
        if rules.exp == Presence::Required {
            required_mask |= KnownClaim::Exp.bit();
        }
        let mut validator = Self {
            profile: profile.id,
            identifier_key: profile.identifier_key.clone().unwrap_or_else(|| "identifier".to_owned()),
            rules,
            ring,
            profile_algs,
            allowed_text,
            required_mask,
            code_not_provided: profile.code_for(Reason::NotProvided),
            code_expired: profile.code_for(Reason::Expired),
            code_invalid: profile.code_for(Reason::Invalid),
            known_headers: Vec::new(),
        };
        validator.known_headers = validator.precompute_headers();
        Ok(validator)
    }

    fn precompute_headers(&self) -> Vec<KnownHeader> {
        let mut known = Vec::new();
        for (index, key) in self.ring.keys().iter().enumerate() {
            for &alg in key.algorithms() {
                let kid = key.kid().map(|k| serde_json::to_string(k).unwrap_or_default());
                let alg_name = alg.as_str();
                let forms = match &kid {
                    // jsonwebtoken's order, then PyJWT's.
                    Some(kid) => [
                        format!(r#"{{"typ":"JWT","alg":"{alg_name}","kid":{kid}}}"#),
                        format!(r#"{{"alg":"{alg_name}","kid":{kid},"typ":"JWT"}}"#),
                    ],
                    None => [
                        format!(r#"{{"typ":"JWT","alg":"{alg_name}"}}"#),
                        format!(r#"{{"alg":"{alg_name}","typ":"JWT"}}"#),
                    ],
                };
                for json in forms {
                    let b64 = URL_SAFE_NO_PAD.encode(json.as_bytes());
                    // Only what the full checks accept, with this very key, is remembered.
                    if let Ok((a, k)) = self.parse_and_check_header(&b64) {
                        if a == alg && std::ptr::eq(k, key) && known.len() < MAX_KNOWN_HEADERS {
                            known.push(KnownHeader { b64, alg, key: index });
                        }
                    }
                }
            }
        }
        known
    }

    /// The profile this validator checks.
    pub fn profile(&self) -> ProfileId {
        self.profile
    }

    /// The key ring.
    pub fn ring(&self) -> &KeyRing {
        &self.ring
    }

    /// The full decision on `token` for a request made for `request` at `now_s` (Unix
    /// seconds).
    pub fn validate(&self, token: &str, request: &RequestIdentity, now_s: u64) -> Decision {
        match self.check(token, request, now_s) {
            Ok(verified) => Decision::Accepted(verified),
            Err(error) => Decision::Rejected(self.reject(error)),
        }
    }

    /// Like [`Validator::validate`], from an `Authorization` header value: `None` is
    /// `not_provided`; anything but `Bearer <token>` is malformed.
    pub fn validate_bearer(
        &self,
        authorization: Option<&str>,
        request: &RequestIdentity,
        now_s: u64,
    ) -> Decision {
        match authorization {
            None => Decision::Rejected(self.reject(TokenError::NotProvided)),
            Some(value) => match value.strip_prefix("Bearer ") {
                Some(token) => self.validate(token, request, now_s),
                None => Decision::Rejected(
                    self.reject(TokenError::malformed("the Authorization header is not `Bearer <token>`")),
                ),
            },
        }
    }

    /// Validates many tokens, spread over `threads` threads (at least 1); decisions come
    /// back in the order of `jobs`.
    pub fn validate_batch(
        &self,
        jobs: &[(&str, &RequestIdentity)],
        now_s: u64,
        threads: usize,
    ) -> Vec<Decision> {
        let threads = threads.clamp(1, jobs.len().max(1));
        if threads == 1 {
            return jobs.iter().map(|(t, r)| self.validate(t, r, now_s)).collect();
        }
        let chunk = jobs.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = jobs
                .chunks(chunk)
                .map(|part| {
                    let work =
                        move || part.iter().map(|(t, r)| self.validate(t, r, now_s)).collect::<Vec<_>>();
                    (part, std::thread::Builder::new().spawn_scoped(scope, work))
                })
                .collect();
            let mut out = Vec::with_capacity(jobs.len());
            for (part, handle) in handles {
                match handle {
                    Ok(h) => match h.join() {
                        Ok(decisions) => out.extend(decisions),
                        Err(_) => out.extend(part.iter().map(|_| {
                            Decision::Rejected(
                                self.reject(TokenError::malformed("the validating thread failed")),
                            )
                        })),
                    },
                    // No thread to be had: do this part here.
                    Err(_) => out.extend(part.iter().map(|(t, r)| self.validate(t, r, now_s))),
                }
            }
            out
        })
    }

    fn reject(&self, error: TokenError) -> Rejection {
        let code = match error.reason().sdk_reason() {
            Reason::NotProvided => self.code_not_provided,
            Reason::Expired => self.code_expired,
            _ => self.code_invalid,
        };
        Rejection { error, code }
    }

    /// The signature layer alone: size, structure, header, key and signature, without
    /// looking at the payload. For JWS whose payload is not a claims set (RFC 7520 §4.4).
    pub fn verify_signature<'v, 't>(&'v self, token: &'t str) -> Result<VerifiedJws<'v, 't>, TokenError> {
        if token.is_empty() {
            return Err(TokenError::NotProvided);
        }
        if token.len() > self.rules.max_token_bytes {
            return Err(TokenError::TokenTooLarge { len: token.len(), max: self.rules.max_token_bytes });
        }
        let bytes = token.as_bytes();
        // `str::find` of a char searches with memchr; a byte-by-byte `position` scan
        // over the whole token was the hottest loop of a validation.
        let first = token.find('.');
        let second = first.and_then(|f| token[f + 1..].find('.').map(|s| f + 1 + s));
        let (Some(first), Some(second)) = (first, second) else {
            return Err(TokenError::malformed("a JWT has three parts separated by `.`"));
        };
        if bytes[second + 1..].contains(&b'.') {
            return Err(TokenError::malformed(
                "a JWT has exactly three parts; this one has more (JWE or junk)",
            ));
        }
        let (header_b64, payload_b64, signature_b64) =
            (&token[..first], &token[first + 1..second], &token[second + 1..]);

        let (alg, key) = match self.known_headers.iter().find(|h| h.b64 == header_b64) {
            Some(h) => match self.ring.keys().get(h.key) {
                Some(key) => (h.alg, key),
                None => self.parse_and_check_header(header_b64)?,
            },
            None => self.parse_and_check_header(header_b64)?,
        };
        let Some(mac) = key.mac(alg) else {
            return Err(TokenError::malformed("internal: checked key lacks its algorithm"));
        };

        let mut sig = [0u8; 64];
        if signature_b64.is_empty() {
            return Err(TokenError::InvalidSignature { detail: "the signature is empty" });
        }
        let sig_len = decoded_len(signature_b64.len())
            .filter(|&n| n <= sig.len())
            .ok_or(TokenError::InvalidSignature { detail: "the signature has the wrong length" })?;
        let n = URL_SAFE_NO_PAD
            .decode_slice(signature_b64, &mut sig[..sig_len])
            .map_err(|_| TokenError::malformed("the signature is not unpadded base64url"))?;
        if n != alg.output_bytes() {
            return Err(TokenError::InvalidSignature { detail: "the signature has the wrong length" });
        }
        let signing_input = &bytes[..second];
        if !mac.verify(signing_input, &sig[..n]) {
            return Err(TokenError::InvalidSignature { detail: "the MAC differs" });
        }
        Ok(VerifiedJws { alg, key, payload_b64 })
    }

    /// Decodes, parses and checks a header part: `crit`, `alg` against the profile,
    /// `typ`, `kid` against the ring, and `alg` against the selected key.
    fn parse_and_check_header(&self, header_b64: &str) -> Result<(HmacAlgorithm, &RingKey), TokenError> {
        let mut stack = [0u8; HEADER_STACK];
        let mut heap = Vec::new();
        let header_bytes = decode_part(header_b64, Part::Header, &mut stack, &mut heap)?;
        let header_json = std::str::from_utf8(header_bytes)
            .map_err(|_| TokenError::malformed("the header is not UTF-8"))?;
        let header = strict_json::parse_header(header_json).map_err(|f| match f {
            ParseFailure::Fault(Fault::Duplicate(name)) => {
                TokenError::DuplicateMember { part: Part::Header, name }
            }
            ParseFailure::Fault(Fault::ClaimType { claim, expected }) => {
                TokenError::malformed(format!("header `{claim}` must be {expected}"))
            }
            ParseFailure::Fault(Fault::NumericDate { claim, found }) => {
                TokenError::malformed(format!("header `{claim}` is {found}"))
            }
            ParseFailure::Json(e) => TokenError::malformed(format!("the header is not a JSON object: {e}")),
        })?;
        if header.crit {
            return Err(TokenError::CritNotSupported);
        }
        let alg_name =
            header.alg.as_deref().ok_or_else(|| TokenError::malformed("the header has no `alg`"))?;
        let alg = parse_alg(alg_name).filter(|a| self.profile_algs[alg_index(*a)]).ok_or_else(|| {
            TokenError::AlgorithmNotAllowed {
                alg: truncated(alg_name, 32),
                allowed: self.allowed_text.clone(),
            }
        })?;
        match header.typ.as_deref() {
            Some(t) if !t.eq_ignore_ascii_case("JWT") => {
                return Err(TokenError::WrongType { found: format!("is {:?}", truncated(t, 32)) })
            }
            None if self.rules.typ_jwt == Presence::Required => {
                return Err(TokenError::WrongType { found: "is missing".to_owned() })
            }
            _ => {}
        }
        let key = match header.kid.as_deref() {
            Some(kid) => {
                self.ring.get(kid).ok_or_else(|| TokenError::UnknownKid { kid: truncated(kid, 64) })?
            }
            None if self.rules.kid == Presence::Required => {
                return Err(TokenError::MissingKid { why: "the profile requires one" })
            }
            None => self
                .ring
                .default_key()
                .ok_or(TokenError::MissingKid { why: "the key ring has no default key" })?,
        };
        if key.mac(alg).is_none() {
            if key.secret().len() < alg.output_bytes() {
                return Err(TokenError::KeyTooShort {
                    alg,
                    len: key.secret().len(),
                    needed: alg.output_bytes(),
                });
            }
            let allowed =
                alg_list(key.algorithms().iter().copied().filter(|a| self.profile_algs[alg_index(*a)]));
            return Err(TokenError::AlgorithmNotAllowed { alg: alg.as_str().to_owned(), allowed });
        }
        Ok((alg, key))
    }

    fn check(&self, token: &str, request: &RequestIdentity, now: u64) -> Result<VerifiedToken, TokenError> {
        let jws = self.verify_signature(token)?;
        let mut stack = [0u8; PAYLOAD_STACK];
        let mut heap = Vec::new();
        let payload = decode_part(jws.payload_b64, Part::Payload, &mut stack, &mut heap)?;
        let json =
            std::str::from_utf8(payload).map_err(|_| TokenError::malformed("the payload is not UTF-8"))?;
        let parsed = strict_json::parse_claims(json).map_err(|f| match f {
            ParseFailure::Fault(Fault::Duplicate(name)) => {
                TokenError::DuplicateMember { part: Part::Payload, name }
            }
            ParseFailure::Fault(Fault::NumericDate { claim, found }) => {
                TokenError::InvalidNumericDate { claim, found }
            }
            ParseFailure::Fault(Fault::ClaimType { claim, expected }) => {
                TokenError::InvalidClaim { claim, expected }
            }
            ParseFailure::Json(e) => TokenError::malformed(format!("the payload is not a JSON object: {e}")),
        })?;
        let missing = self.required_mask & !parsed.present;
        if missing != 0 {
            let claim =
                KnownClaim::ALL.into_iter().find(|c| missing & c.bit() != 0).map_or("?", KnownClaim::name);
            return Err(TokenError::MissingClaim { claim });
        }
        let claims = parsed.claims;
        self.check_time(&claims, now)?;
        self.check_identity(&claims, request)?;
        Ok(VerifiedToken { alg: Some(jws.alg), kid: jws.key.kid().map(str::to_owned), claims })
    }

    fn check_time(&self, c: &Claims, now: u64) -> Result<(), TokenError> {
        let leeway_s = self.rules.leeway_s;
        if let Some(exp) = c.exp {
            // RFC 7519 §4.1.4: the current time must be before `exp`.
            if now >= exp.saturating_add(leeway_s) {
                return Err(TokenError::Expired { exp, now, leeway_s });
            }
            if let Some(max_s) = self.rules.max_lifetime_s {
                let ahead_s = exp.saturating_sub(now);
                if ahead_s > max_s {
                    return Err(TokenError::LifetimeTooLong { exp, ahead_s, max_s });
                }
            }
        }
        if let Some(nbf) = c.nbf {
            if now.saturating_add(leeway_s) < nbf {
                return Err(TokenError::NotYetValid { nbf, now, leeway_s });
            }
        }
        if let Some(iat) = c.iat {
            if iat > now.saturating_add(leeway_s) {
                return Err(TokenError::IssuedInFuture { iat, now, leeway_s });
            }
        }
        Ok(())
    }

    fn check_identity(&self, c: &Claims, request: &RequestIdentity) -> Result<(), TokenError> {
        let mismatch =
            |claim: &'static str, token: Option<&str>, wanted: Option<&str>| TokenError::IdentityMismatch {
                claim,
                detail: format!(
                    "token {:?}, request {}",
                    token.map(|t| truncated(t, 64)).unwrap_or_default(),
                    wanted.map_or_else(|| "names none".to_owned(), |w| format!("{:?}", truncated(w, 64)))
                ),
            };
        match self.rules.identity {
            IdentityBinding::IdsMap => {
                // Exact equality: same keys, same values (CLAIM-003). Missing `ids` was
                // already rejected if the profile requires it.
                let token_ids = c.ids.as_ref().map(|i| &i.0);
                if token_ids != Some(&request.customer_ids.0) {
                    return Err(TokenError::IdentityMismatch {
                        claim: "ids",
                        detail: format!(
                            "token {}, request {}",
                            c.ids
                                .as_ref()
                                .map_or_else(|| "none".to_owned(), |i| truncated(&i.to_string(), 128)),
                            truncated(&request.customer_ids.to_string(), 128)
                        ),
                    });
                }
            }
            IdentityBinding::Subject => {
                let wanted = request.single(&self.identifier_key);
                if c.sub.is_none() || c.sub.as_deref() != wanted {
                    return Err(mismatch("sub", c.sub.as_deref(), wanted));
                }
            }
            IdentityBinding::KhorosUser => {
                if c.scope.as_deref() != Some("appUser") {
                    return Err(TokenError::ScopeInsufficient {
                        found: c.scope.as_deref().map(|s| truncated(s, 64)).unwrap_or_default(),
                    });
                }
                let wanted = request.single(&self.identifier_key);
                if c.user_id.is_none() || c.user_id.as_deref() != wanted {
                    return Err(mismatch("userId", c.user_id.as_deref(), wanted));
                }
            }
            IdentityBinding::WebexApp => {
                if c.app_id.is_none() || c.app_id.as_deref() != request.app_id.as_deref() {
                    return Err(TokenError::AppIdMismatch {
                        token: c.app_id.as_deref().map(|a| truncated(a, 64)).unwrap_or_default(),
                        expected: request.app_id.as_deref().map(|a| truncated(a, 64)).unwrap_or_default(),
                    });
                }
                if let Some(user) = c.user_id.as_deref() {
                    let wanted = request.single(&self.identifier_key);
                    if Some(user) != wanted {
                        return Err(mismatch("userId", Some(user), wanted));
                    }
                }
                if let (Some(customer), Some(linking)) =
                    (c.customer_id.as_deref(), request.link_customer_id.as_deref())
                {
                    if customer != linking {
                        return Err(mismatch("customerId", Some(customer), Some(linking)));
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Claims, Minter};

    #[test]
    fn headers_this_projects_minter_writes_take_the_known_header_path() {
        let profile = ProfileId::KhorosLegacy.profile();
        let mut ring = KeyRing::new();
        ring.add("app-key \"1\"", &[9u8; 32], &[HmacAlgorithm::HS256]).unwrap();
        let validator = Validator::new(&profile, ring.clone()).unwrap();
        let token = Minter::new(&profile, ring)
            .mint(Some("app-key \"1\""), None, &Claims::khoros("u", "U", "ios", 10), 20)
            .unwrap();
        let header = token.split('.').next().unwrap_or_default();
        assert!(validator.known_headers.iter().any(|h| h.b64 == header), "{header}");
        // Khoros requires kid and typ: the no-typ and no-kid forms are never remembered.
        assert!(validator.known_headers.iter().all(|h| validator.parse_and_check_header(&h.b64).is_ok()));
        assert_eq!(validator.known_headers.len(), 2);
    }
}
