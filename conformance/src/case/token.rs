//! Named tokens: what a case declares, how the suite mints them, and the table that
//! turns names into the strings an SDK sees and back.
//!
//! Minting is deterministic (fixed key, fixed header, claims in the given order), so a
//! case produces the same bytes on every machine and an adapter's observations can be
//! mapped back to the names the case author wrote.

use super::ordered::OrderedMap;
use jwt_lifecycle_spec::profile::JwsAlgorithm;
use jwt_lifecycle_token::{sign_exact, KeyRing, KeyRingError, SignError};
use serde::de::{Deserializer, Error as _};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The HS256 key every case token is signed with (docs/formats.md §1). Only the shape of a
/// token matters to an SDK; the key is fixed so tokens are reproducible.
pub const SIGNING_KEY: &[u8; 32] = b"jwt-lifecycle-conformance-key-01";

const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// The ring holding [`SIGNING_KEY`] as its default key, built once.
fn signing_ring() -> &'static Result<KeyRing, KeyRingError> {
    static RING: OnceLock<Result<KeyRing, KeyRingError>> = OnceLock::new();
    RING.get_or_init(|| {
        let mut ring = KeyRing::new();
        ring.add_default(SIGNING_KEY, &[JwsAlgorithm::HS256])?;
        Ok(ring)
    })
}

/// One token a case declares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenSpec {
    /// A signed JWT.
    Minted {
        /// Seconds after the case's start (second precision) at which it expires;
        /// `None` for a token without `exp`.
        exp_in: Option<i64>,
        /// Further claims, in payload order after `exp`.
        claims: OrderedMap<serde_json::Value>,
    },
    /// A literal string used as it is (for unparsable tokens).
    Raw(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenSpecFields {
    #[serde(default, deserialize_with = "present")]
    exp_in: Option<Option<i64>>,
    #[serde(default)]
    claims: Option<OrderedMap<serde_json::Value>>,
    #[serde(default)]
    raw: Option<String>,
}

/// Distinguishes a field that is `null` (`Some(None)`) from one that is absent (`None`).
pub(crate) fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

impl<'de> Deserialize<'de> for TokenSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let fields = TokenSpecFields::deserialize(deserializer)?;
        match (fields.raw, fields.exp_in, fields.claims) {
            (Some(raw), None, None) => Ok(TokenSpec::Raw(raw)),
            (Some(_), _, _) => Err(D::Error::custom("a `raw` token takes no `exp_in` or `claims`")),
            (None, Some(exp_in), claims) => {
                Ok(TokenSpec::Minted { exp_in, claims: claims.unwrap_or_default() })
            }
            (None, None, _) => Err(D::Error::custom(
                "a token needs `exp_in` (seconds after start, or null for no exp) or `raw`",
            )),
        }
    }
}

impl Serialize for TokenSpec {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        match self {
            TokenSpec::Minted { exp_in, claims } => {
                map.serialize_entry("exp_in", exp_in)?;
                if !claims.is_empty() {
                    map.serialize_entry("claims", claims)?;
                }
            }
            TokenSpec::Raw(raw) => map.serialize_entry("raw", raw)?,
        }
        map.end()
    }
}

/// Why a token could not be minted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MintError {
    /// `exp_in` puts `exp` before the Unix epoch.
    #[error("exp_in {exp_in} puts exp before 1970 (start is {start_s} s)")]
    NegativeExp {
        /// The offset given.
        exp_in: i64,
        /// The case's start, in seconds.
        start_s: u64,
    },
    /// A claim named `exp` next to `exp_in`.
    #[error("`claims` must not contain `exp`; use `exp_in`")]
    ExpInClaims,
    /// The signing key could not join a ring.
    #[error("the case signing key was refused: {0}")]
    Key(Box<KeyRingError>),
    /// The token crate could not sign (the suite never hands out an unsigned token).
    #[error("could not be signed: {0}")]
    Sign(Box<SignError>),
}

/// Mints `spec` for a case starting at `start_ms`.
pub fn mint(spec: &TokenSpec, start_ms: u64) -> Result<String, MintError> {
    let (exp_in, claims) = match spec {
        TokenSpec::Raw(raw) => return Ok(raw.clone()),
        TokenSpec::Minted { exp_in, claims } => (exp_in, claims),
    };
    if claims.get("exp").is_some() {
        return Err(MintError::ExpInClaims);
    }
    let start_s = start_ms / 1000;
    let mut entries: Vec<String> = Vec::new();
    if let Some(offset) = exp_in {
        let exp = i128::from(start_s) + i128::from(*offset);
        if exp < 0 {
            return Err(MintError::NegativeExp { exp_in: *offset, start_s });
        }
        entries.push(format!("\"exp\":{exp}"));
    }
    for (key, value) in &claims.0 {
        // Serialising a String or a Value cannot fail.
        let key = serde_json::to_string(key).unwrap_or_default();
        let value = serde_json::to_string(value).unwrap_or_default();
        entries.push(format!("{key}:{value}"));
    }
    let payload = format!("{{{}}}", entries.join(","));
    let ring = signing_ring().as_ref().map_err(|e| MintError::Key(Box::new(e.clone())))?;
    sign_exact(ring, None, JwsAlgorithm::HS256, HEADER.as_bytes(), payload.as_bytes())
        .map_err(|e| MintError::Sign(Box::new(e)))
}

/// A case's tokens by name and by raw string.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TokenTable {
    by_name: BTreeMap<String, String>,
    by_raw: BTreeMap<String, String>,
}

impl TokenTable {
    /// Mints every token of a case.
    pub fn mint_all(specs: &OrderedMap<TokenSpec>, start_ms: u64) -> Result<Self, (String, MintError)> {
        let mut table = TokenTable::default();
        for (name, spec) in &specs.0 {
            let raw = mint(spec, start_ms).map_err(|e| (name.clone(), e))?;
            table.by_raw.entry(raw.clone()).or_insert_with(|| name.clone());
            table.by_name.insert(name.clone(), raw);
        }
        Ok(table)
    }

    /// The raw token for a name.
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.by_name.get(name).map(String::as_str)
    }

    /// The name for a raw token, if the case declared it.
    pub fn name(&self, raw: &str) -> Option<&str> {
        self.by_raw.get(raw).map(String::as_str)
    }

    /// True when `name` is declared.
    pub fn contains(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    /// The declared names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use jwt_lifecycle_spec::client_view::unverified_exp_seconds;

    #[test]
    fn minted_tokens_are_deterministic_and_carry_exp_relative_to_start() {
        let spec: TokenSpec =
            serde_json::from_str(r#"{"exp_in":300,"claims":{"sub":"u1","ids":{"registered":"alice"}}}"#)
                .unwrap();
        let a = mint(&spec, 1_700_000_000_000).unwrap();
        assert_eq!(a, mint(&spec, 1_700_000_000_000).unwrap());
        assert_eq!(unverified_exp_seconds(&a), Some(1_700_000_300));
        let payload = URL_SAFE_NO_PAD.decode(a.split('.').nth(1).unwrap()).unwrap();
        assert_eq!(
            String::from_utf8(payload).unwrap(),
            r#"{"exp":1700000300,"sub":"u1","ids":{"registered":"alice"}}"#
        );
        let header = URL_SAFE_NO_PAD.decode(a.split('.').next().unwrap()).unwrap();
        assert_eq!(header, HEADER.as_bytes());
    }

    #[test]
    fn null_exp_gives_no_exp_claim_and_raw_is_used_as_is() {
        let spec: TokenSpec = serde_json::from_str(r#"{"exp_in":null}"#).unwrap();
        assert_eq!(unverified_exp_seconds(&mint(&spec, 0).unwrap()), None);
        let raw: TokenSpec = serde_json::from_str(r#"{"raw":"not.a-jwt"}"#).unwrap();
        assert_eq!(mint(&raw, 0).unwrap(), "not.a-jwt");
    }

    #[test]
    fn a_token_without_exp_in_or_raw_is_rejected() {
        assert!(serde_json::from_str::<TokenSpec>(r#"{}"#).is_err());
        assert!(serde_json::from_str::<TokenSpec>(r#"{"raw":"x","exp_in":3}"#).is_err());
        assert!(serde_json::from_str::<TokenSpec>(r#"{"exp_in":3,"aud":"x"}"#).is_err());
    }

    #[test]
    fn the_signature_is_hmac_sha256_over_header_and_payload() {
        let spec: TokenSpec = serde_json::from_str(r#"{"exp_in":60}"#).unwrap();
        let token = mint(&spec, 1_700_000_000_000).unwrap();
        let (input, sig) = token.rsplit_once('.').unwrap();
        assert_eq!(URL_SAFE_NO_PAD.decode(sig).unwrap().len(), 32);
        assert_eq!(URL_SAFE_NO_PAD.decode(input.split('.').next().unwrap()).unwrap(), HEADER.as_bytes());
        // The validator's own HMAC (not the signer's) verifies it with the case key.
        let profile = jwt_lifecycle_spec::ProfileId::ExponeaStream.profile();
        let validator =
            jwt_lifecycle_token::Validator::new(&profile, signing_ring().clone().unwrap()).unwrap();
        let jws = validator.verify_signature(&token).unwrap();
        assert_eq!(jws.alg, JwsAlgorithm::HS256);
        let tampered = format!("{input}x.{sig}");
        assert!(validator.verify_signature(&tampered).is_err());
    }
}
