//! The properties the model checker proves.
//!
//! Safety: one `always` property per monitored requirement, named as the oracle's catalog
//! names it: the requirement holds on every path, by the same monitor that judges SDKs
//! in the conformance suite. `sometimes` properties show the interesting states are
//! reachable, so no monitor holds only because nothing happens. `eventually` properties run
//! in the cooperative environment, whose paths all end (budgets, a horizon on the clock, a
//! server that stops answering after a cap), because stateright only judges liveness on
//! terminating paths.

use super::state::{CheckState, Environment, LifecycleModel};
use crate::machine::Machine;
use jwt_lifecycle_oracle::belief::{Belief, EventState, Purpose, Waiting};
use jwt_lifecycle_oracle::catalog;
use jwt_lifecycle_spec::profile::{Profile, ProfileId, RetryPolicy};
use jwt_lifecycle_spec::registry;
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
    /// The environment it is checked in (safety properties: both).
    pub environment: Environment,
    /// The profiles it applies to.
    pub profiles: Vec<ProfileId>,
}

type Condition<M> = fn(&LifecycleModel<M>, &CheckState<M>) -> bool;

/// A reachability or liveness property: a predicate on the oracle's account.
struct Def {
    name: &'static str,
    requirement: &'static str,
    kind: Kind,
    environment: Environment,
    applies: fn(&Profile) -> bool,
    holds: fn(&Profile, &Belief) -> bool,
}

fn monitor_holds<M: Machine, const I: usize>(_: &LifecycleModel<M>, s: &CheckState<M>) -> bool {
    s.oracle.violated_bits() & (1 << I) == 0
}

macro_rules! by_index {
    ($i:expr; $($n:literal)*) => {
        match $i { $($n => Some(monitor_holds::<M, $n> as Condition<M>),)* _ => None }
    };
}

/// The condition of the monitor at index `i` of the oracle's catalog.
fn monitor_condition<M: Machine>(i: usize) -> Option<Condition<M>> {
    by_index!(i; 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31
        32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63
        64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95
        96 97 98 99 100 101 102 103 104 105 106 107 108 109 110 111 112 113 114 115 116 117 118 119 120
        121 122 123 124 125 126 127)
}

fn applies_to(requirement: &str, profile: &Profile) -> bool {
    registry::requirement(requirement).is_some_and(|r| r.applies_to(profile.id))
}

fn policies(p: &Profile) -> [RetryPolicy; 3] {
    [p.on_unauthorized.retry, p.on_forbidden_without_token.retry, p.on_forbidden_with_valid_token.retry]
}

fn all(_: &Profile) -> bool {
    true
}

/// Where every event ended or is, the forgotten ones included (`check::reduction`).
fn event_states(b: &Belief) -> impl Iterator<Item = EventState> + '_ {
    b.events.iter().map(|e| e.state).chain(b.forgotten.iter().copied())
}

fn removed_by(b: &Belief, rule: &str) -> bool {
    event_states(b).any(|state| matches!(state, EventState::Removed { by } if by == rule))
}

/// Every event tracked is done: delivered, or removed (`left_behind`: only when its
/// customer is no longer the current one).
fn tracked_done(b: &Belief, left_behind_only: bool) -> bool {
    !b.events.is_empty()
        && b.events.iter().all(|e| match e.state {
            EventState::Delivered => true,
            EventState::Removed { .. } => !left_behind_only || e.tag != b.customer,
            _ => false,
        })
}

static DEFS: &[Def] = &[
    Def {
        name: "REFR-001: sometimes the handler is told expired_soon",
        requirement: "REFR-001",
        kind: Kind::Sometimes,
        environment: Environment::Adversarial,
        applies: |p| p.refresh.is_some(),
        holds: |_, b| b.stored.is_some_and(|s| s.told_soon),
    },
    Def {
        name: "RETRY-002: sometimes a rejected request waits for its retry",
        requirement: "RETRY-002",
        kind: Kind::Sometimes,
        environment: Environment::Adversarial,
        applies: |p| policies(p).iter().any(|r| matches!(r, RetryPolicy::After { .. })),
        holds: |_, b| b.requests.iter().any(|r| matches!(r.waiting, Waiting::Retry { .. })),
    },
    Def {
        name: "RETRY-008: sometimes a rejected request is held for a new token",
        requirement: "RETRY-008",
        kind: Kind::Sometimes,
        environment: Environment::Adversarial,
        applies: |p| policies(p).contains(&RetryPolicy::OnNewToken),
        holds: |_, b| b.requests.iter().any(|r| r.waiting == Waiting::NewToken),
    },
    Def {
        name: "RETRY-014: sometimes a change of customer fails a held request",
        requirement: "RETRY-014",
        kind: Kind::Sometimes,
        environment: Environment::Adversarial,
        applies: |p| policies(p).contains(&RetryPolicy::OnNewToken),
        holds: |_, b| removed_by(b, "RETRY-014"),
    },
    Def {
        name: "LIMIT-001: sometimes sync is suspended",
        requirement: "LIMIT-001",
        kind: Kind::Sometimes,
        environment: Environment::Adversarial,
        applies: |p| p.failure_limit.is_some_and(|l| !l.flush_while_suspended),
        holds: |_, b| b.suspended,
    },
    Def {
        name: "LIMIT-006: sometimes automatic sending is paused by the failure limit",
        requirement: "LIMIT-006",
        kind: Kind::Sometimes,
        environment: Environment::Adversarial,
        applies: |p| p.failure_limit.is_some_and(|l| l.flush_while_suspended),
        holds: |_, b| b.suspended,
    },
    Def {
        name: "LIFE-016: sometimes the SDK asks the app for a token",
        requirement: "LIFE-016",
        kind: Kind::Sometimes,
        environment: Environment::Adversarial,
        applies: |p| p.token_supply.pull.is_some(),
        holds: |_, b| !b.asks.is_empty(),
    },
    Def {
        name: "RETRY-015: sometimes a rejected request waits for the token asked for",
        requirement: "RETRY-015",
        kind: Kind::Sometimes,
        environment: Environment::Adversarial,
        applies: |p| policies(p).contains(&RetryPolicy::RefetchThenRetry),
        holds: |_, b| b.requests.iter().any(|r| r.waiting == Waiting::Token),
    },
    Def {
        name: "RETRY-016: sometimes the SDK waits out a backoff",
        requirement: "RETRY-016",
        kind: Kind::Sometimes,
        environment: Environment::Adversarial,
        applies: |p| p.backoff().is_some(),
        holds: |_, b| b.gate.is_some(),
    },
    Def {
        name: "QUEUE-007: sometimes events are delivered",
        requirement: "QUEUE-007",
        kind: Kind::Sometimes,
        environment: Environment::Adversarial,
        applies: all,
        holds: |_, b| event_states(b).any(|state| state == EventState::Delivered),
    },
    Def {
        name: "QUEUE-002: sometimes a logout sync is on the wire",
        requirement: "QUEUE-002",
        kind: Kind::Sometimes,
        environment: Environment::Adversarial,
        applies: |p| p.logout_syncs_then_deletes_on_jwt_failure,
        holds: |_, b| b.requests.iter().any(|r| r.purpose == Purpose::LogoutSync),
    },
    Def {
        name: "RETRY-005: sometimes a 403 with a valid token fails a request",
        requirement: "RETRY-005",
        kind: Kind::Sometimes,
        environment: Environment::Adversarial,
        applies: |p| applies_to("RETRY-005", p),
        holds: |_, b| removed_by(b, "RETRY-005"),
    },
    Def {
        name: "QUEUE-006: sometimes stopping or clearing deletes events",
        requirement: "QUEUE-006",
        kind: Kind::Sometimes,
        environment: Environment::Adversarial,
        applies: |p| {
            use jwt_lifecycle_spec::alphabet::CallKind;
            p.calls.contains(&CallKind::StopIntegration) || p.calls.contains(&CallKind::ClearLocalData)
        },
        holds: |_, b| removed_by(b, "QUEUE-006"),
    },
    Def {
        name: "QUEUE-001: with a cooperative app and server every tracked event is eventually delivered, or reported failed after a change of customer left it behind",
        requirement: "QUEUE-001",
        kind: Kind::Eventually,
        environment: Environment::Cooperative,
        // Not where failures back off: their retries last until a token for the request's
        // customer comes (RETRY-016), which an app that moved to another customer never
        // supplies.
        applies: |p| {
            [p.on_unauthorized, p.on_forbidden_without_token]
                .iter()
                .all(|q| q.notify_handler && q.retry != RetryPolicy::Never)
                && p.backoff().is_none()
        },
        holds: |_, b| tracked_done(b, true),
    },
    Def {
        name: "RETRY-013: with a cooperative app and server every tracked event eventually leaves the queue, delivered or reported",
        requirement: "RETRY-013",
        kind: Kind::Eventually,
        environment: Environment::Cooperative,
        applies: |p| applies_to("RETRY-013", p),
        holds: |_, b| tracked_done(b, false),
    },
];

fn def_condition<M: Machine>(index: usize) -> Condition<M> {
    macro_rules! def_at {
        ($($n:literal)*) => {
            match index { $($n => |m: &LifecycleModel<M>, s: &CheckState<M>| {
                let d = &DEFS[$n];
                (d.kind != Kind::Eventually || s.events_tracked >= m.bounds_events()) && (d.holds)(m.profile(), s.oracle.belief())
            },)* _ => |_: &LifecycleModel<M>, _: &CheckState<M>| false }
        };
    }
    def_at!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)
}

/// The stateright properties of `model`: every monitor of a requirement that applies to
/// its profile (in both environments), and the reachability or liveness properties of
/// its environment.
pub(super) fn for_model<M: Machine>(model: &LifecycleModel<M>) -> Vec<Property<LifecycleModel<M>>> {
    let profile = model.profile();
    let mut properties: Vec<Property<LifecycleModel<M>>> = catalog::monitors()
        .iter()
        .enumerate()
        .filter(|(_, m)| applies_to(m.requirement, profile))
        .filter_map(|(i, m)| monitor_condition::<M>(i).map(|c| Property::always(m.property, c)))
        .collect();
    for (index, def) in DEFS.iter().enumerate() {
        if def.environment != model.environment() || !(def.applies)(profile) {
            continue;
        }
        let condition = def_condition::<M>(index);
        properties.push(match def.kind {
            Kind::Always => Property::always(def.name, condition),
            Kind::Eventually => Property::eventually(def.name, condition),
            Kind::Sometimes => Property::sometimes(def.name, condition),
        });
    }
    properties
}

/// The kind and requirement of the property named `name`.
pub(super) fn describe(name: &str) -> Option<(Kind, &'static str)> {
    if let Some(m) = catalog::monitors().iter().find(|m| m.property == name) {
        return Some((Kind::Always, m.requirement));
    }
    DEFS.iter().find(|d| d.name == name).map(|d| (d.kind, d.requirement))
}

/// Every property with the profiles it applies to.
pub fn catalog() -> Vec<PropertyInfo> {
    let profiles_where = |applies: &dyn Fn(&Profile) -> bool| -> Vec<ProfileId> {
        ProfileId::ALL.into_iter().filter(|p| applies(&p.profile())).collect()
    };
    let monitors = catalog::monitors().iter().map(|m| PropertyInfo {
        name: m.property,
        requirement: m.requirement,
        kind: Kind::Always,
        environment: Environment::Adversarial,
        profiles: profiles_where(&|p| applies_to(m.requirement, p)),
    });
    let defs = DEFS.iter().map(|d| PropertyInfo {
        name: d.name,
        requirement: d.requirement,
        kind: d.kind,
        environment: d.environment,
        profiles: profiles_where(&|p| (d.applies)(p)),
    });
    monitors.chain(defs).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_monitor_has_a_condition_and_every_def_a_slot() {
        assert!(catalog::monitors().len() <= 128);
        for i in 0..catalog::monitors().len() {
            assert!(monitor_condition::<crate::Sdk>(i).is_some(), "monitor {i}");
        }
        assert!(DEFS.len() <= 16, "def_condition has 16 slots");
    }
}
