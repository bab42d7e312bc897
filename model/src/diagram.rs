//! The lifecycle's abstract states and transitions, per profile, as data: what the book's
//! three state diagrams draw (the SDK's life, the stored token, the request pipeline) and
//! what transition coverage counts.
//!
//! - [`State`] and [`Diagram`]: the states of each diagram.
//! - [`Edge`] and [`Transition`]: one arrow, named by what makes it happen, labelled and
//!   chosen from the [`Profile`]'s data (never from its name), with the requirements that
//!   define it. [`edges`] lists a profile's arrows (or the union over all profiles).
//! - [`classify`]: which arrows one step of the reference machine takes, read from the
//!   machine's public state before and after the step.
//! - [`walk`]: runs inputs on the reference machine and collects the arrows taken, with
//!   clock advances split at every instant a state can change.

pub mod classify;
pub mod walk;

use jwt_lifecycle_spec::alphabet::CallKind;
use jwt_lifecycle_spec::profile::{Batching, ClearingCall, OtherFailurePolicy, Profile, RetryPolicy};
use jwt_lifecycle_spec::requirement;
use serde::Serialize;
use std::fmt;

/// One of the three diagrams.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Diagram {
    /// The SDK's own life: configured, stopped, restarted.
    Sdk,
    /// The stored token.
    Token,
    /// The request pipeline.
    Pipeline,
}

impl Diagram {
    /// Every diagram, in the order the book draws them.
    pub const ALL: [Diagram; 3] = [Diagram::Sdk, Diagram::Token, Diagram::Pipeline];

    /// The diagram's title in the book.
    pub fn title(self) -> &'static str {
        match self {
            Diagram::Sdk => "The SDK",
            Diagram::Token => "The stored token",
            Diagram::Pipeline => "The request pipeline",
        }
    }

    /// The diagram's states, in drawing order.
    pub fn states(self) -> &'static [State] {
        match self {
            Diagram::Sdk => &[State::Unconfigured, State::Running, State::Stopped],
            Diagram::Token => &[State::NoToken, State::Valid, State::ExpiringSoon, State::Expired],
            Diagram::Pipeline => &[
                State::Idle,
                State::InFlight,
                State::RetryPending,
                State::Held,
                State::AwaitingToken,
                State::BackingOff,
                State::Suspended,
            ],
        }
    }

    /// The lower-case name used in ids and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Diagram::Sdk => "sdk",
            Diagram::Token => "token",
            Diagram::Pipeline => "pipeline",
        }
    }
}

/// A state of one of the diagrams.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum State {
    /// The SDK instance was never configured.
    Unconfigured,
    /// Configured and not stopped.
    Running,
    /// Stopped after running, until configured again.
    Stopped,
    /// No token is stored.
    NoToken,
    /// A token is stored and neither expired nor inside the refresh window.
    Valid,
    /// A token is stored inside the refresh window (profiles that notify a refresh).
    ExpiringSoon,
    /// A token is stored and its `exp` has passed.
    Expired,
    /// Nothing in flight.
    Idle,
    /// A request is on the wire, waiting for its answer.
    InFlight,
    /// A rejected request waits for its retry timer.
    RetryPending,
    /// A rejected request is held until the app provides a new token.
    Held,
    /// A rejected request waits for the token the SDK asked the app's callback for
    /// (pulled tokens).
    AwaitingToken,
    /// After a failure, the SDK sends nothing on its own until its backoff wait is over.
    BackingOff,
    /// Sync is suspended until the next session.
    Suspended,
}

impl State {
    /// The id a diagram source uses.
    pub fn id(self) -> &'static str {
        match self {
            State::Unconfigured => "Unconfigured",
            State::Running => "Running",
            State::Stopped => "Stopped",
            State::NoToken => "NoToken",
            State::Valid => "Valid",
            State::ExpiringSoon => "ExpiringSoon",
            State::Expired => "Expired",
            State::Idle => "Idle",
            State::InFlight => "InFlight",
            State::RetryPending => "RetryPending",
            State::Held => "Held",
            State::AwaitingToken => "AwaitingToken",
            State::BackingOff => "BackingOff",
            State::Suspended => "Suspended",
        }
    }

    /// The name the diagram shows.
    pub fn name(self) -> &'static str {
        match self {
            State::Unconfigured => "Not configured",
            State::Running => "Running",
            State::Stopped => "Stopped",
            State::NoToken => "No token",
            State::Valid => "Token valid",
            State::ExpiringSoon => "Expiring soon",
            State::Expired => "Expired",
            State::Idle => "Idle",
            State::InFlight => "Request in flight",
            State::RetryPending => "Retry pending",
            State::Held => "Held for a new token",
            State::AwaitingToken => "Waiting for the asked token",
            State::BackingOff => "Backoff wait",
            State::Suspended => "Sync suspended",
        }
    }

    /// True for the states of a stored token (the token diagram's "Token stored"
    /// composite).
    pub fn is_stored(self) -> bool {
        STORED.contains(&self)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The states inside the "Token stored" composite.
pub const STORED: [State; 3] = [State::Valid, State::ExpiringSoon, State::Expired];

/// Where an arrow starts: a state, the initial pseudo-state, or any state of the
/// "Token stored" composite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Source {
    /// The initial pseudo-state `[*]`.
    Initial,
    /// One state.
    State(State),
    /// Any stored token's state (drawn from the composite).
    Stored,
}

impl Source {
    /// The id a diagram source uses.
    pub fn id(self) -> &'static str {
        match self {
            Source::Initial => "[*]",
            Source::State(s) => s.id(),
            Source::Stored => "Stored",
        }
    }

    /// True when a step from `state` leaves from this source.
    pub fn contains(self, state: State) -> bool {
        match self {
            Source::Initial => false,
            Source::State(s) => s == state,
            Source::Stored => state.is_stored(),
        }
    }
}

/// What makes an arrow happen; each arrow of a profile has its own, so it names the arrow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transition {
    /// A new SDK instance starts unconfigured.
    SdkStarts,
    /// The first `configure`.
    Configure,
    /// `stop_integration`.
    Stop,
    /// `configure` after a stop.
    Reconfigure,
    /// The app restarts while the SDK runs.
    RestartRunning,
    /// The app restarts while the SDK is stopped.
    RestartStopped,
    /// A new instance has no token yet.
    TokenStarts,
    /// A token provided while none is stored, outside any refresh window.
    TokenSet,
    /// A token provided while none is stored, already inside the refresh window.
    TokenSetInsideWindow,
    /// A token provided while none is stored, already past its `exp`.
    TokenSetExpired,
    /// The clock reaches `exp − lead`.
    WindowOpens,
    /// The clock reaches `exp` inside the window.
    ExpiresInWindow,
    /// The clock reaches `exp` (profiles without a refresh window).
    Expires,
    /// A token provided while one is stored replaces it.
    TokenReplaced,
    /// A call that clears the token in this profile.
    TokenCleared,
    /// `identify` asks the app's token callback for the new customer's token.
    TokenAsked,
    /// The app's token callback fails while no token is stored: nothing is stored.
    AskFailed,
    /// The token callback fails an ask made inside the refresh window: the token is kept.
    RefreshAskFailed,
    /// A new instance has nothing in flight.
    PipelineStarts,
    /// `flush` sends the head of the queue.
    Send,
    /// `logout` sends the head of the queue as the logout sync.
    LogoutSync,
    /// The automatic flush sends the head of the queue on its interval.
    AutoFlush,
    /// A 2xx delivers the request's events.
    Delivered,
    /// A network error or a status other than 2xx, 401 and 403 puts the events back.
    Requeued,
    /// A rejection (401, or 403 without a token) schedules a retry.
    RetryScheduled,
    /// The retry timer fires and sends the request again.
    RetrySent,
    /// The retry is rejected too: the request fails for good.
    RetryRejected,
    /// A 403 to a request with a valid token fails it at once.
    ForbiddenFails,
    /// A rejection fails the request at once and raises an app error with a code.
    RejectedWithAppError,
    /// A rejection with JWT off fails the request at once.
    RejectedWithoutJwt,
    /// A rejection holds the request until a new token.
    Hold,
    /// A new token (or a flush after a suspension) sends the held request again.
    Release,
    /// The customer changes while a request is held: it fails.
    HeldCustomerLeft,
    /// A rejection of a request whose customer is no longer current fails it at once.
    RejectedCustomerLeft,
    /// The logout sync is rejected: its events are deleted.
    LogoutSyncRejected,
    /// `clear_local_data` or `stop_integration` deletes the request on the wire.
    DiscardInFlight,
    /// `clear_local_data` or `stop_integration` deletes the request waiting for its retry.
    DiscardRetry,
    /// `clear_local_data` or `stop_integration` deletes the held request.
    DiscardHeld,
    /// The failure that reaches the limit suspends sync.
    Suspend,
    /// While suspended, nothing is sent.
    SuspendedStays,
    /// A new session ends the suspension.
    NewSession,
    /// A new session ends the suspension of a held request.
    NewSessionHeld,
    /// A new session ends the suspension while a backoff wait is still running.
    NewSessionWaiting,
    /// An explicit flush goes through the suspension.
    FlushThroughSuspension,
    /// The request a flush sent through the suspension is answered (or deleted): still
    /// suspended.
    AnsweredWhileSuspended,
    /// An authentication failure: the events go back to the queue for a backoff wait.
    BackoffRejected,
    /// A failure without an authentication failure: the events go back to the queue for
    /// a backoff wait.
    BackoffFailed,
    /// The backoff wait is over: the head of the queue goes out again.
    BackoffOver,
    /// A flush during the backoff wait sends at once.
    FlushDuringBackoff,
    /// The backoff wait ends with nothing queued.
    BackoffLapses,
    /// Without a queue, a failure other than an authentication failure ends the request.
    OtherFailureFails,
    /// An authentication failure asks the token callback for the request's customer.
    Refetch,
    /// The asked token comes: the request goes out again with it.
    RefetchResent,
    /// The ask fails: the request waiting for it fails.
    RefetchFailed,
    /// The customer changes while a request waits for an ask: it fails.
    RefetchCustomerLeft,
    /// The resend after a refetch is rejected too: the request fails for good.
    RefetchRejected,
}

impl Transition {
    /// The stable id used in reports: `<diagram>/<kebab-case name>`.
    pub fn id(self) -> String {
        let name = serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_owned));
        format!("{}/{}", self.diagram().as_str(), name.unwrap_or_default())
    }

    /// The diagram it belongs to.
    pub fn diagram(self) -> Diagram {
        use Transition::*;
        match self {
            SdkStarts | Configure | Stop | Reconfigure | RestartRunning | RestartStopped => Diagram::Sdk,
            TokenStarts | TokenSet | TokenSetInsideWindow | TokenSetExpired | WindowOpens
            | ExpiresInWindow | Expires | TokenReplaced | TokenCleared | TokenAsked | AskFailed
            | RefreshAskFailed => Diagram::Token,
            _ => Diagram::Pipeline,
        }
    }

    /// True for the arrows from the initial pseudo-state: every instance takes them, so
    /// coverage does not count them.
    pub fn is_initial(self) -> bool {
        matches!(self, Transition::SdkStarts | Transition::TokenStarts | Transition::PipelineStarts)
    }
}

/// One arrow of a diagram.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edge {
    /// What makes it happen; unique within a profile's edges.
    pub transition: Transition,
    /// Where it starts.
    pub from: Source,
    /// Where it ends.
    pub to: State,
    /// What makes it happen, in the alphabet's words.
    pub label: String,
    /// The requirements that define it.
    pub requirements: Vec<&'static str>,
}

impl Edge {
    /// The diagram it belongs to.
    pub fn diagram(&self) -> Diagram {
        self.transition.diagram()
    }
}

fn edge(
    transition: Transition,
    from: Source,
    to: State,
    label: impl Into<String>,
    reqs: &[&'static str],
) -> Edge {
    Edge { transition, from, to, label: label.into(), requirements: reqs.to_vec() }
}

fn at(state: State) -> Source {
    Source::State(state)
}

/// True for the union diagram (no profile) or when `pred` holds for the profile.
fn when(profile: Option<&Profile>, pred: impl Fn(&Profile) -> bool) -> bool {
    profile.is_none_or(pred)
}

fn seconds(ms: u64) -> String {
    if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{ms} ms")
    }
}

/// Every arrow of `diagram` for `profile` (or the union over all profiles when `None`).
pub fn edges(diagram: Diagram, profile: Option<&Profile>) -> Vec<Edge> {
    match diagram {
        Diagram::Sdk => sdk_edges(profile),
        Diagram::Token => token_edges(profile),
        Diagram::Pipeline => pipeline_edges(profile),
    }
}

/// Every arrow of the three diagrams for `profile` (or their union).
pub fn all_edges(profile: Option<&Profile>) -> Vec<Edge> {
    Diagram::ALL.iter().flat_map(|d| edges(*d, profile)).collect()
}

/// The arrows coverage counts for `profile`: all but those from the initial pseudo-state.
pub fn coverable_edges(profile: &Profile) -> Vec<Edge> {
    all_edges(Some(profile)).into_iter().filter(|e| !e.transition.is_initial()).collect()
}

/// The life of the SDK itself: configure, stop, restart.
fn sdk_edges(profile: Option<&Profile>) -> Vec<Edge> {
    use State::*;
    let clears_on_stop = when(profile, |p| p.clears_token(ClearingCall::StopIntegration));
    let stop_reqs: &[&str] =
        if clears_on_stop { &["CONF-007", "LIFE-004", "QUEUE-006"] } else { &["CONF-007"] };
    let mut edges = vec![
        edge(Transition::SdkStarts, Source::Initial, Unconfigured, "", &["CONF-007"]),
        edge(
            Transition::Configure,
            at(Unconfigured),
            Running,
            "configure",
            &["CONF-003", "CONF-006", "CONF-007", "LIMIT-003"],
        ),
    ];
    // A profile without `stop_integration` is never stopped (CONF-009).
    let stops = when(profile, |p| p.calls.contains(&CallKind::StopIntegration));
    if stops {
        edges.extend([
            edge(Transition::Stop, at(Running), Stopped, "stop_integration", stop_reqs),
            edge(Transition::Reconfigure, at(Stopped), Running, "configure", &["CONF-007"]),
        ]);
    }
    edges.push(edge(Transition::RestartRunning, at(Running), Unconfigured, "restart", &["LIFE-014"]));
    if stops {
        edges.push(edge(Transition::RestartStopped, at(Stopped), Unconfigured, "restart", &["LIFE-014"]));
    }
    edges
}

/// The stored token's states.
fn token_edges(profile: Option<&Profile>) -> Vec<Edge> {
    use State::*;
    let mut edges = vec![edge(Transition::TokenStarts, Source::Initial, NoToken, "", &["LIFE-001"])];
    let pushed = when(profile, |p| p.token_supply.push);
    let pulled = when(profile, Profile::pulls);
    let set_label = match (pushed, pulled) {
        (true, false) => "set_token, identify with token",
        (false, true) => "provide_token answers an ask",
        _ => "set_token, identify with token, provide_token",
    };
    edges.push(edge(
        Transition::TokenSet,
        at(NoToken),
        Valid,
        set_label,
        &["LIFE-001", "LIFE-007", "LIFE-013", "LIFE-017"],
    ));
    edges.extend(expiry_edges(profile));
    edges.push(edge(
        Transition::TokenSetExpired,
        at(NoToken),
        Expired,
        if pushed { "set_token already past exp" } else { "a token already past exp" },
        &["REFR-004", "PRE-005"],
    ));
    // Replacing the token: from any stored state, the new token enters the state its own
    // `exp` gives, as from "No token"; drawn once, to the usual target.
    edges.push(edge(
        Transition::TokenReplaced,
        Source::Stored,
        Valid,
        if pushed { "set_token replaces it" } else { "a new token replaces it" },
        &["LIFE-002", "REFR-006", "LIFE-017"],
    ));
    edges.extend(clearing_edge(profile));
    edges.extend(ask_edges(profile));
    edges
}

/// The asks of a profile that pulls its tokens: `identify` asks, and the callback may
/// fail (storing nothing, keeping what is stored).
fn ask_edges(profile: Option<&Profile>) -> Vec<Edge> {
    use State::*;
    let mut edges = Vec::new();
    if when(profile, |p| p.token_supply.pull.is_some_and(|pull| pull.on_identify)) {
        edges.push(edge(
            Transition::TokenAsked,
            at(NoToken),
            NoToken,
            "identify, token_requested for the customer",
            &["LIFE-016"],
        ));
    }
    if when(profile, Profile::pulls) {
        edges.push(edge(
            Transition::AskFailed,
            at(NoToken),
            NoToken,
            "provide_token fails, nothing stored",
            &["LIFE-018"],
        ));
    }
    if when(profile, |p| p.token_supply.pull.is_some_and(|pull| pull.before_expiry) && p.refresh.is_some()) {
        edges.push(edge(
            Transition::RefreshAskFailed,
            at(ExpiringSoon),
            ExpiringSoon,
            "provide_token fails, the token kept",
            &["LIFE-018"],
        ));
    }
    edges
}

/// How a stored token ages: through "Expiring soon" where the profile notifies a refresh,
/// straight to "Expired" where it does not, both in the union diagram.
fn expiry_edges(profile: Option<&Profile>) -> Vec<Edge> {
    use State::*;
    match profile.map(|p| p.refresh) {
        Some(None) => {
            vec![edge(Transition::Expires, at(Valid), Expired, "clock reaches exp", &["PRE-005", "REFR-008"])]
        }
        Some(Some(r)) => {
            let lead = seconds(r.lead_ms);
            let tol = seconds(r.tolerance_ms);
            // REFR-009: a pulling SDK's refresh notification is an ask.
            let asks = profile.is_some_and(|p| p.token_supply.pull.is_some_and(|pull| pull.before_expiry));
            let (told, set_inside) = if asks {
                ("token_requested expired_soon", "a token inside the window, asked for again at once")
            } else {
                ("handler expired_soon", "set_token inside the window, expired_soon at once")
            };
            let mut edges = vec![edge(
                Transition::WindowOpens,
                at(Valid),
                ExpiringSoon,
                format!("exp − {lead} (± {tol}), {told}"),
                &["REFR-001", "REFR-002", "REFR-009"],
            )];
            if r.notify_at_once_inside_window {
                edges.push(edge(
                    Transition::TokenSetInsideWindow,
                    at(NoToken),
                    ExpiringSoon,
                    set_inside,
                    &["REFR-003", "REFR-009"],
                ));
            }
            edges.push(edge(
                Transition::ExpiresInWindow,
                at(ExpiringSoon),
                Expired,
                "clock reaches exp",
                &["PRE-005"],
            ));
            edges
        }
        None => vec![
            edge(
                Transition::WindowOpens,
                at(Valid),
                ExpiringSoon,
                "exp − lead, handler expired_soon",
                &["REFR-001"],
            ),
            edge(
                Transition::TokenSetInsideWindow,
                at(NoToken),
                ExpiringSoon,
                "set_token inside the window",
                &["REFR-003"],
            ),
            edge(Transition::ExpiresInWindow, at(ExpiringSoon), Expired, "clock reaches exp", &["PRE-005"]),
            edge(
                Transition::Expires,
                at(Valid),
                Expired,
                "clock reaches exp (no refresh)",
                &["PRE-005", "REFR-008"],
            ),
        ],
    }
}

/// The calls that can clear a token, with their name and the requirement saying so.
pub const CLEARING_CALLS: [(ClearingCall, &str, &str); 6] = [
    (ClearingCall::Anonymize, "anonymize", "LIFE-003"),
    (ClearingCall::StopIntegration, "stop_integration", "LIFE-004"),
    (ClearingCall::ClearLocalData, "clear_local_data", "LIFE-005"),
    (ClearingCall::IdentifyWithoutToken, "identify without token", "LIFE-006"),
    (ClearingCall::Logout, "logout", "LIFE-010"),
    (ClearingCall::ClearToken, "set_token without token", "LIFE-015"),
];

/// One arrow from any stored state to "No token", labelled with the calls that clear the
/// token in the profile (every such call in the union diagram); none when no call does.
fn clearing_edge(profile: Option<&Profile>) -> Option<Edge> {
    let chosen: Vec<&(ClearingCall, &str, &str)> =
        CLEARING_CALLS.iter().filter(|(call, _, _)| when(profile, |p| p.clears_token(*call))).collect();
    if chosen.is_empty() {
        return None;
    }
    let label = chosen.iter().map(|(_, name, _)| *name).collect::<Vec<_>>().join(", ");
    let mut reqs: Vec<&'static str> = chosen.iter().map(|(_, _, id)| static_id(id)).collect();
    reqs.push("LIFE-008");
    Some(Edge {
        transition: Transition::TokenCleared,
        from: Source::Stored,
        to: State::NoToken,
        label,
        requirements: reqs,
    })
}

/// Maps an id borrowed from the table above back to its `'static` registry entry.
fn static_id(id: &str) -> &'static str {
    requirement(id).map_or("UNKNOWN", |r| r.id)
}

/// The request pipeline's states.
fn pipeline_edges(profile: Option<&Profile>) -> Vec<Edge> {
    let mut edges = delivery_edges(profile);
    edges.extend(retry_edges(profile));
    edges.extend(forbidden_edges(profile));
    edges.extend(app_error_edges(profile));
    edges.extend(held_edges(profile));
    edges.extend(refetch_edges(profile));
    edges.extend(backoff_edges(profile));
    edges.extend(limit_edges(profile));
    edges
}

/// True when the profile (any profile, for the union) has `call`.
fn has_call(profile: Option<&Profile>, call: CallKind) -> bool {
    when(profile, |p| p.calls.contains(&call))
}

/// The calls that delete the queue and the request in flight, as a label.
fn discarding_calls(profile: Option<&Profile>) -> Option<&'static str> {
    match (has_call(profile, CallKind::ClearLocalData), has_call(profile, CallKind::StopIntegration)) {
        (true, true) => Some("clear_local_data or stop_integration"),
        (true, false) => Some("clear_local_data"),
        (false, true) => Some("stop_integration"),
        (false, false) => None,
    }
}

/// True when one of the profile's authentication failures is retried by `policy`'s kind.
fn retries_by(profile: Option<&Profile>, pred: impl Fn(RetryPolicy) -> bool) -> bool {
    when(profile, |p| p.failure_retries().into_iter().any(&pred))
}

/// A request sent and answered, the same in every profile; the logout sync where the
/// profile has one; a rejection without JWT; the request on the wire deleted.
fn delivery_edges(profile: Option<&Profile>) -> Vec<Edge> {
    use State::*;
    let per_event = profile.is_some_and(|p| p.batching == Batching::PerEventConcurrent);
    let send_label = if per_event { "track, the event sent at once" } else { "flush with events queued" };
    let mut edges = vec![
        edge(Transition::PipelineStarts, Source::Initial, Idle, "", &["QUEUE-004", "QUEUE-009"]),
        edge(
            Transition::Send,
            at(Idle),
            InFlight,
            send_label,
            &["QUEUE-004", "QUEUE-003", "CONF-001", "QUEUE-009"],
        ),
    ];
    if when(profile, |p| p.logout_syncs_then_deletes_on_jwt_failure) {
        edges.push(edge(
            Transition::LogoutSync,
            at(Idle),
            InFlight,
            "logout with the customer's events queued, the logout sync",
            &["QUEUE-002", "LIFE-010"],
        ));
    }
    let auto = match profile {
        Some(p) => p.auto_flush.map(|a| {
            format!("every {} (± {}) with events queued", seconds(a.interval_ms), seconds(a.tolerance_ms))
        }),
        None => Some("the flush interval with events queued".to_owned()),
    };
    if let Some(label) = auto {
        edges.push(edge(Transition::AutoFlush, at(Idle), InFlight, label, &["QUEUE-010"]));
    }
    edges.push(edge(Transition::Delivered, at(InFlight), Idle, "2xx, events delivered", &["QUEUE-007"]));
    if when(profile, |p| p.on_other_failure == OtherFailurePolicy::Requeue) {
        edges.push(edge(
            Transition::Requeued,
            at(InFlight),
            Idle,
            "network error or other status, events back in the queue",
            &["RETRY-012"],
        ));
    }
    if when(profile, |p| p.on_other_failure == OtherFailurePolicy::Fail) {
        edges.push(edge(
            Transition::OtherFailureFails,
            at(InFlight),
            Idle,
            "network error or other status, request_failed",
            &["RETRY-017", "QUEUE-005"],
        ));
    }
    if when(profile, |p| p.jwt_optional) {
        edges.push(edge(
            Transition::RejectedWithoutJwt,
            at(InFlight),
            Idle,
            "401 or 403 with JWT off, request_failed",
            &["CONF-002", "CONF-008", "QUEUE-005"],
        ));
    }
    if let Some(calls) = discarding_calls(profile) {
        edges.push(edge(
            Transition::DiscardInFlight,
            at(InFlight),
            Idle,
            format!("{calls}, events deleted"),
            &["QUEUE-006"],
        ));
    }
    if when(profile, |p| p.logout_syncs_then_deletes_on_jwt_failure) {
        edges.push(edge(
            Transition::LogoutSyncRejected,
            at(InFlight),
            Idle,
            "the logout sync rejected, events deleted",
            &["QUEUE-002"],
        ));
    }
    edges
}

/// A 401 retried after a delay, where the profile retries.
fn retry_edges(profile: Option<&Profile>) -> Vec<Edge> {
    use State::*;
    let retry_after = match profile.map(|p| p.on_unauthorized) {
        Some(policy) => match policy.retry {
            RetryPolicy::After { delay_ms, tolerance_ms, attempts } => {
                Some(format!("after {} (± {}), up to {attempts}x", seconds(delay_ms), seconds(tolerance_ms)))
            }
            _ => None,
        },
        None => Some("after the retry delay".to_owned()),
    };
    let Some(after) = retry_after else { return Vec::new() };
    vec![
        edge(
            Transition::RetryScheduled,
            at(InFlight),
            RetryPending,
            "401, or 403 without token, handler told",
            &["RETRY-001", "RETRY-004", "RETRY-007"],
        ),
        edge(
            Transition::RetrySent,
            at(RetryPending),
            InFlight,
            format!("{after}, current token"),
            &["RETRY-002", "LIFE-002"],
        ),
        edge(
            Transition::RetryRejected,
            at(InFlight),
            Idle,
            "retry rejected, request_failed",
            &["RETRY-003", "QUEUE-005"],
        ),
        edge(
            Transition::DiscardRetry,
            at(RetryPending),
            Idle,
            "clear_local_data or stop_integration, events deleted",
            &["QUEUE-006"],
        ),
    ]
}

/// A 403 on a valid token that fails the request without a retry or an app error.
fn forbidden_edges(profile: Option<&Profile>) -> Vec<Edge> {
    let fails_quietly = when(profile, |p| {
        p.on_forbidden_with_valid_token.retry == RetryPolicy::Never
            && !p.on_forbidden_with_valid_token.raise_app_error
    });
    if !fails_quietly {
        return Vec::new();
    }
    // Where a 403 without a token fails as quietly, the arrow is any 403.
    let any_403 = profile.is_some_and(|p| {
        p.on_forbidden_without_token.retry == RetryPolicy::Never
            && !p.on_forbidden_without_token.raise_app_error
    });
    let label = if any_403 { "403, request_failed" } else { "403 with a valid token, request_failed" };
    vec![edge(
        Transition::ForbiddenFails,
        at(State::InFlight),
        State::Idle,
        label,
        &["RETRY-005", "RETRY-017", "QUEUE-005"],
    )]
}

/// An authentication failure raised to the app with the vendor's code, without a retry.
fn app_error_edges(profile: Option<&Profile>) -> Vec<Edge> {
    if !when(profile, |p| p.on_unauthorized.raise_app_error && p.on_unauthorized.retry == RetryPolicy::Never)
    {
        return Vec::new();
    }
    let codes = match profile {
        Some(p) => {
            let codes: Vec<String> = p.codes.iter().map(|c| c.code.to_string()).collect();
            format!("app_error with code {}", codes.join("/"))
        }
        None => "app_error with the vendor code".to_owned(),
    };
    vec![edge(
        Transition::RejectedWithAppError,
        at(State::InFlight),
        State::Idle,
        format!("401 or 403, request_failed, {codes}"),
        &["RETRY-011", "NOTIFY-005"],
    )]
}

/// A rejected request held until the app provides a new token.
fn held_edges(profile: Option<&Profile>) -> Vec<Edge> {
    use State::*;
    if !when(profile, |p| p.on_unauthorized.retry == RetryPolicy::OnNewToken) {
        return Vec::new();
    }
    vec![
        edge(
            Transition::Hold,
            at(InFlight),
            Held,
            "401 or 403, handler told",
            &["RETRY-008", "RETRY-009", "RETRY-010"],
        ),
        edge(
            Transition::Release,
            at(Held),
            InFlight,
            "set_token with a new token, or flush after a suspension",
            &["RETRY-008", "RETRY-013", "LIMIT-005"],
        ),
        edge(
            Transition::DiscardHeld,
            at(Held),
            Idle,
            "clear_local_data or stop_integration, events deleted",
            &["QUEUE-006"],
        ),
        edge(
            Transition::HeldCustomerLeft,
            at(Held),
            Idle,
            "the customer changes, request_failed",
            &["RETRY-014", "QUEUE-005"],
        ),
        edge(
            Transition::RejectedCustomerLeft,
            at(InFlight),
            Idle,
            "401 or 403 for a customer no longer current, handler told, request_failed",
            &["RETRY-014", "RETRY-018", "QUEUE-005"],
        ),
    ]
}

/// A rejected request that waits for the token the SDK asks its callback for, then goes
/// out once more (pulled tokens).
fn refetch_edges(profile: Option<&Profile>) -> Vec<Edge> {
    use State::*;
    if !retries_by(profile, |r| r == RetryPolicy::RefetchThenRetry) {
        return Vec::new();
    }
    let mut edges = vec![
        edge(
            Transition::Refetch,
            at(InFlight),
            AwaitingToken,
            "401, token_requested for the request's customer",
            &["RETRY-015", "RETRY-001"],
        ),
        edge(
            Transition::RefetchResent,
            at(AwaitingToken),
            InFlight,
            "provide_token answers the ask, sent again once with it",
            &["RETRY-015", "LIFE-017"],
        ),
        edge(
            Transition::RefetchFailed,
            at(AwaitingToken),
            Idle,
            "provide_token fails, request_failed",
            &["LIFE-018", "QUEUE-005"],
        ),
        edge(
            Transition::RefetchCustomerLeft,
            at(AwaitingToken),
            Idle,
            "identify or logout, request_failed",
            &["RETRY-018", "QUEUE-005"],
        ),
        edge(
            Transition::RefetchRejected,
            at(InFlight),
            Idle,
            "401 to the resend, request_failed",
            &["RETRY-015", "QUEUE-005"],
        ),
    ];
    // The union draws this arrow once, with the held request's edges.
    if profile.is_some_and(|p| !p.failure_retries().contains(&RetryPolicy::OnNewToken)) {
        edges.push(edge(
            Transition::RejectedCustomerLeft,
            at(InFlight),
            Idle,
            "401 for a customer no longer current, request_failed",
            &["RETRY-018", "QUEUE-005"],
        ));
    }
    edges
}

/// A failure the SDK waits out before it sends again (RETRY-016).
fn backoff_edges(profile: Option<&Profile>) -> Vec<Edge> {
    use State::*;
    let bounds = match profile {
        Some(p) => match p.backoff() {
            Some(b) => format!("{} to {}, ×{} at most", seconds(b.min_ms), seconds(b.max_ms), b.factor),
            None => return Vec::new(),
        },
        None => "its bounds".to_owned(),
    };
    let mut edges = Vec::new();
    if retries_by(profile, |r| r.backoff().is_some()) {
        edges.push(edge(
            Transition::BackoffRejected,
            at(InFlight),
            BackingOff,
            "401, 403 or a rejection in the body, handler told, events back in the queue",
            &["RETRY-020", "RETRY-016", "RETRY-019"],
        ));
    }
    if when(profile, |p| p.on_other_failure.backoff().is_some()) {
        edges.push(edge(
            Transition::BackoffFailed,
            at(InFlight),
            BackingOff,
            "network error or other status, events back in the queue",
            &["RETRY-016", "RETRY-012"],
        ));
    }
    edges.push(edge(
        Transition::BackoffOver,
        at(BackingOff),
        InFlight,
        format!("the wait is over ({bounds}), sent again"),
        &["RETRY-016"],
    ));
    if has_call(profile, CallKind::Flush) {
        edges.push(edge(
            Transition::FlushDuringBackoff,
            at(BackingOff),
            InFlight,
            "flush, sent at once",
            &["QUEUE-004", "RETRY-016"],
        ));
    }
    if let Some(calls) = discarding_calls(profile) {
        edges.push(edge(
            Transition::BackoffLapses,
            at(BackingOff),
            Idle,
            format!("the wait is over, nothing queued after {calls}"),
            &["RETRY-016", "QUEUE-006"],
        ));
    }
    edges
}

/// The consecutive-failure limit: suspension until the next session.
fn limit_edges(profile: Option<&Profile>) -> Vec<Edge> {
    use State::*;
    let limit = match profile {
        Some(p) => p.failure_limit.map(|l| l.consecutive_failures.to_string()),
        None => Some("N".to_owned()),
    };
    let Some(limit) = limit else { return Vec::new() };
    let through = when(profile, |p| p.failure_limit.is_some_and(|l| l.flush_while_suspended));
    let stays = match profile {
        Some(_) if through => "track or set_token, nothing sent",
        _ => "track, set_token or flush, nothing sent",
    };
    let mut edges = vec![
        edge(
            Transition::Suspend,
            at(InFlight),
            Suspended,
            format!("failure number {limit} in a row"),
            &["LIMIT-001", "LIMIT-002", "LIMIT-006"],
        ),
        edge(
            Transition::SuspendedStays,
            at(Suspended),
            Suspended,
            stays,
            &["LIMIT-004", "LIMIT-005", "LIMIT-006"],
        ),
        edge(Transition::NewSession, at(Suspended), Idle, "new_session or configure", &["LIMIT-003"]),
    ];
    if retries_by(profile, |r| r == RetryPolicy::OnNewToken) {
        edges.push(edge(
            Transition::NewSessionHeld,
            at(Suspended),
            Held,
            "new_session or configure with a request held",
            &["LIMIT-003", "LIMIT-005"],
        ));
    }
    if when(profile, |p| p.backoff().is_some()) {
        edges.push(edge(
            Transition::NewSessionWaiting,
            at(Suspended),
            BackingOff,
            "new_session or configure during the backoff wait",
            &["LIMIT-003", "RETRY-016"],
        ));
    }
    if through {
        edges.extend([
            edge(
                Transition::FlushThroughSuspension,
                at(Suspended),
                InFlight,
                "flush, the head of the queue sent",
                &["LIMIT-006", "QUEUE-004"],
            ),
            edge(
                Transition::AnsweredWhileSuspended,
                at(InFlight),
                Suspended,
                "answered, or deleted by a call, still suspended until the next session",
                &["LIMIT-006", "QUEUE-006"],
            ),
        ]);
    }
    edges
}

#[cfg(test)]
mod tests {
    use super::*;
    use jwt_lifecycle_spec::requirement::Subject;
    use std::collections::BTreeSet;

    #[test]
    fn every_cited_id_is_a_registered_sdk_behaviour_requirement() {
        for e in all_edges(None) {
            assert!(!e.requirements.is_empty(), "{:?} cites nothing", e.transition);
            for id in &e.requirements {
                let r = requirement(id).unwrap_or_else(|| panic!("{:?} cites unknown {id}", e.transition));
                assert_eq!(r.subject, Subject::SdkBehaviour, "{id}");
            }
        }
    }

    #[test]
    fn a_transition_names_one_arrow_of_each_profile() {
        let mut profiles: Vec<Option<Profile>> = Profile::all().into_iter().map(Some).collect();
        profiles.push(None);
        for p in &profiles {
            let all = all_edges(p.as_ref());
            let unique: BTreeSet<Transition> = all.iter().map(|e| e.transition).collect();
            assert_eq!(unique.len(), all.len(), "{:?}", p.as_ref().map(|p| p.id));
            for e in &all {
                assert_eq!(edges(e.diagram(), p.as_ref()).iter().filter(|x| x == &e).count(), 1);
                assert!(e.diagram().states().contains(&e.to), "{:?} ends outside its diagram", e.transition);
            }
        }
    }

    #[test]
    fn transition_ids_name_their_diagram() {
        assert_eq!(Transition::TokenSetInsideWindow.id(), "token/token-set-inside-window");
        assert_eq!(Transition::Suspend.id(), "pipeline/suspend");
        assert_eq!(Transition::RestartStopped.id(), "sdk/restart-stopped");
    }

    #[test]
    fn profile_knobs_decide_which_arrows_exist() {
        let has = |p: &Profile, t: Transition| all_edges(Some(p)).iter().any(|e| e.transition == t);
        let exponea = jwt_lifecycle_spec::profile::exponea_stream();
        let webex = jwt_lifecycle_spec::profile::webex_connect();
        let moengage = jwt_lifecycle_spec::ProfileId::MoengageAndroid.profile();
        let khoros = jwt_lifecycle_spec::profile::khoros_legacy();
        assert!(has(&exponea, Transition::WindowOpens) && has(&exponea, Transition::RetryScheduled));
        assert!(!has(&exponea, Transition::Suspend) && !has(&exponea, Transition::Hold));
        assert!(has(&webex, Transition::RejectedWithAppError) && !has(&webex, Transition::WindowOpens));
        assert!(has(&moengage, Transition::Suspend) && has(&moengage, Transition::LogoutSync));
        assert!(has(&khoros, Transition::Hold) && !has(&khoros, Transition::Suspend));
        assert!(!has(&khoros, Transition::LogoutSync));
        let iterable = jwt_lifecycle_spec::profile::iterable_web();
        let braze = jwt_lifecycle_spec::profile::braze_web();
        assert!(has(&iterable, Transition::Refetch) && has(&iterable, Transition::TokenAsked));
        assert!(!has(&iterable, Transition::Requeued) && !has(&iterable, Transition::Stop));
        assert!(
            !has(&iterable, Transition::RejectedWithoutJwt) && !has(&iterable, Transition::DiscardInFlight)
        );
        assert!(has(&braze, Transition::BackoffRejected) && has(&braze, Transition::AutoFlush));
        assert!(has(&braze, Transition::FlushThroughSuspension) && !has(&braze, Transition::NewSessionHeld));
        assert!(!has(&braze, Transition::Requeued) && !has(&braze, Transition::Stop));
        assert!(!has(&moengage, Transition::BackoffOver) && !has(&moengage, Transition::AutoFlush));
    }
}
