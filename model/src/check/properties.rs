//! The properties the model checker proves, each named after the requirement it checks.
//!
//! Safety (`always`) properties read the observer's account; each is broken by at least
//! one [`Mutation`] (`killed_by`), and `model/tests/mutants.rs` proves it. `sometimes`
//! properties show the interesting states are reachable, so no safety property holds
//! vacuously. `eventually` properties run in the cooperative environment, whose paths all
//! end (budgets, a horizon on the clock, a server that stops answering after a cap on the
//! request counter), because stateright only judges liveness on terminating paths.

use super::model::{CheckState, Environment, LifecycleModel};
use super::observer::{fact, Check};
use crate::mutation::Mutation;
use jwt_lifecycle_spec::profile::{Profile, ProfileId, RetryPolicy};
use serde::Serialize;
use stateright::Property;

/// What kind of property.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Holds in every reachable state.
    Always,
    /// Holds at some point on every path.
    Eventually,
    /// Holds in some reachable state.
    Sometimes,
}

impl Kind {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Always => "always",
            Kind::Eventually => "eventually",
            Kind::Sometimes => "sometimes",
        }
    }
}

/// One property, as listed by [`property_catalog`](super::property_catalog).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PropertyInfo {
    /// `"<REQ-ID>: <rule>"`.
    pub name: &'static str,
    /// The requirement id.
    pub requirement: &'static str,
    /// always / eventually / sometimes.
    pub kind: Kind,
    /// The environment it is checked in.
    pub environment: Environment,
    /// The profiles it applies to.
    pub profiles: Vec<ProfileId>,
    /// For safety properties: a mutation that breaks it, and the profile on which the
    /// mutation test runs.
    pub killed_by: Option<(Mutation, ProfileId)>,
}

type Condition = fn(&LifecycleModel, &CheckState) -> bool;

/// A property's definition.
pub(crate) struct Def {
    pub name: &'static str,
    pub requirement: &'static str,
    pub kind: Kind,
    pub environment: Environment,
    pub applies: fn(&Profile) -> bool,
    pub condition: Condition,
    pub killed_by: Option<(Mutation, ProfileId)>,
}

fn all(_: &Profile) -> bool {
    true
}

fn has_refresh(p: &Profile) -> bool {
    p.refresh.is_some()
}

fn policies(p: &Profile) -> [RetryPolicy; 3] {
    [p.on_unauthorized.retry, p.on_forbidden_without_token.retry, p.on_forbidden_with_valid_token.retry]
}

fn retries_after_delay(p: &Profile) -> bool {
    policies(p).iter().any(|r| matches!(r, RetryPolicy::After { .. }))
}

fn holds_for_new_token(p: &Profile) -> bool {
    policies(p).contains(&RetryPolicy::OnNewToken)
}

fn quiet_forbidden(p: &Profile) -> bool {
    let q = p.on_forbidden_with_valid_token;
    q.retry == RetryPolicy::Never && !q.notify_handler && !q.raise_app_error
}

fn notifies_failures(p: &Profile) -> bool {
    [p.on_unauthorized, p.on_forbidden_without_token, p.on_forbidden_with_valid_token]
        .iter()
        .any(|q| q.notify_handler)
}

fn gives_the_app_a_chance(p: &Profile) -> bool {
    [p.on_unauthorized, p.on_forbidden_without_token]
        .iter()
        .all(|q| q.notify_handler && q.retry != RetryPolicy::Never)
}

const EXPONEA: ProfileId = ProfileId::ExponeaStream;
const MOENGAGE: ProfileId = ProfileId::MoengageIos;

fn limit(m: &LifecycleModel) -> u32 {
    m.profile().failure_limit.map_or(u32::MAX, |l| l.consecutive_failures)
}

fn all_tracked_done(m: &LifecycleModel, s: &CheckState) -> bool {
    s.events_tracked >= m.bounds_events() && s.seen.tracked != 0
}

macro_rules! safety {
    ($name:literal, $req:literal, $applies:expr, $check:expr, $mutation:expr, $on:expr) => {
        Def {
            name: $name,
            requirement: $req,
            kind: Kind::Always,
            environment: Environment::Adversarial,
            applies: $applies,
            condition: |_, s| !s.seen.violated($check),
            killed_by: Some(($mutation, $on)),
        }
    };
}

macro_rules! reachable {
    ($name:literal, $req:literal, $applies:expr, $condition:expr) => {
        Def {
            name: $name,
            requirement: $req,
            kind: Kind::Sometimes,
            environment: Environment::Adversarial,
            applies: $applies,
            condition: $condition,
            killed_by: None,
        }
    };
}

/// Every property, in report order.
pub(crate) static DEFS: &[Def] = &[
    safety!(
        "LIFE-008: a cleared token is never attached to a later request",
        "LIFE-008",
        all,
        Check::ClearedTokenSent,
        Mutation::KeepTokenOnAnonymize,
        EXPONEA
    ),
    safety!(
        "LIFE-010: a token cleared by logout is never attached to a later request",
        "LIFE-010",
        |p| p.clears_token(jwt_lifecycle_spec::profile::ClearingCall::Logout),
        Check::ClearedTokenSent,
        Mutation::KeepTokenOnLogout,
        MOENGAGE
    ),
    safety!(
        "LIFE-009: a token is only attached to requests for the customer it was set for",
        "LIFE-009",
        all,
        Check::TokenAcrossCustomers,
        Mutation::LeakTokenAcrossIdentify,
        MOENGAGE
    ),
    safety!(
        "LIFE-002: every request, retries included, carries the token stored for its customer when it is sent",
        "LIFE-002",
        all,
        Check::NotTheStoredToken,
        Mutation::RetryWithStaleToken,
        EXPONEA
    ),
    safety!(
        "RETRY-002: no request is attempted more than 1 + the profile's retries times",
        "RETRY-002",
        retries_after_delay,
        Check::TooManyAttempts,
        Mutation::RetryTwice,
        EXPONEA
    ),
    safety!(
        "RETRY-005: a 403 to a request with a valid token is not retried, not notified and keeps the token",
        "RETRY-005",
        quiet_forbidden,
        Check::ForbiddenValidReacted,
        Mutation::RetryOnForbiddenWithValidToken,
        EXPONEA
    ),
    safety!(
        "RETRY-001: a rejection is reported as not_provided, expired or invalid by the token the request carried",
        "RETRY-001",
        notifies_failures,
        Check::WrongReason,
        Mutation::InvalidForExpired,
        EXPONEA
    ),
    safety!(
        "RETRY-008: held events are not sent again before the app provides a new token",
        "RETRY-008",
        holds_for_new_token,
        Check::HeldResentWithoutToken,
        Mutation::ResendWithoutNewToken,
        ProfileId::KhorosLegacy
    ),
    safety!(
        "RETRY-014: a held request fails once its customer is no longer the current one",
        "RETRY-014",
        holds_for_new_token,
        Check::HeldOutlivedCustomer,
        Mutation::HoldAcrossCustomers,
        MOENGAGE
    ),
    safety!(
        "RETRY-013: without a new app call no event is sent more than 1 + the profile's retries times",
        "RETRY-013",
        all,
        Check::TooManySends,
        Mutation::RetryTwice,
        EXPONEA
    ),
    safety!(
        "REFR-001: expired_soon is told only inside the stored token's refresh window",
        "REFR-001",
        has_refresh,
        Check::ExpiredSoonOutsideWindow,
        Mutation::RefreshThirtySecondsEarly,
        EXPONEA
    ),
    safety!(
        "REFR-001: once a token's refresh instant passes with a handler registered, expired_soon has been told",
        "REFR-001",
        has_refresh,
        Check::RefreshMissed,
        Mutation::NeverRefresh,
        EXPONEA
    ),
    safety!(
        "REFR-005: expired_soon is told at most once per stored token",
        "REFR-005",
        has_refresh,
        Check::ExpiredSoonRepeated,
        Mutation::RepeatExpiredSoon,
        EXPONEA
    ),
    safety!(
        "REFR-006: expired_soon is never told for a token that is no longer stored",
        "REFR-006",
        has_refresh,
        Check::ExpiredSoonWithoutToken,
        Mutation::StaleRefreshTimer,
        EXPONEA
    ),
    safety!(
        "PRE-002: a first attempt carrying an expired token is preceded by expired",
        "PRE-002",
        |p| p.preflight.notify_expired,
        Check::ExpiredNotReported,
        Mutation::SilentExpiredToken,
        EXPONEA
    ),
    safety!(
        "PRE-001: a first attempt without a token is preceded by not_provided",
        "PRE-001",
        |p| p.preflight.notify_not_provided,
        Check::MissingNotReported,
        Mutation::SilentMissingToken,
        EXPONEA
    ),
    safety!(
        "LIMIT-001: after the failure limit no request is sent until the next session",
        "LIMIT-001",
        |p| p.failure_limit.is_some(),
        Check::SentWhileSuspended,
        Mutation::IgnoreFailureLimit,
        MOENGAGE
    ),
    Def {
        name: "LIMIT-002: sync is suspended only after the limit of consecutive failures since the last success or session",
        requirement: "LIMIT-002",
        kind: Kind::Always,
        environment: Environment::Adversarial,
        applies: |p| p.failure_limit.is_some(),
        condition: |m, s| !s.sdk.failures().suspended || s.seen.failures >= limit(m),
        killed_by: Some((Mutation::NoResetOnSuccess, MOENGAGE)),
    },
    Def {
        name: "QUEUE-001: every tracked event is delivered, still queued, or removed by an output naming the rule",
        requirement: "QUEUE-001",
        kind: Kind::Always,
        environment: Environment::Adversarial,
        applies: all,
        condition: |_, s| {
            let mut pending = 0u8;
            let queued = s.sdk.queue().iter().map(|e| e.event.as_str());
            let flying = s.sdk.in_flight().into_iter().flat_map(|f| f.events.iter().map(String::as_str));
            for name in queued.chain(flying) {
                if let Some(n) = super::domain::event_number(name) {
                    pending |= 1 << n;
                }
            }
            s.seen.tracked & !(s.seen.delivered | s.seen.removed | pending) == 0
        },
        killed_by: Some((Mutation::DropEventsOnNetworkError, EXPONEA)),
    },
    safety!(
        "QUEUE-003: a request carries only events tracked for its own customer",
        "QUEUE-003",
        all,
        Check::MixedCustomers,
        Mutation::MixCustomersInBatch,
        EXPONEA
    ),
    safety!(
        "CONF-002: with JWT not enabled no request carries a token",
        "CONF-002",
        all,
        Check::TokenWithoutJwt,
        Mutation::StoreTokenWhileJwtDisabled,
        EXPONEA
    ),
    safety!(
        "NOTIFY-002: the handler is never called while none is registered",
        "NOTIFY-002",
        all,
        Check::HandlerWithoutRegistration,
        Mutation::NotifyWithoutHandler,
        EXPONEA
    ),
    safety!(
        "NOTIFY-003: the handler is only told reasons the profile lists",
        "NOTIFY-003",
        all,
        Check::ReasonNotInProfile,
        Mutation::InsufficientOnForbidden,
        EXPONEA
    ),
    safety!(
        "CONF-007: nothing is sent before configure or after stop_integration",
        "CONF-007",
        all,
        Check::SentWhileNotRunning,
        Mutation::KeepRunningAfterStop,
        EXPONEA
    ),
    safety!(
        "QUEUE-007: a delivered event is never sent again",
        "QUEUE-007",
        all,
        Check::DeliveredResent,
        Mutation::ResendDelivered,
        EXPONEA
    ),
    // ------------------------------------------------------------------ reachability
    reachable!("REFR-001: sometimes the handler is told expired_soon", "REFR-001", has_refresh, |_, s| s.seen.last
        & fact::EXPIRED_SOON_TOLD
        != 0),
    reachable!("RETRY-002: sometimes a rejected request is retried", "RETRY-002", retries_after_delay, |_, s| s
        .seen
        .last
        & fact::RETRY_SENT
        != 0),
    reachable!(
        "RETRY-008: sometimes a new token sends held events again",
        "RETRY-008",
        holds_for_new_token,
        |_, s| s.seen.last & fact::HELD_RESENT != 0
    ),
    reachable!(
        "RETRY-014: sometimes a change of customer fails a held request",
        "RETRY-014",
        holds_for_new_token,
        |_, s| s.seen.last & fact::HELD_FAILED_ON_SWITCH != 0
    ),
    reachable!("LIMIT-001: sometimes sync is suspended", "LIMIT-001", |p| p.failure_limit.is_some(), |_, s| s
        .sdk
        .failures()
        .suspended),
    reachable!("QUEUE-007: sometimes events are delivered", "QUEUE-007", all, |_, s| s.seen.delivered != 0),
    reachable!(
        "QUEUE-002: sometimes a failed logout sync deletes its events",
        "QUEUE-002",
        |p| p.logout_syncs_then_deletes_on_jwt_failure,
        |_, s| s.seen.last & fact::LOGOUT_SYNC_DELETED != 0
    ),
    reachable!(
        "RETRY-005: sometimes a 403 with a valid token fails the request",
        "RETRY-005",
        quiet_forbidden,
        |_, s| s.seen.last & fact::FORBIDDEN_VALID_FAILED != 0
    ),
    reachable!(
        "PRE-002: sometimes the pre-flight check tells the handler expired",
        "PRE-002",
        |p| p.preflight.notify_expired,
        |_, s| s.seen.last & fact::PREFLIGHT_EXPIRED_TOLD != 0
    ),
    // ------------------------------------------------------------------ liveness
    Def {
        name: "QUEUE-001: with a cooperative app and server every tracked event is eventually delivered, or reported failed after a change of customer left it behind",
        requirement: "QUEUE-001",
        kind: Kind::Eventually,
        environment: Environment::Cooperative,
        applies: gives_the_app_a_chance,
        condition: |m, s| {
            all_tracked_done(m, s) && s.seen.tracked & !(s.seen.delivered | s.seen.left_behind) == 0
        },
        killed_by: None,
    },
    Def {
        name: "RETRY-013: with a cooperative app and server every tracked event eventually leaves the queue, delivered or reported",
        requirement: "RETRY-013",
        kind: Kind::Eventually,
        environment: Environment::Cooperative,
        applies: all,
        condition: |m, s| all_tracked_done(m, s) && s.seen.tracked & !(s.seen.delivered | s.seen.removed) == 0,
        killed_by: None,
    },
];

/// The stateright properties of `model`: those that apply to its profile, in its
/// environment (safety properties are checked in both environments).
pub(crate) fn for_model(model: &LifecycleModel) -> Vec<Property<LifecycleModel>> {
    DEFS.iter()
        .filter(|d| (d.applies)(model.profile()))
        .filter(|d| d.environment == model.environment() || d.kind == Kind::Always)
        .map(|d| match d.kind {
            Kind::Always => Property::always(d.name, d.condition),
            Kind::Eventually => Property::eventually(d.name, d.condition),
            Kind::Sometimes => Property::sometimes(d.name, d.condition),
        })
        .collect()
}

/// Every property with the profiles it applies to.
pub fn catalog() -> Vec<PropertyInfo> {
    DEFS.iter()
        .map(|d| PropertyInfo {
            name: d.name,
            requirement: d.requirement,
            kind: d.kind,
            environment: d.environment,
            profiles: ProfileId::ALL.into_iter().filter(|p| (d.applies)(&p.profile())).collect(),
            killed_by: d.killed_by,
        })
        .collect()
}
