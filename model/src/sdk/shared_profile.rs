//! The profile an [`Sdk`](super::Sdk) follows, shared between clones.
//!
//! The model checker clones and hashes the machine for every state it visits. The profile
//! never changes after construction, so clones share one allocation, equality first
//! compares pointers, and hashing only feeds the profile's id (equal profiles have equal
//! ids, so `Hash` stays consistent with `Eq`).

use jwt_lifecycle_spec::profile::Profile;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

/// An immutable, cheaply cloned [`Profile`].
#[derive(Clone)]
pub(crate) struct SharedProfile(Arc<Profile>);

impl From<Arc<Profile>> for SharedProfile {
    fn from(profile: Arc<Profile>) -> Self {
        Self(profile)
    }
}

impl Deref for SharedProfile {
    type Target = Profile;

    fn deref(&self) -> &Profile {
        &self.0
    }
}

impl std::fmt::Debug for SharedProfile {
    // The profile is the same in every state; naming it keeps traces and the Explorer
    // readable.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Profile({})", self.0.id)
    }
}

impl PartialEq for SharedProfile {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || *self.0 == *other.0
    }
}

impl Eq for SharedProfile {}

impl Hash for SharedProfile {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.id.hash(state);
    }
}
