//! Pulled tokens: the SDK asks the app's token callback on identify (LIFE-016), before
//! expiry (REFR-009) and after a rejection (RETRY-015); the app's answer stores the token
//! for the customer asked for (LIFE-017) or fails (LIFE-018).
//!
//! # Where the registry leaves room, the machine decides
//!
//! - A rejection whose policy refetches joins the open ask for its customer when there is
//!   one, and asks otherwise: one ask per customer at a time.
//! - An answer to an ask for a customer who is no longer current stores nothing; the
//!   requests that waited for it already failed when the customer changed (RETRY-018).

use super::request::{InFlight, Waiting};
use super::Sdk;
use jwt_lifecycle_spec::alphabet::{AskId, CustomerIds, FailureCause, Output, Reason, UnixMillis};
use jwt_lifecycle_spec::profile::Batching;

impl Sdk {
    /// LIFE-016: identify asks for the new customer's token, where the profile pulls on
    /// identify.
    pub(super) fn ask_on_identify(&mut self, out: &mut Vec<Output>) {
        if self.jwt_enabled && self.profile.token_supply.pull.is_some_and(|p| p.on_identify) {
            let customer = self.customer.clone();
            self.asks.ask(customer, Reason::NotProvided, out);
        }
    }

    /// True when the refresh notification is an ask of the token callback (REFR-009).
    pub(super) fn refresh_asks(&self) -> bool {
        self.profile.token_supply.pull.is_some_and(|p| p.before_expiry)
    }

    /// RETRY-015: `flight` was rejected under a policy that refetches: it waits for a token
    /// for its customer, asked for now unless an ask for them is open. RETRY-018: a request
    /// whose customer was left while it was on the wire fails at once instead.
    pub(super) fn refetch(&mut self, flight: InFlight, reason: Reason, out: &mut Vec<Output>) {
        if flight.customer != self.customer
            || !self.profile.token_supply.pull.is_some_and(|p| p.after_rejection)
        {
            self.fail_flight(flight, FailureCause::Authentication, out);
            return;
        }
        let ask = match self.asks.open_for(&flight.customer) {
            Some(open) => open,
            None => self.asks.ask(flight.customer.clone(), reason, out),
        };
        self.put_back(InFlight { waiting: Waiting::Ask(ask), ..flight });
    }

    /// LIFE-017, LIFE-018: the app answers ask `id`, with a token or failing.
    pub(super) fn answer_ask(
        &mut self,
        now: UnixMillis,
        id: AskId,
        token: Option<&str>,
        out: &mut Vec<Output>,
    ) {
        let Some(ask) = self.asks.answer(id) else { return };
        let waiting = self.take_waiting_for(id);
        match token {
            Some(raw) if ask.customer == self.customer && self.jwt_enabled => {
                self.provide_token(now, raw, out);
                // RETRY-015: each request that waited goes out again, once, with the token.
                for flight in waiting {
                    self.resend_flight(flight, out);
                }
            }
            _ => {
                for flight in waiting {
                    self.fail_flight(flight, FailureCause::Authentication, out);
                }
            }
        }
    }

    /// RETRY-018: requests waiting for a token for a customer who is no longer current
    /// fail.
    pub(super) fn fail_refetch_of_other_customers(&mut self, out: &mut Vec<Output>) {
        let current = self.customer.clone();
        let left: Vec<InFlight> =
            self.take_flights(|f| matches!(f.waiting, Waiting::Ask(_)) && f.customer != current);
        for flight in left {
            self.fail_flight(flight, FailureCause::Authentication, out);
        }
    }

    /// Takes the requests waiting for ask `id` out of flight.
    fn take_waiting_for(&mut self, id: AskId) -> Vec<InFlight> {
        self.take_flights(|f| f.waiting == Waiting::Ask(id))
    }

    /// Takes every request in flight that `which` selects.
    fn take_flights(&mut self, which: impl Fn(&InFlight) -> bool) -> Vec<InFlight> {
        let mut taken = Vec::new();
        if self.in_flight.as_ref().is_some_and(&which) {
            taken.extend(self.in_flight.take());
        }
        let (hit, kept): (Vec<InFlight>, Vec<InFlight>) =
            std::mem::take(&mut self.flights).into_iter().partition(&which);
        self.flights = kept;
        taken.extend(hit);
        taken
    }

    /// Puts a request back in flight, where the profile keeps its requests.
    pub(super) fn put_back(&mut self, flight: InFlight) {
        match self.profile.batching {
            Batching::HeadRunOneInFlight => self.in_flight = Some(flight),
            Batching::PerEventConcurrent => self.flights.push(flight),
        }
    }

    /// Sends `flight` again as its next attempt, with the token stored now for its customer.
    fn resend_flight(&mut self, flight: InFlight, out: &mut Vec<Output>) {
        let carried = self.token_for(&flight.customer).map(|t| t.token.clone());
        let attempt = flight.attempt + 1;
        self.send_carrying(flight.purpose, flight.customer, flight.events, attempt, carried, out);
    }

    /// A request that ends for good with `cause`.
    pub(super) fn fail_flight(&mut self, flight: InFlight, cause: FailureCause, out: &mut Vec<Output>) {
        self.fail_or_delete(flight, cause, out);
    }

    /// The customers the SDK has open asks for.
    pub fn asked_for(&self) -> impl Iterator<Item = &CustomerIds> {
        self.asks.open().iter().map(|a| &a.customer)
    }
}
