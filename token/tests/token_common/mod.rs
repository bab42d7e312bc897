//! Helpers shared by the token tests: the corpus key ring and default requests.
#![allow(dead_code)]

use jwt_lifecycle_spec::profile::{JwsAlgorithm, Profile};
use jwt_lifecycle_spec::{CustomerIds, ProfileId};
use jwt_lifecycle_token::{KeyRing, RequestIdentity, Validator};
use std::path::PathBuf;

pub(crate) const NOW: u64 = 1_700_000_000;
pub(crate) const ALL_ALGS: [JwsAlgorithm; 3] =
    [JwsAlgorithm::HS256, JwsAlgorithm::HS384, JwsAlgorithm::HS512];
pub(crate) const WEBEX_APP: &str = "TR21063826";

pub(crate) fn main_key() -> Vec<u8> {
    (0u8..64).collect()
}
pub(crate) fn short_key() -> Vec<u8> {
    (100u8..132).collect()
}
pub(crate) fn default_key() -> Vec<u8> {
    (200u8..232).collect()
}

/// The ring of token/tests/data/hostile/README.md.
pub(crate) fn corpus_ring() -> KeyRing {
    let mut ring = KeyRing::new();
    ring.add_fitting(Some("main"), &main_key(), &ALL_ALGS).unwrap();
    ring.add_fitting(Some("short"), &short_key(), &ALL_ALGS).unwrap();
    ring.add_fitting(None, &default_key(), &ALL_ALGS).unwrap();
    ring
}

/// The corpus ring plus `rsa`: the public key of `data/rsa/private.pem`, for RS256.
pub(crate) fn corpus_ring_with_rsa() -> KeyRing {
    let mut ring = corpus_ring();
    ring.add_rsa_public_pem(Some("rsa"), &rsa_pem("public.pem"), &[JwsAlgorithm::RS256]).unwrap();
    ring
}

/// A PEM file of `data/rsa/`.
pub(crate) fn rsa_pem(name: &str) -> String {
    std::fs::read_to_string(data_dir().join("rsa").join(name)).unwrap()
}

/// True for a profile that accepts RS256 only (braze-web): its tokens are signed with the
/// RSA pair of `data/rsa/`, under kid `rsa`.
pub(crate) fn rsa_only(profile: ProfileId) -> bool {
    profile.profile().claims.algorithms == [JwsAlgorithm::RS256]
}

/// The ring a profile's test tokens are minted with: the corpus ring, or for an RS256-only
/// profile the private key of `data/rsa/`.
pub(crate) fn minting_ring(profile: ProfileId) -> KeyRing {
    if !rsa_only(profile) {
        return corpus_ring();
    }
    let mut ring = KeyRing::new();
    ring.add_rsa_private_pem(Some("rsa"), &rsa_pem("private.pem"), &[JwsAlgorithm::RS256]).unwrap();
    ring
}

/// The kid a profile's good test token is minted under.
pub(crate) fn main_kid(profile: ProfileId) -> &'static str {
    if rsa_only(profile) {
        "rsa"
    } else {
        "main"
    }
}

pub(crate) fn validator(profile: ProfileId) -> Validator {
    if rsa_only(profile) {
        let mut ring = KeyRing::new();
        ring.add_rsa_public_pem(Some("rsa"), &rsa_pem("public.pem"), &[JwsAlgorithm::RS256]).unwrap();
        return Validator::new(&profile.profile(), ring).unwrap();
    }
    Validator::new(&profile.profile(), corpus_ring()).unwrap()
}

/// The request the corpus validates against by default.
pub(crate) fn default_request(profile: &Profile) -> RequestIdentity {
    match profile.id {
        ProfileId::ExponeaStream => RequestIdentity::ids(CustomerIds::single("registered", "alice")),
        ProfileId::WebexConnect => RequestIdentity::identifier(profile, "alice").with_app_id(WEBEX_APP),
        _ => RequestIdentity::identifier(profile, "alice"),
    }
}

pub(crate) fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("data")
}
