//! Which arrows one step of the reference machine takes.
//!
//! A [`Look`] is what the diagrams see of the machine at one instant, read from its
//! public state only. [`classify`] compares the looks before and after one step (an
//! input, or the clock reaching the next instant where something can change) with what
//! caused it, and names the arrow each diagram took. A change of state that no arrow of
//! the profile explains is returned as [`Unexplained`]: the diagram lacks an arrow the
//! machine takes.
//!
//! Where the profile sends per event (QUEUE-009), several requests are in flight at once:
//! the pipeline diagram draws the life of one request, and each request a step changed
//! (matched across a resend by its events) takes its own arrow.

use super::{Diagram, Edge, State, Transition};
use crate::sdk::request::{InFlight, Purpose, Waiting};
use crate::sdk::Sdk;
use jwt_lifecycle_spec::alphabet::{AppCall, AskId, EventId, Input, RequestId, UnixMillis};
use jwt_lifecycle_spec::client_view::ClientToken;
use jwt_lifecycle_spec::profile::{Answer, Batching, ClearingCall, OtherFailurePolicy, Profile, RetryPolicy};
use serde::Serialize;

/// What the diagrams see of the machine at one instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Look {
    /// The SDK diagram's state.
    pub sdk: State,
    /// The token diagram's state.
    pub token: State,
    /// The pipeline diagram's state (for a profile that sends per event, the most
    /// advanced state of its requests).
    pub pipeline: State,
    /// JWT was enabled at the last configure.
    pub jwt_enabled: bool,
    /// Sync is suspended by the failure limit.
    pub suspended: bool,
    /// The request in flight, if any (the one request of a profile that sends the head
    /// of its queue).
    pub flight: Option<Flight>,
    /// Every request in flight of a profile that sends per event.
    pub flights: Vec<Flight>,
    /// The asks of the app's token callback not answered yet.
    pub open_asks: Vec<AskId>,
}

/// What the diagrams need of a request in flight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flight {
    /// The id of its latest attempt.
    pub request: RequestId,
    /// Its events: they name the request across its attempts.
    pub events: Vec<EventId>,
    /// Its state in the pipeline diagram.
    pub state: State,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// It is the logout sync (QUEUE-002).
    pub logout_sync: bool,
    /// Its customer is the current one.
    pub customer_current: bool,
    /// The token its latest attempt carried.
    pub carried: Option<ClientToken>,
}

impl Flight {
    fn of(f: &InFlight, sdk: &Sdk) -> Flight {
        let state = match f.waiting {
            Waiting::Response => State::InFlight,
            Waiting::Retry(_) => State::RetryPending,
            Waiting::NewToken | Waiting::Resend => State::Held,
            Waiting::Ask(_) => State::AwaitingToken,
        };
        Flight {
            request: f.request,
            events: f.events.clone(),
            state,
            attempt: f.attempt,
            logout_sync: f.purpose == Purpose::LogoutSync,
            customer_current: f.customer == *sdk.customer(),
            carried: f.carried.clone(),
        }
    }
}

impl Look {
    /// The look of `sdk` at `now`; `configured` says whether this instance was ever
    /// configured (the machine does not keep that, the walk does).
    pub fn of(sdk: &Sdk, now: UnixMillis, configured: bool) -> Look {
        let profile = sdk.profile();
        let sdk_state = match (sdk.is_running(), configured) {
            (true, _) => State::Running,
            (false, true) => State::Stopped,
            (false, false) => State::Unconfigured,
        };
        let token = match sdk.stored_token() {
            None => State::NoToken,
            Some(t) if t.token.is_expired(now) => State::Expired,
            Some(t) => match profile.refresh {
                Some(r) if t.token.is_expiring_soon(now, r.lead_ms) => State::ExpiringSoon,
                _ => State::Valid,
            },
        };
        let flight = sdk.in_flight().map(|f| Flight::of(f, sdk));
        let flights: Vec<Flight> = sdk.flights().iter().map(|f| Flight::of(f, sdk)).collect();
        let suspended = sdk.failures().suspended;
        let pipeline = if profile.batching == Batching::PerEventConcurrent {
            [State::InFlight, State::AwaitingToken]
                .into_iter()
                .find(|s| flights.iter().any(|f| f.state == *s))
                .unwrap_or(State::Idle)
        } else {
            match &flight {
                // A request an explicit flush sent through the suspension (LIMIT-006).
                Some(f) if f.state == State::InFlight => State::InFlight,
                _ if suspended => State::Suspended,
                // A held request stays the request in flight in the machine, waiting for
                // a token.
                Some(f) => f.state,
                None if sdk.backoff_until().is_some_and(|w| w > now) => State::BackingOff,
                None => State::Idle,
            }
        };
        Look {
            sdk: sdk_state,
            token,
            pipeline,
            jwt_enabled: sdk.jwt_enabled(),
            suspended,
            flight,
            flights,
            open_asks: sdk.open_asks().iter().map(|a| a.id).collect(),
        }
    }

    /// This look's state in `diagram`.
    pub fn state(&self, diagram: Diagram) -> State {
        match diagram {
            Diagram::Sdk => self.sdk,
            Diagram::Token => self.token,
            Diagram::Pipeline => self.pipeline,
        }
    }

    /// True when `after` has an ask this look does not: the step asked the callback.
    fn asked_by(&self, after: &Look) -> bool {
        after.open_asks.iter().any(|a| !self.open_asks.contains(a))
    }

    /// True when ask `id` is open in this look.
    fn ask_open(&self, id: AskId) -> bool {
        self.open_asks.contains(&id)
    }
}

/// What caused a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stimulus<'a> {
    /// An input.
    Input(&'a Input),
    /// The clock reached the step's instant.
    Clock,
}

/// A change of state no arrow of the profile explains.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unexplained {
    /// The diagram.
    pub diagram: Diagram,
    /// The state before.
    pub from: State,
    /// The state after.
    pub to: State,
}

/// The arrows one step took.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Classified {
    /// The arrows taken, at most one per diagram.
    pub taken: Vec<Transition>,
    /// Changes of state no arrow explains.
    pub unexplained: Vec<Unexplained>,
}

impl Classified {
    /// Adds `other`'s arrows and gaps to these.
    pub fn extend(&mut self, other: Classified) {
        self.taken.extend(other.taken);
        self.unexplained.extend(other.unexplained);
    }
}

/// Names the arrows among `edges` (normally `profile`'s, see
/// [`all_edges`](super::all_edges)) a step from `before` to `after` took; `at` is the
/// step's instant.
pub fn classify(
    profile: &Profile,
    edges: &[Edge],
    stimulus: Stimulus<'_>,
    at: UnixMillis,
    before: &Look,
    after: &Look,
) -> Classified {
    let mut out = Classified::default();
    let mut judge = |diagram: Diagram, candidate: Vec<Transition>| {
        let (from, to) = (before.state(diagram), after.state(diagram));
        match drawn_path(edges, &candidate, from, to) {
            Some(path) => out.taken.extend(path),
            None if from != to => out.unexplained.push(Unexplained { diagram, from, to }),
            None => {}
        }
    };
    judge(Diagram::Sdk, sdk_transition(stimulus, before.sdk, after.sdk).into_iter().collect());
    let restart = matches!(stimulus, Stimulus::Input(Input::Restart {}));
    // The token and pipeline diagrams describe one running instance: a restart ends it
    // (the SDK diagram draws that), and a stopped SDK changes nothing of its own.
    if restart || !(before.sdk == State::Running || after.sdk == State::Running) {
        return out;
    }
    judge(Diagram::Token, token_transition(profile, stimulus, before, after));
    if profile.batching == Batching::PerEventConcurrent {
        out.extend(per_event_transitions(profile, edges, stimulus, at, before, after));
    } else {
        judge(Diagram::Pipeline, pipeline_transition(profile, stimulus, at, before, after));
    }
    out
}

/// The arrows of `path`, when `edges` draw each of them and they lead, one after the
/// other, from `from` to `to`. A replaced token enters the state its own `exp` gives,
/// whatever the arrow's drawn target.
fn drawn_path(edges: &[Edge], path: &[Transition], from: State, to: State) -> Option<Vec<Transition>> {
    let mut at = from;
    for (i, t) in path.iter().enumerate() {
        let e = edges.iter().find(|e| e.transition == *t)?;
        let last = i + 1 == path.len();
        let replaced = e.transition == Transition::TokenReplaced && last && to.is_stored();
        if !e.from.contains(at) {
            return None;
        }
        at = if replaced { to } else { e.to };
    }
    (!path.is_empty() && at == to).then(|| path.to_vec())
}

fn call(stimulus: Stimulus<'_>) -> Option<&AppCall> {
    match stimulus {
        Stimulus::Input(Input::App(call)) => Some(call),
        _ => None,
    }
}

/// How the profile reads the answer a step gave to request `request`, if the step is
/// one.
fn answer_to(profile: &Profile, stimulus: Stimulus<'_>, request: RequestId) -> Option<Answer> {
    match stimulus {
        Stimulus::Input(Input::Respond { request: r, reply, body }) if *r == request => {
            Some(profile.read_answer(*reply, body.as_ref()))
        }
        _ => None,
    }
}

fn sdk_transition(stimulus: Stimulus<'_>, from: State, to: State) -> Option<Transition> {
    let configure = matches!(call(stimulus), Some(AppCall::Configure { .. }));
    let stop = matches!(call(stimulus), Some(AppCall::StopIntegration {}));
    let restart = matches!(stimulus, Stimulus::Input(Input::Restart {}));
    match (from, to) {
        (State::Unconfigured, State::Running) if configure => Some(Transition::Configure),
        (State::Running, State::Stopped) if stop => Some(Transition::Stop),
        (State::Stopped, State::Running) if configure => Some(Transition::Reconfigure),
        (State::Running, State::Unconfigured) if restart => Some(Transition::RestartRunning),
        (State::Stopped, State::Unconfigured) if restart => Some(Transition::RestartStopped),
        _ => None,
    }
}

/// True when `call` hands the SDK a token.
fn provides_token(call: &AppCall) -> bool {
    match call {
        AppCall::Configure { token, .. }
        | AppCall::SetToken { token, .. }
        | AppCall::Identify { token, .. }
        | AppCall::ProvideToken { token, .. } => token.is_some(),
        _ => false,
    }
}

/// The clearing call `call` is, if any.
pub fn clearing_call(call: &AppCall) -> Option<ClearingCall> {
    Some(match call {
        AppCall::Anonymize {} => ClearingCall::Anonymize,
        AppCall::StopIntegration {} => ClearingCall::StopIntegration,
        AppCall::ClearLocalData {} => ClearingCall::ClearLocalData,
        AppCall::Identify { token: None, .. } => ClearingCall::IdentifyWithoutToken,
        AppCall::Logout {} => ClearingCall::Logout,
        AppCall::SetToken { token: None, .. } => ClearingCall::ClearToken,
        _ => return None,
    })
}

/// The arrows the token diagram took: usually one; `identify` in a profile that pulls
/// may clear the token and then ask for the new customer's.
fn token_transition(
    profile: &Profile,
    stimulus: Stimulus<'_>,
    before: &Look,
    after: &Look,
) -> Vec<Transition> {
    use State::*;
    // A token handed over while JWT is off is not stored (CONF-002, CONF-005).
    let provided = call(stimulus).is_some_and(provides_token) && after.jwt_enabled && after.sdk == Running;
    let cleared = call(stimulus).and_then(clearing_call).is_some_and(|c| profile.clears_token(c));
    let clock = stimulus == Stimulus::Clock;
    let identify_asked = matches!(call(stimulus), Some(AppCall::Identify { .. })) && before.asked_by(after);
    // LIFE-018: the callback failed an ask that was open.
    let ask_failed = match call(stimulus) {
        Some(AppCall::ProvideToken { ask, token: None }) => before.ask_open(*ask),
        _ => false,
    };
    let one = match (before.token, after.token) {
        (NoToken, Valid) if provided => Some(Transition::TokenSet),
        (NoToken, ExpiringSoon) if provided => Some(Transition::TokenSetInsideWindow),
        (NoToken, Expired) if provided => Some(Transition::TokenSetExpired),
        (from, _) if from.is_stored() && provided => Some(Transition::TokenReplaced),
        (from, NoToken) if from.is_stored() && cleared && identify_asked => {
            return vec![Transition::TokenCleared, Transition::TokenAsked]
        }
        (from, NoToken) if from.is_stored() && cleared => Some(Transition::TokenCleared),
        (NoToken, NoToken) if identify_asked => Some(Transition::TokenAsked),
        (NoToken, NoToken) if ask_failed => Some(Transition::AskFailed),
        (ExpiringSoon, ExpiringSoon) if ask_failed => Some(Transition::RefreshAskFailed),
        (Valid, ExpiringSoon) if clock => Some(Transition::WindowOpens),
        (ExpiringSoon, Expired) if clock => Some(Transition::ExpiresInWindow),
        (Valid, Expired) if clock => Some(Transition::Expires),
        _ => None,
    };
    one.into_iter().collect()
}

/// The arrows the pipeline took: usually one; a `configure` with a token while a request
/// is held and sync suspended takes two at once (a new session, then the new token
/// sends the held request).
fn pipeline_transition(
    profile: &Profile,
    stimulus: Stimulus<'_>,
    at: UnixMillis,
    before: &Look,
    after: &Look,
) -> Vec<Transition> {
    if (before.pipeline, after.pipeline) == (State::Suspended, State::InFlight)
        && call(stimulus).is_some_and(|c| matches!(c, AppCall::Configure { token: Some(_), .. }))
    {
        return vec![Transition::NewSessionHeld, Transition::Release];
    }
    pipeline_step(profile, stimulus, at, before, after).into_iter().collect()
}

/// The one arrow the pipeline took, if any.
fn pipeline_step(
    profile: &Profile,
    stimulus: Stimulus<'_>,
    at: UnixMillis,
    before: &Look,
    after: &Look,
) -> Option<Transition> {
    use State::*;
    let call = call(stimulus);
    let clock = stimulus == Stimulus::Clock;
    let flush = matches!(call, Some(AppCall::Flush {}));
    let discards = matches!(call, Some(AppCall::ClearLocalData {} | AppCall::StopIntegration {}));
    let new_session = matches!(call, Some(AppCall::NewSession {} | AppCall::Configure { .. }));
    match (before.pipeline, after.pipeline) {
        (Idle, InFlight) => match call {
            Some(AppCall::Flush {}) => Some(Transition::Send),
            Some(AppCall::Logout {}) => Some(Transition::LogoutSync),
            None if clock => Some(Transition::AutoFlush),
            _ => None,
        },
        (InFlight, Idle) if discards => Some(Transition::DiscardInFlight),
        // LIMIT-006: the request a flush sent through the suspension ends, the
        // suspension stays.
        (InFlight, Suspended) if before.suspended => Some(Transition::AnsweredWhileSuspended),
        (InFlight, Suspended) => Some(Transition::Suspend),
        (InFlight, RetryPending) => Some(Transition::RetryScheduled),
        (InFlight, Held) => Some(Transition::Hold),
        (InFlight, _) => answered(profile, before.flight.as_ref()?, stimulus, at, before.jwt_enabled),
        (RetryPending, InFlight) if clock => Some(Transition::RetrySent),
        (RetryPending, Idle) if discards => Some(Transition::DiscardRetry),
        (Held, InFlight) => Some(Transition::Release),
        (Held, Idle) if discards => Some(Transition::DiscardHeld),
        (Held, Idle) if call.is_some() => Some(Transition::HeldCustomerLeft),
        (BackingOff, InFlight) if clock => Some(Transition::BackoffOver),
        (BackingOff, InFlight) if flush => Some(Transition::FlushDuringBackoff),
        (BackingOff, Idle) if clock => Some(Transition::BackoffLapses),
        (Suspended, Suspended) => match call {
            Some(AppCall::Track { .. } | AppCall::Flush {} | AppCall::SetToken { token: Some(_), .. }) => {
                Some(Transition::SuspendedStays)
            }
            _ => None,
        },
        (Suspended, InFlight) if flush => Some(Transition::FlushThroughSuspension),
        (Suspended, Idle) if new_session => Some(Transition::NewSession),
        (Suspended, Held) if new_session => Some(Transition::NewSessionHeld),
        (Suspended, BackingOff) if new_session => Some(Transition::NewSessionWaiting),
        _ => None,
    }
}

/// The arrow out of "in flight" the answer to `flight` takes, if the step answered it.
fn answered(
    profile: &Profile,
    flight: &Flight,
    stimulus: Stimulus<'_>,
    at: UnixMillis,
    jwt_enabled: bool,
) -> Option<Transition> {
    let (status, expired) = match answer_to(profile, stimulus, flight.request)? {
        Answer::Delivered => return Some(Transition::Delivered),
        Answer::Other => {
            return Some(match profile.on_other_failure {
                OtherFailurePolicy::Requeue => Transition::Requeued,
                OtherFailurePolicy::Fail => Transition::OtherFailureFails,
                // RETRY-016: back to the queue until the backoff wait is over.
                OtherFailurePolicy::Backoff { .. } => Transition::BackoffFailed,
            });
        }
        Answer::Rejected { status, expired, .. } => (status, expired),
    };
    if !jwt_enabled {
        return Some(Transition::RejectedWithoutJwt);
    }
    if flight.logout_sync {
        return Some(Transition::LogoutSyncRejected);
    }
    let carried = flight.carried.is_some();
    let unexpired = flight.carried.as_ref().is_some_and(|t| !t.is_expired(at)) && !expired;
    let policy = profile.auth_failure_policy(status, carried, unexpired)?;
    match policy.retry {
        RetryPolicy::After { .. } => Some(Transition::RetryRejected),
        RetryPolicy::OnNewToken if !flight.customer_current => Some(Transition::RejectedCustomerLeft),
        RetryPolicy::OnNewToken => None,
        RetryPolicy::Never if policy.raise_app_error => Some(Transition::RejectedWithAppError),
        RetryPolicy::Never => Some(Transition::ForbiddenFails),
        // RETRY-016: the events go back to the queue until the backoff wait is over.
        RetryPolicy::Backoff { .. } => Some(Transition::BackoffRejected),
        // RETRY-018: a request whose customer was left is not refetched for.
        RetryPolicy::RefetchThenRetry if !flight.customer_current => Some(Transition::RejectedCustomerLeft),
        // RETRY-015: the resend is the last attempt.
        RetryPolicy::RefetchThenRetry if flight.attempt > 1 => Some(Transition::RefetchRejected),
        // RETRY-015: it waits for the token asked for.
        RetryPolicy::RefetchThenRetry => Some(Transition::Refetch),
    }
}

/// The arrows of a step in a profile that sends per event: each request the step
/// started, changed or ended takes its own arrow of the pipeline diagram.
fn per_event_transitions(
    profile: &Profile,
    edges: &[Edge],
    stimulus: Stimulus<'_>,
    at: UnixMillis,
    before: &Look,
    after: &Look,
) -> Classified {
    let mut out = Classified::default();
    let mut unmatched: Vec<&Flight> = after.flights.iter().collect();
    let mut changes: Vec<(Option<&Flight>, State, State)> = Vec::new();
    for b in &before.flights {
        // A resend has a new request id: the request is named by its events.
        let same = unmatched
            .iter()
            .position(|a| a.request == b.request)
            .or_else(|| unmatched.iter().position(|a| a.events == b.events));
        let to = match same {
            Some(i) => unmatched.remove(i).state,
            None => State::Idle,
        };
        if to != b.state {
            changes.push((Some(b), b.state, to));
        }
    }
    changes.extend(unmatched.into_iter().map(|a| (None, State::Idle, a.state)));
    for (flight, from, to) in changes {
        let step = per_event_step(profile, flight, stimulus, at, before.jwt_enabled, from, to);
        match step.and_then(|t| drawn_path(edges, &[t], from, to)) {
            Some(path) => out.taken.extend(path),
            None => out.unexplained.push(Unexplained { diagram: Diagram::Pipeline, from, to }),
        }
    }
    out
}

/// The arrow one request of a per-event profile took from `from` to `to`.
fn per_event_step(
    profile: &Profile,
    flight: Option<&Flight>,
    stimulus: Stimulus<'_>,
    at: UnixMillis,
    jwt_enabled: bool,
    from: State,
    to: State,
) -> Option<Transition> {
    use State::*;
    let call = call(stimulus);
    let provided = matches!(call, Some(AppCall::ProvideToken { .. }));
    match (from, to) {
        (Idle, InFlight) if matches!(call, Some(AppCall::Track { .. })) => Some(Transition::Send),
        (InFlight, _) => answered(profile, flight?, stimulus, at, jwt_enabled),
        (AwaitingToken, InFlight) if provided => Some(Transition::RefetchResent),
        (AwaitingToken, Idle) if provided => Some(Transition::RefetchFailed),
        (AwaitingToken, Idle) if call.is_some() => Some(Transition::RefetchCustomerLeft),
        _ => None,
    }
}
