//! Header encodings this thread has recently seen pass a validator's checks.
//!
//! A backend's library writes the same header bytes for every token it mints; when they
//! are not an encoding the validator precomputed, decoding and checking them again for
//! every token is work spent on an answer already known. Each thread keeps the last
//! [`CAPACITY`] encodings that passed, with the algorithm and key the checks chose, for
//! the validator that checked them. An entry is found by its exact bytes and its
//! validator, so a hit can only return what the full checks returned for those bytes
//! with that validator's rules and ring (clones of a validator share its entries: their
//! rules and ring are the same). Bounded: at most [`CAPACITY`] entries of at most
//! [`MAX_LEN`] bytes per thread, stored inline (remembering allocates nothing); a flood
//! of distinct headers only evicts, and no lock is taken.

use jwt_lifecycle_spec::profile::JwsAlgorithm;
use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

/// Entries kept per thread.
pub(crate) const CAPACITY: usize = 16;
// A lookup gathers the slots with a tag as the bits of a `u32`.
const _: () = assert!(CAPACITY <= 32);
/// The longest header part kept, in bytes.
pub(crate) const MAX_LEN: usize = 256;

static NEXT_OWNER: AtomicU64 = AtomicU64::new(1);

/// A new validator's identity in the cache.
pub(crate) fn new_owner() -> u64 {
    NEXT_OWNER.fetch_add(1, Ordering::Relaxed)
}

/// One remembered header, stored inline so that remembering never allocates.
struct Entry {
    /// 0 for an empty slot (owners count from 1).
    owner: u64,
    len: usize,
    bytes: [u8; MAX_LEN],
    alg: JwsAlgorithm,
    key: usize,
}

const EMPTY: Entry = Entry { owner: 0, len: 0, bytes: [0; MAX_LEN], alg: JwsAlgorithm::HS256, key: 0 };

struct Seen {
    /// Each entry's [`Probe::tag`], side by side, so that a miss is decided by comparing
    /// sixteen words; 0 for an empty slot.
    tags: [u64; CAPACITY],
    entries: [Entry; CAPACITY],
    next: usize,
}

thread_local! {
    static SEEN: RefCell<Seen> =
        const { RefCell::new(Seen { tags: [0; CAPACITY], entries: [EMPTY; CAPACITY], next: 0 }) };
}

/// FxHash's multiplier.
const K: u64 = 0x517c_c1b7_2722_0a95;

/// A fast, non-cryptographic hash of a header part and its owner (FxHash's step over
/// 8-byte words and the length), never 0. It only spares comparisons: a match is always
/// confirmed byte for byte, owner included.
fn tag(owner: u64, bytes: &[u8]) -> u64 {
    let step = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(K);
    let (words, rest) = bytes.as_chunks::<8>();
    // The last word: the part's last eight bytes (overlapping the previous word; the
    // length is hashed too), read without a copy of `rest`'s length, which varies with
    // the header's spelling; a part shorter than a word is padded with zeros.
    let last = match bytes.len().checked_sub(8) {
        Some(from) => bytes[from..].try_into().unwrap_or([0; 8]),
        None => {
            let mut padded = [0u8; 8];
            padded[..rest.len()].copy_from_slice(rest);
            padded
        }
    };
    let mut h = step(owner, bytes.len() as u64);
    for word in words {
        h = step(h, u64::from_le_bytes(*word));
    }
    step(h, u64::from_le_bytes(last)) | 1
}

/// One header part looked up for one validator: hashed once, for the lookup and, on a
/// miss, for remembering it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Probe {
    owner: u64,
    tag: u64,
}

impl Probe {
    /// The probe for `b64` checked by `owner`; `None` for a part too long to be kept.
    pub(crate) fn new(owner: u64, b64: &str) -> Option<Self> {
        (b64.len() <= MAX_LEN).then(|| Probe { owner, tag: tag(owner, b64.as_bytes()) })
    }

    /// The algorithm and key index the owner chose for exactly `b64` (the part this
    /// probe was made for), if this thread saw it.
    pub(crate) fn find(self, b64: &str) -> Option<(JwsAlgorithm, usize)> {
        SEEN.try_with(|seen| {
            let seen = seen.try_borrow().ok()?;
            let bytes = b64.as_bytes();
            // The slots with this tag, as bits: all sixteen tags compared without a
            // branch per tag. A header never seen (nearly always) has none, and its
            // lookup ends here; a header seen has one, nearly always.
            let mut hits = seen
                .tags
                .iter()
                .enumerate()
                .fold(0u32, |hits, (i, &tag)| hits | u32::from(tag == self.tag) << i);
            while hits != 0 {
                let entry = &seen.entries[hits.trailing_zeros() as usize];
                if entry.owner == self.owner && entry.bytes.get(..entry.len) == Some(bytes) {
                    return Some((entry.alg, entry.key));
                }
                hits &= hits - 1;
            }
            None
        })
        .ok()
        .flatten()
    }

    /// Remembers that the owner's checks passed `b64` (the part this probe was made for)
    /// with `alg` and key index `key`, replacing the oldest entry.
    pub(crate) fn remember(self, b64: &str, alg: JwsAlgorithm, key: usize) {
        let bytes = b64.as_bytes();
        let _ = SEEN.try_with(|seen| {
            let Ok(mut seen) = seen.try_borrow_mut() else { return };
            let Some(at) = (bytes.len() <= MAX_LEN).then_some(seen.next) else { return };
            seen.next = (at + 1) % CAPACITY;
            seen.tags[at] = self.tag;
            let entry = &mut seen.entries[at];
            entry.bytes[..bytes.len()].copy_from_slice(bytes);
            entry.len = bytes.len();
            (entry.owner, entry.alg, entry.key) = (self.owner, alg, key);
        });
    }
}

/// What `owner`'s checks chose for exactly `b64`, if this thread saw it.
#[cfg(test)]
pub(crate) fn find(owner: u64, b64: &str) -> Option<(JwsAlgorithm, usize)> {
    Probe::new(owner, b64).and_then(|probe| probe.find(b64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remember(owner: u64, b64: &str, alg: JwsAlgorithm, key: usize) {
        if let Some(probe) = Probe::new(owner, b64) {
            probe.remember(b64, alg, key);
        }
    }

    #[test]
    fn a_header_is_found_only_by_its_exact_bytes_and_owner() {
        let owner = new_owner();
        remember(owner, "eyJhbGciOiJIUzI1NiJ9", JwsAlgorithm::HS384, 3);
        assert_eq!(find(owner, "eyJhbGciOiJIUzI1NiJ9"), Some((JwsAlgorithm::HS384, 3)));
        assert_eq!(find(owner, "eyJhbGciOiJIUzI1NiJ8"), None);
        assert_eq!(find(owner, "eyJhbGciOiJIUzI1NiJ"), None);
        assert_eq!(find(new_owner(), "eyJhbGciOiJIUzI1NiJ9"), None);
        assert_eq!(find(owner, ""), None, "an empty slot is never a match");
        let long = "x".repeat(MAX_LEN + 1);
        assert!(Probe::new(owner, &long).is_none(), "longer parts are not kept");
        assert_eq!(find(owner, &long), None);
    }

    #[test]
    fn a_tag_is_never_that_of_an_empty_slot_and_the_length_counts() {
        assert_eq!(tag(1, b"abcdefghij"), tag(1, b"abcdefghij"));
        assert_ne!(tag(1, b"abc"), tag(1, b"abc\0"));
        assert_ne!(tag(1, b""), tag(1, b"\0"));
        assert_ne!(tag(1, b"abc"), tag(2, b"abc"));
        assert!((0..1000u64).all(|n| tag(n, &n.to_le_bytes()) != 0));
    }
}
