//! The state diagrams checked against the reference model: random walks through the
//! model, each state classified into the diagram's states, and every change of state the
//! model makes must be an arrow of the profile's diagram. A diagram that misses a
//! transition the model performs (or draws one for the wrong profile) fails here.

use jwt_lifecycle_conformance::case::token::{mint, TokenSpec};
use jwt_lifecycle_conformance::case::OrderedMap;
use jwt_lifecycle_docgen::lifecycle::{sync_edges, token_edges, top_edges, Edge};
use jwt_lifecycle_model::{Driver, Sdk};
use jwt_lifecycle_spec::alphabet::{AppCall, CustomerIds, Input, Reply};
use jwt_lifecycle_spec::profile::Profile;
use std::collections::BTreeSet;

const START: u64 = 1_700_000_000_000;
const STORED: [&str; 3] = ["Valid", "ExpiringSoon", "Expired"];

fn token_state(p: &Profile, d: &Driver) -> &'static str {
    let now = d.now();
    match d.sdk().stored_token() {
        None => "NoToken",
        Some(t) if t.token.is_expired(now) => "Expired",
        Some(t) => match p.refresh {
            Some(r) if t.token.is_expiring_soon(now, r.lead_ms) => "ExpiringSoon",
            _ => "Valid",
        },
    }
}

fn sync_state(d: &Driver) -> &'static str {
    let sdk = d.sdk();
    if sdk.failures().suspended {
        "Suspended"
    } else if sdk.is_held() {
        // A held request stays the request in flight in the model, waiting for a token.
        "Held"
    } else if let Some(f) = sdk.in_flight() {
        if f.retry_due().is_some() {
            "RetryPending"
        } else {
            "InFlight"
        }
    } else {
        "Idle"
    }
}

/// A tiny deterministic generator, so a failure names a seed that reproduces it.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// One random input for the walk (or a clock advance, as `Err(ms)`).
fn pick(rng: &mut Lcg, p: &Profile, d: &Driver, n: usize) -> WalkStep {
    let token = |rng: &mut Lcg| {
        let exp_in = [Some(-10), Some(30), Some(90), Some(3600), None][rng.below(5)];
        let spec = TokenSpec::Minted { exp_in, claims: OrderedMap::default() };
        mint(&spec, d.now()).unwrap_or_default()
    };
    let identifier = p.identifier_key.as_ref().map(|_| "u1".to_owned());
    let call = match rng.below(16) {
        0 => AppCall::Configure { jwt_enabled: true, debug: false, token: None },
        1 => AppCall::RegisterHandler { throws: false },
        2 | 3 => AppCall::SetToken { token: Some(token(rng)), identifier },
        4 => AppCall::Identify {
            customer_ids: CustomerIds::single("registered", "alice"),
            token: Some(token(rng)),
        },
        5 => AppCall::Identify { customer_ids: CustomerIds::single("registered", "bob"), token: None },
        6 => AppCall::Anonymize {},
        7 => [AppCall::StopIntegration {}, AppCall::ClearLocalData {}, AppCall::Logout {}][rng.below(3)]
            .clone(),
        8 => AppCall::NewSession {},
        9 | 10 => AppCall::Track { event: format!("e{n}") },
        11 => AppCall::Flush {},
        12 | 13 => {
            let waiting = d.sdk().in_flight().filter(|f| f.awaits_response_to(f.request)).map(|f| f.request);
            if let Some(request) = waiting {
                let reply = [
                    Reply::OK,
                    Reply::UNAUTHORIZED,
                    Reply::FORBIDDEN,
                    Reply::Status(500),
                    Reply::NetworkError,
                ][rng.below(5)];
                return Ok(Input::respond(request, reply));
            }
            AppCall::Flush {}
        }
        // An answer to an ask the SDK never made changes nothing, so any number will do.
        14 if p.pulls() => AppCall::ProvideToken { ask: 1 + rng.below(8) as u64, token: Some(token(rng)) },
        _ => return Err([500, 1_000, 30_000, 61_000, 3_600_000][rng.below(5)]),
    };
    // CONF-009: only the profile's calls; another pick becomes a short wait.
    if !p.calls.contains(&call.kind()) {
        return Err(1_000);
    }
    Ok(Input::App(call))
}

/// True when the diagram draws `from -> to` (an arrow leaving the "Token stored"
/// composite leaves each of its states; a token set from a stored state enters the state
/// its `exp` gives, as from "No token").
fn drawn(edges: &[Edge], from: &str, to: &str, set_token: bool) -> bool {
    edges.iter().any(|e| {
        e.to == to && (e.from == from || (e.from == "Stored" && STORED.contains(&from)))
            || (set_token && e.to == to && e.from == "NoToken" && STORED.contains(&from))
    })
}

/// Compares the states before and after one sub-step and notes any arrow the diagrams
/// lack.
struct Walk<'a> {
    profile: &'a Profile,
    top: Vec<Edge>,
    token: Vec<Edge>,
    sync: Vec<Edge>,
    configured: bool,
    seen: BTreeSet<(&'static str, &'static str)>,
    missing: Vec<String>,
}

/// The diagram states of one instant.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Snapshot {
    running: bool,
    token: &'static str,
    sync: &'static str,
}

impl Walk<'_> {
    fn snapshot(&self, d: &Driver) -> Snapshot {
        Snapshot { running: d.sdk().is_running(), token: token_state(self.profile, d), sync: sync_state(d) }
    }

    fn note(&mut self, before: Snapshot, after: Snapshot, set_token: bool, label: &str) {
        let top_of = |running: bool, configured: bool| match (running, configured) {
            (true, _) => "Running",
            (false, false) => "Unconfigured",
            (false, true) => "Stopped",
        };
        let t0 = top_of(before.running, self.configured);
        self.configured |= after.running;
        let t1 = top_of(after.running, self.configured);
        let id = self.profile.id;
        if t0 != t1 && !drawn(&self.top, t0, t1, false) {
            self.missing.push(format!("{id}: SDK {t0} -> {t1} on {label}"));
        }
        if !(before.running && after.running) {
            return;
        }
        if before.token != after.token {
            self.seen.insert((before.token, after.token));
            if !drawn(&self.token, before.token, after.token, set_token) {
                self.missing.push(format!("{id}: token {} -> {} on {label}", before.token, after.token));
            }
        }
        if before.sync != after.sync {
            self.seen.insert((before.sync, after.sync));
            if !drawn(&self.sync, before.sync, after.sync, false) {
                self.missing.push(format!("{id}: pipeline {} -> {} on {label}", before.sync, after.sync));
            }
        }
    }
}

/// One step of a walk: an input, or a clock advance in ms.
type WalkStep = Result<Input, u64>;

impl Walk<'_> {
    /// Applies `step` to the model and notes the changes of state it makes.
    fn apply(&mut self, d: &mut Driver, step: &WalkStep, label: &str) {
        match step {
            Ok(input) => {
                // A provided (pulled) token is stored as a set one is (LIFE-017).
                let set_token = matches!(
                    input,
                    Input::App(
                        AppCall::SetToken { .. } | AppCall::Identify { .. } | AppCall::ProvideToken { .. }
                    )
                );
                let before = self.snapshot(d);
                d.input(input);
                let after = self.snapshot(d);
                self.note(before, after, set_token, label);
            }
            Err(ms) => self.advance(d, *ms, label),
        }
    }

    /// Advances in steps shorter than the refresh window, so that passing time is seen to
    /// go through "Expiring soon" rather than jump over it.
    fn advance(&mut self, d: &mut Driver, ms: u64, label: &str) {
        let mut left = ms;
        while left > 0 {
            let chunk = left.min(20_000);
            let before = self.snapshot(d);
            d.advance(chunk);
            let after = self.snapshot(d);
            self.note(before, after, false, label);
            left -= chunk;
        }
    }

    /// 300 random walks of 40 steps, each from a fresh SDK.
    fn random_walks(&mut self) {
        let p = self.profile;
        for seed in 0..300u64 {
            let mut rng = Lcg(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5);
            let mut d = Driver::new(Sdk::new(p.clone()), START);
            self.configured = false;
            for n in 0..40 {
                let step = pick(&mut rng, p, &d, n);
                let label = format!("{step:?} (seed {seed}, step {n})");
                self.apply(&mut d, &step, &label);
            }
        }
    }

    /// Failures in a row are rare in a random walk: one scripted walk drives the profile's
    /// failure limit, then a new session.
    fn walk_to_the_failure_limit(&mut self, consecutive_failures: u32) {
        const LABEL: &str = "scripted walk to the failure limit";
        let p = self.profile;
        let mut d = Driver::new(Sdk::new(p.clone()), START);
        self.configured = false;
        let identifier = p.identifier_key.as_ref().map(|_| "u1".to_owned());
        let token = |n: i64, d: &Driver| {
            mint(&TokenSpec::Minted { exp_in: Some(3600 + n), claims: OrderedMap::default() }, d.now())
                .unwrap_or_default()
        };
        let call = |c: AppCall| Ok(Input::App(c));
        let first_request = [
            call(AppCall::Configure { jwt_enabled: true, debug: false, token: None }),
            call(AppCall::RegisterHandler { throws: false }),
            call(AppCall::SetToken { token: Some(token(0, &d)), identifier: identifier.clone() }),
            call(AppCall::Track { event: "e1".into() }),
            call(AppCall::Flush {}),
        ];
        for step in &first_request {
            self.apply(&mut d, step, LABEL);
        }
        for n in 1..=i64::from(consecutive_failures) {
            if d.sdk().in_flight().is_none() {
                // A profile that puts a rejected request's events back in the queue (a
                // backoff) sends them again on the app's flush.
                self.apply(&mut d, &call(AppCall::Flush {}), LABEL);
            }
            if let Some(request) =
                d.sdk().in_flight().filter(|f| f.awaits_response_to(f.request)).map(|f| f.request)
            {
                self.apply(&mut d, &Ok(Input::respond(request, Reply::UNAUTHORIZED)), LABEL);
            }
            let step = call(AppCall::SetToken { token: Some(token(n, &d)), identifier: identifier.clone() });
            self.apply(&mut d, &step, LABEL);
        }
        for c in [
            AppCall::Track { event: "e2".into() },
            AppCall::Flush {},
            AppCall::NewSession {},
            AppCall::Flush {},
        ] {
            self.apply(&mut d, &call(c), LABEL);
        }
    }

    /// Each missing arrow once, with one input that produced it.
    fn first_of_each_missing(&self) -> Vec<String> {
        let mut first: Vec<String> = Vec::new();
        for m in &self.missing {
            let key = m.split(" on ").next().unwrap_or_default();
            if !first.iter().any(|f| f.split(" on ").next() == Some(key)) {
                first.push(m.clone());
            }
        }
        first
    }
}

/// Walks the model for `p` and returns the arrows the given diagrams lack (one line each,
/// with an input that produced it) and every change of state seen.
fn walk(
    p: &Profile,
    top: Vec<Edge>,
    token: Vec<Edge>,
    sync: Vec<Edge>,
) -> (Vec<String>, BTreeSet<(&'static str, &'static str)>) {
    let mut walk =
        Walk { profile: p, top, token, sync, configured: false, seen: BTreeSet::new(), missing: Vec::new() };
    walk.random_walks();
    if let Some(limit) = p.failure_limit {
        walk.walk_to_the_failure_limit(limit.consecutive_failures);
    }
    (walk.first_of_each_missing(), walk.seen)
}

#[test]
fn every_state_change_the_model_makes_is_an_arrow_of_the_profiles_diagram() {
    let mut missing = Vec::new();
    for p in Profile::all() {
        let (lacking, seen) = walk(&p, top_edges(Some(&p)), token_edges(Some(&p)), sync_edges(Some(&p)));
        missing.extend(lacking);
        assert!(seen.len() >= 6, "{}: the walk saw too few transitions to mean anything: {seen:?}", p.id);
        if p.failure_limit.is_some() {
            assert!(
                seen.contains(&("InFlight", "Suspended"))
                    && seen.iter().any(|(from, _)| *from == "Suspended"),
                "{}: {seen:?}",
                p.id
            );
        }
    }
    assert!(
        missing.is_empty(),
        "transitions the model makes that the diagram does not draw:\n{}",
        missing.join("\n")
    );
}

#[test]
fn a_diagram_missing_an_arrow_the_model_takes_is_caught() {
    let p = jwt_lifecycle_spec::profile::exponea_stream();
    let token: Vec<Edge> = token_edges(Some(&p))
        .into_iter()
        .filter(|e| !(e.from == "Valid" && e.to == "ExpiringSoon"))
        .collect();
    let (lacking, _) = walk(&p, top_edges(Some(&p)), token, sync_edges(Some(&p)));
    assert!(lacking.iter().any(|m| m.contains("token Valid -> ExpiringSoon")), "{lacking:?}");
}
