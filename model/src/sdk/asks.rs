//! Pulled tokens: the asks the SDK made of the app's token callback that the app has not
//! answered yet (LIFE-016..018, REFR-009, RETRY-015).

use jwt_lifecycle_spec::alphabet::{AskId, CustomerIds, Output, Reason};

/// One ask the app has not answered.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OpenAsk {
    /// Its id.
    pub id: AskId,
    /// The customer it asks a token for.
    pub customer: CustomerIds,
}

/// The asks of one SDK instance. Ids count up for the whole run, restarts included.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AskBook {
    next: AskId,
    open: Vec<OpenAsk>,
}

impl Default for AskBook {
    fn default() -> Self {
        Self { next: 1, open: Vec::new() }
    }
}

impl AskBook {
    /// Asks the callback for `customer`'s token, saying why; returns the ask's id.
    pub fn ask(&mut self, customer: CustomerIds, reason: Reason, out: &mut Vec<Output>) -> AskId {
        let id = self.next;
        self.next += 1;
        out.push(Output::TokenRequested { ask: id, reason: Some(reason), customer_ids: customer.clone() });
        self.open.push(OpenAsk { id, customer });
        id
    }

    /// The open ask for `customer`, if any.
    pub fn open_for(&self, customer: &CustomerIds) -> Option<AskId> {
        self.open.iter().find(|a| a.customer == *customer).map(|a| a.id)
    }

    /// Takes the open ask `id` (the app answered it); `None` for an ask never made or
    /// already answered.
    pub fn answer(&mut self, id: AskId) -> Option<OpenAsk> {
        let index = self.open.iter().position(|a| a.id == id)?;
        Some(self.open.remove(index))
    }

    /// Forgets every open ask: the app process that would answer them is gone.
    pub fn forget(&mut self) {
        self.open.clear();
    }

    /// The open asks, oldest first.
    pub fn open(&self) -> &[OpenAsk] {
        &self.open
    }
}
