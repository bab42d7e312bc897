//! The case's request and ask numbers, bound to the SDK's.
//!
//! A case numbers the requests it expects (1, 2, ...). An SDK that also sends requests of
//! its own (a customer update, a session) numbers its requests differently, so the runner
//! binds each case number to the SDK's id when the expected `request_sent` is matched,
//! and translates `respond` steps through the binding. A case number never matched is
//! taken to be the SDK's own number (as it is for any SDK that sends only what the case
//! expects).

use crate::case::expect::Ids;
use jwt_lifecycle_spec::alphabet::{AskId, RequestId};
use std::collections::BTreeMap;

/// The bindings of one case run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bindings {
    requests: BTreeMap<RequestId, RequestId>,
    asks: BTreeMap<AskId, AskId>,
}

impl Bindings {
    /// Binds the case's request `case` to the SDK's `actual`, unless either is bound.
    pub fn bind_request(&mut self, case: RequestId, actual: RequestId) {
        if !self.requests.contains_key(&case) && !self.requests.values().any(|a| *a == actual) {
            self.requests.insert(case, actual);
        }
    }

    /// Binds the case's ask `case` to the SDK's `actual`, unless either is bound.
    pub fn bind_ask(&mut self, case: AskId, actual: AskId) {
        if !self.asks.contains_key(&case) && !self.asks.values().any(|a| *a == actual) {
            self.asks.insert(case, actual);
        }
    }

    /// The SDK's id for the case's request `case`.
    pub fn request_of(&self, case: RequestId) -> RequestId {
        self.requests.get(&case).copied().unwrap_or(case)
    }

    /// The SDK's id for the case's ask `case`.
    pub fn ask_of(&self, case: AskId) -> AskId {
        self.asks.get(&case).copied().unwrap_or(case)
    }

    /// True when any case number is bound to another SDK id than its own.
    pub fn renumbered(&self) -> bool {
        self.requests.iter().any(|(c, a)| c != a) || self.asks.iter().any(|(c, a)| c != a)
    }
}

fn compatible(bound: &BTreeMap<u64, u64>, case: u64, actual: u64) -> bool {
    match bound.get(&case) {
        Some(a) => *a == actual,
        None => !bound.iter().any(|(c, a)| *a == actual && *c != case),
    }
}

impl Ids for Bindings {
    fn request(&self, case: RequestId, actual: RequestId) -> bool {
        compatible(&self.requests, case, actual)
    }

    fn ask(&self, case: AskId, actual: AskId) -> bool {
        compatible(&self.asks, case, actual)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bound_number_maps_and_an_unbound_one_is_its_own() {
        let mut b = Bindings::default();
        assert_eq!(b.request_of(2), 2);
        b.bind_request(2, 5);
        assert_eq!(b.request_of(2), 5);
        assert!(b.request(2, 5) && !b.request(2, 2), "bound");
        assert!(!b.request(3, 5), "5 is taken by 2");
        assert!(b.request(3, 6), "3 is free");
        b.bind_request(3, 5);
        assert_eq!(b.request_of(3), 3, "a taken id is not bound twice");
        assert!(b.renumbered());
    }
}
