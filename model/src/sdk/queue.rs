//! The event queue: events tagged with the customer current when they were tracked.

use jwt_lifecycle_spec::alphabet::{CustomerIds, EventId};
use std::collections::VecDeque;

/// One queued event.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct QueuedEvent {
    /// The event's name.
    pub event: EventId,
    /// The customer it was tracked for (QUEUE-003).
    pub customer: CustomerIds,
}

/// Events waiting to be sent, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct EventQueue {
    events: VecDeque<QueuedEvent>,
}

impl EventQueue {
    /// Appends an event for `customer`.
    pub fn push(&mut self, event: EventId, customer: CustomerIds) {
        self.events.push_back(QueuedEvent { event, customer });
    }

    /// True when nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The queued events, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &QueuedEvent> {
        self.events.iter()
    }

    /// The customer of the oldest event.
    pub fn head_customer(&self) -> Option<&CustomerIds> {
        self.events.front().map(|e| &e.customer)
    }

    /// Removes the longest run of events at the head that belong to one customer
    /// (QUEUE-003) and returns that customer and the events, in order.
    pub fn take_head_run(&mut self) -> Option<(CustomerIds, Vec<EventId>)> {
        let customer = self.head_customer()?.clone();
        let run = self.events.iter().take_while(|e| e.customer == customer).count();
        let events = self.events.drain(..run).map(|e| e.event).collect();
        Some((customer, events))
    }

    /// Puts a request's events back at the front, in their order (RETRY-012, RETRY-008).
    pub fn push_front_run(&mut self, customer: &CustomerIds, events: &[EventId]) {
        for event in events.iter().rev() {
            self.events.push_front(QueuedEvent { event: event.clone(), customer: customer.clone() });
        }
    }

    /// Empties the queue, returning the events' names in order.
    pub fn clear(&mut self) -> Vec<EventId> {
        self.events.drain(..).map(|e| e.event).collect()
    }
}
