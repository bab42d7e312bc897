//! An SDK that differs from the reference only in choices the specification leaves open.
//!
//! [`Chooser`] wraps the reference adapter and changes what a shipping SDK may do
//! differently without breaking a rule:
//!
//! - it sends requests of its own (QUEUE-008): a `session` request at `configure` and a
//!   `customer_update` at `identify`, carrying no events and the token the rules demand
//!   for the current customer, and ignores their answers;
//! - it runs the pre-flight check before its own requests where the profile has one
//!   (`not_provided` or `expired` before the request; QUEUE-008 allows it, not requires it);
//! - it runs the pre-flight check before its own requests where the profile has one
//!   (`not_provided` or `expired` before the request; QUEUE-008 allows it, not requires it);
//! - it therefore numbers its requests differently (its own take ids in the same
//!   sequence);
//! - it reports each deleted event in an `events_deleted` of its own, in reverse order
//!   (QUEUE-006: grouping and order are not normative);
//! - it puts its own requests first or last among the outputs of a step (no rule orders
//!   them against the others);
//! - it fires each timer somewhere else inside its tolerance window (REFR-001 ±2 s,
//!   RETRY-002 ±250 ms), and reports the outputs of one advance in the order of their
//!   new instants.
//!
//! The token and customer of its own requests come from an oracle fed with the reference's
//! own trace: the specification's account of what the SDK holds.

use jwt_lifecycle_conformance::adapter::reference::ReferenceAdapter;
use jwt_lifecycle_conformance::adapter::{Adapter, AdapterError, Hello, Started, StepReply};
use jwt_lifecycle_oracle::{Act, Oracle};
use jwt_lifecycle_spec::alphabet::{
    AppCall, Input, Observation, Output, Reason, RequestId, RequestKind, UnixMillis,
};
use jwt_lifecycle_spec::profile::ProfileId;
use std::collections::{BTreeMap, BTreeSet};

/// How far each timer is moved, in turn, inside its window.
const REFRESH_SHIFTS: [i64; 5] = [1_900, -1_900, 700, -1_200, 0];
const RETRY_SHIFTS: [i64; 5] = [240, -240, 125, -60, 0];
/// None: the reference ends a backoff wait at the latest instant it allows (RETRY-016), and
/// a wait made shorter would lower the bound of the next one below the reference's own.
const BACKOFF_SHIFTS: [i64; 1] = [0];

/// How often each allowed choice was made, so a test can show they were exercised.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Made {
    /// Requests sent on the SDK's own account.
    pub(crate) own_requests: u64,
    /// Deletions reported as several outputs.
    pub(crate) split_deletions: u64,
    /// Timer outputs reported at another instant than the reference's.
    pub(crate) moved_timers: u64,
    /// Steps whose own requests came before the reference's outputs.
    pub(crate) own_first: u64,
    /// Requests whose id differs from the reference's.
    pub(crate) renumbered: u64,
    /// Pre-flight notifications given before the SDK's own requests.
    pub(crate) own_preflights: u64,
}

/// The reference, making every allowed choice its own way.
pub(crate) struct Chooser {
    inner: ReferenceAdapter,
    oracle: Option<Oracle>,
    profile: Option<ProfileId>,
    now: UnixMillis,
    next_id: RequestId,
    outer_of: BTreeMap<RequestId, RequestId>,
    inner_of: BTreeMap<RequestId, RequestId>,
    own: BTreeSet<RequestId>,
    turn: usize,
    /// The choices made so far, over every case.
    pub(crate) made: Made,
}

impl Chooser {
    /// A chooser over the reference, for every profile.
    pub(crate) fn new() -> Self {
        Chooser {
            inner: ReferenceAdapter::new(),
            oracle: None,
            profile: None,
            now: 0,
            next_id: 1,
            outer_of: BTreeMap::new(),
            inner_of: BTreeMap::new(),
            own: BTreeSet::new(),
            turn: 0,
            made: Made::default(),
        }
    }

    fn oracle(&mut self) -> Result<&mut Oracle, AdapterError> {
        self.oracle.as_mut().ok_or_else(|| AdapterError::Reported { message: "no case started".into() })
    }

    /// The reference's id for the suite's `request`; an id the reference never used for
    /// a request it never sent.
    fn inner_id(&self, request: RequestId) -> RequestId {
        self.inner_of.get(&request).copied().unwrap_or(u64::MAX - request)
    }

    /// The reference's own outputs for `act`, judged into the oracle's account.
    fn run_inner(&mut self, act: &Act, reply: StepReply) -> Result<Option<Vec<Observation>>, AdapterError> {
        let StepReply::Done(seen) = reply else { return Ok(None) };
        self.oracle()?.step(0, act, &seen);
        Ok(Some(seen))
    }

    /// A request on the SDK's own account for the current customer, with the token the
    /// rules demand for it, after the pre-flight notification the profile's check gives
    /// (`expired_soon` aside: the reference keeps its once-per-token memory to itself).
    /// Empty where sending one could change what the rules judge (not running,
    /// suspended, or a failure count its success would reset).
    fn own_request(&mut self, kind: RequestKind) -> Vec<Output> {
        let Some(oracle) = self.oracle.as_ref() else { return vec![] };
        let belief = oracle.belief();
        let profile = oracle.profile();
        if !belief.running || belief.suspended || (profile.failure_limit.is_some() && belief.failures > 0) {
            return vec![];
        }
        let customer_ids = belief.customers.ids(belief.customer).clone();
        let token = belief.token_for(belief.customer);
        let checks = profile.preflight;
        let preflight = match token {
            _ if !belief.jwt || !belief.handler => None,
            None => checks.notify_not_provided.then_some(Reason::NotProvided),
            Some(t) if belief.expired(t, belief.now) => checks.notify_expired.then_some(Reason::Expired),
            Some(_) => None,
        };
        let mut out: Vec<Output> = preflight
            .map(|reason| Output::HandlerCalled { reason, customer_ids: customer_ids.clone(), code: None })
            .into_iter()
            .collect();
        let authorization = token.map(|t| belief.tokens.get(t).raw.to_string());
        out.push(Output::RequestSent {
            request: 0,
            kind,
            customer_ids,
            events: vec![],
            authorization,
            attempt: 1,
        });
        self.made.own_preflights += out.len() as u64 - 1;
        out
    }

    /// Each deleted event in an output of its own, in reverse order.
    fn split_deletions(&mut self, seen: Vec<Observation>) -> Vec<Observation> {
        let mut out = Vec::with_capacity(seen.len());
        for o in seen {
            match o.output {
                Output::EventsDeleted { events, rule } if events.len() > 1 => {
                    self.made.split_deletions += 1;
                    for event in events.into_iter().rev() {
                        out.push(Observation {
                            at: o.at,
                            output: Output::EventsDeleted { events: vec![event], rule },
                        });
                    }
                }
                output => out.push(Observation { at: o.at, output }),
            }
        }
        out
    }

    /// Gives every request the suite's id: the next in the sequence for a new one, the
    /// id it was sent under for one that fails.
    fn renumber(&mut self, seen: &mut [Observation]) {
        for o in seen {
            match &mut o.output {
                Output::RequestSent { request, .. } if *request == 0 => {
                    let id = self.next_id;
                    self.next_id += 1;
                    *request = id;
                    self.own.insert(id);
                }
                Output::RequestSent { request, .. } => {
                    let id = self.next_id;
                    self.next_id += 1;
                    self.outer_of.insert(*request, id);
                    self.inner_of.insert(id, *request);
                    if id != *request {
                        self.made.renumbered += 1;
                    }
                    *request = id;
                }
                Output::RequestFailed { request, .. } => {
                    if let Some(id) = self.outer_of.get(request) {
                        *request = *id;
                    }
                }
                _ => {}
            }
        }
    }

    /// Moves each timer's output inside its tolerance window (and inside the advance),
    /// then orders the advance's outputs by their new instants.
    fn move_timers(&mut self, seen: &mut [Observation], from: UnixMillis, to: UnixMillis) {
        let backs_off = self.profile.is_some_and(|p| p.profile().backoff().is_some());
        for o in seen.iter_mut() {
            let shifts = match &o.output {
                Output::HandlerCalled { reason: Reason::ExpiredSoon, .. } => &REFRESH_SHIFTS[..],
                Output::RequestSent { attempt, .. } if *attempt > 1 && backs_off => &BACKOFF_SHIFTS[..],
                Output::RequestSent { attempt, .. } if *attempt > 1 => &RETRY_SHIFTS[..],
                _ => continue,
            };
            let shift = shifts[self.turn % shifts.len()];
            self.turn += 1;
            // Strictly after the advance's first instant: an output at that instant belongs
            // to the step before it.
            let moved = o.at.saturating_add_signed(shift).clamp(from.saturating_add(1).min(o.at), to);
            if moved != o.at {
                self.made.moved_timers += 1;
                o.at = moved;
            }
        }
        seen.sort_by_key(|o| o.at);
    }
}

impl Adapter for Chooser {
    fn hello(&mut self) -> Result<Hello, AdapterError> {
        let mut hello = self.inner.hello()?;
        hello.adapter = "allowed-choices".into();
        Ok(hello)
    }

    fn start(&mut self, case: &str, profile: ProfileId, clock: UnixMillis) -> Result<Started, AdapterError> {
        self.oracle = Some(Oracle::new(&profile.profile(), clock));
        self.profile = Some(profile);
        self.now = clock;
        self.next_id = 1;
        self.outer_of.clear();
        self.inner_of.clear();
        self.own.clear();
        self.inner.start(case, profile, clock)
    }

    fn input(&mut self, input: &Input) -> Result<StepReply, AdapterError> {
        let input = match input {
            Input::Respond { request, .. } if self.own.remove(request) => {
                return Ok(StepReply::Done(vec![]));
            }
            Input::Respond { request, reply, body } => {
                Input::Respond { request: self.inner_id(*request), reply: *reply, body: body.clone() }
            }
            Input::Restart {} => {
                self.own.clear();
                input.clone()
            }
            other => other.clone(),
        };
        let reply = self.inner.input(&input)?;
        let act = Act::Input { at: self.now, input: input.clone() };
        let Some(seen) = self.run_inner(&act, reply.clone())? else { return Ok(reply) };
        let mut seen = self.split_deletions(seen);
        let own = match &input {
            Input::App(AppCall::Configure { .. }) => self.own_request(RequestKind::Session),
            Input::App(AppCall::Identify { .. }) => self.own_request(RequestKind::CustomerUpdate),
            _ => vec![],
        };
        if !own.is_empty() {
            self.made.own_requests += 1;
            let now = self.now;
            let own = own.into_iter().map(|output| Observation { at: now, output });
            self.turn += 1;
            if self.turn.is_multiple_of(2) {
                self.made.own_first += 1;
                seen.splice(0..0, own);
            } else {
                seen.extend(own);
            }
        }
        self.renumber(&mut seen);
        Ok(StepReply::Done(seen))
    }

    fn advance(&mut self, ms: u64) -> Result<StepReply, AdapterError> {
        let from = self.now;
        let to = from.saturating_add(ms);
        let reply = self.inner.advance(ms)?;
        self.now = to;
        let act = Act::Advance { from, to };
        let Some(seen) = self.run_inner(&act, reply.clone())? else { return Ok(reply) };
        let mut seen = self.split_deletions(seen);
        self.move_timers(&mut seen, from, to);
        self.renumber(&mut seen);
        Ok(StepReply::Done(seen))
    }
}
