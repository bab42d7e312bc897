//! Which SDK-behaviour requirements the oracle monitors, what each monitor checks, and why
//! the rest have none.

use serde::Serialize;

/// One monitored requirement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct MonitorInfo {
    /// The requirement id.
    pub requirement: &'static str,
    /// What its monitor checks, in one sentence.
    pub checks: &'static str,
    /// `"<id>: <checks>"`, the name of the model check's property for it.
    pub property: &'static str,
}

macro_rules! m {
    ($id:literal, $checks:literal) => {
        MonitorInfo { requirement: $id, checks: $checks, property: concat!($id, ": ", $checks) }
    };
}

static MONITORS: &[MonitorInfo] = &[
    m!("CONF-001", "every request carries exactly the token stored for its customer, or none"),
    m!(
        "CONF-002",
        "with JWT off no request carries a token, the handler is never called and a rejection fails at once"
    ),
    m!("CONF-004", "a token passed without JWT in a debug build raises jwt_not_enabled"),
    m!("CONF-005", "a token passed without JWT in a release build raises nothing and is never sent"),
    m!("CONF-006", "a token passed to configure is stored as if set right after"),
    m!("CONF-007", "before configure and after stop nothing is sent and a tracked event is reported deleted"),
    m!(
        "CONF-008",
        "without JWT no request carries a token, the handler is never called and a rejection fails at once"
    ),
    m!("LIFE-001", "a token set is carried by every later request for its customer"),
    m!("LIFE-002", "a replaced token is not carried any more, retries included"),
    m!("LIFE-003", "a token cleared by anonymize is never carried again"),
    m!("LIFE-004", "a token cleared by stop_integration is never carried again"),
    m!("LIFE-005", "a token cleared by clear_local_data is never carried again"),
    m!("LIFE-006", "a token cleared by identify without a token is never carried again"),
    m!("LIFE-007", "a token passed with identify is carried by the new customer's requests"),
    m!("LIFE-008", "a cleared token is never carried again"),
    m!("LIFE-009", "a token is carried only by requests for the customer it was set for"),
    m!("LIFE-010", "a token cleared by logout is never carried again"),
    m!("LIFE-011", "a token the client cannot parse is still stored and carried"),
    m!("LIFE-012", "a token without a readable exp is never notified expiring or expired"),
    m!("LIFE-013", "the identifier passed with a token becomes the customer of later requests"),
    m!("LIFE-014", "a token kept across a restart is carried after the next configure"),
    m!("LIFE-015", "a token cleared by set_token without a token is never carried again"),
    m!("LIFE-016", "a pulling SDK asks for the identified customer's token at identify"),
    m!("LIFE-017", "a pulled token is stored for the customer asked for, and only while they are current"),
    m!("LIFE-018", "a failed ask stores nothing, is not asked again, and fails the requests waiting for it"),
    m!("REFR-001", "expired_soon comes at exp - lead within the tolerance, and only in the window"),
    m!("REFR-002", "expired_soon names the customer the token is bound to"),
    m!("REFR-003", "a token set inside its window is notified at once"),
    m!("REFR-004", "a token set already expired gets no expired_soon"),
    m!("REFR-005", "expired_soon comes at most once per stored token"),
    m!("REFR-006", "no expired_soon for a token replaced or cleared"),
    m!("REFR-007", "a notification dropped for want of a handler is not replayed on registration"),
    m!("REFR-008", "profiles without proactive refresh never notify expired_soon"),
    m!("REFR-009", "a pulling SDK asks for a new token at exp - lead within the tolerance, once per token"),
    m!("PRE-001", "a first attempt without a token is preceded by not_provided"),
    m!("PRE-002", "a first attempt with an expired token is preceded by expired"),
    m!("PRE-003", "a first attempt inside the refresh window is preceded by expired_soon, once per token"),
    m!("PRE-004", "no pre-flight notification before a retry"),
    m!("PRE-005", "the expiry boundaries: expired from exp onward, no client leeway"),
    m!("RETRY-001", "a rejection's reason comes from the token the request carried, at the answer"),
    m!(
        "RETRY-002",
        "a 401 is retried once, after the delay within the tolerance, with the token stored then"
    ),
    m!("RETRY-003", "a rejected retry fails for good with no further handler call"),
    m!("RETRY-004", "a 403 without a token is told not_provided and retried"),
    m!("RETRY-005", "a 403 with a valid token fails at once, quietly, keeping the token"),
    m!("RETRY-006", "the insufficient reason is never delivered"),
    m!("RETRY-007", "a 403 on an expired token is handled as an expiry"),
    m!(
        "RETRY-008",
        "a rejected request is held until a new token, then sent again at once as its next attempt"
    ),
    m!("RETRY-009", "every rejection calls the listener once"),
    m!("RETRY-010", "every rejection calls the delegate once"),
    m!("RETRY-011", "a rejection fails at once and raises token_rejected with its code"),
    m!(
        "RETRY-012",
        "a network failure or other status calls nothing, counts nothing and requeues the events"
    ),
    m!("RETRY-013", "without an app call no event is sent more than 1 + the retries"),
    m!("RETRY-014", "a held request fails once its customer is no longer current"),
    m!("RETRY-015", "a 401 asks for a token unless one is asked for, then resends once with it"),
    m!("RETRY-016", "after a failure nothing goes out on its own before the shortest wait, and the queue goes out by the longest"),
    m!("RETRY-017", "without a queue a failure that is not a 401 ends the request at once"),
    m!("RETRY-018", "a request waiting for a token fails once its customer is no longer current"),
    m!("RETRY-019", "a body with auth_error is a rejection whose reason and code come from its error code"),
    m!("RETRY-020", "every rejection reaches the failure subscriber and backs off"),
    m!("LIMIT-001", "after the limit of consecutive failures nothing is sent until the next session"),
    m!("LIMIT-002", "a success resets the failure count"),
    m!("LIMIT-003", "a new session ends the suspension"),
    m!("LIMIT-004", "events tracked while suspended are kept"),
    m!(
        "LIMIT-005",
        "a new token does not lift the suspension; the held request goes out after the next session"
    ),
    m!("LIMIT-006", "after the limit nothing goes out on its own until the next session; an explicit flush still sends"),
    m!("QUEUE-001", "no event is lost silently, and a removal follows its failure's notification"),
    m!("QUEUE-002", "logout sends the customer's queue first; a rejected logout sync deletes its events"),
    m!("QUEUE-003", "a request carries the head run of one customer's events, in order"),
    m!("QUEUE-004", "one request at a time, sent on flush"),
    m!("QUEUE-005", "a request failed for good lists its events"),
    m!(
        "QUEUE-006",
        "stop and clear delete and report the queue and the live request's events; late answers are ignored"
    ),
    m!("QUEUE-007", "a delivered event is never sent again"),
    m!("QUEUE-009", "each track sends its own request at once; several may be in flight"),
    m!("QUEUE-010", "queued events go out on their own within the flush interval, never at an app call"),
    m!("NOTIFY-001", "a handler call names the customer it concerns"),
    m!("NOTIFY-002", "no handler call while none is registered"),
    m!("NOTIFY-003", "only the profile's reasons"),
    m!("NOTIFY-005", "the vendor codes of a rejection"),
    m!("NOTIFY-006", "the handler stays registered across identify, anonymize and logout"),
    m!("NOTIFY-007", "a handler that throws leaves the lifecycle unchanged"),
    m!("NOTIFY-008", "no handler call or app error that no rule calls for"),
];

static UNMONITORED: &[(&str, &str)] = &[
    (
        "CONF-003",
        "whether JWT is on is fixed at configure; its observable effect is that a token passed later is never sent, which CONF-005 and CONF-008 judge",
    ),
    ("CONF-009", "a rule about the suite itself: which calls cases and random runs send to each profile"),
    (
        "QUEUE-008",
        "it says which rules apply to requests that carry no event; those rules (CONF-001 and the LIFE rules) judge them",
    ),
    ("NOTIFY-004", "a rule about the suite itself: MoEngage's listener codes are not compared"),
];

/// Every monitored requirement, in registry order.
pub fn monitors() -> &'static [MonitorInfo] {
    MONITORS
}

/// The monitor of `requirement`, if it has one.
pub fn monitor(requirement: &str) -> Option<&'static MonitorInfo> {
    MONITORS.iter().find(|m| m.requirement == requirement)
}

/// SDK-behaviour requirements with no monitor, and why.
pub fn unmonitored() -> &'static [(&'static str, &'static str)] {
    UNMONITORED
}

/// The most monitors an [`Oracle`](crate::Oracle) can record (one bit each).
pub const CAPACITY: usize = 128;

/// The index of `requirement`'s monitor in [`monitors`].
pub fn index_of(requirement: &str) -> Option<usize> {
    MONITORS.iter().position(|m| m.requirement == requirement)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jwt_lifecycle_spec::requirement::Subject;

    #[test]
    fn every_sdk_requirement_has_a_monitor_or_a_reason() {
        for r in
            jwt_lifecycle_spec::registry::REQUIREMENTS.iter().filter(|r| r.subject == Subject::SdkBehaviour)
        {
            let monitored = monitor(r.id).is_some();
            let excused = UNMONITORED.iter().any(|(id, _)| *id == r.id);
            assert!(monitored != excused, "{}: exactly one of a monitor or a reason", r.id);
        }
        for m in MONITORS {
            let r = jwt_lifecycle_spec::registry::requirement(m.requirement);
            assert!(
                r.is_some_and(|r| r.subject == Subject::SdkBehaviour),
                "{} is not an SDK requirement",
                m.requirement
            );
        }
        assert!(MONITORS.len() <= CAPACITY);
    }
}
