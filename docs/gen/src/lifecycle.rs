//! The lifecycle as Mermaid state diagrams whose transitions are chosen and labelled
//! from each [`Profile`]'s data.
//!
//! Every transition cites the requirements that define it; a test checks that each id
//! exists and that a transition drawn for a profile cites at least one requirement that
//! applies to that profile, so the diagram cannot claim a behaviour the registry does
//! not give that vendor.

use jwt_lifecycle_spec::alphabet::CallKind;
use jwt_lifecycle_spec::profile::{Batching, ClearingCall, OtherFailurePolicy, Profile, RetryPolicy};
use jwt_lifecycle_spec::requirement;
use std::fmt::Write as _;

/// One arrow of the state diagram.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    /// Source state id (`[*]` for the initial pseudo-state).
    pub from: &'static str,
    /// Target state id.
    pub to: &'static str,
    /// What makes it happen, in the alphabet's words.
    pub label: String,
    /// The requirements that define it.
    pub requirements: Vec<&'static str>,
}

/// A diagram's state: id and display name.
struct StateDef {
    id: &'static str,
    name: &'static str,
}

const TOP_STATES: &[StateDef] = &[
    StateDef { id: "Unconfigured", name: "Not configured" },
    StateDef { id: "Running", name: "Running" },
    StateDef { id: "Stopped", name: "Stopped" },
];
const TOKEN_STATES: &[StateDef] = &[
    StateDef { id: "NoToken", name: "No token" },
    StateDef { id: "Valid", name: "Token valid" },
    StateDef { id: "ExpiringSoon", name: "Expiring soon" },
    StateDef { id: "Expired", name: "Expired" },
];
const SYNC_STATES: &[StateDef] = &[
    StateDef { id: "Idle", name: "Idle" },
    StateDef { id: "InFlight", name: "Request in flight" },
    StateDef { id: "RetryPending", name: "Retry pending" },
    StateDef { id: "Held", name: "Held for a new token" },
    StateDef { id: "Asking", name: "Waiting for the asked token" },
    StateDef { id: "Suspended", name: "Sync suspended" },
];

fn edge(from: &'static str, to: &'static str, label: impl Into<String>, reqs: &[&'static str]) -> Edge {
    Edge { from, to, label: label.into(), requirements: reqs.to_vec() }
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

/// The life of the SDK itself: configure, stop.
pub fn top_edges(profile: Option<&Profile>) -> Vec<Edge> {
    let clears_on_stop = when(profile, |p| p.clears_token(ClearingCall::StopIntegration));
    let stop_reqs: &[&str] =
        if clears_on_stop { &["CONF-007", "LIFE-004", "QUEUE-006"] } else { &["CONF-007"] };
    let mut edges = vec![
        edge("[*]", "Unconfigured", "", &["CONF-007"]),
        edge("Unconfigured", "Running", "configure", &["CONF-003", "CONF-006", "CONF-007", "LIMIT-003"]),
    ];
    // Only SDKs that have a stop call can be stopped.
    if when(profile, |p| p.calls.contains(&CallKind::StopIntegration)) {
        edges.push(edge("Running", "Stopped", "stop_integration", stop_reqs));
        edges.push(edge("Stopped", "Running", "configure", &["CONF-007"]));
    }
    edges
}

/// The stored token's states.
pub fn token_edges(profile: Option<&Profile>) -> Vec<Edge> {
    let mut edges = vec![edge("[*]", "NoToken", "", &["LIFE-001"])];
    if when(profile, |p| p.token_supply.push) {
        edges.push(edge(
            "NoToken",
            "Valid",
            "set_token, identify with token",
            &["LIFE-001", "LIFE-007", "LIFE-013"],
        ));
    }
    if when(profile, Profile::pulls) {
        edges.push(edge("NoToken", "Valid", "provide_token answers an ask", &["LIFE-017", "LIFE-001"]));
    }
    edges.extend(expiry_edges(profile));
    edges.push(edge("NoToken", "Expired", "set_token already past exp", &["REFR-004", "PRE-005"]));
    // Replacing the token: from any stored state, the new token enters the state its own
    // `exp` gives, as from "No token"; drawn once, to the usual target.
    edges.push(edge("Stored", "Valid", "set_token replaces it", &["LIFE-002", "REFR-006"]));
    edges.extend(clearing_edge(profile));
    edges
}

/// How a stored token ages: through "Expiring soon" where the profile notifies a refresh,
/// straight to "Expired" where it does not, both in the union diagram.
fn expiry_edges(profile: Option<&Profile>) -> Vec<Edge> {
    match profile.map(|p| p.refresh) {
        Some(None) => vec![edge("Valid", "Expired", "clock reaches exp", &["PRE-005", "REFR-008"])],
        Some(Some(r)) => {
            let lead = seconds(r.lead_ms);
            let tol = seconds(r.tolerance_ms);
            // A pulling SDK asks its token callback where a pushing one tells the handler.
            let asks = profile.is_some_and(|p| p.token_supply.pull.is_some_and(|pull| pull.before_expiry));
            let (told, refresh) = if asks {
                ("token callback asked (expired_soon)", "REFR-009")
            } else {
                ("handler expired_soon", "REFR-001")
            };
            let mut edges = vec![edge(
                "Valid",
                "ExpiringSoon",
                format!("exp − {lead} (± {tol}), {told}"),
                &[refresh, "REFR-002"],
            )];
            if r.notify_at_once_inside_window {
                edges.push(edge(
                    "NoToken",
                    "ExpiringSoon",
                    format!("token inside the window, {told} at once"),
                    &["REFR-003"],
                ));
            }
            edges.push(edge("ExpiringSoon", "Expired", "clock reaches exp", &["PRE-005"]));
            edges
        }
        None => vec![
            edge("Valid", "ExpiringSoon", "exp − lead, handler expired_soon", &["REFR-001"]),
            edge("NoToken", "ExpiringSoon", "set_token inside the window", &["REFR-003"]),
            edge("ExpiringSoon", "Expired", "clock reaches exp", &["PRE-005"]),
            edge("Valid", "Expired", "clock reaches exp (no refresh)", &["PRE-005", "REFR-008"]),
        ],
    }
}

/// One arrow from any stored state to "No token", labelled with the calls that clear the
/// token in the profile (every such call in the union diagram); none when no call does.
fn clearing_edge(profile: Option<&Profile>) -> Option<Edge> {
    let clearing: [(ClearingCall, &str, &str); 5] = [
        (ClearingCall::Anonymize, "anonymize", "LIFE-003"),
        (ClearingCall::StopIntegration, "stop_integration", "LIFE-004"),
        (ClearingCall::ClearLocalData, "clear_local_data", "LIFE-005"),
        (ClearingCall::IdentifyWithoutToken, "identify without token", "LIFE-006"),
        (ClearingCall::Logout, "logout", "LIFE-010"),
    ];
    let chosen: Vec<&(ClearingCall, &str, &str)> =
        clearing.iter().filter(|(call, _, _)| when(profile, |p| p.clears_token(*call))).collect();
    if chosen.is_empty() {
        return None;
    }
    let label = chosen.iter().map(|(_, name, _)| *name).collect::<Vec<_>>().join(", ");
    let mut reqs: Vec<&'static str> = chosen.iter().map(|(_, _, id)| static_id(id)).collect();
    reqs.push("LIFE-008");
    Some(Edge { from: "Stored", to: "NoToken", label, requirements: reqs })
}

/// Maps an id borrowed from the table above back to its `'static` registry entry.
fn static_id(id: &str) -> &'static str {
    requirement(id).map_or("UNKNOWN", |r| r.id)
}

/// The request pipeline's states.
pub fn sync_edges(profile: Option<&Profile>) -> Vec<Edge> {
    let mut edges = delivery_edges(profile);
    edges.extend(retry_edges(profile));
    edges.extend(refetch_and_backoff_edges(profile));
    edges.extend(forbidden_edges(profile));
    edges.extend(app_error_edges(profile));
    edges.extend(held_edges(profile));
    edges.extend(limit_edges(profile));
    edges
}

/// A request sent and answered, the same in every profile.
fn delivery_edges(profile: Option<&Profile>) -> Vec<Edge> {
    let mut edges = vec![edge("[*]", "Idle", "", &["QUEUE-004", "QUEUE-009"])];
    if when(profile, |p| p.batching == Batching::HeadRunOneInFlight) {
        let flush = match profile.and_then(|p| p.auto_flush) {
            Some(auto) => format!("flush, or every {}, with events queued", seconds(auto.interval_ms)),
            None => "flush with events queued".to_owned(),
        };
        edges.push(edge("Idle", "InFlight", flush, &["QUEUE-004", "QUEUE-003", "QUEUE-010", "CONF-001"]));
    }
    if when(profile, |p| p.batching == Batching::PerEventConcurrent) {
        edges.push(edge("Idle", "InFlight", "track sends its event at once", &["QUEUE-009", "CONF-001"]));
    }
    edges.push(edge("InFlight", "Idle", "2xx, events delivered", &["QUEUE-007"]));
    if when(profile, |p| p.on_other_failure == OtherFailurePolicy::Requeue) {
        edges.push(edge(
            "InFlight",
            "Idle",
            "network error or other status, events back in the queue",
            &["RETRY-012"],
        ));
    }
    if when(profile, |p| p.on_other_failure == OtherFailurePolicy::Fail) {
        edges.push(edge("InFlight", "Idle", "network error or other status, request_failed", &["RETRY-017"]));
    }
    edges
}

/// RETRY-015, RETRY-016: the policies of the newer profiles, a refetch of a pulled token
/// and a randomised backoff.
fn refetch_and_backoff_edges(profile: Option<&Profile>) -> Vec<Edge> {
    let mut edges = Vec::new();
    if when(profile, |p| p.on_unauthorized.retry == RetryPolicy::RefetchThenRetry) {
        edges.push(edge("InFlight", "Asking", "401, token callback asked", &["RETRY-015", "RETRY-001"]));
        edges.push(edge("Asking", "InFlight", "token provided, sent again once", &["RETRY-015", "LIFE-017"]));
        edges.push(edge(
            "Asking",
            "Idle",
            "ask failed or customer changed, request_failed",
            &["LIFE-018", "RETRY-018"],
        ));
        edges.push(edge("InFlight", "Idle", "resend rejected, request_failed", &["RETRY-015", "QUEUE-005"]));
    }
    let backoff = match profile {
        Some(p) => p.backoff().map(|b| {
            format!("{}..{}, at most {}x the previous", seconds(b.min_ms), seconds(b.max_ms), b.factor)
        }),
        None => Some("a randomised wait".to_owned()),
    };
    if let Some(wait) = backoff {
        edges.push(edge(
            "InFlight",
            "RetryPending",
            "rejected (status or auth_error in the body), handler told, or no answer",
            &["RETRY-016", "RETRY-019", "RETRY-020", "RETRY-012"],
        ));
        edges.push(edge(
            "RetryPending",
            "InFlight",
            format!("end of the wait ({wait}) or flush, current token"),
            &["RETRY-016", "LIFE-002"],
        ));
        edges.push(edge("RetryPending", "Idle", "clear_local_data, events deleted", &["QUEUE-006"]));
    }
    edges
}

/// A 401 retried after a delay, where the profile retries.
fn retry_edges(profile: Option<&Profile>) -> Vec<Edge> {
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
            "InFlight",
            "RetryPending",
            "401, or 403 without token, handler told",
            &["RETRY-001", "RETRY-004", "RETRY-007"],
        ),
        edge("RetryPending", "InFlight", format!("{after}, current token"), &["RETRY-002", "LIFE-002"]),
        edge("InFlight", "Idle", "retry rejected, request_failed", &["RETRY-003", "QUEUE-005"]),
        edge("RetryPending", "Idle", "clear_local_data, events deleted", &["QUEUE-006"]),
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
    vec![edge("InFlight", "Idle", "403 with a valid token, request_failed", &["RETRY-005", "QUEUE-005"])]
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
        "InFlight",
        "Idle",
        format!("401 or 403, request_failed, {codes}"),
        &["RETRY-011", "NOTIFY-005"],
    )]
}

/// A rejected request held until the app provides a new token.
fn held_edges(profile: Option<&Profile>) -> Vec<Edge> {
    if !when(profile, |p| p.on_unauthorized.retry == RetryPolicy::OnNewToken) {
        return Vec::new();
    }
    vec![
        edge("InFlight", "Held", "401 or 403, handler told", &["RETRY-008", "RETRY-009", "RETRY-010"]),
        edge(
            "Held",
            "InFlight",
            "set_token with a new token, or flush after a suspension",
            &["RETRY-008", "RETRY-013", "LIMIT-005"],
        ),
        edge("Held", "Idle", "clear_local_data, events deleted", &["QUEUE-006"]),
    ]
}

/// The consecutive-failure limit: suspension until the next session.
fn limit_edges(profile: Option<&Profile>) -> Vec<Edge> {
    let limit = match profile {
        Some(p) => p.failure_limit.map(|l| l.consecutive_failures.to_string()),
        None => Some("N".to_owned()),
    };
    let Some(limit) = limit else { return Vec::new() };
    let mut edges = vec![edge(
        "InFlight",
        "Suspended",
        format!("failure number {limit} in a row"),
        &["LIMIT-001", "LIMIT-002", "LIMIT-006"],
    )];
    let through = profile.and_then(|p| p.failure_limit).is_some_and(|l| l.flush_while_suspended);
    if through {
        edges.push(edge(
            "Suspended",
            "Suspended",
            "track or set_token, nothing sent on its own",
            &["LIMIT-004", "LIMIT-006"],
        ));
        edges.push(edge("Suspended", "InFlight", "flush still sends the queue", &["LIMIT-006", "QUEUE-004"]));
    } else {
        edges.push(edge(
            "Suspended",
            "Suspended",
            "track, set_token or flush, nothing sent",
            &["LIMIT-004", "LIMIT-005"],
        ));
    }
    edges.push(edge("Suspended", "Idle", "new_session", &["LIMIT-003"]));
    if when(profile, |p| p.on_unauthorized.retry == RetryPolicy::OnNewToken) {
        edges.push(edge("Suspended", "Held", "new_session with a request held", &["LIMIT-003", "LIMIT-005"]));
    }
    edges
}

/// Every edge of the diagram for `profile` (or the union over all profiles).
pub fn all_edges(profile: Option<&Profile>) -> Vec<Edge> {
    let mut edges = top_edges(profile);
    edges.extend(token_edges(profile));
    edges.extend(sync_edges(profile));
    edges
}

/// The requirement ids an edge shows for `profile`: those that apply to it.
fn shown_requirements<'a>(e: &'a Edge, profile: Option<&Profile>) -> Vec<&'a str> {
    e.requirements
        .iter()
        .copied()
        .filter(|id| match (profile, requirement(id)) {
            (Some(p), Some(r)) => r.applies_to(p.id),
            _ => true,
        })
        .collect()
}

fn write_edges(out: &mut String, indent: &str, edges: &[Edge], profile: Option<&Profile>) {
    for e in edges {
        let reqs = shown_requirements(e, profile);
        let label = match (e.label.is_empty(), reqs.is_empty()) {
            (true, _) => String::new(),
            (false, true) => format!(": {}", e.label),
            (false, false) => format!(": {} ({})", e.label, reqs.join(", ")),
        };
        let _ = writeln!(out, "{indent}{} --> {}{label}", e.from, e.to);
    }
}

fn write_states(out: &mut String, indent: &str, states: &[StateDef], edges: &[Edge]) {
    for st in states {
        if edges.iter().any(|e| e.from == st.id || e.to == st.id) {
            let _ = writeln!(out, "{indent}state \"{}\" as {}", st.name, st.id);
        }
    }
}

/// The states drawn inside the "Token stored" composite.
const STORED: [&str; 3] = ["Valid", "ExpiringSoon", "Expired"];

/// The Mermaid sources of the lifecycle's three diagrams (the SDK, the stored token, the
/// request pipeline) for `profile`, or for the union of all profiles when `None`; each
/// with its title.
pub fn state_diagrams(profile: Option<&Profile>) -> Vec<(&'static str, String)> {
    let top = top_edges(profile);
    let mut sdk = String::from("stateDiagram-v2\n    direction LR\n");
    write_states(&mut sdk, "    ", TOP_STATES, &top);
    write_edges(&mut sdk, "    ", &top, profile);

    let token = token_edges(profile);
    let (inner, outer): (Vec<Edge>, Vec<Edge>) =
        token.into_iter().partition(|e| STORED.contains(&e.from) && STORED.contains(&e.to));
    let mut tok = String::from("stateDiagram-v2\n    direction LR\n");
    write_states(&mut tok, "    ", &TOKEN_STATES[..1], &outer);
    write_edges(&mut tok, "    ", &outer, profile);
    tok.push_str("    state \"Token stored\" as Stored {\n");
    let all: Vec<Edge> = inner.iter().chain(outer.iter()).cloned().collect();
    write_states(&mut tok, "        ", &TOKEN_STATES[1..], &all);
    write_edges(&mut tok, "        ", &inner, profile);
    tok.push_str("    }\n");

    let sync = sync_edges(profile);
    let mut pipe = String::from("stateDiagram-v2\n");
    write_states(&mut pipe, "    ", SYNC_STATES, &sync);
    write_edges(&mut pipe, "    ", &sync, profile);

    vec![("The SDK", sdk), ("The stored token", tok), ("The request pipeline", pipe)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use jwt_lifecycle_spec::requirement::Subject;

    fn joined(profile: Option<&Profile>) -> String {
        state_diagrams(profile).into_iter().map(|(_, d)| d).collect()
    }

    #[test]
    fn every_cited_id_is_a_registered_sdk_behaviour_requirement() {
        for e in all_edges(None) {
            assert!(!e.requirements.is_empty(), "{} -> {} cites nothing", e.from, e.to);
            for id in &e.requirements {
                let r =
                    requirement(id).unwrap_or_else(|| panic!("{} -> {} cites unknown {id}", e.from, e.to));
                assert_eq!(r.subject, Subject::SdkBehaviour, "{id}");
            }
        }
    }

    #[test]
    fn an_edge_drawn_for_a_profile_cites_a_requirement_of_that_profile() {
        for p in Profile::all() {
            for e in all_edges(Some(&p)) {
                assert!(
                    !shown_requirements(&e, Some(&p)).is_empty(),
                    "{}: {} -> {} ({}) is drawn but none of {:?} applies to the profile",
                    p.id,
                    e.from,
                    e.to,
                    e.label,
                    e.requirements
                );
            }
        }
    }

    #[test]
    fn labels_avoid_the_characters_mermaid_reads_as_syntax() {
        // A second `:` in a state-diagram label, a `;` or a `#` breaks Mermaid's parser.
        let mut profiles: Vec<Option<Profile>> = Profile::all().into_iter().map(Some).collect();
        profiles.push(None);
        for p in &profiles {
            for e in all_edges(p.as_ref()) {
                assert!(!e.label.contains([':', ';', '#', '{', '}']), "label `{}`", e.label);
            }
        }
    }

    #[test]
    fn profile_knobs_decide_which_states_exist() {
        let exponea = jwt_lifecycle_spec::profile::exponea_stream();
        let webex = jwt_lifecycle_spec::profile::webex_connect();
        let moengage = jwt_lifecycle_spec::ProfileId::MoengageAndroid.profile();
        let d = joined(Some(&exponea));
        assert!(d.contains("ExpiringSoon") && d.contains("RetryPending") && !d.contains("Suspended"));
        assert!(d.contains("exp − 60 s"), "{d}");
        let d = joined(Some(&webex));
        assert!(!d.contains("ExpiringSoon") && !d.contains("RetryPending") && !d.contains("Held"));
        assert!(d.contains("38/39/40"), "{d}");
        let d = joined(Some(&moengage));
        assert!(d.contains("Held") && d.contains("failure number 10 in a row") && d.contains("logout"));
        assert!(!d.contains("anonymize"), "MoEngage does not clear on anonymize: {d}");
    }
}
