//! Per-event sending (QUEUE-009): each `track` sends its own request at once; several may
//! be in flight, each answered, retried and failed on its own, and nothing waits in a
//! queue.

use super::request::{InFlight, Purpose};
use super::Sdk;
use jwt_lifecycle_spec::alphabet::{Body, EventId, Output, Reply, RequestId, UnixMillis};

impl Sdk {
    /// QUEUE-009: `event` goes out at once for the current customer.
    pub(super) fn send_event_now(&mut self, now: UnixMillis, event: EventId, out: &mut Vec<Output>) {
        let customer = self.customer.clone();
        self.send(now, Purpose::Sync, customer, vec![event], 1, true, out);
    }

    /// The server answers one of the requests in flight of a per-event profile.
    pub(super) fn respond_per_event(
        &mut self,
        now: UnixMillis,
        request: RequestId,
        reply: Reply,
        body: Option<&Body>,
        out: &mut Vec<Output>,
    ) {
        let Some(index) = self.flights.iter().position(|f| f.awaits_response_to(request)) else { return };
        let flight = self.flights.remove(index);
        self.answer_flight(now, flight, reply, body, out);
    }

    /// The requests in flight of a per-event profile.
    pub fn flights(&self) -> &[InFlight] {
        &self.flights
    }

    /// The ids of the requests on the wire awaiting their answer, the one request in
    /// flight first, then a per-event profile's in the order they were sent.
    pub fn awaiting_response(&self) -> Vec<RequestId> {
        self.in_flight()
            .into_iter()
            .chain(self.flights())
            .filter(|f| f.awaits_response())
            .map(|f| f.request)
            .collect()
    }
}
