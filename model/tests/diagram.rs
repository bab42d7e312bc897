//! The state diagrams checked against the reference machine: random walks through it,
//! each step classified into the diagrams' arrows; every change of state the machine
//! makes must be an arrow of the profile's diagram. A diagram that misses a transition
//! the machine performs (or draws one for the wrong profile) fails here.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jwt_lifecycle_model::diagram::walk::Walk;
use jwt_lifecycle_model::diagram::{all_edges, coverable_edges, Transition};
use jwt_lifecycle_spec::alphabet::{AppCall, CallKind, CustomerIds, Input, Reply, UnixMillis};
use jwt_lifecycle_spec::profile::Profile;
use std::collections::BTreeSet;

const START: UnixMillis = 1_700_000_000_000;

/// An unsigned token expiring `exp_in` seconds from `now` (none without `exp`): the client
/// reads `exp` without verifying anything.
fn token(now: UnixMillis, exp_in: Option<i64>) -> String {
    let part = |json: String| URL_SAFE_NO_PAD.encode(json);
    let payload = match exp_in {
        Some(s) => format!(r#"{{"exp":{}}}"#, (now / 1000) as i64 + s),
        None => "{}".to_owned(),
    };
    format!("{}.{}.c2ln", part(r#"{"alg":"HS256"}"#.to_owned()), part(payload))
}

/// A tiny deterministic generator, so a failure names a seed that reproduces it.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// One step of a walk: an input, or a clock advance in ms.
#[derive(Debug)]
enum WalkStep {
    Input(Input),
    Advance(u64),
}

/// One random step the profile allows.
fn pick(rng: &mut Lcg, p: &Profile, walk: &Walk, n: usize) -> WalkStep {
    let now = walk.driver().now();
    let token = |rng: &mut Lcg| token(now, [Some(-10), Some(30), Some(90), Some(3600), None][rng.below(5)]);
    let identifier = p.identifier_key.as_ref().map(|_| ["u1", "u2"][rng.below(2)].to_owned());
    let has = |c: CallKind| p.calls.contains(&c);
    let call = match rng.below(if p.pulls() { 20 } else { 18 }) {
        // CONF-009: a profile without a mode without JWT is configured with it on.
        0 => {
            AppCall::Configure { jwt_enabled: !p.jwt_optional || rng.below(8) > 0, debug: false, token: None }
        }
        1 => AppCall::RegisterHandler { throws: false },
        2 | 3 => AppCall::SetToken { token: Some(token(rng)), identifier },
        4 => AppCall::Identify {
            customer_ids: CustomerIds::single("registered", "alice"),
            // A profile whose tokens are only pulled takes none at identify.
            token: p.token_supply.push.then(|| token(rng)),
        },
        5 => AppCall::Identify { customer_ids: CustomerIds::single("registered", "bob"), token: None },
        6 if has(CallKind::Anonymize) => AppCall::Anonymize {},
        6 if has(CallKind::ClearToken) => AppCall::SetToken { token: None, identifier: None },
        6 | 7 => [AppCall::StopIntegration {}, AppCall::ClearLocalData {}, AppCall::Logout {}][rng.below(3)]
            .clone(),
        8 => AppCall::NewSession {},
        9 | 10 => AppCall::Track { event: format!("e{n}") },
        11 => AppCall::Flush {},
        12..=14 => {
            let waiting = walk.driver().sdk().awaiting_response();
            if !waiting.is_empty() {
                let request = waiting[rng.below(waiting.len())];
                let reply = [
                    Reply::OK,
                    Reply::UNAUTHORIZED,
                    Reply::FORBIDDEN,
                    Reply::Status(500),
                    Reply::NetworkError,
                ][rng.below(5)];
                return WalkStep::Input(Input::respond(request, reply));
            }
            AppCall::Flush {}
        }
        15 => return WalkStep::Input(Input::Restart {}),
        16 | 17 => return WalkStep::Advance([500, 1_000, 30_000, 61_000, 3_600_000][rng.below(5)]),
        // A pulling SDK's asks are answered, now and then by a failing callback.
        _ => {
            let open: Vec<u64> = walk.driver().sdk().open_asks().iter().map(|a| a.id).collect();
            if open.is_empty() {
                AppCall::Track { event: format!("e{n}") }
            } else {
                let ask = open[rng.below(open.len())];
                let token = (rng.below(4) > 0).then(|| token(rng));
                AppCall::ProvideToken { ask, token }
            }
        }
    };
    if !p.calls.contains(&call.kind()) {
        return WalkStep::Input(Input::App(AppCall::Flush {}));
    }
    WalkStep::Input(Input::App(call))
}

/// What walks saw: every arrow taken, and every change of state no arrow explains (once
/// each, with a step that made it).
#[derive(Default)]
struct Seen {
    taken: BTreeSet<Transition>,
    missing: Vec<String>,
}

impl Seen {
    fn apply(&mut self, walk: &mut Walk, step: &WalkStep, label: &str) {
        let walked = match step {
            WalkStep::Input(input) => walk.input(input),
            WalkStep::Advance(ms) => walk.advance(*ms),
        };
        self.taken.extend(walked.classified.taken);
        for u in walked.classified.unexplained {
            let key = format!("{:?}: {} -> {}", u.diagram, u.from, u.to);
            if !self.missing.iter().any(|m| m.starts_with(&key)) {
                self.missing.push(format!("{key} on {label}"));
            }
        }
    }
}

/// 300 random walks of 40 steps, each from a fresh SDK, and one scripted walk to the
/// failure limit and back (failures in a row are rare in a random walk).
fn walk(p: &Profile, edges: impl Fn() -> Vec<jwt_lifecycle_model::diagram::Edge>) -> Seen {
    let mut seen = Seen::default();
    for seed in 0..300u64 {
        let mut rng = Lcg(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5);
        let mut w = Walk::with_edges(p, START, edges());
        for n in 0..40 {
            let step = pick(&mut rng, p, &w, n);
            let label = format!("{step:?} (seed {seed}, step {n})");
            seen.apply(&mut w, &step, &label);
        }
    }
    if let Some(limit) = p.failure_limit {
        let mut w = Walk::with_edges(p, START, edges());
        let identifier = p.identifier_key.as_ref().map(|_| "u1".to_owned());
        let call = |c: AppCall| WalkStep::Input(Input::App(c));
        let label = "scripted walk to the failure limit";
        for step in [
            call(AppCall::Configure { jwt_enabled: true, debug: false, token: None }),
            call(AppCall::RegisterHandler { throws: false }),
            call(AppCall::SetToken { token: Some(token(START, Some(3600))), identifier: identifier.clone() }),
            call(AppCall::Track { event: "e1".into() }),
            call(AppCall::Flush {}),
        ] {
            seen.apply(&mut w, &step, label);
        }
        for n in 1..=i64::from(limit.consecutive_failures) {
            let sent = w.driver().sdk().in_flight().filter(|f| f.awaits_response()).map(|f| f.request);
            if let Some(request) = sent {
                seen.apply(&mut w, &WalkStep::Input(Input::respond(request, Reply::UNAUTHORIZED)), label);
            }
            let t = token(START, Some(3600 + n));
            seen.apply(
                &mut w,
                &call(AppCall::SetToken { token: Some(t), identifier: identifier.clone() }),
                label,
            );
            // A profile that backs off sends the requeued events again on a flush; a held
            // request went out with the new token already.
            seen.apply(&mut w, &call(AppCall::Flush {}), label);
        }
        for c in [AppCall::Track { event: "e2".into() }, AppCall::Flush {}] {
            seen.apply(&mut w, &call(c), label);
        }
        // Where a flush goes through the suspension, its request is answered first.
        let sent = w.driver().sdk().in_flight().filter(|f| f.awaits_response()).map(|f| f.request);
        if let Some(request) = sent {
            seen.apply(&mut w, &WalkStep::Input(Input::respond(request, Reply::OK)), label);
        }
        for c in [AppCall::NewSession {}, AppCall::Flush {}] {
            seen.apply(&mut w, &call(c), label);
        }
    }
    seen
}

#[test]
fn every_state_change_the_machine_makes_is_an_arrow_of_the_profiles_diagram() {
    let mut missing = Vec::new();
    for p in Profile::all() {
        let seen = walk(&p, || all_edges(Some(&p)));
        missing.extend(seen.missing.iter().map(|m| format!("{}: {m}", p.id)));
        let coverable = coverable_edges(&p).len();
        assert!(
            seen.taken.len() * 4 >= coverable * 3,
            "{}: the walks took {} of {coverable} arrows, too few to mean anything: {:?}",
            p.id,
            seen.taken.len(),
            seen.taken
        );
        if p.failure_limit.is_some() {
            let back = [Transition::NewSessionHeld, Transition::NewSession, Transition::NewSessionWaiting];
            assert!(seen.taken.contains(&Transition::Suspend), "{}: never suspended", p.id);
            assert!(back.iter().any(|t| seen.taken.contains(t)), "{}: never back from a suspension", p.id);
        }
    }
    assert!(
        missing.is_empty(),
        "changes of state the machine makes that the diagram does not draw:\n{}",
        missing.join("\n")
    );
}

#[test]
fn a_diagram_missing_an_arrow_the_machine_takes_is_caught() {
    let p = jwt_lifecycle_spec::profile::exponea_stream();
    let without =
        || all_edges(Some(&p)).into_iter().filter(|e| e.transition != Transition::WindowOpens).collect();
    let seen = walk(&p, without);
    assert!(seen.missing.iter().any(|m| m.starts_with("Token: Valid -> ExpiringSoon")), "{:?}", seen.missing);
}
