//! Minting each profile's tokens, as a backend would, with `jsonwebtoken`.
//!
//! The minter holds the same key ring the validator uses and refuses to mint a token its
//! profile's validator would refuse, whatever the instant of validation: an algorithm the
//! profile or key does not allow, a missing `kid` where one is required, a missing
//! required claim, a NumericDate at or beyond 2^53, an `exp` beyond the profile's maximum
//! lifetime, a fixed claim with another value. After the explicit checks, every token is
//! run through the profile's validator with the time checks off, so nothing the validator
//! refuses for its form or claims slips through. It does mint tokens that are already
//! expired or not yet valid, which tests and people trying things by hand need.
//!
//! [`sign_exact`] signs given header and payload bytes with a ring's key, for tokens whose
//! bytes are fixed elsewhere (the conformance suite's case tokens); [`sign_raw`] crafts
//! hostile tokens for tests.

use crate::claims::{ClaimKind, Claims, KnownClaim, VerifiedToken};
use crate::keyring::{KeyRing, KeyedMac, RingKey};
use crate::reason::TokenError;
use crate::request::RequestIdentity;
use crate::strict_json::NUMERIC_DATE_LIMIT;
use crate::validator::{Time, Validator, ValidatorError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, Header};
use jwt_lifecycle_spec::alphabet::CustomerIds;
use jwt_lifecycle_spec::profile::{ClaimRules, JwsAlgorithm, Presence, Profile, ProfileId, RequestValue};

/// Why a token cannot be minted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MintError {
    /// The ring does not fit the profile: its validator could not be built.
    #[error("{0}")]
    Ring(#[from] ValidatorError),
    /// `kid` names no key.
    #[error("no key named {0:?} in the ring: add it or mint with a configured kid")]
    UnknownKid(String),
    /// No `kid` given where one is needed.
    #[error("profile {profile} needs a kid ({why}): pass the signing key's id")]
    MissingKid {
        /// The profile.
        profile: ProfileId,
        /// Why.
        why: &'static str,
    },
    /// The key verifies but cannot sign (an RSA public key).
    #[error("key {kid} is an RSA public key: minting needs the private key (add it with its private PEM)")]
    CannotMint {
        /// The key.
        kid: String,
    },
    /// The algorithm is not allowed for the profile and key.
    #[error("{alg} is not allowed for profile {profile} with this key (allowed: {allowed})")]
    AlgorithmNotAllowed {
        /// The algorithm asked for.
        alg: JwsAlgorithm,
        /// The profile.
        profile: ProfileId,
        /// What is allowed.
        allowed: String,
    },
    /// A claim the profile requires is missing.
    #[error("profile {profile} requires the claim `{claim}`: set it")]
    MissingClaim {
        /// The profile.
        profile: ProfileId,
        /// The claim.
        claim: &'static str,
    },
    /// The request names nothing for a claim the profile binds to it.
    #[error("profile {profile} binds `{claim}` to the request's {with:?}, which the request does not name")]
    MissingIdentity {
        /// The profile.
        profile: ProfileId,
        /// The claim.
        claim: String,
        /// What of the request it carries.
        with: RequestValue,
    },
    /// A NumericDate no validator accepts (VALID-006).
    #[error("`{claim}` would be {value}, at or beyond 2^53 s, which no validator accepts as a NumericDate: choose an earlier time")]
    NumericDateOutOfRange {
        /// The claim.
        claim: &'static str,
        /// Its value.
        value: u64,
    },
    /// `exp` is further ahead than the profile allows.
    #[error(
        "`exp` is {ahead_s} s ahead, over profile {profile}'s maximum of {max_s} s: choose an earlier exp"
    )]
    LifetimeTooLong {
        /// The profile.
        profile: ProfileId,
        /// How far ahead.
        ahead_s: u64,
        /// The maximum.
        max_s: u64,
    },
    /// The profile's validator would refuse the token at any instant.
    #[error("profile {profile}'s validator would refuse this token ({}): {error}", error.reason())]
    WouldBeRejected {
        /// The profile.
        profile: ProfileId,
        /// What the validator says.
        error: TokenError,
    },
    /// jsonwebtoken refused.
    #[error("jsonwebtoken could not sign the token: {0}")]
    Encode(String),
}

/// Mints one profile's tokens with the keys of a ring.
#[derive(Clone, Debug)]
pub struct Minter {
    profile: ProfileId,
    rules: ClaimRules,
    validator: Validator,
}

fn to_jwt_alg(alg: JwsAlgorithm) -> Algorithm {
    match alg {
        JwsAlgorithm::HS256 => Algorithm::HS256,
        JwsAlgorithm::HS384 => Algorithm::HS384,
        JwsAlgorithm::HS512 => Algorithm::HS512,
        JwsAlgorithm::RS256 => Algorithm::RS256,
    }
}

impl Minter {
    /// A minter for `profile` with `ring`; refused when the profile's validator cannot
    /// use the ring (a key too short for the profile, or allowing none of its algorithms).
    pub fn new(profile: &Profile, ring: KeyRing) -> Result<Self, MintError> {
        let validator = Validator::new(profile, ring)?;
        Ok(Self { profile: profile.id, rules: profile.claims.clone(), validator })
    }

    /// The claims that bind a token to `request`, by the profile's identity binding:
    /// each compared claim set from the request (a required one the request does not
    /// name is refused), each fixed claim set to its value. Times are the caller's.
    pub fn claims_for(&self, request: &RequestIdentity) -> Result<Claims, MintError> {
        let mut claims = Claims::default();
        for bound in &self.validator.binding().matches {
            let value = match bound.with {
                RequestValue::CustomerIds => {
                    claims.ids = Some(request.customer_ids.clone());
                    continue;
                }
                RequestValue::Identifier => request.single(self.validator.identifier_key()),
                RequestValue::AppId => request.app_id.as_deref(),
                RequestValue::LinkedCustomer => request.link_customer_id.as_deref(),
            };
            match value {
                Some(value) => bound.claim.set_text(&mut claims, value.to_owned()),
                None if bound.required => {
                    return Err(MintError::MissingIdentity {
                        profile: self.profile,
                        claim: bound.claim.name().to_owned(),
                        with: bound.with,
                    })
                }
                None => {}
            }
        }
        for (claim, value) in &self.validator.binding().fixed {
            claim.set_text(&mut claims, value.clone());
        }
        Ok(claims)
    }

    /// Mints a token with the key `kid` (the ring's default key for `None`), with `alg`
    /// (the first algorithm both the profile and the key allow for `None`), carrying
    /// `claims`; `now_s` bounds `exp` by the profile's maximum lifetime. Header: `alg`,
    /// `typ: JWT`, and `kid` when given.
    pub fn mint(
        &self,
        kid: Option<&str>,
        alg: Option<JwsAlgorithm>,
        claims: &Claims,
        now_s: u64,
    ) -> Result<String, MintError> {
        let key = self.key(kid)?;
        let alg = self.algorithm(key, alg)?;
        let Some(encoding) = key.encoding_key() else {
            return Err(MintError::CannotMint { kid: key.label() });
        };
        for claim in [KnownClaim::Exp, KnownClaim::Nbf, KnownClaim::Iat] {
            if let Some(value) = claim.numeric_date(claims).filter(|v| *v >= NUMERIC_DATE_LIMIT) {
                return Err(MintError::NumericDateOutOfRange { claim: claim.name(), value });
            }
        }
        self.check_required(claims)?;
        if let (Some(exp), Some(max_s)) = (claims.exp, self.rules.max_lifetime_s) {
            let ahead_s = exp.saturating_sub(now_s);
            if ahead_s > max_s {
                return Err(MintError::LifetimeTooLong { profile: self.profile, ahead_s, max_s });
            }
        }
        let mut header = Header::new(to_jwt_alg(alg));
        header.kid = kid.map(str::to_owned);
        let token =
            jsonwebtoken::encode(&header, claims, encoding).map_err(|e| MintError::Encode(e.to_string()))?;
        let request = self.request_covered_by(claims);
        match self.validator.check(&token, &request, now_s, Time::Ignored, &mut VerifiedToken::default()) {
            Ok(()) => Ok(token),
            Err(error) => Err(MintError::WouldBeRejected { profile: self.profile, error }),
        }
    }

    fn check_required(&self, claims: &Claims) -> Result<(), MintError> {
        let mut required = 0u16;
        for name in &self.rules.required_claims {
            if let Some(c) = KnownClaim::from_name(name) {
                required |= c.bit();
            }
        }
        if self.rules.exp == Presence::Required {
            required |= KnownClaim::Exp.bit();
        }
        let missing = required & !claims.present_mask();
        match KnownClaim::ALL.into_iter().find(|c| missing & c.bit() != 0) {
            Some(c) => Err(MintError::MissingClaim { profile: self.profile, claim: c.name() }),
            None => Ok(()),
        }
    }

    /// The request `claims` are good for: the inverse of [`Minter::claims_for`], so the
    /// validator's pass over a fresh token checks its form and fixed claims, not whose it
    /// is.
    fn request_covered_by(&self, claims: &Claims) -> RequestIdentity {
        let mut request = RequestIdentity::default();
        for bound in &self.validator.binding().matches {
            if bound.claim.kind() == ClaimKind::Ids {
                request.customer_ids = claims.ids.clone().unwrap_or_default();
                continue;
            }
            let value = bound.claim.text(claims).map(str::to_owned);
            match bound.with {
                RequestValue::Identifier => {
                    if let Some(v) = value {
                        request.customer_ids = CustomerIds::single(self.validator.identifier_key(), &v);
                    }
                }
                RequestValue::AppId => request.app_id = value,
                RequestValue::LinkedCustomer => request.link_customer_id = value,
                RequestValue::CustomerIds => {}
            }
        }
        request
    }

    fn key(&self, kid: Option<&str>) -> Result<&RingKey, MintError> {
        let ring = self.validator.ring();
        match kid {
            Some(kid) => ring.get(kid).ok_or_else(|| MintError::UnknownKid(kid.to_owned())),
            None if self.rules.kid == Presence::Required => {
                Err(MintError::MissingKid { profile: self.profile, why: "the profile requires kid" })
            }
            None => ring
                .default_key()
                .ok_or(MintError::MissingKid { profile: self.profile, why: "the ring has no default key" }),
        }
    }

    fn algorithm(&self, key: &RingKey, alg: Option<JwsAlgorithm>) -> Result<JwsAlgorithm, MintError> {
        let usable: Vec<JwsAlgorithm> =
            key.algorithms().iter().copied().filter(|a| self.rules.algorithms.contains(a)).collect();
        let chosen = alg.or_else(|| usable.first().copied()).unwrap_or(JwsAlgorithm::HS256);
        if usable.contains(&chosen) {
            Ok(chosen)
        } else {
            let names: Vec<&str> = usable.iter().map(|a| a.as_str()).collect();
            Err(MintError::AlgorithmNotAllowed {
                alg: chosen,
                profile: self.profile,
                allowed: if names.is_empty() { "none".to_owned() } else { names.join(", ") },
            })
        }
    }
}

/// Why [`sign_exact`] cannot sign.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// No key of that name (or no default key).
    #[error("the ring has no key {0}")]
    NoKey(String),
    /// The key is not listed for the algorithm.
    #[error("key {kid} is not listed for {alg}")]
    AlgorithmNotListed {
        /// The key.
        kid: String,
        /// The algorithm.
        alg: JwsAlgorithm,
    },
    /// The key verifies but cannot sign.
    #[error("key {0} is an RSA public key and cannot sign")]
    CannotSign(String),
    /// The crypto library refused.
    #[error("signing failed: {0}")]
    Crypto(String),
}

/// Signs `header` and `payload` exactly as given (no profile rule is applied) with the
/// key `kid` of `ring` (its default key for `None`) and `alg`, through `jsonwebtoken`'s
/// signer, as [`Minter::mint`] does. For tokens whose bytes are fixed by something else,
/// such as the conformance suite's reproducible case tokens.
pub fn sign_exact(
    ring: &KeyRing,
    kid: Option<&str>,
    alg: JwsAlgorithm,
    header: &[u8],
    payload: &[u8],
) -> Result<String, SignError> {
    let key = match kid {
        Some(kid) => ring.get(kid),
        None => ring.default_key(),
    }
    .ok_or_else(|| SignError::NoKey(kid.map_or_else(|| "(default)".to_owned(), |k| format!("{k:?}"))))?;
    if !key.algorithms().contains(&alg) {
        return Err(SignError::AlgorithmNotListed { kid: key.label(), alg });
    }
    let encoding = key.encoding_key().ok_or_else(|| SignError::CannotSign(key.label()))?;
    let signing_input = format!("{}.{}", URL_SAFE_NO_PAD.encode(header), URL_SAFE_NO_PAD.encode(payload));
    let signature = jsonwebtoken::crypto::sign(signing_input.as_bytes(), encoding, to_jwt_alg(alg))
        .map_err(|e| SignError::Crypto(e.to_string()))?;
    Ok(format!("{signing_input}.{signature}"))
}

/// Signs arbitrary header and payload bytes with an HMAC `secret` of any length,
/// enforcing nothing: for crafting hostile tokens in tests and fuzzing, never for
/// production tokens. Refused for a non-HMAC algorithm.
pub fn sign_raw(
    header: &[u8],
    payload: &[u8],
    alg: JwsAlgorithm,
    secret: &[u8],
) -> Result<String, SignError> {
    let signing_input = format!("{}.{}", URL_SAFE_NO_PAD.encode(header), URL_SAFE_NO_PAD.encode(payload));
    let mac = match KeyedMac::new(alg, secret) {
        Ok(Some(mac)) => mac,
        Ok(None) => return Err(SignError::Crypto(format!("{alg} is not an HMAC algorithm"))),
        Err(_) => return Err(SignError::Crypto("the HMAC state could not be set up".to_owned())),
    };
    Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(mac.sign(signing_input.as_bytes()))))
}
