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
//! [`MAX_LEN`] bytes per thread; a flood of distinct headers only evicts, and no lock is
//! taken.

use jwt_lifecycle_spec::profile::JwsAlgorithm;
use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

/// Entries kept per thread.
pub(crate) const CAPACITY: usize = 16;
/// The longest header part kept, in bytes.
pub(crate) const MAX_LEN: usize = 256;

static NEXT_OWNER: AtomicU64 = AtomicU64::new(1);

/// A new validator's identity in the cache.
pub(crate) fn new_owner() -> u64 {
    NEXT_OWNER.fetch_add(1, Ordering::Relaxed)
}

struct Entry {
    owner: u64,
    b64: Box<str>,
    alg: JwsAlgorithm,
    key: usize,
}

struct Seen {
    entries: Vec<Entry>,
    next: usize,
}

thread_local! {
    static SEEN: RefCell<Seen> = const { RefCell::new(Seen { entries: Vec::new(), next: 0 }) };
}

/// The algorithm and key index `owner` chose for exactly `b64`, if this thread saw it.
pub(crate) fn find(owner: u64, b64: &str) -> Option<(JwsAlgorithm, usize)> {
    SEEN.try_with(|seen| {
        let seen = seen.try_borrow().ok()?;
        seen.entries.iter().find(|e| e.owner == owner && *e.b64 == *b64).map(|e| (e.alg, e.key))
    })
    .ok()
    .flatten()
}

/// Remembers that `owner`'s checks passed `b64` with `alg` and key index `key`,
/// evicting the oldest entry when full.
pub(crate) fn remember(owner: u64, b64: &str, alg: JwsAlgorithm, key: usize) {
    if b64.len() > MAX_LEN {
        return;
    }
    let _ = SEEN.try_with(|seen| {
        let Ok(mut seen) = seen.try_borrow_mut() else { return };
        let entry = Entry { owner, b64: b64.into(), alg, key };
        if seen.entries.len() < CAPACITY {
            seen.entries.push(entry);
        } else {
            let at = seen.next;
            seen.entries[at] = entry;
            seen.next = (at + 1) % CAPACITY;
        }
    });
}
