//! Minting and validating each profile's tokens: the backend side of jwt-lifecycle.
//!
//! - [`keyring`]: named HMAC keys selected by `kid`, bound to their algorithms.
//! - [`mint`]: tokens per profile, made with `jsonwebtoken`.
//! - [`validator`]: the fast, strict validator; one per profile and ring.
//! - [`reason`]: the decision, the rejection reasons, their HTTP status and vendor codes.
//! - [`claims`]: the claims the profiles read.
//! - [`request`]: the identity a request is made for.
//!
//! ```
//! use jwt_lifecycle_token::{Claims, KeyRing, Minter, RequestIdentity, Validator};
//! use jwt_lifecycle_spec::{CustomerIds, ProfileId};
//!
//! let profile = ProfileId::ExponeaStream.profile();
//! let mut ring = KeyRing::new();
//! ring.add_fitting(Some("k1"), &[7u8; 32], &profile.claims.algorithms).unwrap();
//! let ids = CustomerIds::single("registered", "alice");
//! let now = 1_700_000_000;
//! let token = Minter::new(&profile, ring.clone())
//!     .mint(Some("k1"), None, &Claims::exponea(ids.clone(), now + 3600), now)
//!     .unwrap();
//! let validator = Validator::new(&profile, ring).unwrap();
//! let decision = validator.validate(&token, &RequestIdentity::ids(ids), now);
//! assert_eq!(decision.status(), 200);
//! ```

pub mod claims;
pub mod keyring;
pub mod mint;
pub mod reason;
pub mod request;
mod strict_json;
pub mod validator;

pub use claims::{Claims, VerifiedToken};
pub use keyring::{KeyRing, KeyRingError, RingKey};
pub use mint::{sign_raw, MintError, Minter};
pub use reason::{Decision, Part, RejectReason, Rejection, TokenError};
pub use request::RequestIdentity;
pub use strict_json::NUMERIC_DATE_LIMIT;
pub use validator::{Validator, ValidatorError, VerifiedJws};
