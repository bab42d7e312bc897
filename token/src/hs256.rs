//! HMAC-SHA256 (RFC 2104) with the key's inner and outer SHA-256 states computed once.
//!
//! HMAC hashes `key ⊕ ipad` and `key ⊕ opad` as the first block of its inner and outer
//! hash; both blocks depend on the key alone, so their compressed states are kept with the
//! key (RFC 2104 §4) and a MAC starts from them. Every validation of an HS256 token
//! computes one MAC: here it is the SHA-256 compressions of the signing input, its
//! padding block and one outer block, fed straight from the input and two stack blocks.
//! The `hmac` crate's keyed prototype does the same compressions but is cloned per MAC
//! (a copy of its two states and block buffer) and buffers the input's tail; that was a
//! twentieth of an acceptance. The tests compare this with the `hmac` crate on arbitrary
//! keys and messages and on RFC 4231's vectors.

use sha2::{Digest, Sha256};

/// SHA-256's block size in bytes.
const BLOCK: usize = 64;
/// The length of a SHA-256 digest (and of an HS256 MAC) in bytes.
pub(crate) const MAC_LEN: usize = 32;

/// SHA-256's initial state (FIPS 180-4 §5.3.3).
const IV: [u32; 8] =
    [0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19];

/// Compresses one 64-byte block into `state` (the `sha2` crate's compression function,
/// which uses the CPU's SHA extensions when it has them).
fn compress(state: &mut [u32; 8], block: &[u8; BLOCK]) {
    // Viewed in place as the crate's block type (no copy); the length is the type's.
    sha2::compress256(state, std::slice::from_ref(block.as_slice().into()));
}

/// The key's HMAC-SHA256 states after its first inner and outer block.
#[derive(Clone)]
pub(crate) struct Hs256 {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl Hs256 {
    /// The states of `secret` (any length: a secret longer than a block is hashed
    /// first, a shorter one padded with zeros, RFC 2104 §2).
    pub(crate) fn new(secret: &[u8]) -> Self {
        let mut key = [0u8; BLOCK];
        if secret.len() > BLOCK {
            key[..MAC_LEN].copy_from_slice(&Sha256::digest(secret));
        } else {
            key[..secret.len()].copy_from_slice(secret);
        }
        let after = |pad: u8| {
            let mut state = IV;
            compress(&mut state, &key.map(|b| b ^ pad));
            state
        };
        Hs256 { inner: after(0x36), outer: after(0x5c) }
    }

    /// The MAC of `input`.
    pub(crate) fn mac(&self, input: &[u8]) -> [u8; MAC_LEN] {
        let mut state = self.inner;
        let (blocks, rest) = input.as_chunks::<BLOCK>();
        for block in blocks {
            compress(&mut state, block);
        }
        // The tail, 0x80, zeros and the bit length of everything hashed (the key block
        // included) as a big-endian u64, from `tail[BLOCK..]`: one block, or two when the
        // tail leaves no room. The tail is put there as the input's last 64 bytes, a
        // copy of fixed size ending where the tail ends (what lands before
        // `tail[BLOCK]` is never hashed): a copy of the tail's own length branches on
        // it, and that length changes with every header spelling.
        let mut tail = [0u8; 3 * BLOCK];
        let r = rest.len();
        match input.len().checked_sub(BLOCK) {
            Some(from) => tail[r..r + BLOCK].copy_from_slice(&input[from..]),
            None => tail[BLOCK..BLOCK + r].copy_from_slice(rest),
        }
        tail[BLOCK + r] = 0x80;
        let end = if r < BLOCK - 8 { 2 * BLOCK } else { 3 * BLOCK };
        tail[end - 8..end].copy_from_slice(&bit_length(BLOCK + input.len()));
        for block in tail[BLOCK..end].as_chunks::<BLOCK>().0 {
            compress(&mut state, block);
        }
        let mut outer_block = [0u8; BLOCK];
        outer_block[..MAC_LEN].copy_from_slice(&digest_bytes(&state));
        outer_block[MAC_LEN] = 0x80;
        outer_block[BLOCK - 8..].copy_from_slice(&bit_length(BLOCK + MAC_LEN));
        let mut outer = self.outer;
        compress(&mut outer, &outer_block);
        digest_bytes(&outer)
    }
}

/// `bytes` in bits, as SHA-256's padding ends (a token is far shorter than 2^61 bytes).
fn bit_length(bytes: usize) -> [u8; 8] {
    (u64::try_from(bytes).unwrap_or(u64::MAX) << 3).to_be_bytes()
}

/// A state's words as the digest's bytes (big-endian).
fn digest_bytes(state: &[u32; 8]) -> [u8; MAC_LEN] {
    let mut out = [0u8; MAC_LEN];
    for (bytes, word) in out.chunks_exact_mut(4).zip(state) {
        bytes.copy_from_slice(&word.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, Mac};
    use proptest::prelude::*;

    fn theirs(key: &[u8], message: &[u8]) -> Vec<u8> {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
        mac.update(message);
        mac.finalize().into_bytes().to_vec()
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn rfc_4231_vectors() {
        let long_key = [0xaau8; 131];
        for (key, data, mac) in [
            (
                &[0x0bu8; 20][..],
                &b"Hi There"[..],
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            ),
            (
                b"Jefe",
                b"what do ya want for nothing?",
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                &long_key,
                b"Test Using Larger Than Block-Size Key - Hash Key First",
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
        ] {
            assert_eq!(hex(&Hs256::new(key).mac(data)), mac);
        }
    }

    #[test]
    fn agrees_with_the_hmac_crate_at_every_padding_boundary() {
        for key_len in [0, 1, 31, 32, 63, 64, 65, 200] {
            let key: Vec<u8> = (0..key_len).map(|i| (i * 7 + 3) as u8).collect();
            let hs = Hs256::new(&key);
            for len in 0..=3 * BLOCK + 1 {
                let message: Vec<u8> = (0..len).map(|i| (i * 13 + 1) as u8).collect();
                assert_eq!(hs.mac(&message).to_vec(), theirs(&key, &message), "key {key_len}, message {len}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 5_000, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn agrees_with_the_hmac_crate(
            key in proptest::collection::vec(any::<u8>(), 0..150),
            message in proptest::collection::vec(any::<u8>(), 0..400),
        ) {
            prop_assert_eq!(Hs256::new(&key).mac(&message).to_vec(), theirs(&key, &message));
        }
    }
}
