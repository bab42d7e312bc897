//! What a validator hands back for an accepted token: the verified header fields and the
//! claims the profiles read, parsed once from the payload.

use jwt_lifecycle_spec::alphabet::CustomerIds;
use jwt_lifecycle_spec::profile::JwsAlgorithm;
use serde::{Deserialize, Serialize};

/// An accepted token's verified header and claims.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedToken {
    /// The algorithm it was verified with.
    pub alg: Option<JwsAlgorithm>,
    /// The header's `kid`, if any.
    pub kid: Option<String>,
    /// The claims.
    pub claims: Claims,
}

/// The claims any profile reads, for minting and as verified. Claims no profile reads
/// are checked for duplicate
/// member names by the validator and otherwise skipped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// `exp`, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<u64>,
    /// `nbf`, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    /// `iat`, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    /// Exponea's `ids` map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ids: Option<CustomerIds>,
    /// `sub` (MoEngage's identifier).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// `userId` (Khoros, Webex Connect).
    #[serde(default, rename = "userId", skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// `scope` (Khoros).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// `platform` (Khoros, informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// `givenName` (Khoros, informational).
    #[serde(default, rename = "givenName", skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// `appId` (Webex Connect).
    #[serde(default, rename = "appId", skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// `customerId` (Webex Connect).
    #[serde(default, rename = "customerId", skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
}

/// The JSON shape of a claim the validator reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClaimKind {
    /// An integer number of seconds in `0..2^53` (VALID-006).
    NumericDate,
    /// A string.
    Text,
    /// An object of strings (Exponea's `ids`).
    Ids,
}

/// A claim name the validator knows, with its bit in a presence mask.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KnownClaim {
    Exp = 0,
    Nbf = 1,
    Iat = 2,
    Ids = 3,
    Sub = 4,
    UserId = 5,
    Scope = 6,
    Platform = 7,
    GivenName = 8,
    AppId = 9,
    CustomerId = 10,
}

impl KnownClaim {
    pub(crate) const ALL: [KnownClaim; 11] = [
        KnownClaim::Exp,
        KnownClaim::Nbf,
        KnownClaim::Iat,
        KnownClaim::Ids,
        KnownClaim::Sub,
        KnownClaim::UserId,
        KnownClaim::Scope,
        KnownClaim::Platform,
        KnownClaim::GivenName,
        KnownClaim::AppId,
        KnownClaim::CustomerId,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            KnownClaim::Exp => "exp",
            KnownClaim::Nbf => "nbf",
            KnownClaim::Iat => "iat",
            KnownClaim::Ids => "ids",
            KnownClaim::Sub => "sub",
            KnownClaim::UserId => "userId",
            KnownClaim::Scope => "scope",
            KnownClaim::Platform => "platform",
            KnownClaim::GivenName => "givenName",
            KnownClaim::AppId => "appId",
            KnownClaim::CustomerId => "customerId",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<KnownClaim> {
        Some(match name {
            "exp" => KnownClaim::Exp,
            "nbf" => KnownClaim::Nbf,
            "iat" => KnownClaim::Iat,
            "ids" => KnownClaim::Ids,
            "sub" => KnownClaim::Sub,
            "userId" => KnownClaim::UserId,
            "scope" => KnownClaim::Scope,
            "platform" => KnownClaim::Platform,
            "givenName" => KnownClaim::GivenName,
            "appId" => KnownClaim::AppId,
            "customerId" => KnownClaim::CustomerId,
            _ => return None,
        })
    }

    pub(crate) fn kind(self) -> ClaimKind {
        match self {
            KnownClaim::Exp | KnownClaim::Nbf | KnownClaim::Iat => ClaimKind::NumericDate,
            KnownClaim::Ids => ClaimKind::Ids,
            _ => ClaimKind::Text,
        }
    }

    pub(crate) fn bit(self) -> u16 {
        1 << (self as u16)
    }

    fn text_slot(self, claims: &mut Claims) -> Option<&mut Option<String>> {
        match self {
            KnownClaim::Sub => Some(&mut claims.sub),
            KnownClaim::UserId => Some(&mut claims.user_id),
            KnownClaim::Scope => Some(&mut claims.scope),
            KnownClaim::Platform => Some(&mut claims.platform),
            KnownClaim::GivenName => Some(&mut claims.given_name),
            KnownClaim::AppId => Some(&mut claims.app_id),
            KnownClaim::CustomerId => Some(&mut claims.customer_id),
            _ => None,
        }
    }

    /// The value of a string claim.
    pub(crate) fn text(self, claims: &Claims) -> Option<&str> {
        match self {
            KnownClaim::Sub => claims.sub.as_deref(),
            KnownClaim::UserId => claims.user_id.as_deref(),
            KnownClaim::Scope => claims.scope.as_deref(),
            KnownClaim::Platform => claims.platform.as_deref(),
            KnownClaim::GivenName => claims.given_name.as_deref(),
            KnownClaim::AppId => claims.app_id.as_deref(),
            KnownClaim::CustomerId => claims.customer_id.as_deref(),
            _ => None,
        }
    }

    /// Sets a string claim (a claim of another kind is left alone).
    pub(crate) fn set_text(self, claims: &mut Claims, value: String) {
        if let Some(slot) = self.text_slot(claims) {
            *slot = Some(value);
        }
    }

    /// The value of a NumericDate claim.
    pub(crate) fn numeric_date(self, claims: &Claims) -> Option<u64> {
        match self {
            KnownClaim::Exp => claims.exp,
            KnownClaim::Nbf => claims.nbf,
            KnownClaim::Iat => claims.iat,
            _ => None,
        }
    }

    /// Sets a NumericDate claim (a claim of another kind is left alone).
    pub(crate) fn set_numeric_date(self, claims: &mut Claims, value: u64) {
        match self {
            KnownClaim::Exp => claims.exp = Some(value),
            KnownClaim::Nbf => claims.nbf = Some(value),
            KnownClaim::Iat => claims.iat = Some(value),
            _ => {}
        }
    }
}

/// A claim name no profile reads, given to a generic setter.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a claim any profile reads (known: exp, nbf, iat, ids, sub, userId, scope, platform, givenName, appId, customerId)")]
pub struct UnknownClaim(pub String);

impl Claims {
    /// Exponea (CLAIM-003, CLAIM-004): the customer's `ids` map and `exp`.
    pub fn exponea(ids: CustomerIds, exp: u64) -> Self {
        Self { ids: Some(ids), exp: Some(exp), ..Self::default() }
    }

    /// MoEngage (CLAIM-015): `sub` = the identifier passed with the token, and `exp`.
    pub fn moengage(identifier: &str, exp: u64) -> Self {
        Self { sub: Some(identifier.to_owned()), exp: Some(exp), ..Self::default() }
    }

    /// Khoros (CLAIM-006, CLAIM-007): `userId`, `scope: appUser`, `platform`,
    /// `givenName` and `iat` in seconds.
    pub fn khoros(user_id: &str, given_name: &str, platform: &str, iat: u64) -> Self {
        Self {
            user_id: Some(user_id.to_owned()),
            scope: Some("appUser".to_owned()),
            platform: Some(platform.to_owned()),
            given_name: Some(given_name.to_owned()),
            iat: Some(iat),
            ..Self::default()
        }
    }

    /// Webex Connect (CLAIM-010..013): `appId`, optional `userId`, `customerId`, `exp`.
    pub fn webex(app_id: &str, user_id: Option<&str>, customer_id: Option<&str>, exp: Option<u64>) -> Self {
        Self {
            app_id: Some(app_id.to_owned()),
            user_id: user_id.map(str::to_owned),
            customer_id: customer_id.map(str::to_owned),
            exp,
            ..Self::default()
        }
    }

    /// The value of the string claim named `claim` (`sub`, `userId`, ...), if set.
    pub fn text(&self, claim: &str) -> Option<&str> {
        KnownClaim::from_name(claim).and_then(|c| c.text(self))
    }

    /// Sets the string claim named `claim`, for tools that build claims from a
    /// profile's data. Refused for a name that is not a string claim.
    pub fn set_text(&mut self, claim: &str, value: impl Into<String>) -> Result<(), UnknownClaim> {
        match KnownClaim::from_name(claim).filter(|c| c.kind() == ClaimKind::Text) {
            Some(c) => {
                c.set_text(self, value.into());
                Ok(())
            }
            None => Err(UnknownClaim(claim.to_owned())),
        }
    }

    /// Sets the NumericDate claim named `claim` (`exp`, `nbf`, `iat`). Refused for a
    /// name that is not a NumericDate claim.
    pub fn set_numeric_date(&mut self, claim: &str, seconds: u64) -> Result<(), UnknownClaim> {
        match KnownClaim::from_name(claim).filter(|c| c.kind() == ClaimKind::NumericDate) {
            Some(c) => {
                c.set_numeric_date(self, seconds);
                Ok(())
            }
            None => Err(UnknownClaim(claim.to_owned())),
        }
    }

    /// The presence mask of the known claims that are set.
    pub(crate) fn present_mask(&self) -> u16 {
        let set = [
            (KnownClaim::Exp, self.exp.is_some()),
            (KnownClaim::Nbf, self.nbf.is_some()),
            (KnownClaim::Iat, self.iat.is_some()),
            (KnownClaim::Ids, self.ids.is_some()),
            (KnownClaim::Sub, self.sub.is_some()),
            (KnownClaim::UserId, self.user_id.is_some()),
            (KnownClaim::Scope, self.scope.is_some()),
            (KnownClaim::Platform, self.platform.is_some()),
            (KnownClaim::GivenName, self.given_name.is_some()),
            (KnownClaim::AppId, self.app_id.is_some()),
            (KnownClaim::CustomerId, self.customer_id.is_some()),
        ];
        set.into_iter().filter(|(_, on)| *on).fold(0, |m, (c, _)| m | c.bit())
    }
}
