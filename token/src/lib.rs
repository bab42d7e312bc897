//! Minting and validating each profile's tokens: the backend side of jwt-lifecycle.
//!
//! - [`keyring`]: named keys selected by `kid`: HMAC secrets and RSA keys, each bound to
//!   its algorithms and checked for size when the ring is built.
//! - [`mint`]: tokens per profile, made with `jsonwebtoken`, refused when the profile's
//!   validator would refuse them.
//! - [`validator`]: the fast, strict validator; one per profile and ring.
//! - [`reason`]: the decision, the rejection reasons, their HTTP status and vendor codes.
//! - [`claims`]: the claims the profiles read.
//! - [`request`]: the identity a request is made for.
//!
//! Private helpers: a strict base64url decoder; HMAC-SHA256 from each key's precomputed
//! inner and outer hash states; a small JSON reader for the common shape
//! of headers and claims, backed for anything else by strict serde visitors that reject
//! repeated members at every depth; and a per-thread cache of header encodings recently
//! seen to pass a validator's checks.
//!
//! ```
//! use jwt_lifecycle_token::{KeyRing, Minter, RequestIdentity, Validator};
//! use jwt_lifecycle_spec::{CustomerIds, ProfileId};
//!
//! let profile = ProfileId::ExponeaStream.profile();
//! let mut ring = KeyRing::new();
//! ring.add_fitting(Some("k1"), &[7u8; 32], &profile.claims.algorithms).unwrap();
//! let request = RequestIdentity::ids(CustomerIds::single("registered", "alice"));
//! let now = 1_700_000_000;
//! let minter = Minter::new(&profile, ring.clone()).unwrap();
//! let mut claims = minter.claims_for(&request).unwrap();
//! claims.exp = Some(now + 3600);
//! let token = minter.mint(Some("k1"), None, &claims, now).unwrap();
//! let validator = Validator::new(&profile, ring).unwrap();
//! assert_eq!(validator.validate(&token, &request, now).status(), 200);
//! ```

mod b64;
pub mod claims;
mod fast_json;
mod hs256;
pub mod keyring;
pub mod mint;
pub mod reason;
pub mod request;
mod seen_headers;
mod strict_json;
pub mod validator;

pub use claims::{Claims, UnknownClaim, VerifiedToken};
pub use keyring::{KeyRing, KeyRingError, RingKey, MIN_RSA_BITS};
pub use mint::{sign_exact, sign_raw, MintError, Minter, SignError};
pub use reason::{Decision, Part, RejectReason, Rejection, TokenError};
pub use request::RequestIdentity;
pub use strict_json::NUMERIC_DATE_LIMIT;
pub use validator::{Validator, ValidatorError, VerifiedJws};
