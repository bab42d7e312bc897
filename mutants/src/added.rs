//! Requests a wrapper mutant sends besides the machine's own
//! ([`Mutation::UntokenedCustomerUpdate`](crate::Mutation::UntokenedCustomerUpdate)).
//!
//! The SDK numbers all its requests in one sequence (QUEUE-008), so a request added
//! between two of the machine's takes the next id the app sees, and every later request
//! of the machine is shown shifted past it; answers are shifted back. An answer to an
//! added request, or to an id nobody sent, reaches nothing.

use jwt_lifecycle_spec::alphabet::{Output, RequestId};
use std::collections::{BTreeMap, BTreeSet};

/// The ids the app sees: the machine's requests, shifted past the added ones.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct AddedRequests {
    /// The id shown for each machine request seen so far.
    shown: BTreeMap<RequestId, RequestId>,
    /// The ids of the requests added.
    added: BTreeSet<RequestId>,
    /// The highest id shown so far.
    highest: RequestId,
}

/// What an answer from the app is an answer to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answered {
    /// The machine's request with this id.
    Machine(RequestId),
    /// An added request, or an id never shown: nothing to tell the machine.
    Nothing,
}

impl AddedRequests {
    /// Takes the next id for an added request.
    pub fn add(&mut self) -> RequestId {
        self.highest += 1;
        self.added.insert(self.highest);
        self.highest
    }

    /// Rewrites the request ids of the machine's `output` to the ids the app sees.
    pub fn show(&mut self, output: &mut Output) {
        if let Output::RequestSent { request, .. } | Output::RequestFailed { request, .. } = output {
            *request = self.shown_id(*request);
        }
    }

    /// What an answer to the shown id `shown` answers.
    pub fn answered(&self, shown: RequestId) -> Answered {
        self.shown
            .iter()
            .find(|(_, &id)| id == shown)
            .map_or(Answered::Nothing, |(&machine, _)| Answered::Machine(machine))
    }

    /// The shown id of the machine's request `machine`: a new request is shifted past
    /// every request added before it, and never below an id already shown.
    fn shown_id(&mut self, machine: RequestId) -> RequestId {
        if let Some(&id) = self.shown.get(&machine) {
            return id;
        }
        let shift = RequestId::try_from(self.added.len()).unwrap_or(RequestId::MAX);
        let id = machine.saturating_add(shift).max(self.highest + 1);
        self.shown.insert(machine, id);
        self.highest = id;
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jwt_lifecycle_spec::alphabet::{CustomerIds, RequestKind};

    fn sent(request: RequestId) -> Output {
        Output::RequestSent {
            request,
            kind: RequestKind::Events,
            customer_ids: CustomerIds::default(),
            events: Vec::new(),
            authorization: None,
            attempt: 1,
        }
    }

    fn id(output: &Output) -> RequestId {
        match output {
            Output::RequestSent { request, .. } | Output::RequestFailed { request, .. } => *request,
            _ => 0,
        }
    }

    #[test]
    fn an_added_request_takes_the_next_id_and_shifts_the_machines_later_ones() {
        let mut ids = AddedRequests::default();
        let mut first = sent(1);
        ids.show(&mut first);
        assert_eq!(id(&first), 1);
        assert_eq!(ids.add(), 2);
        let (mut second, mut retry) = (sent(2), sent(1));
        ids.show(&mut second);
        ids.show(&mut retry);
        assert_eq!((id(&second), id(&retry)), (3, 1), "a retry keeps its id");
        assert_eq!(ids.answered(3), Answered::Machine(2));
        assert_eq!(ids.answered(2), Answered::Nothing, "the added request");
        assert_eq!(ids.answered(9), Answered::Nothing, "never shown");
    }
}
