//! The validator: one per profile and key ring, built once, then used for every request.
//!
//! Order of checks, cheapest and least trusting first: size (VALID-004) before any
//! decoding; three parts; the header (duplicates, `crit`, `alg`, `typ`, `kid`), which has
//! to be read before the signature; the key and its algorithms (VALID-001, VALID-002);
//! the signature over the exact signing input, compared in constant time (VALID-008);
//! only then is the attacker's payload decoded and parsed, once, strictly (VALID-005,
//! VALID-006); then required claims, time (VALID-007, explicit leeway), lifetime, and
//! the binding to the request's identity.

use crate::b64;
use crate::claims::{ClaimKind, Claims, KnownClaim, VerifiedToken};
use crate::fast_json;
use crate::fast_json::FlatHeader;
use crate::keyring::{KeyRing, RingKey, Verifier};
use crate::reason::{Decision, Part, Rejection, TokenError};
use crate::request::RequestIdentity;
use crate::seen_headers;
use crate::strict_json::{self, Fault, ParseFailure, RawHeader};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jwt_lifecycle_spec::alphabet::{CustomerIds, Reason};
use jwt_lifecycle_spec::profile::{
    ClaimRules, JwsAlgorithm, KeyKind, Presence, Profile, ProfileId, RequestValue,
};

/// Why a validator cannot be built for a profile and ring.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValidatorError {
    /// The ring has no key.
    #[error("the key ring is empty: add at least one key (a default key, or one per kid)")]
    EmptyRing,
    /// A secret is shorter than the profile allows (CLAIM-014, CLAIM-016).
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
    /// The profile names a claim this validator does not read.
    #[error("profile {profile} names claim `{claim}`, which the validator does not read")]
    UnsupportedClaim {
        /// The profile.
        profile: ProfileId,
        /// The claim.
        claim: String,
    },
    /// The profile compares a claim with a request value of another shape.
    #[error("profile {profile} compares claim `{claim}` with the request's {with:?}, which that claim cannot carry ({shape})")]
    BindingShape {
        /// The profile.
        profile: ProfileId,
        /// The claim.
        claim: String,
        /// The request value.
        with: RequestValue,
        /// What the claim is.
        shape: &'static str,
    },
}

/// A token whose header and signature verified (the signature layer).
#[derive(Clone, Copy, Debug)]
pub struct VerifiedJws<'v, 't> {
    /// The algorithm it verified with.
    pub alg: JwsAlgorithm,
    /// The key it verified with.
    pub key: &'v RingKey,
    /// The base64url payload part, not yet decoded.
    pub payload_b64: &'t str,
}

/// Stack space for decoding typical parts without allocating; larger parts fall back to
/// the heap (the whole token is bounded by the profile's size limit).
const HEADER_STACK: usize = 256;
const PAYLOAD_STACK: usize = 512;
/// The longest HMAC signature (HS512); RSA signatures are decoded on the heap.
const MAC_STACK: usize = 64;

/// A claim compared with the request, resolved to the claim the validator reads.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BoundClaim {
    pub(crate) claim: KnownClaim,
    pub(crate) with: RequestValue,
    pub(crate) required: bool,
}

/// The profile's identity binding, resolved once when the validator is built.
#[derive(Clone, Debug, Default)]
pub(crate) struct Binding {
    pub(crate) matches: Vec<BoundClaim>,
    pub(crate) fixed: Vec<(KnownClaim, String)>,
}

/// Validates one profile's tokens against a key ring.
#[derive(Clone, Debug)]
pub struct Validator {
    profile: ProfileId,
    rules: ClaimRules,
    identifier_key: String,
    ring: KeyRing,
    profile_algs: [bool; JwsAlgorithm::ALL.len()],
    allowed_text: String,
    required_mask: u16,
    binding: Binding,
    code_not_provided: Option<i64>,
    code_expired: Option<i64>,
    code_invalid: Option<i64>,
    known_headers: Vec<KnownHeader>,
    /// This validator's identity in the per-thread cache of recently seen headers.
    seen_owner: u64,
}

/// A header, byte for byte as this project's minter (and PyJWT) writes it for a key of
/// the ring, with the outcome of checking it. A token whose header part is exactly one of
/// these skips decoding and parsing it: identical bytes cannot parse differently, and the
/// outcome was computed by the same checks at build time.
#[derive(Clone, Debug)]
struct KnownHeader {
    b64: String,
    alg: JwsAlgorithm,
    key: usize,
}

/// How many known headers are kept; beyond that, headers are simply parsed.
const MAX_KNOWN_HEADERS: usize = 64;

fn truncated(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

fn alg_index(alg: JwsAlgorithm) -> usize {
    JwsAlgorithm::ALL.iter().position(|a| *a == alg).unwrap_or(0)
}

/// Decodes a base64url part (no padding, canonical) into `stack` if it fits, else `heap`.
fn decode_part<'b>(
    part: &str,
    which: Part,
    stack: &'b mut [u8],
    heap: &'b mut Vec<u8>,
) -> Result<&'b [u8], TokenError> {
    let bad = || TokenError::malformed(format!("the {which} is not unpadded base64url"));
    let len = b64::decoded_len(part.len()).ok_or_else(bad)?;
    let out: &'b mut [u8] = if len <= stack.len() {
        &mut stack[..len]
    } else {
        heap.resize(len, 0);
        &mut heap[..]
    };
    let n = b64::decode(part.as_bytes(), out).ok_or_else(bad)?;
    Ok(&out[..n])
}

fn alg_list(algs: impl Iterator<Item = JwsAlgorithm>) -> String {
    let names: Vec<&str> = algs.map(JwsAlgorithm::as_str).collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

fn known_claim(profile: ProfileId, name: &str) -> Result<KnownClaim, ValidatorError> {
    KnownClaim::from_name(name)
        .ok_or_else(|| ValidatorError::UnsupportedClaim { profile, claim: name.to_owned() })
}

/// Resolves a profile's identity binding to the claims the validator reads, refusing a
/// binding that compares a claim with a value of another shape.
fn resolve_binding(profile: &Profile) -> Result<Binding, ValidatorError> {
    let rules = &profile.claims;
    let mut binding = Binding::default();
    for m in &rules.identity.matches {
        let claim = known_claim(profile.id, &m.claim)?;
        let fits = match m.with {
            RequestValue::CustomerIds => claim.kind() == ClaimKind::Ids,
            _ => claim.kind() == ClaimKind::Text,
        };
        if !fits {
            let shape = match claim.kind() {
                ClaimKind::Ids => "an object of strings",
                ClaimKind::Text => "a string",
                ClaimKind::NumericDate => "a NumericDate",
            };
            return Err(ValidatorError::BindingShape {
                profile: profile.id,
                claim: m.claim.clone(),
                with: m.with,
                shape,
            });
        }
        binding.matches.push(BoundClaim { claim, with: m.with, required: m.presence == Presence::Required });
    }
    for f in &rules.identity.fixed {
        let claim = known_claim(profile.id, &f.claim)?;
        if claim.kind() != ClaimKind::Text {
            return Err(ValidatorError::BindingShape {
                profile: profile.id,
                claim: f.claim.clone(),
                with: RequestValue::Identifier,
                shape: "not a string, so it cannot carry a fixed value",
            });
        }
        binding.fixed.push((claim, f.value.clone()));
    }
    for name in &rules.informational_claims {
        known_claim(profile.id, name)?;
    }
    Ok(binding)
}

/// Whether the instant of validation is checked (`exp`, `nbf`, `iat`, the lifetime cap).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Time {
    Checked,
    /// For the minter: a token minted already expired, or for later, is still minted.
    Ignored,
}

impl Validator {
    /// Builds a validator for `profile` with `ring`. Every HMAC secret must be at least
    /// the profile's minimum length, every key must allow one of the profile's
    /// algorithms, and the profile's claims must be ones the validator reads.
    pub fn new(profile: &Profile, ring: KeyRing) -> Result<Self, ValidatorError> {
        let rules = profile.claims.clone();
        if ring.is_empty() {
            return Err(ValidatorError::EmptyRing);
        }
        let mut profile_algs = [false; JwsAlgorithm::ALL.len()];
        for &a in &rules.algorithms {
            profile_algs[alg_index(a)] = true;
        }
        let allowed_text = alg_list(rules.algorithms.iter().copied());
        for key in ring.keys() {
            let kid = key.label();
            if let Some(len) = key.secret().map(<[u8]>::len).filter(|&len| len < rules.min_key_bytes) {
                return Err(ValidatorError::KeyTooShortForProfile {
                    kid,
                    len,
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
            required_mask |= known_claim(profile.id, name)?.bit();
        }
        if rules.exp == Presence::Required {
            required_mask |= KnownClaim::Exp.bit();
        }
        let binding = resolve_binding(profile)?;
        let mut validator = Self {
            profile: profile.id,
            identifier_key: profile.identifier_key.clone().unwrap_or_else(|| "identifier".to_owned()),
            rules,
            ring,
            profile_algs,
            allowed_text,
            required_mask,
            binding,
            code_not_provided: profile.code_for(Reason::NotProvided),
            code_expired: profile.code_for(Reason::Expired),
            code_invalid: profile.code_for(Reason::Invalid),
            known_headers: Vec::new(),
            seen_owner: seen_headers::new_owner(),
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

    pub(crate) fn binding(&self) -> &Binding {
        &self.binding
    }

    pub(crate) fn identifier_key(&self) -> &str {
        &self.identifier_key
    }

    /// The full decision on `token` for a request made for `request` at `now_s` (Unix
    /// seconds).
    pub fn validate(&self, token: &str, request: &RequestIdentity, now_s: u64) -> Decision {
        // Built where it is returned and filled in place: the claims are large, and
        // moving them through every layer, or even once into the decision, was a
        // measurable share of a validation.
        let mut decision = Decision::Accepted(VerifiedToken::default());
        if let Decision::Accepted(verified) = &mut decision {
            if let Err(error) = self.check(token, request, now_s, Time::Checked, verified) {
                decision = Decision::Rejected(self.reject(error));
            }
        }
        decision
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
        // memchr searches with SIMD; the separators are a tenth of a validation's
        // work when searched a byte (or a word) at a time.
        let first = memchr::memchr(b'.', bytes);
        let second = first.and_then(|f| memchr::memchr(b'.', &bytes[f + 1..]).map(|s| f + 1 + s));
        let (Some(first), Some(second)) = (first, second) else {
            return Err(TokenError::malformed("a JWT has three parts separated by `.`"));
        };
        if memchr::memchr(b'.', &bytes[second + 1..]).is_some() {
            return Err(TokenError::malformed(
                "a JWT has exactly three parts; this one has more (JWE or junk)",
            ));
        }
        let (header_b64, payload_b64, signature_b64) =
            (&token[..first], &token[first + 1..second], &token[second + 1..]);

        let (alg, key) = self.header(header_b64)?;
        let Some(verifier) = key.verifier(alg) else {
            return Err(TokenError::malformed("internal: checked key lacks its algorithm"));
        };
        let expected_len = match verifier {
            Verifier::Mac(_) => alg.hmac_bytes().unwrap_or(MAC_STACK),
            Verifier::Rsa(_, modulus_bytes) => modulus_bytes,
        };
        if signature_b64.is_empty() {
            return Err(TokenError::InvalidSignature { detail: "the signature is empty" });
        }
        let mut stack = [0u8; MAC_STACK];
        let mut heap = Vec::new();
        let sig_len = b64::decoded_len(signature_b64.len())
            .filter(|&n| n <= expected_len.max(MAC_STACK))
            .ok_or(TokenError::InvalidSignature { detail: "the signature has the wrong length" })?;
        let out: &mut [u8] = if sig_len <= MAC_STACK {
            &mut stack[..sig_len]
        } else {
            heap.resize(sig_len, 0);
            &mut heap[..]
        };
        let n = b64::decode(signature_b64.as_bytes(), out)
            .ok_or_else(|| TokenError::malformed("the signature is not unpadded base64url"))?;
        if n != expected_len {
            return Err(TokenError::InvalidSignature { detail: "the signature has the wrong length" });
        }
        let signing_input = &bytes[..second];
        if !verifier.verify(signing_input, &out[..n]) {
            return Err(TokenError::InvalidSignature { detail: "the signature differs" });
        }
        Ok(VerifiedJws { alg, key, payload_b64 })
    }

    /// The algorithm and key a header part selects: from the precomputed encodings, the
    /// ones this thread recently saw pass, or the full checks (whose success is then
    /// remembered).
    fn header(&self, header_b64: &str) -> Result<(JwsAlgorithm, &RingKey), TokenError> {
        let key_of = |(alg, i): (JwsAlgorithm, usize)| self.ring.keys().get(i).map(|key| (alg, key));
        // A precomputed header needs no hash of its bytes: the probe is made after.
        if let Some(found) =
            self.known_headers.iter().find(|h| h.b64 == header_b64).and_then(|h| key_of((h.alg, h.key)))
        {
            return Ok(found);
        }
        let probe = seen_headers::Probe::new(self.seen_owner, header_b64);
        if let Some(found) = probe.and_then(|p| p.find(header_b64)).and_then(key_of) {
            return Ok(found);
        }
        let (alg, key) = self.parse_and_check_header(header_b64)?;
        if let (Some(probe), Some(index)) =
            (probe, self.ring.keys().iter().position(|k| std::ptr::eq(k, key)))
        {
            probe.remember(header_b64, alg, index);
        }
        Ok((alg, key))
    }

    /// Decodes, parses and checks a header part: `crit`, `alg` against the profile,
    /// `typ`, `kid` against the ring, and `alg` against the selected key.
    fn parse_and_check_header(&self, header_b64: &str) -> Result<(JwsAlgorithm, &RingKey), TokenError> {
        let mut stack = [0u8; HEADER_STACK];
        let mut heap = Vec::new();
        let header_bytes = decode_part(header_b64, Part::Header, &mut stack, &mut heap)?;
        // The common shape is read from the bytes (it accepts only ASCII, so only UTF-8);
        // everything else is checked for UTF-8 and left to the strict path.
        if let Some(header) = fast_json::header(header_bytes) {
            return self.check_header(&header);
        }
        let header_json = std::str::from_utf8(header_bytes)
            .map_err(|_| TokenError::malformed("the header is not UTF-8"))?;
        self.check_header(&FlatHeader::of(&parse_header_strictly(header_json)?))
    }

    /// The header's checks, on its members as bytes (printable ASCII from the fast
    /// reader, UTF-8 from the strict one), so the fast path never converts them.
    fn check_header(&self, header: &FlatHeader<'_>) -> Result<(JwsAlgorithm, &RingKey), TokenError> {
        // Only messages need the text; the bytes are UTF-8, so nothing is replaced.
        let text = |bytes: &[u8], max: usize| truncated(&String::from_utf8_lossy(bytes), max);
        if header.crit {
            return Err(TokenError::CritNotSupported);
        }
        let alg_name = header.alg.ok_or_else(|| TokenError::malformed("the header has no `alg`"))?;
        let alg = JwsAlgorithm::ALL
            .into_iter()
            .find(|a| a.as_str().as_bytes() == alg_name)
            .filter(|a| self.profile_algs[alg_index(*a)])
            .ok_or_else(|| TokenError::AlgorithmNotAllowed {
                alg: text(alg_name, 32),
                allowed: self.allowed_text.clone(),
            })?;
        match header.typ {
            Some(t) if !t.eq_ignore_ascii_case(b"JWT") => {
                return Err(TokenError::WrongType { found: format!("is {:?}", text(t, 32)) })
            }
            None if self.rules.typ_jwt == Presence::Required => {
                return Err(TokenError::WrongType { found: "is missing".to_owned() })
            }
            _ => {}
        }
        let key = match header.kid {
            Some(kid) => {
                self.ring.get_by_bytes(kid).ok_or_else(|| TokenError::UnknownKid { kid: text(kid, 64) })?
            }
            None if self.rules.kid == Presence::Required => {
                return Err(TokenError::MissingKid { why: "the profile requires one" })
            }
            None => self
                .ring
                .default_key()
                .ok_or(TokenError::MissingKid { why: "the key ring has no default key" })?,
        };
        if key.verifier(alg).is_none() {
            let needed = alg.hmac_bytes().unwrap_or(0);
            if let Some(len) = key.secret().map(<[u8]>::len).filter(|&len| len < needed) {
                return Err(TokenError::KeyTooShort { alg, len, needed });
            }
            // Also the algorithm-confusion case (RFC 8725 §2.1): an HS token naming an
            // RSA key, or an RS token naming a secret, is refused here, before any
            // signature is computed with the wrong kind of key.
            let allowed =
                alg_list(key.algorithms().iter().copied().filter(|a| self.profile_algs[alg_index(*a)]));
            let kind = match key.kind() {
                KeyKind::Hmac => "HMAC secret",
                KeyKind::Rsa => "RSA key",
            };
            return Err(TokenError::AlgorithmNotAllowed {
                alg: alg.as_str().to_owned(),
                allowed: format!("{allowed} with this {kind}"),
            });
        }
        Ok((alg, key))
    }

    /// The full check, writing the verified token into `out` (which starts empty).
    pub(crate) fn check(
        &self,
        token: &str,
        request: &RequestIdentity,
        now: u64,
        time: Time,
        out: &mut VerifiedToken,
    ) -> Result<(), TokenError> {
        let jws = self.verify_signature(token)?;
        let mut stack = [0u8; PAYLOAD_STACK];
        let mut heap = Vec::new();
        let payload = decode_part(jws.payload_b64, Part::Payload, &mut stack, &mut heap)?;
        let json =
            std::str::from_utf8(payload).map_err(|_| TokenError::malformed("the payload is not UTF-8"))?;
        let present = match fast_json::claims_into(json, &mut out.claims) {
            Some(present) => present,
            None => {
                let parsed = parse_claims_strictly(json)?;
                out.claims = parsed.claims;
                parsed.present
            }
        };
        let missing = self.required_mask & !present;
        if missing != 0 {
            let claim =
                KnownClaim::ALL.into_iter().find(|c| missing & c.bit() != 0).map_or("?", KnownClaim::name);
            return Err(TokenError::MissingClaim { claim });
        }
        if time == Time::Checked {
            self.check_time(&out.claims, now)?;
        }
        self.check_identity(&out.claims, request)?;
        out.alg = Some(jws.alg);
        out.kid = jws.key.kid().map(str::to_owned);
        Ok(())
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

    /// The binding to the request: fixed claims first (a token without the grant covers
    /// nothing), then each compared claim in the profile's order.
    fn check_identity(&self, c: &Claims, request: &RequestIdentity) -> Result<(), TokenError> {
        for (claim, value) in &self.binding.fixed {
            let found = claim.text(c);
            if found != Some(value.as_str()) {
                return Err(TokenError::ScopeInsufficient {
                    claim: claim.name(),
                    found: found.map(|s| truncated(s, 64)).unwrap_or_default(),
                    expected: value.clone(),
                });
            }
        }
        for bound in &self.binding.matches {
            if bound.with == RequestValue::CustomerIds {
                // Exact equality: same keys, same values (CLAIM-003).
                match &c.ids {
                    Some(ids) if ids.0 == request.customer_ids.0 => continue,
                    None if !bound.required => continue,
                    ids => return Err(ids_mismatch(bound.claim, ids.as_ref(), &request.customer_ids)),
                }
            }
            let wanted = match bound.with {
                RequestValue::Identifier => request.single(&self.identifier_key),
                RequestValue::AppId => request.app_id.as_deref(),
                // Compared on link and unlink requests only (CLAIM-012).
                RequestValue::LinkedCustomer => match request.link_customer_id.as_deref() {
                    Some(linked) => Some(linked),
                    None => continue,
                },
                RequestValue::CustomerIds => continue,
            };
            let found = bound.claim.text(c);
            if found.is_none() && !bound.required {
                continue;
            }
            if found.is_none() || found != wanted {
                return Err(mismatch(bound, found, wanted));
            }
        }
        Ok(())
    }
}

fn mismatch(bound: &BoundClaim, found: Option<&str>, wanted: Option<&str>) -> TokenError {
    let found = found.map(|t| truncated(t, 64)).unwrap_or_default();
    match bound.with {
        RequestValue::AppId => TokenError::AppIdMismatch {
            claim: bound.claim.name(),
            token: found,
            expected: wanted.map(|a| truncated(a, 64)).unwrap_or_default(),
        },
        _ => TokenError::IdentityMismatch {
            claim: bound.claim.name(),
            detail: format!(
                "token {found:?}, request {}",
                wanted.map_or_else(|| "names none".to_owned(), |w| format!("{:?}", truncated(w, 64)))
            ),
        },
    }
}

fn ids_mismatch(claim: KnownClaim, token: Option<&CustomerIds>, request: &CustomerIds) -> TokenError {
    TokenError::IdentityMismatch {
        claim: claim.name(),
        detail: format!(
            "token {}, request {}",
            token.map_or_else(|| "none".to_owned(), |i| truncated(&i.to_string(), 128)),
            truncated(&request.to_string(), 128)
        ),
    }
}

/// The strict serde path for a header the fast reader left alone; it decides every error.
fn parse_header_strictly(json: &str) -> Result<RawHeader<'_>, TokenError> {
    strict_json::parse_header(json).map_err(|f| match f {
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
    })
}

/// The strict serde path for claims the fast reader left alone; it decides every error.
fn parse_claims_strictly(json: &str) -> Result<strict_json::ParsedClaims, TokenError> {
    strict_json::parse_claims(json).map_err(|f| match f {
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Claims, Minter};

    #[test]
    fn headers_this_projects_minter_writes_take_the_known_header_path() {
        let profile = ProfileId::KhorosLegacy.profile();
        let mut ring = KeyRing::new();
        ring.add("app-key \"1\"", &[9u8; 32], &[JwsAlgorithm::HS256]).unwrap();
        let validator = Validator::new(&profile, ring.clone()).unwrap();
        let token = Minter::new(&profile, ring)
            .unwrap()
            .mint(Some("app-key \"1\""), None, &Claims::khoros("u", "U", "ios", 10), 20)
            .unwrap();
        let header = token.split('.').next().unwrap_or_default();
        assert!(validator.known_headers.iter().any(|h| h.b64 == header), "{header}");
        // Khoros requires kid and typ: the no-typ and no-kid forms are never remembered.
        assert!(validator.known_headers.iter().all(|h| validator.parse_and_check_header(&h.b64).is_ok()));
        assert_eq!(validator.known_headers.len(), 2);
    }

    #[test]
    fn every_spelling_of_a_header_gets_the_strict_decision() {
        let profile = ProfileId::ExponeaStream.profile();
        let mut ring = KeyRing::new();
        ring.add("k1", &[9u8; 32], &[JwsAlgorithm::HS256]).unwrap();
        ring.add("ключ", &[8u8; 32], &[JwsAlgorithm::HS256]).unwrap();
        let validator = Validator::new(&profile, ring).unwrap();
        let check = |json: &str| validator.parse_and_check_header(&URL_SAFE_NO_PAD.encode(json));
        let kid_of = |json: &str| check(json).map(|(alg, key)| (alg, key.kid().map(str::to_owned)));
        let k1 = Ok((JwsAlgorithm::HS256, Some("k1".to_owned())));
        // Whitespace anywhere JSON allows it, escapes, non-ASCII: the same key and algorithm.
        for json in [
            r#"{"alg":"HS256","kid":"k1"}"#,
            " {\n\t\"kid\" : \"k1\" ,\r\"alg\"\t:\"HS256\" } ",
            r#"{"\u0061lg":"HS256","kid":"k\u0031"}"#,
            r#"{"alg":"HS256","kid":"k1","typ":"jwt"}"#,
        ] {
            assert_eq!(kid_of(json), k1, "{json}");
        }
        assert_eq!(
            kid_of(r#"{"alg":"HS256","kid":"ключ"}"#),
            Ok((JwsAlgorithm::HS256, Some("ключ".to_owned())))
        );
        // Repeated members, however written, `crit`, a non-JSON space, `none`: refused.
        for (json, wanted) in [
            (r#"{"alg":"HS256","kid":"k1","alg":"HS256"}"#, "duplicate"),
            (r#"{"alg":"HS256","kid":"k1","\u0061lg":"none"}"#, "duplicate"),
            (r#"{"alg":"HS256","kid":"k1","crit":["exp"]}"#, "crit"),
            ("{\"alg\":\"HS256\",\u{a0}\"kid\":\"k1\"}", "malformed"),
            (r#"{"alg":"none","kid":"k1"}"#, "alg"),
            (r#"{"alg":"HS256","kid":"k2"}"#, "kid"),
        ] {
            let got = check(json).map(|_| ()).map_err(|e| e.to_string());
            let matches = match (wanted, check(json)) {
                ("duplicate", Err(TokenError::DuplicateMember { part: Part::Header, .. })) => true,
                ("crit", Err(TokenError::CritNotSupported)) => true,
                ("malformed", Err(e)) => e.reason() == crate::RejectReason::Malformed,
                ("alg", Err(TokenError::AlgorithmNotAllowed { .. })) => true,
                ("kid", Err(TokenError::UnknownKid { .. })) => true,
                _ => false,
            };
            assert!(matches, "{json}: {got:?}");
        }
    }

    #[test]
    fn a_header_seen_once_is_remembered_for_its_validator_only() {
        let profile = ProfileId::ExponeaStream.profile();
        let mut ring = KeyRing::new();
        ring.add("k1", &[9u8; 32], &[JwsAlgorithm::HS256]).unwrap();
        let validator = Validator::new(&profile, ring).unwrap();
        let spaced = URL_SAFE_NO_PAD.encode(r#"{"alg": "HS256", "kid": "k1"}"#);
        assert_eq!(seen_headers::find(validator.seen_owner, &spaced), None);
        assert!(validator.header(&spaced).is_ok());
        assert_eq!(seen_headers::find(validator.seen_owner, &spaced), Some((JwsAlgorithm::HS256, 0)));
        // Another validator, whose ring lacks k1, still checks the same bytes itself.
        let mut other_ring = KeyRing::new();
        other_ring.add("k2", &[9u8; 32], &[JwsAlgorithm::HS256]).unwrap();
        let other = Validator::new(&profile, other_ring).unwrap();
        assert!(matches!(other.header(&spaced), Err(TokenError::UnknownKid { .. })));
        // Refused headers are never remembered; the cache stays bounded.
        let crit = URL_SAFE_NO_PAD.encode(r#"{"alg": "HS256", "kid": "k1", "crit": []}"#);
        assert!(validator.header(&crit).is_err());
        assert_eq!(seen_headers::find(validator.seen_owner, &crit), None);
        for n in 0..2 * seen_headers::CAPACITY {
            let h = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"HS256","kid":"k1"{}}}"#, " ".repeat(n)));
            assert!(validator.header(&h).is_ok());
        }
        assert_eq!(seen_headers::find(validator.seen_owner, &spaced), None, "the oldest entry was evicted");
    }
}
