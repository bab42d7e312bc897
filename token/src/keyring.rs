//! Named keys, selected by `kid`, each bound to one kind of key and to the algorithms it
//! was made for.
//!
//! An algorithm is bound to its key type (RFC 8725 §3.1): an HMAC secret signs and
//! verifies only HS256/384/512, an RSA key only RS256, so a token can never make the
//! validator use an RSA public key as an HMAC secret (algorithm confusion). Lengths are
//! enforced here, when the ring is built, not when a token arrives: an HMAC secret shorter
//! than the hash of an algorithm it is listed for (CLAIM-014, CLAIM-016), an RSA modulus
//! under [`MIN_RSA_BITS`].
//!
//! The keyed HMAC state of every secret and algorithm, and the parsed RSA public key, are
//! computed once when the key is added, so verifying a token starts from them (HS256 from
//! its inner and outer SHA-256 states, [`crate::hs256`]; HS384/512 clone a prototype)
//! instead of re-hashing a secret or re-parsing a key.

use crate::hs256::Hs256;
use hmac::{Hmac, Mac};
use jsonwebtoken::EncodingKey;
use jwt_lifecycle_spec::profile::{JwsAlgorithm, KeyKind};
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey, EncodeRsaPrivateKey};
use rsa::pkcs1v15::VerifyingKey;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::{Sha256, Sha384, Sha512};
use std::fmt;
use subtle::{Choice, ConstantTimeEq};

/// The smallest RSA modulus a ring accepts, in bits (RFC 7518 §3.3).
pub const MIN_RSA_BITS: usize = 2048;

/// Why a key cannot join a ring.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyRingError {
    /// The secret is shorter than an algorithm it is listed for needs.
    #[error("key {kid} is {len} bytes but {alg} needs at least {needed} (RFC 8725 §3.5): use a key of {needed}+ random bytes or drop {alg}")]
    KeyTooShort {
        /// The key's name (`(default)` for the default key).
        kid: String,
        /// The key's length.
        len: usize,
        /// The algorithm.
        alg: JwsAlgorithm,
        /// Its minimum.
        needed: usize,
    },
    /// The secret is shorter than every HMAC algorithm offered.
    #[error("key {kid} is {len} bytes, shorter than any allowed algorithm needs (at least {needed}): use a key of {needed}+ random bytes")]
    TooShortForAny {
        /// The key's name.
        kid: String,
        /// The key's length.
        len: usize,
        /// The shortest length that would do.
        needed: usize,
    },
    /// None of the algorithms offered is used with this kind of key.
    #[error("key {kid} is {kind} key, and none of the allowed algorithms ({offered}) uses one: give a key of the kind the algorithms need")]
    NoFittingAlgorithm {
        /// The key's name.
        kid: String,
        /// `an HMAC` or `an RSA`.
        kind: &'static str,
        /// The algorithms offered.
        offered: String,
    },
    /// An algorithm listed for a key of the other kind (RFC 8725 §3.1).
    #[error("key {kid} is {kind} key, but {alg} needs {needs} key (RFC 8725 §3.1): list it for a key of that kind")]
    WrongKeyKind {
        /// The key's name.
        kid: String,
        /// The algorithm.
        alg: JwsAlgorithm,
        /// What the key is (`an HMAC`, `an RSA`).
        kind: &'static str,
        /// What the algorithm needs.
        needs: &'static str,
    },
    /// An RSA modulus under [`MIN_RSA_BITS`].
    #[error("RSA key {kid} has {bits} bits, under the minimum of {min} (RFC 7518 §3.3): use a 2048-bit or larger key")]
    RsaKeyTooSmall {
        /// The key's name.
        kid: String,
        /// Its modulus size.
        bits: usize,
        /// The minimum.
        min: usize,
    },
    /// Text that is not a PEM RSA key of the kind asked for.
    #[error("key {kid} is not a PEM RSA {what} key ({detail}): give the `BEGIN PUBLIC KEY` or `BEGIN RSA PUBLIC KEY` text (`openssl rsa -pubout`), or for minting the private key")]
    InvalidRsaKey {
        /// The key's name.
        kid: String,
        /// `public` or `private`.
        what: &'static str,
        /// What the parser said.
        detail: String,
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
    /// The HMAC state could not be set up (HMAC takes any key length, so this means a
    /// broken crypto library, never a key to fix).
    #[error("the HMAC state for key {0} could not be set up")]
    HmacSetup(String),
    /// A key listed for no algorithm.
    #[error("key {0} is listed for no algorithm: list at least one of HS256, HS384, HS512 (secrets) or RS256 (RSA keys)")]
    NoAlgorithm(String),
}

/// A keyed HMAC prototype for one algorithm.
#[derive(Clone)]
pub(crate) enum KeyedMac {
    Hs256(Hs256),
    Hs384(Hmac<Sha384>),
    Hs512(Hmac<Sha512>),
}

/// HMAC takes keys of any length (longer ones are hashed, shorter ones padded), so the
/// only error `new_from_slice` can give does not occur; it is still an error here, never
/// a fallback key.
#[derive(Debug)]
pub(crate) struct MacSetupFailed;

/// Whether the computed MAC equals the token's, in time that depends only on their
/// lengths (VALID-008; the lengths are public: the algorithm fixes them). Eight bytes are
/// compared at a time with `subtle`'s constant-time `u64` comparison, whose result goes
/// through its optimisation barrier, and every word is compared whatever the others gave.
/// `verify_slice` does the same a byte at a time, with eight times as many barriers.
fn same_mac(computed: &[u8], given: &[u8]) -> bool {
    if computed.len() != given.len() {
        return false;
    }
    let word = |bytes: &[u8]| {
        let mut w = [0u8; 8];
        w[..bytes.len()].copy_from_slice(bytes);
        u64::from_le_bytes(w)
    };
    let mut equal = Choice::from(1);
    for (c, g) in computed.chunks(8).zip(given.chunks(8)) {
        equal &= word(c).ct_eq(&word(g));
    }
    bool::from(equal)
}

impl KeyedMac {
    /// The prototype of `alg` keyed with `secret`; `None` for a non-HMAC algorithm.
    pub(crate) fn new(alg: JwsAlgorithm, secret: &[u8]) -> Result<Option<Self>, MacSetupFailed> {
        let mac = match alg {
            JwsAlgorithm::HS256 => KeyedMac::Hs256(Hs256::new(secret)),
            JwsAlgorithm::HS384 => {
                KeyedMac::Hs384(Hmac::<Sha384>::new_from_slice(secret).map_err(|_| MacSetupFailed)?)
            }
            JwsAlgorithm::HS512 => {
                KeyedMac::Hs512(Hmac::<Sha512>::new_from_slice(secret).map_err(|_| MacSetupFailed)?)
            }
            JwsAlgorithm::RS256 => return Ok(None),
        };
        Ok(Some(mac))
    }

    /// Verifies `signature` over `input` in constant time (VALID-008, [`same_mac`]).
    pub(crate) fn verify(&self, input: &[u8], signature: &[u8]) -> bool {
        match self {
            KeyedMac::Hs256(m) => same_mac(&m.mac(input), signature),
            KeyedMac::Hs384(m) => {
                let mut m = m.clone();
                m.update(input);
                same_mac(&m.finalize().into_bytes(), signature)
            }
            KeyedMac::Hs512(m) => {
                let mut m = m.clone();
                m.update(input);
                same_mac(&m.finalize().into_bytes(), signature)
            }
        }
    }

    /// The MAC of `input` (for crafting test tokens).
    pub(crate) fn sign(&self, input: &[u8]) -> Vec<u8> {
        match self {
            KeyedMac::Hs256(m) => m.mac(input).to_vec(),
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

/// What verifies a token's signature with one key and algorithm.
pub(crate) enum Verifier<'k> {
    /// An HMAC prototype.
    Mac(&'k KeyedMac),
    /// An RSA public key, with its modulus size in bytes (the signature's exact length).
    Rsa(&'k VerifyingKey<Sha256>, usize),
}

impl Verifier<'_> {
    /// Verifies `signature` over `input`.
    pub(crate) fn verify(&self, input: &[u8], signature: &[u8]) -> bool {
        match self {
            Verifier::Mac(mac) => mac.verify(input, signature),
            Verifier::Rsa(key, _) => match rsa::pkcs1v15::Signature::try_from(signature) {
                Ok(sig) => rsa::signature::Verifier::verify(*key, input, &sig).is_ok(),
                Err(_) => false,
            },
        }
    }
}

/// The key material of a ring entry.
// The HMAC prototypes are read on every validation and a ring holds a handful of keys:
// boxing them would add an indirection to the hot path to save a few hundred bytes.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
enum Material {
    Hmac { secret: Vec<u8>, macs: [Option<KeyedMac>; 3] },
    Rsa { verifying: VerifyingKey<Sha256>, bits: usize },
}

/// One key of a ring.
#[derive(Clone)]
pub struct RingKey {
    kid: Option<String>,
    algorithms: Vec<JwsAlgorithm>,
    material: Material,
    /// What mints with this key: the secret, or the RSA private key. `None` for an RSA
    /// key given by its public half, which verifies but cannot mint.
    encoding: Option<EncodingKey>,
}

impl RingKey {
    /// The key's id; `None` for the default key.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The kind of key.
    pub fn kind(&self) -> KeyKind {
        match self.material {
            Material::Hmac { .. } => KeyKind::Hmac,
            Material::Rsa { .. } => KeyKind::Rsa,
        }
    }

    /// The secret bytes of an HMAC key; `None` for an RSA key.
    pub fn secret(&self) -> Option<&[u8]> {
        match &self.material {
            Material::Hmac { secret, .. } => Some(secret),
            Material::Rsa { .. } => None,
        }
    }

    /// The modulus size of an RSA key, in bits; `None` for an HMAC key.
    pub fn rsa_bits(&self) -> Option<usize> {
        match self.material {
            Material::Rsa { bits, .. } => Some(bits),
            Material::Hmac { .. } => None,
        }
    }

    /// The algorithms this key may be used with.
    pub fn algorithms(&self) -> &[JwsAlgorithm] {
        &self.algorithms
    }

    /// True when the key can mint (a secret, or an RSA key given with its private half).
    pub fn can_mint(&self) -> bool {
        self.encoding.is_some()
    }

    pub(crate) fn encoding_key(&self) -> Option<&EncodingKey> {
        self.encoding.as_ref()
    }

    /// What verifies `alg` with this key; `None` when the key is not listed for it.
    pub(crate) fn verifier(&self, alg: JwsAlgorithm) -> Option<Verifier<'_>> {
        match &self.material {
            Material::Hmac { macs, .. } => hmac_index(alg).and_then(|i| macs[i].as_ref()).map(Verifier::Mac),
            Material::Rsa { verifying, bits } => {
                self.algorithms.contains(&alg).then_some(Verifier::Rsa(verifying, bits.div_ceil(8)))
            }
        }
    }

    /// `"kid"` quoted, or `(default)`.
    pub(crate) fn label(&self) -> String {
        label(self.kid.as_deref())
    }
}

impl fmt::Debug for RingKey {
    // Never print the secret or the private key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RingKey");
        d.field("kid", &self.kid);
        match &self.material {
            Material::Hmac { secret, .. } => d.field("len", &secret.len()),
            Material::Rsa { bits, .. } => d.field("rsa_bits", bits),
        };
        d.field("algorithms", &self.algorithms).field("can_mint", &self.can_mint()).finish()
    }
}

fn label(kid: Option<&str>) -> String {
    match kid {
        Some(k) => format!("{k:?}"),
        None => "(default)".to_owned(),
    }
}

fn kind_text(kind: KeyKind) -> &'static str {
    match kind {
        KeyKind::Hmac => "an HMAC",
        KeyKind::Rsa => "an RSA",
    }
}

fn alg_names(algs: &[JwsAlgorithm]) -> String {
    let names: Vec<&str> = algs.iter().map(|a| a.as_str()).collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

/// The slot of an HMAC algorithm in a key's prototypes.
pub(crate) fn hmac_index(alg: JwsAlgorithm) -> Option<usize> {
    match alg {
        JwsAlgorithm::HS256 => Some(0),
        JwsAlgorithm::HS384 => Some(1),
        JwsAlgorithm::HS512 => Some(2),
        JwsAlgorithm::RS256 => None,
    }
}

/// An RSA key as read from PEM text: the public half, and the private half when given.
struct RsaPem {
    public: RsaPublicKey,
    private: Option<RsaPrivateKey>,
}

fn parse_rsa_public(kid: Option<&str>, pem: &str) -> Result<RsaPem, KeyRingError> {
    let public = RsaPublicKey::from_public_key_pem(pem)
        .or_else(|spki| RsaPublicKey::from_pkcs1_pem(pem).map_err(|_| spki.to_string()))
        .map_err(|detail| KeyRingError::InvalidRsaKey { kid: label(kid), what: "public", detail })?;
    Ok(RsaPem { public, private: None })
}

fn parse_rsa_private(kid: Option<&str>, pem: &str) -> Result<RsaPem, KeyRingError> {
    let invalid = |detail: String| KeyRingError::InvalidRsaKey { kid: label(kid), what: "private", detail };
    let private = RsaPrivateKey::from_pkcs8_pem(pem)
        .or_else(|pkcs8| RsaPrivateKey::from_pkcs1_pem(pem).map_err(|_| pkcs8.to_string()))
        .map_err(invalid)?;
    private.validate().map_err(|e| invalid(e.to_string()))?;
    Ok(RsaPem { public: private.to_public_key(), private: Some(private) })
}

/// Named keys. `kid` only ever selects a key from here (VALID-002): it is never a path, a
/// URL or a query.
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

    /// Adds an HMAC secret named `kid`, usable with exactly `algorithms`. Refused if the
    /// secret is shorter than any listed algorithm's hash (CLAIM-016) or an algorithm is
    /// not an HMAC one.
    pub fn add(&mut self, kid: &str, secret: &[u8], algorithms: &[JwsAlgorithm]) -> Result<(), KeyRingError> {
        self.check_kid(Some(kid))?;
        let key = Self::hmac_key(Some(kid), secret, algorithms)?;
        self.insert(key)
    }

    /// Adds the HMAC secret used for tokens without `kid`, usable with exactly
    /// `algorithms`.
    pub fn add_default(&mut self, secret: &[u8], algorithms: &[JwsAlgorithm]) -> Result<(), KeyRingError> {
        self.check_kid(None)?;
        let key = Self::hmac_key(None, secret, algorithms)?;
        self.insert(key)
    }

    /// Adds an HMAC secret named `kid` (or the default key for `None`) usable with every
    /// HMAC algorithm in `offered` that it is long enough for. Refused when it is long
    /// enough for none of them.
    pub fn add_fitting(
        &mut self,
        kid: Option<&str>,
        secret: &[u8],
        offered: &[JwsAlgorithm],
    ) -> Result<(), KeyRingError> {
        let hmac: Vec<(JwsAlgorithm, usize)> =
            offered.iter().filter_map(|&a| a.hmac_bytes().map(|n| (a, n))).collect();
        if hmac.is_empty() {
            return Err(KeyRingError::NoFittingAlgorithm {
                kid: label(kid),
                kind: kind_text(KeyKind::Hmac),
                offered: alg_names(offered),
            });
        }
        let fitting: Vec<JwsAlgorithm> =
            hmac.iter().filter(|(_, n)| secret.len() >= *n).map(|(a, _)| *a).collect();
        if fitting.is_empty() {
            let needed = hmac.iter().map(|(_, n)| *n).min().unwrap_or(32);
            return Err(KeyRingError::TooShortForAny { kid: label(kid), len: secret.len(), needed });
        }
        match kid {
            Some(kid) => self.add(kid, secret, &fitting),
            None => self.add_default(secret, &fitting),
        }
    }

    /// Adds an RSA public key named `kid` (the default key for `None`), given as PEM text
    /// (`BEGIN PUBLIC KEY`, as `openssl rsa -pubout` writes it, or `BEGIN RSA PUBLIC
    /// KEY`), usable with the RSA algorithms of `offered`. It verifies; it cannot mint.
    pub fn add_rsa_public_pem(
        &mut self,
        kid: Option<&str>,
        pem: &str,
        offered: &[JwsAlgorithm],
    ) -> Result<(), KeyRingError> {
        self.check_kid(kid)?;
        let parsed = parse_rsa_public(kid, pem)?;
        self.add_rsa(kid, parsed, offered)
    }

    /// Adds an RSA key pair named `kid` (the default key for `None`) from its private key
    /// as PEM text (`BEGIN PRIVATE KEY`, as `openssl genrsa` writes it, or `BEGIN RSA
    /// PRIVATE KEY`), usable with the RSA algorithms of `offered`: it mints, and its
    /// public half verifies.
    pub fn add_rsa_private_pem(
        &mut self,
        kid: Option<&str>,
        pem: &str,
        offered: &[JwsAlgorithm],
    ) -> Result<(), KeyRingError> {
        self.check_kid(kid)?;
        let parsed = parse_rsa_private(kid, pem)?;
        self.add_rsa(kid, parsed, offered)
    }

    fn check_kid(&self, kid: Option<&str>) -> Result<(), KeyRingError> {
        match kid {
            Some("") => Err(KeyRingError::EmptyKid),
            Some(kid) if self.keys.iter().any(|k| k.kid.as_deref() == Some(kid)) => {
                Err(KeyRingError::DuplicateKid(kid.to_owned()))
            }
            None if self.default.is_some() => Err(KeyRingError::DuplicateDefault),
            _ => Ok(()),
        }
    }

    fn insert(&mut self, key: RingKey) -> Result<(), KeyRingError> {
        if key.kid.is_none() {
            self.default = Some(self.keys.len());
        }
        self.keys.push(key);
        Ok(())
    }

    fn hmac_key(
        kid: Option<&str>,
        secret: &[u8],
        algorithms: &[JwsAlgorithm],
    ) -> Result<RingKey, KeyRingError> {
        if algorithms.is_empty() {
            return Err(KeyRingError::NoAlgorithm(label(kid)));
        }
        let mut macs: [Option<KeyedMac>; 3] = [None, None, None];
        let mut listed = Vec::new();
        for &alg in algorithms {
            let (Some(needed), Some(slot)) = (alg.hmac_bytes(), hmac_index(alg)) else {
                return Err(KeyRingError::WrongKeyKind {
                    kid: label(kid),
                    alg,
                    kind: kind_text(KeyKind::Hmac),
                    needs: kind_text(alg.key_kind()),
                });
            };
            if secret.len() < needed {
                return Err(KeyRingError::KeyTooShort { kid: label(kid), len: secret.len(), alg, needed });
            }
            if macs[slot].is_none() {
                let mac = KeyedMac::new(alg, secret)
                    .map_err(|MacSetupFailed| KeyRingError::HmacSetup(label(kid)))?;
                macs[slot] = mac;
                listed.push(alg);
            }
        }
        Ok(RingKey {
            kid: kid.map(str::to_owned),
            algorithms: listed,
            material: Material::Hmac { secret: secret.to_vec(), macs },
            encoding: Some(EncodingKey::from_secret(secret)),
        })
    }

    /// Adds the RSA key parsed from `pem` under `kid`, for the RSA algorithms of `offered`.
    fn add_rsa(
        &mut self,
        kid: Option<&str>,
        pem: RsaPem,
        offered: &[JwsAlgorithm],
    ) -> Result<(), KeyRingError> {
        let key = Self::rsa_key(kid, pem, offered)?;
        self.insert(key)
    }

    fn rsa_key(kid: Option<&str>, pem: RsaPem, offered: &[JwsAlgorithm]) -> Result<RingKey, KeyRingError> {
        let algorithms: Vec<JwsAlgorithm> =
            offered.iter().copied().filter(|a| a.key_kind() == KeyKind::Rsa).collect();
        if algorithms.is_empty() {
            return Err(KeyRingError::NoFittingAlgorithm {
                kid: label(kid),
                kind: kind_text(KeyKind::Rsa),
                offered: alg_names(offered),
            });
        }
        let bits = pem.public.n().bits();
        if bits < MIN_RSA_BITS {
            return Err(KeyRingError::RsaKeyTooSmall { kid: label(kid), bits, min: MIN_RSA_BITS });
        }
        let encoding = match &pem.private {
            Some(private) => {
                let der = private.to_pkcs1_der().map_err(|e| KeyRingError::InvalidRsaKey {
                    kid: label(kid),
                    what: "private",
                    detail: e.to_string(),
                })?;
                Some(EncodingKey::from_rsa_der(der.as_bytes()))
            }
            None => None,
        };
        let mut deduplicated = Vec::new();
        for alg in algorithms {
            if !deduplicated.contains(&alg) {
                deduplicated.push(alg);
            }
        }
        Ok(RingKey {
            kid: kid.map(str::to_owned),
            algorithms: deduplicated,
            material: Material::Rsa { verifying: VerifyingKey::<Sha256>::new(pem.public), bits },
            encoding,
        })
    }

    /// The key named `kid`.
    pub fn get(&self, kid: &str) -> Option<&RingKey> {
        // Rings are small: a linear scan over a few ids beats hashing the attacker's `kid`.
        self.keys.iter().find(|k| k.kid.as_deref() == Some(kid))
    }

    /// The key whose `kid` is exactly `kid`, compared as bytes (the validator reads a
    /// header's members without converting them).
    pub(crate) fn get_by_bytes(&self, kid: &[u8]) -> Option<&RingKey> {
        self.keys.iter().find(|k| k.kid.as_deref().map(str::as_bytes) == Some(kid))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs_are_equal_only_byte_for_byte() {
        for len in [0usize, 1, 7, 8, 9, 32, 48, 64] {
            let mac: Vec<u8> = (0..len).map(|i| (i * 37) as u8).collect();
            assert!(same_mac(&mac, &mac.clone()));
            for i in 0..len {
                for bit in 0..8 {
                    let mut other = mac.clone();
                    other[i] ^= 1 << bit;
                    assert!(!same_mac(&mac, &other), "len {len}, byte {i}, bit {bit}");
                }
            }
            let mut longer = mac.clone();
            longer.push(0);
            assert!(!same_mac(&mac, &longer) && !same_mac(&longer, &mac));
        }
    }
}
