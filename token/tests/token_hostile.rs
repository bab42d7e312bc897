//! The hostile corpus (token/tests/data/hostile/corpus.jsonl): every crafted token gets
//! exactly the decision its entry names, with the status and vendor code VALID-009 and
//! NOTIFY-005 give it; together the entries produce every rejection reason.
#![allow(clippy::unwrap_used)] // test code: a panic is how a test reports a broken expectation

mod token_common;

use jwt_lifecycle_spec::profile::JwsAlgorithm;
use jwt_lifecycle_spec::{CustomerIds, ProfileId};
use jwt_lifecycle_token::{Decision, RejectReason, RequestIdentity, Validator};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use token_common::*;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    description: String,
    profile: ProfileId,
    token: String,
    expected: String,
    #[serde(default)]
    now: Option<u64>,
    #[serde(default)]
    request: Option<Request>,
    /// The profile's algorithms replaced by these (the RS256 entries).
    #[serde(default)]
    algorithms: Option<Vec<JwsAlgorithm>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    customer_ids: BTreeMap<String, String>,
    #[serde(default)]
    app_id: Option<String>,
    #[serde(default)]
    link_customer_id: Option<String>,
}

fn corpus() -> Vec<Entry> {
    let text = std::fs::read_to_string(data_dir().join("hostile").join("corpus.jsonl")).unwrap();
    text.lines()
        .enumerate()
        .map(|(i, line)| serde_json::from_str(line).unwrap_or_else(|e| panic!("corpus line {}: {e}", i + 1)))
        .collect()
}

fn decide(e: &Entry) -> Decision {
    let profile = e.profile.profile();
    let request = match &e.request {
        Some(r) => RequestIdentity {
            customer_ids: CustomerIds(r.customer_ids.clone()),
            app_id: r.app_id.clone(),
            link_customer_id: r.link_customer_id.clone(),
        },
        None => default_request(&profile),
    };
    let validator = match &e.algorithms {
        None => validator(e.profile),
        Some(algorithms) => {
            let mut variant = profile.clone();
            variant.claims.algorithms = algorithms.clone();
            Validator::new(&variant, corpus_ring_with_rsa()).unwrap()
        }
    };
    validator.validate(&e.token, &request, e.now.unwrap_or(NOW))
}

#[test]
fn every_hostile_token_gets_its_expected_decision() {
    let entries = corpus();
    let rejecting = entries.iter().filter(|e| e.expected != "accepted").count();
    assert!(rejecting >= 40, "the corpus needs at least 40 hostile tokens, has {rejecting}");
    let mut failures = Vec::new();
    for e in &entries {
        let decision = decide(e);
        let got = decision.reason().map_or("accepted", RejectReason::as_str);
        if got != e.expected {
            failures
                .push(format!("{} [{}]: expected {}, got {decision}", e.description, e.profile, e.expected));
        }
    }
    assert!(
        failures.is_empty(),
        "{} corpus entries decided wrongly:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_expected_reason_in_the_corpus_is_a_known_reason_and_all_are_covered() {
    let mut covered = BTreeSet::new();
    for e in corpus() {
        if e.expected != "accepted" {
            let reason: RejectReason =
                e.expected.parse().unwrap_or_else(|err| panic!("{}: {err}", e.description));
            covered.insert(reason);
        }
    }
    let missing: Vec<&str> =
        RejectReason::ALL.into_iter().filter(|r| !covered.contains(r)).map(RejectReason::as_str).collect();
    assert!(missing.is_empty(), "no corpus token produces: {missing:?}");
}

#[test]
fn statuses_and_vendor_codes_follow_valid_009_and_notify_005() {
    for e in corpus() {
        let d = decide(&e);
        match d.reason() {
            None => {
                assert_eq!(d.status(), 200);
                assert_eq!(d.vendor_code(), None);
            }
            Some(reason) => {
                let forbidden = matches!(
                    reason,
                    RejectReason::IdentityMismatch
                        | RejectReason::AppIdMismatch
                        | RejectReason::ScopeInsufficient
                );
                assert_eq!(d.status(), if forbidden { 403 } else { 401 }, "{}", e.description);
                let code = match (e.profile, reason) {
                    (ProfileId::WebexConnect, RejectReason::NotProvided) => Some(39),
                    (ProfileId::WebexConnect, RejectReason::Expired) => Some(40),
                    (ProfileId::WebexConnect, _) => Some(38),
                    _ => None,
                };
                assert_eq!(d.vendor_code(), code, "{}", e.description);
                let message = d.rejection().map(|r| r.error.to_string()).unwrap_or_default();
                assert!(message.len() > 15, "{}: message {message:?} says nothing", e.description);
            }
        }
    }
}

#[test]
fn the_size_limit_applies_before_any_decoding() {
    // 8193 bytes of characters that are not base64url: only a size check can name this.
    let v = validator(ProfileId::ExponeaStream);
    let req = default_request(&ProfileId::ExponeaStream.profile());
    let junk = "!".repeat(8193);
    assert_eq!(v.validate(&junk, &req, NOW).reason(), Some(RejectReason::TokenTooLarge));
    let at_limit = "!".repeat(8192);
    assert_eq!(v.validate(&at_limit, &req, NOW).reason(), Some(RejectReason::Malformed));
}
