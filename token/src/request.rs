//! The identity a request is made for, which a token must cover.

use jwt_lifecycle_spec::alphabet::CustomerIds;
use jwt_lifecycle_spec::profile::Profile;

/// What the server knows about the request a token came with.
///
/// `customer_ids` follows the alphabet's convention: Exponea's whole `ids` map; a single
/// identifier under the profile's `identifier_key` elsewhere (`identifier` for MoEngage,
/// `userId` for Khoros and Webex Connect).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestIdentity {
    /// The customer the request is made for.
    pub customer_ids: CustomerIds,
    /// Webex Connect: the app asset's id (CLAIM-010).
    pub app_id: Option<String>,
    /// Webex Connect: the customer profile being linked or unlinked; `Some` only on link
    /// and unlink requests, the only ones where `customerId` is compared (CLAIM-012).
    pub link_customer_id: Option<String>,
}

impl RequestIdentity {
    /// A request for a customer known by an `ids` map (Exponea).
    pub fn ids(customer_ids: CustomerIds) -> Self {
        Self { customer_ids, ..Self::default() }
    }

    /// A request for a customer known by one identifier, stored under the profile's
    /// identifier key (MoEngage, Khoros, Webex Connect).
    pub fn identifier(profile: &Profile, identifier: &str) -> Self {
        Self { customer_ids: profile.identity_for(identifier), ..Self::default() }
    }

    /// Sets the Webex Connect app id.
    pub fn with_app_id(mut self, app_id: impl Into<String>) -> Self {
        self.app_id = Some(app_id.into());
        self
    }

    /// Marks the request as a link/unlink of this customer profile (Webex Connect).
    pub fn linking(mut self, customer_id: impl Into<String>) -> Self {
        self.link_customer_id = Some(customer_id.into());
        self
    }

    /// The single identifier under `key`, if the request has one.
    pub fn single(&self, key: &str) -> Option<&str> {
        self.customer_ids.0.get(key).map(String::as_str)
    }
}
