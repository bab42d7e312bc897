//! Minting each profile's tokens, as a backend would, with `jsonwebtoken`.
//!
//! The minter holds the same key ring the validator uses, and refuses to mint a token
//! its profile's validator would refuse for reasons of form: an algorithm the profile or
//! key does not allow, a missing `kid` where one is required, a missing required claim,
//! an `exp` beyond the profile's maximum lifetime. It does mint tokens that are already
//! expired, which tests and people trying things by hand need.

use crate::claims::{Claims, KnownClaim};
use crate::keyring::{KeyRing, KeyedMac, RingKey};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use jwt_lifecycle_spec::profile::{ClaimRules, HmacAlgorithm, Presence, Profile, ProfileId};

/// Why a token cannot be minted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MintError {
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
    /// The algorithm is not allowed for the profile and key.
    #[error("{alg:?} is not allowed for profile {profile} with this key (allowed: {allowed})")]
    AlgorithmNotAllowed {
        /// The algorithm asked for.
        alg: HmacAlgorithm,
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
    /// jsonwebtoken refused.
    #[error("jsonwebtoken could not encode the token: {0}")]
    Encode(String),
}

/// Mints one profile's tokens with the keys of a ring.
#[derive(Clone, Debug)]
pub struct Minter {
    profile: ProfileId,
    rules: ClaimRules,
    ring: KeyRing,
}

fn to_jwt_alg(alg: HmacAlgorithm) -> Algorithm {
    match alg {
        HmacAlgorithm::HS256 => Algorithm::HS256,
        HmacAlgorithm::HS384 => Algorithm::HS384,
        HmacAlgorithm::HS512 => Algorithm::HS512,
    }
}

impl Minter {
    /// A minter for `profile` with `ring`.
    pub fn new(profile: &Profile, ring: KeyRing) -> Self {
        Self { profile: profile.id, rules: profile.claims.clone(), ring }
    }

    /// Mints a token with the key `kid` (the ring's default key for `None`), with `alg`
    /// (the first algorithm both the profile and the key allow for `None`), carrying
    /// `claims`; `now_s` bounds `exp` by the profile's maximum lifetime. Header: `alg`,
    /// `typ: JWT`, and `kid` when given.
    pub fn mint(
        &self,
        kid: Option<&str>,
        alg: Option<HmacAlgorithm>,
        claims: &Claims,
        now_s: u64,
    ) -> Result<String, MintError> {
        let key = self.key(kid)?;
        let alg = self.algorithm(key, alg)?;
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
        if let Some(c) = KnownClaim::ALL.into_iter().find(|c| missing & c.bit() != 0) {
            return Err(MintError::MissingClaim { profile: self.profile, claim: c.name() });
        }
        if let (Some(exp), Some(max_s)) = (claims.exp, self.rules.max_lifetime_s) {
            let ahead_s = exp.saturating_sub(now_s);
            if ahead_s > max_s {
                return Err(MintError::LifetimeTooLong { profile: self.profile, ahead_s, max_s });
            }
        }
        let mut header = Header::new(to_jwt_alg(alg));
        header.kid = kid.map(str::to_owned);
        jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(key.secret()))
            .map_err(|e| MintError::Encode(e.to_string()))
    }

    fn key(&self, kid: Option<&str>) -> Result<&RingKey, MintError> {
        match kid {
            Some(kid) => self.ring.get(kid).ok_or_else(|| MintError::UnknownKid(kid.to_owned())),
            None if self.rules.kid == Presence::Required => {
                Err(MintError::MissingKid { profile: self.profile, why: "the profile requires kid" })
            }
            None => self
                .ring
                .default_key()
                .ok_or(MintError::MissingKid { profile: self.profile, why: "the ring has no default key" }),
        }
    }

    fn algorithm(&self, key: &RingKey, alg: Option<HmacAlgorithm>) -> Result<HmacAlgorithm, MintError> {
        let usable: Vec<HmacAlgorithm> =
            key.algorithms().iter().copied().filter(|a| self.rules.algorithms.contains(a)).collect();
        let chosen = alg.or_else(|| usable.first().copied()).unwrap_or(HmacAlgorithm::HS256);
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

/// Signs arbitrary header and payload bytes with `secret`, enforcing nothing: for
/// crafting hostile tokens in tests and fuzzing, never for production tokens.
pub fn sign_raw(header: &[u8], payload: &[u8], alg: HmacAlgorithm, secret: &[u8]) -> String {
    let signing_input = format!("{}.{}", URL_SAFE_NO_PAD.encode(header), URL_SAFE_NO_PAD.encode(payload));
    let mac = KeyedMac::for_signing(alg, secret).sign(signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(mac))
}
