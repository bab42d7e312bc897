//! What a validator hands back for an accepted token: the verified header fields and the
//! claims the profiles read, parsed once from the payload.

use jwt_lifecycle_spec::alphabet::CustomerIds;
use jwt_lifecycle_spec::profile::HmacAlgorithm;
use serde::{Deserialize, Serialize};

/// An accepted token's verified header and claims.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedToken {
    /// The algorithm it was verified with.
    pub alg: Option<HmacAlgorithm>,
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
        KnownClaim::ALL.into_iter().find(|c| c.name() == name)
    }

    pub(crate) fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

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
