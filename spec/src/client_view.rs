//! What an SDK can see of a token without verifying it: its `exp`.
//!
//! SDKs hold no key, so they read `exp` from the payload unverified, only to time
//! their notifications (REFR-001, PRE-005). A token they cannot read is kept and sent
//! as it is, with no expiry (LIFE-011, LIFE-012).

use crate::alphabet::UnixMillis;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// The client's view of a stored token.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ClientToken {
    /// The compact token, exactly as the app passed it.
    pub raw: String,
    /// `exp` in milliseconds, when the payload has an integer `exp`.
    pub exp_ms: Option<UnixMillis>,
}

impl ClientToken {
    /// Reads `exp` from `raw` without verifying anything.
    pub fn parse(raw: &str) -> Self {
        Self { raw: raw.to_owned(), exp_ms: unverified_exp_seconds(raw).and_then(|s| s.checked_mul(1000)) }
    }

    /// True once `now` has reached `exp` (PRE-005).
    pub fn is_expired(&self, now: UnixMillis) -> bool {
        self.exp_ms.is_some_and(|exp| now >= exp)
    }

    /// True when `now` is inside the window of `lead_ms` before `exp` and not expired.
    pub fn is_expiring_soon(&self, now: UnixMillis, lead_ms: u64) -> bool {
        self.exp_ms.is_some_and(|exp| now >= exp.saturating_sub(lead_ms) && now < exp)
    }
}

/// The payload's integer `exp`, in seconds, if the token has one the client can read.
pub fn unverified_exp_seconds(raw: &str) -> Option<u64> {
    let mut parts = raw.split('.');
    let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    // LIFE-011: three base64url parts, or the client reads nothing (`Bearer eyJ...`, with
    // its space, is not a token the client can read).
    if parts.next().is_some()
        || header.is_empty()
        || ![header, payload, signature].iter().all(|p| is_base64url(p))
    {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let claims: ExpClaim = serde_json::from_slice(&bytes).ok()?;
    claims.0?.as_u64()
}

/// The `exp` member of a JSON object (the last one, when the object repeats it), read
/// without building the other members: every request of a trace is timed by it, on both
/// sides of the suite.
struct ExpClaim(Option<serde_json::Value>);

impl<'de> Deserialize<'de> for ExpClaim {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ExpClaimVisitor)
    }
}

struct ExpClaimVisitor;

impl<'de> serde::de::Visitor<'de> for ExpClaimVisitor {
    type Value = ExpClaim;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object of claims")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<ExpClaim, A::Error> {
        let mut exp = None;
        while let Some(IsExp(is_exp)) = map.next_key()? {
            if is_exp {
                exp = Some(map.next_value::<serde_json::Value>()?);
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(ExpClaim(exp))
    }
}

/// Whether a member's name is `exp`, decided without allocating it.
struct IsExp(bool);

impl<'de> Deserialize<'de> for IsExp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(IsExpVisitor)
    }
}

struct IsExpVisitor;

impl serde::de::Visitor<'_> for IsExpVisitor {
    type Value = IsExp;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<IsExp, E> {
        Ok(IsExp(name == "exp"))
    }
}

fn is_base64url(part: &str) -> bool {
    part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token_with_payload(payload: &str) -> String {
        format!("eyJhbGciOiJIUzI1NiJ9.{}.c2ln", URL_SAFE_NO_PAD.encode(payload))
    }

    #[test]
    fn reads_integer_exp_in_milliseconds() {
        let t = ClientToken::parse(&token_with_payload(r#"{"exp":1700000000}"#));
        assert_eq!(t.exp_ms, Some(1_700_000_000_000));
        assert!(!t.is_expired(1_699_999_999_999));
        assert!(t.is_expired(1_700_000_000_000));
        assert!(t.is_expiring_soon(1_700_000_000_000 - 60_000, 60_000));
        assert!(!t.is_expiring_soon(1_700_000_000_000 - 60_001, 60_000));
    }

    #[test]
    fn exp_is_read_among_other_claims_the_last_one_winning() {
        let payload = r#"{"sub":"a\"b","nested":{"exp":1},"list":[1,{"x":null}],"exp":1700000000}"#;
        assert_eq!(unverified_exp_seconds(&token_with_payload(payload)), Some(1_700_000_000));
        let twice = r#"{"exp":1,"exp":1700000000}"#;
        assert_eq!(unverified_exp_seconds(&token_with_payload(twice)), Some(1_700_000_000));
        let escaped_name = r#"{"\u0065xp":1700000000}"#;
        assert_eq!(unverified_exp_seconds(&token_with_payload(escaped_name)), Some(1_700_000_000));
        for not_an_object in [r#"[1]"#, r#""exp""#, r#"{"exp":1"#, r#"{"exp":1.5}"#, r#"{"exp":-1}"#] {
            assert_eq!(unverified_exp_seconds(&token_with_payload(not_an_object)), None, "{not_an_object}");
        }
    }

    #[test]
    fn unreadable_tokens_have_no_expiry() {
        for raw in [
            "",
            "abc",
            "a.b",
            "a.b.c.d",
            &token_with_payload("[1]"),
            &token_with_payload(r#"{"exp":"1"}"#),
            &token_with_payload(r#"{"exp":1.5}"#),
            &token_with_payload(r#"{"sub":"x"}"#),
            &format!("Bearer {}", token_with_payload(r#"{"exp":1700000000}"#)),
            &token_with_payload(r#"{"exp":-1}"#),
            &format!(".{}.c2ln", URL_SAFE_NO_PAD.encode(r#"{"exp":1700000000}"#)),
        ] {
            let t = ClientToken::parse(raw);
            assert_eq!(t.exp_ms, None, "{raw}");
            assert!(!t.is_expired(u64::MAX));
        }
    }
}
