//! The belief: what the specification says the SDK holds, kept from the trace alone.
//!
//! The app calls and server answers say what the SDK must hold (the token stored and whom
//! it is bound to, the current customer, what is queued, the consecutive-failure count);
//! the observations say what it actually sent. The belief takes the first from the spec
//! and the second from what was seen, so that after one deviation the monitors go on
//! judging the rest of the trace instead of blaming every later step for the first.

use crate::book::{Clearing, Cust, Customers, Ev, Tok, Tokens};
use jwt_lifecycle_spec::alphabet::{AskId, RequestId, RequestKind, UnixMillis};
use jwt_lifecycle_spec::profile::RefreshPolicy;

/// The token the SDK must hold, as it was stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Stored {
    /// Which token.
    pub tok: Tok,
    /// When it was stored (or timed again after a restart).
    pub set_at: UnixMillis,
    /// `expired_soon` was delivered for it (REFR-005).
    pub told_soon: bool,
    /// When `expired_soon` was delivered, if it was.
    pub told_at: UnixMillis,
    /// `expired_soon` was delivered for it before the last restart. REFR-005's memory is
    /// not persisted (LIFE-014), so the SDK may notify it again, and need not.
    pub told_before_restart: bool,
    /// Its refresh timer is pending (REFR-001, REFR-006, REFR-007).
    pub timer_live: bool,
    /// Where it came from, for naming the rule a lost token breaks.
    pub origin: Origin,
}

/// Where a stored token came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// `set_token` (LIFE-001).
    SetToken,
    /// `identify` with a token (LIFE-007).
    Identify,
    /// `configure` with a token (CONF-006).
    Configure,
    /// Kept across a restart (LIFE-014).
    Restored,
    /// The app's token callback (pulled tokens).
    Provided,
}

impl Origin {
    /// The requirement that makes the SDK hold it.
    pub fn requirement(self) -> &'static str {
        match self {
            Origin::SetToken => "LIFE-001",
            Origin::Identify => "LIFE-007",
            Origin::Configure => "CONF-006",
            Origin::Restored => "LIFE-014",
            Origin::Provided => "LIFE-017",
        }
    }
}

/// Where a tracked event is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventState {
    /// Waiting in the queue.
    Queued,
    /// Carried by a live request (sent, waiting for a retry, or held).
    Sent,
    /// A 2xx delivered it (QUEUE-007).
    Delivered,
    /// Removed by an output naming a rule; `by` is that rule's requirement.
    Removed {
        /// The requirement the removal followed.
        by: &'static str,
    },
    /// Reported deleted because the SDK was not running (CONF-007).
    Refused,
    /// Gone with an app process whose profile keeps no queue.
    Lost,
}

/// One tracked event.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Event {
    /// Its name.
    pub name: Box<str>,
    /// The customer current when it was tracked (QUEUE-003).
    pub tag: Cust,
    /// Where it is.
    pub state: EventState,
    /// Sends since the last app call (RETRY-013).
    pub sends_since_call: u8,
    /// A network failure or another status put it back in the queue, and it was not sent
    /// since (RETRY-012 blame).
    pub requeued: bool,
}

/// What a live request waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Waiting {
    /// The server's answer.
    Response,
    /// Its retry, due at this instant (RETRY-002).
    Retry {
        /// When the retry is due.
        due: UnixMillis,
        /// How far the SDK may be off `due`, either way.
        tolerance: u64,
    },
    /// A new token (RETRY-008).
    NewToken,
    /// A flush after the next session: a token came while sync was suspended (LIMIT-005).
    NextSession,
    /// A token for its customer from the app's token callback (RETRY-015).
    Token,
}

/// An ask the SDK made of the app's token callback that the app has not answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ask {
    /// The SDK's id of the ask.
    pub id: AskId,
    /// The customer it asked a token for.
    pub cust: Cust,
}

/// The wait after a failure in a profile that backs off (RETRY-016): the SDK sends
/// nothing on its own before `earliest` and sends the head of the queue by `latest`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Gate {
    /// When the failure came.
    pub failed_at: UnixMillis,
    /// The earliest instant of the next automatic send.
    pub earliest: UnixMillis,
    /// The latest instant of the next automatic send.
    pub latest: UnixMillis,
}

/// What bounds the next backoff wait (RETRY-016).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PreviousWait {
    /// No failure since the last success: the shortest wait stands for the previous one.
    AfterSuccess,
    /// The previous wait, as seen.
    Seen(u64),
    /// The previous retry went out on an explicit flush: the SDK's own wait is unknown.
    Unknown,
}

/// Why a request was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// Queued events (a flush, a retry, a resend).
    Events,
    /// The sync `logout` sends before forgetting the user (QUEUE-002).
    LogoutSync,
    /// A request the SDK sends on its own (a customer update, a session).
    Housekeeping,
}

/// A request the SDK sent that is not finished.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Request {
    /// The SDK's id of its latest attempt.
    pub id: RequestId,
    /// What it is for, as the SDK reported.
    pub kind: RequestKind,
    /// Why it was sent.
    pub purpose: Purpose,
    /// The customer it was sent for.
    pub cust: Cust,
    /// The events it carries.
    pub events: Vec<Ev>,
    /// The token its latest attempt carried; `None` for none, or for a string the app
    /// never passed.
    pub carried: Option<Tok>,
    /// The attempt number of its latest attempt.
    pub attempt: u32,
    /// What it waits for.
    pub waiting: Waiting,
}

/// The account of one SDK instance and its app.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Belief {
    /// The virtual clock.
    pub now: UnixMillis,
    /// Configured and not stopped (CONF-007).
    pub running: bool,
    /// JWT enabled at the last configure (CONF-003).
    pub jwt: bool,
    /// Debug build at the last configure (CONF-004).
    pub debug: bool,
    /// A handler is registered (NOTIFY-002, NOTIFY-006).
    pub handler: bool,
    /// The instant the handler was registered, for the refresh tolerance (REFR-007).
    pub handler_since: UnixMillis,
    /// The registered handler throws every time it is called (NOTIFY-007).
    pub handler_throws: bool,
    /// When the SDK first called a handler that threw, in this app process (NOTIFY-007
    /// blame: what it leaves undone afterwards may be the throw's doing).
    pub thrown_at: Option<UnixMillis>,
    /// The current customer.
    pub customer: Cust,
    /// The token the SDK must hold.
    pub stored: Option<Stored>,
    /// Every token string seen.
    pub tokens: Tokens,
    /// Every customer seen.
    pub customers: Customers,
    /// Every event tracked.
    pub events: Vec<Event>,
    /// The queue, oldest first.
    pub queue: Vec<Ev>,
    /// Live requests, oldest first.
    pub requests: Vec<Request>,
    /// Consecutive authentication failures this session (LIMIT-001).
    pub failures: u32,
    /// Sync suspended until the next session (LIMIT-001).
    pub suspended: bool,
    /// Authentication failures this session, successes not withstanding (LIMIT-002 blame).
    pub failures_in_session: u32,
    /// The last new session ended a suspension and nothing was sent since (LIMIT-003 blame).
    pub lifted: bool,
    /// Asks of the app's token callback not answered yet (pulled tokens).
    pub asks: Vec<Ask>,
    /// The backoff wait in progress, if any (RETRY-016).
    pub gate: Option<Gate>,
    /// What bounds the next backoff wait.
    pub previous_wait: PreviousWait,
    /// Since when queued events could be sent by the automatic flush (QUEUE-010).
    pub sendable_since: Option<UnixMillis>,
    /// Where the events forgotten by [`Belief::forget_events`] had ended, each once, in
    /// order (a reachability property asks whether some event ended so).
    pub forgotten: Vec<EventState>,
}

impl Belief {
    /// The account before the first input, with the clock at `start`.
    pub fn new(start: UnixMillis) -> Self {
        Belief {
            now: start,
            running: false,
            jwt: false,
            debug: false,
            handler: false,
            handler_since: start,
            handler_throws: false,
            thrown_at: None,
            customer: Customers::ANONYMOUS,
            stored: None,
            tokens: Tokens::default(),
            customers: Customers::default(),
            events: Vec::new(),
            queue: Vec::new(),
            requests: Vec::new(),
            failures: 0,
            suspended: false,
            failures_in_session: 0,
            lifted: false,
            asks: Vec::new(),
            gate: None,
            previous_wait: PreviousWait::AfterSuccess,
            sendable_since: None,
            forgotten: Vec::new(),
        }
    }

    /// The outstanding ask `id`, if the SDK made it and the app has not answered it.
    pub fn ask(&self, id: AskId) -> Option<Ask> {
        self.asks.iter().copied().find(|a| a.id == id)
    }

    /// True when an ask for `cust` is outstanding.
    pub fn asking_for(&self, cust: Cust) -> bool {
        self.asks.iter().any(|a| a.cust == cust)
    }

    /// The event named `name`, if tracked.
    pub fn event(&self, name: &str) -> Option<Ev> {
        self.events.iter().position(|e| &*e.name == name).map(|i| Ev(i as u32))
    }

    /// What is known of `ev`.
    pub fn ev(&self, ev: Ev) -> &Event {
        &self.events[ev.0 as usize]
    }

    pub(crate) fn ev_mut(&mut self, ev: Ev) -> &mut Event {
        &mut self.events[ev.0 as usize]
    }

    /// The names of `events`.
    pub fn names(&self, events: &[Ev]) -> Vec<String> {
        events.iter().map(|e| self.ev(*e).name.to_string()).collect()
    }

    /// The live request with the SDK's id `id`.
    pub fn request(&self, id: RequestId) -> Option<&Request> {
        self.requests.iter().find(|r| r.id == id)
    }

    /// The ids of the requests the SDK was seen to send that await the server's answer,
    /// in the order they were sent.
    pub fn awaiting_response(&self) -> impl Iterator<Item = RequestId> + '_ {
        self.requests.iter().filter(|r| r.waiting == Waiting::Response).map(|r| r.id)
    }

    /// The token the SDK must attach to a request for `cust` now (CONF-001, LIFE-009).
    pub fn token_for(&self, cust: Cust) -> Option<Tok> {
        let stored = self.stored?;
        (self.jwt && self.tokens.get(stored.tok).bound == Some(cust)).then_some(stored.tok)
    }

    /// `exp` of `tok`, if the client can read one.
    pub fn exp(&self, tok: Tok) -> Option<UnixMillis> {
        self.tokens.get(tok).exp_ms
    }

    /// True once `tok` has expired at `at` (PRE-005).
    pub fn expired(&self, tok: Tok, at: UnixMillis) -> bool {
        self.exp(tok).is_some_and(|exp| at >= exp)
    }

    /// The live request of purpose events or logout sync, if any: the one the queue
    /// waits behind (QUEUE-004).
    pub fn events_in_flight(&self) -> Option<&Request> {
        self.requests.iter().find(|r| r.purpose != Purpose::Housekeeping)
    }

    /// The head run of the queue: its customer and the longest run of its events at the
    /// head (QUEUE-003).
    pub fn head_run(&self) -> Option<(Cust, Vec<Ev>)> {
        let first = *self.queue.first()?;
        let cust = self.ev(first).tag;
        let run = self.queue.iter().copied().take_while(|e| self.ev(*e).tag == cust).collect();
        Some((cust, run))
    }

    /// Stores `tok` for the current customer (LIFE-001, LIFE-002).
    pub(crate) fn store(&mut self, tok: Tok, origin: Origin) {
        if let Some(old) = self.stored {
            if old.tok != tok {
                self.tokens.get_mut(old.tok).replaced = true;
            }
        }
        let info = self.tokens.get_mut(tok);
        info.bound = Some(self.customer);
        info.cleared = None;
        info.replaced = false;
        self.stored = Some(Stored {
            tok,
            set_at: self.now,
            told_soon: false,
            told_at: 0,
            told_before_restart: false,
            timer_live: true,
            origin,
        });
    }

    /// Clears the stored token, remembering how (LIFE-008).
    pub(crate) fn clear(&mut self, how: Clearing) {
        if let Some(old) = self.stored.take() {
            self.tokens.get_mut(old.tok).cleared = Some(how);
        }
    }

    /// Removes `events` from the queue (they are in a request now).
    pub(crate) fn dequeue(&mut self, events: &[Ev]) {
        self.queue.retain(|e| !events.contains(e));
        for ev in events {
            let event = self.ev_mut(*ev);
            event.state = EventState::Sent;
            event.requeued = false;
        }
    }

    /// Puts `events` back at the front of the queue, in order (RETRY-012).
    pub(crate) fn requeue_front(&mut self, events: &[Ev]) {
        let mut front: Vec<Ev> = events.to_vec();
        front.retain(|e| !self.queue.contains(e));
        for ev in &front {
            self.ev_mut(*ev).state = EventState::Queued;
        }
        front.append(&mut self.queue);
        self.queue = front;
    }

    /// Marks `events` removed (a `request_failed` or an `events_deleted`).
    pub(crate) fn remove_events(&mut self, events: &[Ev], state: EventState) {
        self.queue.retain(|e| !events.contains(e));
        for ev in events {
            self.ev_mut(*ev).state = state;
        }
    }

    /// Ends the live request `id`.
    pub(crate) fn finish(&mut self, id: RequestId) -> Option<Request> {
        let index = self.requests.iter().position(|r| r.id == id)?;
        Some(self.requests.remove(index))
    }

    /// Forgets what the trace said of the tokens that neither this account (the stored
    /// token, the tokens live requests carried) nor the SDK (`held`) holds any more, and
    /// numbers the others in the order of their compact forms.
    ///
    /// What is forgotten can matter again only when the token comes back: sent by an SDK
    /// that holds it (it held none of them), or passed again by the app, which stores it
    /// afresh. So the account judges every later step as before, while two accounts that
    /// differ only by forgotten tokens or by the order tokens were first seen become equal
    /// (the model check's state space, `jwt_lifecycle_model::check::reduction`).
    pub fn forget_tokens(&mut self, held: impl Fn(&str) -> bool) {
        let stored = self.stored.map(|s| s.tok);
        let requests = &self.requests;
        let carried = |tok: Tok| requests.iter().any(|r| r.carried == Some(tok));
        let Some(moved) =
            self.tokens.retain_in_order(|tok, info| Some(tok) == stored || carried(tok) || held(&info.raw))
        else {
            return;
        };
        let to = |tok: Tok| moved.get(tok.0 as usize).copied().flatten();
        if let Some(stored) = self.stored.as_mut() {
            // Kept above: the stored token is never forgotten.
            stored.tok = to(stored.tok).unwrap_or(stored.tok);
        }
        for request in &mut self.requests {
            request.carried = request.carried.and_then(to);
        }
    }

    /// Forgets the events `forget` accepts, unless one is still queued or carried by a live
    /// request, remembering only where each ended ([`Belief::forgotten`]), and numbers
    /// the others in their order. Meant for events that are done (delivered or removed):
    /// what the trace said of one matters again only when an observation names it, and
    /// the app never tracks a name twice in the model check
    /// (`jwt_lifecycle_model::check::reduction` says when no SDK can name it again).
    pub fn forget_events(&mut self, forget: impl Fn(&Event) -> bool) {
        let live = |ev: Ev, queue: &[Ev], requests: &[Request]| {
            queue.contains(&ev) || requests.iter().any(|r| r.events.contains(&ev))
        };
        let drop: Vec<bool> = self
            .events
            .iter()
            .enumerate()
            .map(|(i, e)| forget(e) && !live(Ev(i as u32), &self.queue, &self.requests))
            .collect();
        if !drop.contains(&true) {
            return;
        }
        let mut moved = Vec::with_capacity(drop.len());
        let mut next = 0;
        for dropped in &drop {
            moved.push(next);
            if !dropped {
                next += 1;
            }
        }
        let mut index = 0;
        let forgotten = &mut self.forgotten;
        self.events.retain(|event| {
            index += 1;
            if drop[index - 1] {
                forgotten.push(event.state);
            }
            !drop[index - 1]
        });
        self.forgotten.sort_unstable();
        self.forgotten.dedup();
        let to = |ev: &mut Ev| ev.0 = moved[ev.0 as usize];
        self.queue.iter_mut().for_each(to);
        self.requests.iter_mut().flat_map(|r| r.events.iter_mut()).for_each(to);
    }

    /// Moves two instants to `start`, the representative of their region, where no rule can
    /// tell them apart from it. The stored token's `set_at` is read only as the lower end
    /// of its refresh window, `max(exp - lead - tolerance, set_at)`: every `set_at` at or
    /// before `exp - lead - tolerance` gives the same window (and without a refresh policy
    /// or an `exp` there is no window). `handler_since` is read only as
    /// `handler_since > ` that lower end, for the stored token: at or before it, the
    /// comparison is false, and it stays false for every token stored later (stored at
    /// `now`, after the handler came) as it is for `start`. Only a `start` no later than
    /// every instant of the trace keeps that true.
    pub fn forget_instants(&mut self, refresh: Option<RefreshPolicy>, start: UnixMillis) {
        let lower_end = |stored: &Stored, tokens: &Tokens| {
            let policy = refresh?;
            let exp = tokens.get(stored.tok).exp_ms?;
            Some(exp.saturating_sub(policy.lead_ms).saturating_sub(policy.tolerance_ms))
        };
        let Some(stored) = self.stored.as_mut() else {
            self.handler_since = start;
            return;
        };
        match lower_end(stored, &self.tokens) {
            Some(end) => {
                let earliest = end.max(stored.set_at);
                if self.handler_since <= earliest {
                    self.handler_since = start;
                }
                if stored.set_at <= end {
                    stored.set_at = start;
                }
            }
            None => {
                self.handler_since = start;
                stored.set_at = start;
            }
        }
    }

    /// A new session: the count starts again and a suspension ends (LIMIT-003).
    pub(crate) fn new_session(&mut self) {
        self.lifted = self.suspended;
        self.failures = 0;
        self.failures_in_session = 0;
        self.suspended = false;
    }
}
