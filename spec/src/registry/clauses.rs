//! The clauses of the requirements whose statement lists several calls, conditions or
//! boundaries: each item gets a name, so that cases can say which they exercise and a gate
//! can demand a case for every one. A boundary is a clause too (the instant a window
//! opens, `exp` itself, each edge of a tolerance, the Nth and the (N-1)th failure).

use super::{EXPONEA, HOLDING, MOENGAGE};
use crate::profile::ProfileId::{self, *};
use crate::requirement::Clause;

/// The profiles whose SDK calls the app's handler: on the others (Webex Connect reports
/// failures as app errors only) a clause about which handler is registered cannot be
/// observed.
const CALLS_HANDLER: &[ProfileId] = &[ExponeaStream, MoengageIos, MoengageAndroid, KhorosLegacy];

/// The profiles with `stop_integration`: iterable-web and braze-web have no such call
/// (CONF-009; neither SDK's documents describe stopping it), so a clause about what a stop
/// does cannot be shown on them.
const STOPPING: &[ProfileId] = &[ExponeaStream, MoengageIos, MoengageAndroid, KhorosLegacy, WebexConnect];

/// The profiles that keep a token, a customer and a queue across a restart: iterable-web
/// persists nothing (LIFE-014's decision: the app initialises the SDK and signs the user in
/// on every page load, which asks for a new token, and it keeps no queue).
const PERSISTING: &[ProfileId] =
    &[ExponeaStream, MoengageIos, MoengageAndroid, KhorosLegacy, WebexConnect, BrazeWeb];

const fn c(name: &'static str, text: &'static str) -> Clause {
    Clause { name, text, profiles: None }
}

const fn only(name: &'static str, text: &'static str, profiles: &'static [ProfileId]) -> Clause {
    Clause { name, text, profiles: Some(profiles) }
}

/// Every requirement with clauses, by id.
const CLAUSES: &[(&str, &[Clause])] = &[
    ("CONF-002", &[
        c("set-token", "a token passed by set_token is ignored"),
        c("identify", "a token passed by identify is ignored"),
        c("rejection-final", "an authentication failure fails the request at once, with no retry"),
    ]),
    ("CONF-007", &[
        c("before-configure", "before the first configure nothing is sent or stored and a tracked event is reported sdk_not_running"),
        only("after-stop", "after stop_integration, until the next configure, the same", STOPPING),
        only("no-handler", "a handler registered while not running is not registered", CALLS_HANDLER),
    ]),
    ("LIFE-002", &[
        c("later-requests", "later requests carry the new token"),
        only("scheduled-retry", "a retry already scheduled carries the new token", EXPONEA),
        only("refresh-cancelled", "the old token's refresh notification is cancelled", EXPONEA),
    ]),
    ("LIFE-008", &[
        c("later-requests", "no later request carries the cleared token"),
        only("scheduled-retry", "a retry scheduled before the clearing does not carry it", EXPONEA),
    ]),
    ("LIFE-010", &[
        c("token", "logout clears the stored token"),
        c("customer", "logout clears the customer"),
        only("sync-keeps-token", "a logout sync already started keeps the token it was sent with", MOENGAGE),
    ]),
    ("LIFE-011", &[
        c("not-three-parts", "a token that is not three base64url parts is kept and sent"),
        c("payload-not-an-object", "a token whose payload is not a JSON object is kept and sent"),
    ]),
    ("LIFE-012", &[
        c("no-exp", "a token without exp never expires on the client"),
        c("exp-not-an-integer", "a token whose exp is not a non-negative integer never expires on the client"),
    ]),
    ("LIFE-014", &[
        only("token-kept", "the stored token and its customer survive a restart", PERSISTING),
        only("customer-kept", "the current customer survives a restart", PERSISTING),
        only("queue-kept", "the queued events survive a restart", PERSISTING),
        only("handler-forgotten", "the handler does not survive a restart", CALLS_HANDLER),
        only("in-flight-requeued", "a request on the wire is abandoned, its events back at the front of the queue", PERSISTING),
        only("held-requeued", "a held request is abandoned, its events back at the front of the queue", HOLDING),
        only("retry-requeued", "a request waiting for its retry is abandoned, its events back at the front of the queue", EXPONEA),
        only("timed-again", "after the next configure the kept token's refresh is timed as if set then", EXPONEA),
    ]),
    ("REFR-001", &[
        c("early-edge", "no notification before exp − 62 s (the tolerance's early edge)"),
        c("late-edge", "the notification by exp − 58 s (the tolerance's late edge)"),
    ]),
    ("REFR-003", &[
        c("window-opens", "a token set exactly 60 s before its exp is notified at once"),
        c("inside", "a token set less than 60 s before its exp is notified at once"),
    ]),
    // iterable-web has no handler and no pre-flight check (PRE-001..003 bind
    // exponea-stream only): what a pre-flight check repeats or delivers cannot be shown.
    ("REFR-005", &[
        only("timer-first", "delivered by the timer, not repeated by later pre-flight checks", EXPONEA),
        only("set-first", "delivered when the token is set inside the window, not repeated", EXPONEA),
        only("dropped-not-delivered", "a notification dropped for want of a handler is delivered by a later pre-flight check", EXPONEA),
    ]),
    // iterable-web has identify and logout only among these calls, and takes no token at
    // identify or configure (its tokens are pulled, CONF-009): the other calls' clauses bind
    // exponea-stream alone.
    ("REFR-006", &[
        only("set-token", "set_token with a new token cancels the old token's refresh", EXPONEA),
        only("identify-with-token", "identify with a token cancels the old token's refresh", EXPONEA),
        only("configure-with-token", "configure with a token cancels the old token's refresh", EXPONEA),
        only("clear-token", "set_token without a token cancels the refresh", EXPONEA),
        only("anonymize", "anonymize cancels the refresh", EXPONEA),
        c("identify-without-token", "identify without a token cancels the refresh"),
        only("stop-integration", "stop_integration cancels the refresh", EXPONEA),
        only("clear-local-data", "clear_local_data cancels the refresh", EXPONEA),
    ]),
    ("PRE-005", &[
        c("exp-instant", "a token is expired at exp × 1000 ms itself"),
        c("before-exp", "a token is not expired 1 ms before exp"),
        only("window-opens", "a token is inside the refresh window at exp × 1000 − lead itself", EXPONEA),
    ]),
    ("RETRY-001", &[
        c("not-provided", "not_provided when the request carried no token"),
        c("expired", "expired when the token it carried had expired at the response"),
        c("invalid", "invalid otherwise"),
    ]),
    ("RETRY-002", &[
        c("early-edge", "no retry before 750 ms after the response (the tolerance's early edge)"),
        c("late-edge", "the retry by 1 250 ms after the response (the tolerance's late edge)"),
        c("current-token", "the retry carries the token stored at the time of the retry"),
    ]),
    ("RETRY-003", &[
        c("retry-401", "a retry rejected with 401 fails the request for good"),
        c("retry-403", "a retry rejected with 403 fails the request for good"),
    ]),
    ("RETRY-008", &[
        c("not-without-token", "a held request is not sent again until the app provides a new token"),
        c("each-new-token", "each new token sends the held request again at once, attempt one higher"),
        c("tracked-meanwhile-wait", "events tracked meanwhile wait in the queue for the next flush"),
    ]),
    ("RETRY-009", &[
        c("401", "a 401 calls the listener"),
        c("403", "a 403 calls the listener"),
    ]),
    ("RETRY-010", &[
        c("401", "a 401 calls the delegate"),
        c("403", "a 403 calls the delegate"),
    ]),
    ("RETRY-011", &[
        c("code-39", "code 39 when no token was sent"),
        c("code-40", "code 40 when the token had expired"),
        c("code-38", "code 38 otherwise"),
    ]),
    ("RETRY-012", &[
        c("network-error", "a request that fails without an HTTP response puts its events back"),
        c("other-status", "a status other than 2xx, 401 and 403 puts its events back"),
        only("network-error-not-counted", "network errors do not count toward the failure limit", MOENGAGE),
        only("other-status-not-counted", "other statuses do not count toward the failure limit", MOENGAGE),
    ]),
    ("RETRY-014", &[
        c("identify", "identify with other ids fails the held request"),
        c("logout", "logout fails the held request"),
        c("other-identifier", "a token passed with another identifier fails the held request"),
        c("rejected-after-leaving", "a rejection that would hold a request whose customer is no longer current fails it at once, after the handler call"),
    ]),
    ("LIMIT-001", &[
        c("nth-failure", "the 10th consecutive failure suspends sync"),
        c("n-minus-1", "the 9th consecutive failure does not"),
    ]),
    ("LIMIT-003", &[
        c("configure", "configure begins a session and ends the suspension"),
        c("new-session", "new_session begins a session and ends the suspension"),
        c("count-from-zero", "a new session starts the count from zero"),
    ]),
    ("LIMIT-005", &[
        c("nothing-sent", "while suspended a new token is stored and nothing is sent"),
        c("held-after-session", "the held request goes out on the first flush after the next session begins"),
    ]),
    ("QUEUE-002", &[
        c("sync-sent", "logout sends the queued events with the current token"),
        c("failure-deletes", "a sync failing with a JWT error deletes its events"),
    ]),
    ("QUEUE-004", &[
        c("in-flight", "flush is a no-op while a request is in flight"),
        only("held", "flush is a no-op while a request is held", HOLDING),
        only("suspended", "flush is a no-op while sync is suspended", MOENGAGE),
    ]),
    ("QUEUE-006", &[
        only("stop-integration", "stop_integration deletes every queued event", STOPPING),
        c("clear-local-data", "clear_local_data deletes every queued event"),
        c("in-flight", "the events of a request on the wire are deleted too"),
        only("retry-pending", "the events of a request waiting for its retry are deleted too", EXPONEA),
        only("held", "the events of a held request are deleted too", HOLDING),
        only("anonymize-keeps", "anonymize keeps the queued events, tagged with the previous customer", EXPONEA),
        only("late-answer-after-stop", "an answer to a request whose events stop_integration deleted is ignored", STOPPING),
        c("late-answer-after-clear", "an answer to a request whose events clear_local_data deleted is ignored"),
    ]),
    ("NOTIFY-006", &[
        only("replaces", "registering a handler replaces the one before", CALLS_HANDLER),
        only("identify", "the handler stays registered across identify", CALLS_HANDLER),
        only("anonymize", "the handler stays registered across anonymize", EXPONEA),
        only("logout", "the handler stays registered across logout", HOLDING),
        only("stop-and-configure", "the handler stays registered across stop_integration and a later configure", CALLS_HANDLER),
        only("restart-forgets", "an app restart forgets the handler", CALLS_HANDLER),
    ]),
];

/// The clauses of requirement `id` (none when it has one part). A `const fn`, so the
/// registry's table gets them where each rule is written.
pub(super) const fn of(id: &str) -> &'static [Clause] {
    let mut i = 0;
    while i < CLAUSES.len() {
        if same(CLAUSES[i].0, id) {
            return CLAUSES[i].1;
        }
        i += 1;
    }
    &[]
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{clause, requirement};
    use std::collections::BTreeSet;

    #[test]
    fn every_table_entry_names_a_registered_requirement_and_is_found_there() {
        for (id, clauses) in CLAUSES {
            let r = requirement(id).unwrap_or_else(|| panic!("clauses for unknown requirement {id}"));
            assert_eq!(r.clauses, *clauses, "{id}");
            assert!(clauses.len() >= 2, "{id}: a requirement with one part has no clauses");
        }
        let ids: BTreeSet<&str> = CLAUSES.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids.len(), CLAUSES.len(), "a requirement listed twice");
    }

    #[test]
    fn clause_names_are_unique_kebab_case_and_bind_profiles_of_their_requirement() {
        for (id, clauses) in CLAUSES {
            let r = requirement(id).unwrap_or_else(|| panic!("{id}"));
            let names: BTreeSet<&str> = clauses.iter().map(|c| c.name).collect();
            assert_eq!(names.len(), clauses.len(), "{id}: a clause name twice");
            for c in *clauses {
                assert!(
                    c.name.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'),
                    "{id}/{}",
                    c.name
                );
                for p in c.profiles.unwrap_or_default() {
                    assert!(r.applies_to(*p), "{id}/{}: binds {p}, which {id} does not", c.name);
                }
                assert!(
                    ProfileId::ALL.iter().any(|p| r.clause_applies_to(c, *p)),
                    "{id}/{}: binds no profile",
                    c.name
                );
                assert_eq!(clause(&r.clause_id(c)), Some((r, c)));
            }
        }
        assert_eq!(clause("REFR-006/nope"), None);
        assert_eq!(clause("REFR-006"), None);
        assert!(requirement("CONF-001").is_some_and(|r| r.clauses.is_empty()));
    }
}
