//! Why a token is rejected, what the server answers, and the decision a validator returns.
//!
//! [`RejectReason`] is the stable, machine-readable reason (snake_case on the wire and on
//! the command line); [`TokenError`] carries the details and a message that says what to
//! fix. The HTTP status follows VALID-009: a token that is missing, broken, badly signed
//! or out of its time window is answered 401; a good token that does not cover the
//! request (identity, app or scope) is answered 403.

use crate::claims::VerifiedToken;
use jwt_lifecycle_spec::alphabet::Reason;
use jwt_lifecycle_spec::profile::JwsAlgorithm;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The reason a token is rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// No token at all (empty, or no `Authorization` header).
    NotProvided,
    /// The token is longer than the profile's limit (VALID-004).
    TokenTooLarge,
    /// Not three base64url parts, not UTF-8 JSON objects, or a member of the wrong JSON
    /// shape in the header (VALID-005).
    Malformed,
    /// A header or payload object repeats a member name (VALID-005).
    DuplicateMember,
    /// The header carries `crit` (VALID-003).
    CritNotSupported,
    /// `alg` is not one the profile and the selected key allow (VALID-001), including an
    /// algorithm of the other kind of key than the one `kid` selects (RFC 8725 §2.1).
    AlgorithmNotAllowed,
    /// `alg` is allowed by the profile, but the selected key is shorter than that
    /// algorithm's hash (CLAIM-016).
    KeyTooShort,
    /// `kid` names no key in the ring (VALID-002).
    UnknownKid,
    /// The token has no `kid` and the profile requires one, or the ring has no default key.
    MissingKid,
    /// The header's `typ` is not `JWT`, or is missing where the profile requires it.
    WrongType,
    /// The signature does not verify with the selected key.
    InvalidSignature,
    /// `exp`, `nbf` or `iat` is not an integer in `0..2^53` (VALID-006).
    InvalidNumericDate,
    /// A claim the profile reads has the wrong JSON type (e.g. `ids` not an object of strings).
    InvalidClaim,
    /// A claim the profile requires is absent.
    MissingClaim,
    /// `exp` has passed.
    Expired,
    /// `nbf` is still ahead.
    NotYetValid,
    /// `iat` is ahead of the time of validation (CLAIM-007).
    IssuedInFuture,
    /// `exp` is further ahead than the profile's maximum lifetime (CLAIM-004).
    LifetimeTooLong,
    /// A claim the profile binds to the request's identity does not match it (CLAIM-003,
    /// CLAIM-006, CLAIM-011, CLAIM-012, CLAIM-015).
    IdentityMismatch,
    /// The claim the profile compares with the app's id does not match it (Webex
    /// Connect's `appId`, CLAIM-010).
    AppIdMismatch,
    /// A claim with a fixed value has another one (Khoros' `scope` must be `appUser`,
    /// CLAIM-006).
    ScopeInsufficient,
}

impl RejectReason {
    /// Every reason, in declaration order.
    pub const ALL: [RejectReason; 21] = [
        RejectReason::NotProvided,
        RejectReason::TokenTooLarge,
        RejectReason::Malformed,
        RejectReason::DuplicateMember,
        RejectReason::CritNotSupported,
        RejectReason::AlgorithmNotAllowed,
        RejectReason::KeyTooShort,
        RejectReason::UnknownKid,
        RejectReason::MissingKid,
        RejectReason::WrongType,
        RejectReason::InvalidSignature,
        RejectReason::InvalidNumericDate,
        RejectReason::InvalidClaim,
        RejectReason::MissingClaim,
        RejectReason::Expired,
        RejectReason::NotYetValid,
        RejectReason::IssuedInFuture,
        RejectReason::LifetimeTooLong,
        RejectReason::IdentityMismatch,
        RejectReason::AppIdMismatch,
        RejectReason::ScopeInsufficient,
    ];

    /// The snake_case name used in JSON output and data files.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::NotProvided => "not_provided",
            RejectReason::TokenTooLarge => "token_too_large",
            RejectReason::Malformed => "malformed",
            RejectReason::DuplicateMember => "duplicate_member",
            RejectReason::CritNotSupported => "crit_not_supported",
            RejectReason::AlgorithmNotAllowed => "algorithm_not_allowed",
            RejectReason::KeyTooShort => "key_too_short",
            RejectReason::UnknownKid => "unknown_kid",
            RejectReason::MissingKid => "missing_kid",
            RejectReason::WrongType => "wrong_type",
            RejectReason::InvalidSignature => "invalid_signature",
            RejectReason::InvalidNumericDate => "invalid_numeric_date",
            RejectReason::InvalidClaim => "invalid_claim",
            RejectReason::MissingClaim => "missing_claim",
            RejectReason::Expired => "expired",
            RejectReason::NotYetValid => "not_yet_valid",
            RejectReason::IssuedInFuture => "issued_in_future",
            RejectReason::LifetimeTooLong => "lifetime_too_long",
            RejectReason::IdentityMismatch => "identity_mismatch",
            RejectReason::AppIdMismatch => "app_id_mismatch",
            RejectReason::ScopeInsufficient => "scope_insufficient",
        }
    }

    /// The HTTP status the server answers (VALID-009): 403 for a valid token that does
    /// not cover the request, 401 for everything else.
    pub fn status(self) -> u16 {
        match self {
            RejectReason::IdentityMismatch
            | RejectReason::AppIdMismatch
            | RejectReason::ScopeInsufficient => 403,
            _ => 401,
        }
    }

    /// The SDK-side reason this rejection corresponds to, used to look up a profile's
    /// vendor code (NOTIFY-005: Webex TokenRequired 39, TokenExpired 40, TokenInvalid 38).
    pub fn sdk_reason(self) -> Reason {
        match self {
            RejectReason::NotProvided => Reason::NotProvided,
            RejectReason::Expired => Reason::Expired,
            _ => Reason::Invalid,
        }
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parse of an unknown reason name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown rejection reason `{0}`")]
pub struct UnknownReason(pub String);

impl std::str::FromStr for RejectReason {
    type Err = UnknownReason;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RejectReason::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| UnknownReason(s.to_owned()))
    }
}

/// Which part of a compact token something is wrong with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    /// The JOSE header (first part).
    Header,
    /// The claims (second part).
    Payload,
    /// The signature (third part).
    Signature,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Part::Header => "header",
            Part::Payload => "payload",
            Part::Signature => "signature",
        })
    }
}

/// A rejection with its details; the message says what to fix.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// See [`RejectReason::NotProvided`].
    #[error("no token was provided: send `Authorization: Bearer <token>`")]
    NotProvided,
    /// See [`RejectReason::TokenTooLarge`].
    #[error("the token is {len} bytes, over the profile's limit of {max}: keep claims small")]
    TokenTooLarge {
        /// The token's length.
        len: usize,
        /// The profile's limit.
        max: usize,
    },
    /// See [`RejectReason::Malformed`].
    #[error("malformed token: {detail}")]
    Malformed {
        /// What is wrong.
        detail: String,
    },
    /// See [`RejectReason::DuplicateMember`].
    #[error("the {part} repeats the member `{name}`: each JSON member name may appear once")]
    DuplicateMember {
        /// Header or payload.
        part: Part,
        /// The repeated name.
        name: String,
    },
    /// See [`RejectReason::CritNotSupported`].
    #[error("the header carries `crit`: no extension is understood here, mint without `crit`")]
    CritNotSupported,
    /// See [`RejectReason::AlgorithmNotAllowed`].
    #[error("algorithm `{alg}` is not allowed here (allowed: {allowed}): mint with one of those")]
    AlgorithmNotAllowed {
        /// The header's `alg`.
        alg: String,
        /// The algorithms the profile and the key allow.
        allowed: String,
    },
    /// See [`RejectReason::KeyTooShort`].
    #[error("{alg} needs a key of at least {needed} bytes but the selected key has {len}: mint with a shorter hash or a longer key")]
    KeyTooShort {
        /// The header's `alg`.
        alg: JwsAlgorithm,
        /// The key's length.
        len: usize,
        /// The algorithm's minimum.
        needed: usize,
    },
    /// See [`RejectReason::UnknownKid`].
    #[error("`kid` {kid:?} names no key in the ring: mint with a configured key id")]
    UnknownKid {
        /// The header's `kid` (truncated to 64 characters).
        kid: String,
    },
    /// See [`RejectReason::MissingKid`].
    #[error("the token has no `kid` and {why}: put the signing key's id in the header")]
    MissingKid {
        /// Why a `kid` is needed.
        why: &'static str,
    },
    /// See [`RejectReason::WrongType`].
    #[error("header `typ` {found}: the profile expects `typ: JWT`")]
    WrongType {
        /// What was found.
        found: String,
    },
    /// See [`RejectReason::InvalidSignature`].
    #[error("the signature does not verify ({detail}): the token was altered or signed with another key")]
    InvalidSignature {
        /// Why.
        detail: &'static str,
    },
    /// See [`RejectReason::InvalidNumericDate`].
    #[error("`{claim}` is {found}: a NumericDate must be an integer number of seconds in 0..2^53")]
    InvalidNumericDate {
        /// The claim.
        claim: &'static str,
        /// What it was instead.
        found: &'static str,
    },
    /// See [`RejectReason::InvalidClaim`].
    #[error("`{claim}` must be {expected}")]
    InvalidClaim {
        /// The claim.
        claim: &'static str,
        /// What its type must be.
        expected: &'static str,
    },
    /// See [`RejectReason::MissingClaim`].
    #[error("the token lacks the required claim `{claim}`")]
    MissingClaim {
        /// The claim.
        claim: &'static str,
    },
    /// See [`RejectReason::Expired`].
    #[error("the token expired at {exp} (now {now}, leeway {leeway_s} s): mint a new one")]
    Expired {
        /// The token's `exp`.
        exp: u64,
        /// The time of validation.
        now: u64,
        /// The profile's leeway.
        leeway_s: u64,
    },
    /// See [`RejectReason::NotYetValid`].
    #[error("the token is not valid before {nbf} (now {now}, leeway {leeway_s} s)")]
    NotYetValid {
        /// The token's `nbf`.
        nbf: u64,
        /// The time of validation.
        now: u64,
        /// The profile's leeway.
        leeway_s: u64,
    },
    /// See [`RejectReason::IssuedInFuture`].
    #[error("`iat` {iat} is after now ({now}, leeway {leeway_s} s): `iat` is in seconds, not milliseconds")]
    IssuedInFuture {
        /// The token's `iat`.
        iat: u64,
        /// The time of validation.
        now: u64,
        /// The profile's leeway.
        leeway_s: u64,
    },
    /// See [`RejectReason::LifetimeTooLong`].
    #[error("`exp` {exp} is {ahead_s} s ahead, over the profile's maximum of {max_s} s: mint a shorter-lived token")]
    LifetimeTooLong {
        /// The token's `exp`.
        exp: u64,
        /// How far ahead of now.
        ahead_s: u64,
        /// The profile's maximum.
        max_s: u64,
    },
    /// See [`RejectReason::IdentityMismatch`].
    #[error("the token's `{claim}` does not match the request's identity ({detail})")]
    IdentityMismatch {
        /// The claim compared.
        claim: &'static str,
        /// Token value vs request value.
        detail: String,
    },
    /// See [`RejectReason::AppIdMismatch`].
    #[error("the token's `{claim}` {token:?} is not this app's id {expected:?}")]
    AppIdMismatch {
        /// The claim compared.
        claim: &'static str,
        /// The token's value.
        token: String,
        /// The app's id (empty when the request names none).
        expected: String,
    },
    /// See [`RejectReason::ScopeInsufficient`].
    #[error("the token's `{claim}` is {found:?}; only {expected:?} is accepted")]
    ScopeInsufficient {
        /// The claim.
        claim: &'static str,
        /// The token's value (empty when it has none).
        found: String,
        /// The only value accepted.
        expected: String,
    },
}

impl TokenError {
    /// The machine-readable reason.
    pub fn reason(&self) -> RejectReason {
        match self {
            TokenError::NotProvided => RejectReason::NotProvided,
            TokenError::TokenTooLarge { .. } => RejectReason::TokenTooLarge,
            TokenError::Malformed { .. } => RejectReason::Malformed,
            TokenError::DuplicateMember { .. } => RejectReason::DuplicateMember,
            TokenError::CritNotSupported => RejectReason::CritNotSupported,
            TokenError::AlgorithmNotAllowed { .. } => RejectReason::AlgorithmNotAllowed,
            TokenError::KeyTooShort { .. } => RejectReason::KeyTooShort,
            TokenError::UnknownKid { .. } => RejectReason::UnknownKid,
            TokenError::MissingKid { .. } => RejectReason::MissingKid,
            TokenError::WrongType { .. } => RejectReason::WrongType,
            TokenError::InvalidSignature { .. } => RejectReason::InvalidSignature,
            TokenError::InvalidNumericDate { .. } => RejectReason::InvalidNumericDate,
            TokenError::InvalidClaim { .. } => RejectReason::InvalidClaim,
            TokenError::MissingClaim { .. } => RejectReason::MissingClaim,
            TokenError::Expired { .. } => RejectReason::Expired,
            TokenError::NotYetValid { .. } => RejectReason::NotYetValid,
            TokenError::IssuedInFuture { .. } => RejectReason::IssuedInFuture,
            TokenError::LifetimeTooLong { .. } => RejectReason::LifetimeTooLong,
            TokenError::IdentityMismatch { .. } => RejectReason::IdentityMismatch,
            TokenError::AppIdMismatch { .. } => RejectReason::AppIdMismatch,
            TokenError::ScopeInsufficient { .. } => RejectReason::ScopeInsufficient,
        }
    }

    pub(crate) fn malformed(detail: impl Into<String>) -> Self {
        TokenError::Malformed { detail: detail.into() }
    }
}

/// A rejected token: the error, and the vendor code the profile maps it to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// What is wrong, with details.
    pub error: TokenError,
    /// The profile's vendor error code (Webex Connect), if it defines one.
    pub code: Option<i64>,
}

impl Rejection {
    /// The machine-readable reason.
    pub fn reason(&self) -> RejectReason {
        self.error.reason()
    }
}

/// What a validator decides about one token.
// Not boxed: an accepted token is the common case, and a box is one more allocation per request.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The token is valid for the request; the verified header and claims.
    Accepted(VerifiedToken),
    /// The token is rejected.
    Rejected(Rejection),
}

impl Decision {
    /// True when accepted.
    pub fn is_accepted(&self) -> bool {
        matches!(self, Decision::Accepted(_))
    }

    /// The rejection reason, `None` when accepted.
    pub fn reason(&self) -> Option<RejectReason> {
        match self {
            Decision::Accepted(_) => None,
            Decision::Rejected(r) => Some(r.reason()),
        }
    }

    /// The HTTP status the server answers: 200, or 401/403 per VALID-009.
    pub fn status(&self) -> u16 {
        match self {
            Decision::Accepted(_) => 200,
            Decision::Rejected(r) => r.reason().status(),
        }
    }

    /// The vendor error code (Webex Connect 38/39/40 per NOTIFY-005); `None` when
    /// accepted or when the profile defines no codes.
    pub fn vendor_code(&self) -> Option<i64> {
        match self {
            Decision::Accepted(_) => None,
            Decision::Rejected(r) => r.code,
        }
    }

    /// The verified token, when accepted.
    pub fn accepted(&self) -> Option<&VerifiedToken> {
        match self {
            Decision::Accepted(t) => Some(t),
            Decision::Rejected(_) => None,
        }
    }

    /// The rejection, when rejected.
    pub fn rejection(&self) -> Option<&Rejection> {
        match self {
            Decision::Accepted(_) => None,
            Decision::Rejected(r) => Some(r),
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decision::Accepted(_) => f.write_str("accepted (200)"),
            Decision::Rejected(r) => {
                write!(f, "rejected: {} ({}", r.reason(), r.reason().status())?;
                if let Some(code) = r.code {
                    write!(f, ", code {code}")?;
                }
                write!(f, "): {}", r.error)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_names_are_snake_case_and_agree_with_serde_and_from_str() {
        for r in RejectReason::ALL {
            let name = r.as_str();
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{name}");
            assert_eq!(serde_json::to_string(&r).ok(), Some(format!("\"{name}\"")));
            assert_eq!(name.parse::<RejectReason>(), Ok(r));
        }
        assert!("expired_soon".parse::<RejectReason>().is_err());
    }

    #[test]
    fn only_tokens_that_do_not_cover_the_request_are_403() {
        let forbidden: Vec<RejectReason> =
            RejectReason::ALL.into_iter().filter(|r| r.status() == 403).collect();
        assert_eq!(
            forbidden,
            vec![
                RejectReason::IdentityMismatch,
                RejectReason::AppIdMismatch,
                RejectReason::ScopeInsufficient
            ]
        );
        assert!(RejectReason::ALL.into_iter().all(|r| matches!(r.status(), 401 | 403)));
    }
}
