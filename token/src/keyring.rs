//! Named HMAC keys, selected by `kid`, each bound to the algorithms it was made for.
//!
//! The keyed HMAC state of every key and algorithm is computed once when the key is
//! added, so verifying a token clones a prototype instead of re-hashing the key.
//! Lengths are enforced here (CLAIM-014, CLAIM-016): a key shorter than the hash of an
//! algorithm it is listed for is refused when the ring is built, not when a token arrives.

use hmac::{Hmac, Mac};
use jwt_lifecycle_spec::profile::HmacAlgorithm;
use sha2::{Sha256, Sha384, Sha512};
use std::fmt;

/// Why a key cannot join a ring.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyRingError {
    /// The key is shorter than an algorithm it is listed for needs.
    #[error("key {kid} is {len} bytes but {alg:?} needs at least {needed} (RFC 8725 §3.5): use a key of {needed}+ random bytes or drop {alg:?}")]
    KeyTooShort {
        /// The key's name (`(default)` for the default key).
        kid: String,
        /// The key's length.
        len: usize,
        /// The algorithm.
        alg: HmacAlgorithm,
        /// Its minimum.
        needed: usize,
    },
    /// The key is shorter than every algorithm offered.
    #[error("key {kid} is {len} bytes, shorter than any allowed algorithm needs (at least {needed}): use a key of {needed}+ random bytes")]
    TooShortForAny {
        /// The key's name.
        kid: String,
        /// The key's length.
        len: usize,
        /// The shortest length that would do.
        needed: usize,
    },
    /// Two keys share a `kid`.
    #[error("key id {0:?} is used twice: give every key its own id")]
    DuplicateKid(String),
    /// A `kid` that is empty.
    #[error("a key id must not be empty")]
    EmptyKid,
    /// A default key was added twice.
    #[error("the ring already has a default key: name the other keys with a kid")]
    DuplicateDefault,
    /// A key listed for no algorithm.
    #[error("key {0} is listed for no algorithm: list at least one of HS256, HS384, HS512")]
    NoAlgorithm(String),
}

/// A keyed HMAC prototype for one algorithm.
#[derive(Clone)]
pub(crate) enum KeyedMac {
    Hs256(Hmac<Sha256>),
    Hs384(Hmac<Sha384>),
    Hs512(Hmac<Sha512>),
}

impl KeyedMac {
    pub(crate) fn for_signing(alg: HmacAlgorithm, secret: &[u8]) -> Self {
        Self::new(alg, secret)
    }

    fn new(alg: HmacAlgorithm, secret: &[u8]) -> Self {
        // `new_from_slice` accepts any length for HMAC (keys are hashed or padded), so the
        // fallible constructor cannot fail; the default arm keeps that without a panic.
        match alg {
            HmacAlgorithm::HS256 => KeyedMac::Hs256(
                Hmac::<Sha256>::new_from_slice(secret)
                    .unwrap_or_else(|_| Hmac::<Sha256>::new(&Default::default())),
            ),
            HmacAlgorithm::HS384 => KeyedMac::Hs384(
                Hmac::<Sha384>::new_from_slice(secret)
                    .unwrap_or_else(|_| Hmac::<Sha384>::new(&Default::default())),
            ),
            HmacAlgorithm::HS512 => KeyedMac::Hs512(
                Hmac::<Sha512>::new_from_slice(secret)
                    .unwrap_or_else(|_| Hmac::<Sha512>::new(&Default::default())),
            ),
        }
    }

    /// Verifies `signature` over `input` in constant time (VALID-008: `verify_slice`
    /// compares with `subtle`).
    pub(crate) fn verify(&self, input: &[u8], signature: &[u8]) -> bool {
        match self {
            KeyedMac::Hs256(m) => {
                let mut m = m.clone();
                m.update(input);
                m.verify_slice(signature).is_ok()
            }
            KeyedMac::Hs384(m) => {
                let mut m = m.clone();
                m.update(input);
                m.verify_slice(signature).is_ok()
            }
            KeyedMac::Hs512(m) => {
                let mut m = m.clone();
                m.update(input);
                m.verify_slice(signature).is_ok()
            }
        }
    }

    /// The MAC of `input` (for signing).
    pub(crate) fn sign(&self, input: &[u8]) -> Vec<u8> {
        match self {
            KeyedMac::Hs256(m) => {
                let mut m = m.clone();
                m.update(input);
                m.finalize().into_bytes().to_vec()
            }
            KeyedMac::Hs384(m) => {
                let mut m = m.clone();
                m.update(input);
                m.finalize().into_bytes().to_vec()
            }
            KeyedMac::Hs512(m) => {
                let mut m = m.clone();
                m.update(input);
                m.finalize().into_bytes().to_vec()
            }
        }
    }
}

/// One key of a ring.
#[derive(Clone)]
pub struct RingKey {
    kid: Option<String>,
    secret: Vec<u8>,
    algorithms: Vec<HmacAlgorithm>,
    macs: [Option<KeyedMac>; 3],
}

impl RingKey {
    /// The key's id; `None` for the default key.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The secret bytes.
    pub fn secret(&self) -> &[u8] {
        &self.secret
    }

    /// The algorithms this key may be used with.
    pub fn algorithms(&self) -> &[HmacAlgorithm] {
        &self.algorithms
    }

    pub(crate) fn mac(&self, alg: HmacAlgorithm) -> Option<&KeyedMac> {
        self.macs[alg_index(alg)].as_ref()
    }

    fn label(&self) -> String {
        match &self.kid {
            Some(k) => format!("{k:?}"),
            None => "(default)".to_owned(),
        }
    }
}

impl fmt::Debug for RingKey {
    // Never print the secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RingKey")
            .field("kid", &self.kid)
            .field("len", &self.secret.len())
            .field("algorithms", &self.algorithms)
            .finish()
    }
}

pub(crate) fn alg_index(alg: HmacAlgorithm) -> usize {
    match alg {
        HmacAlgorithm::HS256 => 0,
        HmacAlgorithm::HS384 => 1,
        HmacAlgorithm::HS512 => 2,
    }
}

/// Named HMAC keys. `kid` only ever selects a key from here (VALID-002): it is never a
/// path, a URL or a query.
#[derive(Clone, Debug, Default)]
pub struct KeyRing {
    keys: Vec<RingKey>,
    default: Option<usize>,
}

impl KeyRing {
    /// An empty ring.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a key named `kid`, usable with exactly `algorithms`. Refused if the key is
    /// shorter than any listed algorithm's hash (CLAIM-016).
    pub fn add(
        &mut self,
        kid: &str,
        secret: &[u8],
        algorithms: &[HmacAlgorithm],
    ) -> Result<(), KeyRingError> {
        if kid.is_empty() {
            return Err(KeyRingError::EmptyKid);
        }
        if self.keys.iter().any(|k| k.kid.as_deref() == Some(kid)) {
            return Err(KeyRingError::DuplicateKid(kid.to_owned()));
        }
        let key = Self::make(Some(kid.to_owned()), secret, algorithms)?;
        self.keys.push(key);
        Ok(())
    }

    /// Adds the key used for tokens without `kid`, usable with exactly `algorithms`.
    pub fn add_default(&mut self, secret: &[u8], algorithms: &[HmacAlgorithm]) -> Result<(), KeyRingError> {
        if self.default.is_some() {
            return Err(KeyRingError::DuplicateDefault);
        }
        let key = Self::make(None, secret, algorithms)?;
        self.default = Some(self.keys.len());
        self.keys.push(key);
        Ok(())
    }

    /// Adds a key named `kid` (or the default key for `None`) usable with every
    /// algorithm in `offered` that it is long enough for. Refused when it is long enough
    /// for none of them.
    pub fn add_fitting(
        &mut self,
        kid: Option<&str>,
        secret: &[u8],
        offered: &[HmacAlgorithm],
    ) -> Result<(), KeyRingError> {
        let fitting: Vec<HmacAlgorithm> =
            offered.iter().copied().filter(|a| secret.len() >= a.output_bytes()).collect();
        if fitting.is_empty() {
            let needed = offered.iter().map(|a| a.output_bytes()).min().unwrap_or(32);
            return Err(KeyRingError::TooShortForAny {
                kid: kid.map_or_else(|| "(default)".to_owned(), |k| format!("{k:?}")),
                len: secret.len(),
                needed,
            });
        }
        match kid {
            Some(kid) => self.add(kid, secret, &fitting),
            None => self.add_default(secret, &fitting),
        }
    }

    fn make(
        kid: Option<String>,
        secret: &[u8],
        algorithms: &[HmacAlgorithm],
    ) -> Result<RingKey, KeyRingError> {
        let mut key =
            RingKey { kid, secret: secret.to_vec(), algorithms: Vec::new(), macs: [None, None, None] };
        if algorithms.is_empty() {
            return Err(KeyRingError::NoAlgorithm(key.label()));
        }
        for &alg in algorithms {
            if secret.len() < alg.output_bytes() {
                return Err(KeyRingError::KeyTooShort {
                    kid: key.label(),
                    len: secret.len(),
                    alg,
                    needed: alg.output_bytes(),
                });
            }
            if key.macs[alg_index(alg)].is_none() {
                key.macs[alg_index(alg)] = Some(KeyedMac::new(alg, secret));
                key.algorithms.push(alg);
            }
        }
        Ok(key)
    }

    /// The key named `kid`.
    pub fn get(&self, kid: &str) -> Option<&RingKey> {
        // Rings are small: a linear scan over a few ids beats hashing the attacker's `kid`.
        self.keys.iter().find(|k| k.kid.as_deref() == Some(kid))
    }

    /// The default key (for tokens without `kid`).
    pub fn default_key(&self) -> Option<&RingKey> {
        self.default.and_then(|i| self.keys.get(i))
    }

    /// Every key.
    pub fn keys(&self) -> &[RingKey] {
        &self.keys
    }

    /// True when the ring has no key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}
