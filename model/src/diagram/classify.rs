//! Which arrows one step of the reference machine takes.
//!
//! A [`Look`] is what the diagrams see of the machine at one instant, read from its
//! public state only. [`classify`] compares the looks before and after one step (an
//! input, or the clock reaching the next instant where something can change) with what
//! caused it, and names the arrow each diagram took. A change of state that no arrow of
//! the profile explains is returned as [`Unexplained`]: the diagram lacks an arrow the
//! machine takes.

use super::{Diagram, Edge, State, Transition};
use crate::sdk::request::Purpose;
use crate::sdk::Sdk;
use jwt_lifecycle_spec::alphabet::{AppCall, Input, Reply, UnixMillis};
use jwt_lifecycle_spec::client_view::ClientToken;
use jwt_lifecycle_spec::profile::{ClearingCall, Profile, RetryPolicy};
use serde::Serialize;

/// What the diagrams see of the machine at one instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Look {
    /// The SDK diagram's state.
    pub sdk: State,
    /// The token diagram's state.
    pub token: State,
    /// The pipeline diagram's state.
    pub pipeline: State,
    /// JWT was enabled at the last configure.
    pub jwt_enabled: bool,
    /// The request in flight, if any.
    pub flight: Option<Flight>,
}

/// What the diagrams need of the request in flight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flight {
    /// 1 for the first attempt.
    pub attempt: u32,
    /// It is the logout sync (QUEUE-002).
    pub logout_sync: bool,
    /// Its customer is the current one.
    pub customer_current: bool,
    /// The token its latest attempt carried.
    pub carried: Option<ClientToken>,
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
        let pipeline = if sdk.failures().suspended {
            State::Suspended
        } else if sdk.is_held() {
            // A held request stays the request in flight in the machine, waiting for a token.
            State::Held
        } else {
            match sdk.in_flight() {
                Some(f) if f.retry_due().is_some() => State::RetryPending,
                Some(_) => State::InFlight,
                None => State::Idle,
            }
        };
        let flight = sdk.in_flight().map(|f| Flight {
            attempt: f.attempt,
            logout_sync: f.purpose == Purpose::LogoutSync,
            customer_current: f.customer == *sdk.customer(),
            carried: f.carried.clone(),
        });
        Look { sdk: sdk_state, token, pipeline, jwt_enabled: sdk.jwt_enabled(), flight }
    }

    /// This look's state in `diagram`.
    pub fn state(&self, diagram: Diagram) -> State {
        match diagram {
            Diagram::Sdk => self.sdk,
            Diagram::Token => self.token,
            Diagram::Pipeline => self.pipeline,
        }
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
    judge(Diagram::Token, token_transition(profile, stimulus, before, after).into_iter().collect());
    judge(Diagram::Pipeline, pipeline_transition(profile, stimulus, at, before, after));
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

fn reply(stimulus: Stimulus<'_>) -> Option<Reply> {
    match stimulus {
        Stimulus::Input(Input::Respond { reply, .. }) => Some(*reply),
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
        | AppCall::Identify { token, .. } => token.is_some(),
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

fn token_transition(
    profile: &Profile,
    stimulus: Stimulus<'_>,
    before: &Look,
    after: &Look,
) -> Option<Transition> {
    use State::*;
    // A token handed over while JWT is off is not stored (CONF-002, CONF-005).
    let provided = call(stimulus).is_some_and(provides_token) && after.jwt_enabled && after.sdk == Running;
    let cleared = call(stimulus).and_then(clearing_call).is_some_and(|c| profile.clears_token(c));
    let clock = stimulus == Stimulus::Clock;
    match (before.token, after.token) {
        (NoToken, Valid) if provided => Some(Transition::TokenSet),
        (NoToken, ExpiringSoon) if provided => Some(Transition::TokenSetInsideWindow),
        (NoToken, Expired) if provided => Some(Transition::TokenSetExpired),
        (from, _) if from.is_stored() && provided => Some(Transition::TokenReplaced),
        (from, NoToken) if from.is_stored() && cleared => Some(Transition::TokenCleared),
        (Valid, ExpiringSoon) if clock => Some(Transition::WindowOpens),
        (ExpiringSoon, Expired) if clock => Some(Transition::ExpiresInWindow),
        (Valid, Expired) if clock => Some(Transition::Expires),
        _ => None,
    }
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
    let discards = matches!(call, Some(AppCall::ClearLocalData {} | AppCall::StopIntegration {}));
    let new_session = matches!(call, Some(AppCall::NewSession {} | AppCall::Configure { .. }));
    match (before.pipeline, after.pipeline) {
        (Idle, InFlight) => match call {
            Some(AppCall::Flush {}) => Some(Transition::Send),
            Some(AppCall::Logout {}) => Some(Transition::LogoutSync),
            _ => None,
        },
        (InFlight, Idle) if discards => Some(Transition::DiscardInFlight),
        (InFlight, Idle) => answered(profile, reply(stimulus)?, at, before),
        (InFlight, RetryPending) => Some(Transition::RetryScheduled),
        (InFlight, Held) => Some(Transition::Hold),
        (InFlight, Suspended) => Some(Transition::Suspend),
        (RetryPending, InFlight) if stimulus == Stimulus::Clock => Some(Transition::RetrySent),
        (RetryPending, Idle) if discards => Some(Transition::DiscardRetry),
        (Held, InFlight) => Some(Transition::Release),
        (Held, Idle) if discards => Some(Transition::DiscardHeld),
        (Held, Idle) if call.is_some() => Some(Transition::HeldCustomerLeft),
        (Suspended, Suspended) => match call {
            Some(AppCall::Track { .. } | AppCall::Flush {} | AppCall::SetToken { token: Some(_), .. }) => {
                Some(Transition::SuspendedStays)
            }
            _ => None,
        },
        (Suspended, Idle) if new_session => Some(Transition::NewSession),
        (Suspended, Held) if new_session => Some(Transition::NewSessionHeld),
        _ => None,
    }
}

/// The arrow from "in flight" to "idle" an answer takes.
fn answered(profile: &Profile, reply: Reply, at: UnixMillis, before: &Look) -> Option<Transition> {
    let status = match reply {
        Reply::Status(_) if reply.is_success() => return Some(Transition::Delivered),
        Reply::Status(s @ (401 | 403)) => s,
        _ => return Some(Transition::Requeued),
    };
    let flight = before.flight.as_ref()?;
    if !before.jwt_enabled {
        return Some(Transition::RejectedWithoutJwt);
    }
    if flight.logout_sync {
        return Some(Transition::LogoutSyncRejected);
    }
    let carried = flight.carried.is_some();
    let unexpired = flight.carried.as_ref().is_some_and(|t| !t.is_expired(at));
    let policy = profile.auth_failure_policy(status, carried, unexpired)?;
    match policy.retry {
        RetryPolicy::After { .. } => Some(Transition::RetryRejected),
        RetryPolicy::OnNewToken if !flight.customer_current => Some(Transition::RejectedCustomerLeft),
        RetryPolicy::OnNewToken => None,
        RetryPolicy::Never if policy.raise_app_error => Some(Transition::RejectedWithAppError),
        RetryPolicy::Never => Some(Transition::ForbiddenFails),
        // RETRY-016: the events go back to the queue until the backoff wait is over.
        RetryPolicy::Backoff { .. } => Some(Transition::Requeued),
        // RETRY-015: the request waits for the token it asked for; the diagrams draw no
        // state for the wait (a per-event request is never the one request in flight).
        RetryPolicy::RefetchThenRetry => None,
    }
}
