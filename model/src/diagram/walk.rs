//! Runs inputs on the reference machine and names the arrows each step takes.
//!
//! A clock advance is split at every instant where a diagram's state can change (a timer
//! falls due, a stored token's refresh window opens, its `exp` is reached), so a long
//! advance is seen to go through "Expiring soon" rather than jump over it.

use super::classify::{classify, Classified, Look, Stimulus};
use super::{all_edges, Edge};
use crate::driver::Driver;
use crate::sdk::Sdk;
use jwt_lifecycle_spec::alphabet::{AppCall, Input, Observation, UnixMillis};
use jwt_lifecycle_spec::profile::Profile;

/// The reference machine for one profile, with the history the diagrams need.
#[derive(Clone, Debug)]
pub struct Walk {
    profile: Profile,
    edges: Vec<Edge>,
    driver: Driver<Sdk>,
    /// This instance was configured at least once (the SDK diagram's "Stopped" differs
    /// from "Not configured" only by history).
    configured: bool,
}

/// What one step did: the machine's observations and the arrows it took.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Walked {
    /// What the machine reported, in order.
    pub observations: Vec<Observation>,
    /// The arrows taken and the changes no arrow explains.
    pub classified: Classified,
}

impl Walk {
    /// A fresh, unconfigured machine following `profile`, its clock at `start`.
    pub fn new(profile: &Profile, start: UnixMillis) -> Self {
        Self::with_edges(profile, start, all_edges(Some(profile)))
    }

    /// The same, naming steps by `edges` instead of the profile's own arrows (to show
    /// that a diagram lacking an arrow is caught).
    pub fn with_edges(profile: &Profile, start: UnixMillis, edges: Vec<Edge>) -> Self {
        let driver = Driver::new(Sdk::new(profile.clone()), start);
        Walk { profile: profile.clone(), edges, driver, configured: false }
    }

    /// The machine on its clock.
    pub fn driver(&self) -> &Driver<Sdk> {
        &self.driver
    }

    fn look(&self) -> Look {
        Look::of(self.driver.sdk(), self.driver.now(), self.configured)
    }

    /// Applies `input` now.
    pub fn input(&mut self, input: &Input) -> Walked {
        let before = self.look();
        let observations = self.driver.input(input);
        match input {
            Input::App(AppCall::Configure { .. }) => self.configured = true,
            Input::Restart {} => self.configured = false,
            _ => {}
        }
        let after = self.look();
        let classified =
            classify(&self.profile, &self.edges, Stimulus::Input(input), self.driver.now(), &before, &after);
        Walked { observations, classified }
    }

    /// Advances the clock by `ms`, one step per instant where a state can change.
    pub fn advance(&mut self, ms: u64) -> Walked {
        let target = self.driver.now().saturating_add(ms);
        let mut walked = Walked::default();
        loop {
            let next = self.next_change().filter(|&t| t < target).unwrap_or(target);
            let before = self.look();
            walked.observations.extend(self.driver.advance_to(next));
            let after = self.look();
            walked.classified.extend(classify(
                &self.profile,
                &self.edges,
                Stimulus::Clock,
                next,
                &before,
                &after,
            ));
            if next >= target {
                return walked;
            }
        }
    }

    /// The next instant after now at which a timer falls due or the stored token enters
    /// its refresh window or expires.
    fn next_change(&self) -> Option<UnixMillis> {
        let now = self.driver.now();
        let sdk = self.driver.sdk();
        let exp = sdk.stored_token().and_then(|t| t.token.exp_ms);
        let window = exp.zip(self.profile.refresh).map(|(exp, r)| exp.saturating_sub(r.lead_ms));
        [sdk.next_timer(), window, exp].into_iter().flatten().filter(|&t| t > now).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagram::Transition;
    use jwt_lifecycle_spec::alphabet::{Reply, UnixMillis};
    use jwt_lifecycle_spec::profile::exponea_stream;

    const START: UnixMillis = 1_700_000_000_000;

    /// A token whose `exp` is `exp_s` seconds after the epoch (unsigned: the client does
    /// not verify).
    fn token(exp_s: u64) -> String {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use base64::Engine;
        let part = |json: &str| URL_SAFE_NO_PAD.encode(json);
        format!("{}.{}.c2ln", part(r#"{"alg":"HS256"}"#), part(&format!(r#"{{"exp":{exp_s}}}"#)))
    }

    fn call(c: AppCall) -> Input {
        Input::App(c)
    }

    #[test]
    fn a_long_advance_goes_through_the_refresh_window() {
        let mut walk = Walk::new(&exponea_stream(), START);
        let t = token(START / 1000 + 3600);
        walk.input(&call(AppCall::Configure { jwt_enabled: true, debug: false, token: None }));
        let set = walk.input(&call(AppCall::SetToken { token: Some(t), identifier: None }));
        assert_eq!(set.classified.taken, [Transition::TokenSet]);
        let aged = walk.advance(7_200_000);
        assert_eq!(aged.classified.taken, [Transition::WindowOpens, Transition::ExpiresInWindow]);
        assert!(aged.classified.unexplained.is_empty(), "{:?}", aged.classified.unexplained);
    }

    #[test]
    fn a_pulled_token_and_a_refetch_are_named() {
        use jwt_lifecycle_spec::alphabet::CustomerIds;
        let mut walk = Walk::new(&jwt_lifecycle_spec::profile::iterable_web(), START);
        let alice = CustomerIds::single("userId", "alice");
        walk.input(&call(AppCall::Configure { jwt_enabled: true, debug: false, token: None }));
        let asked = walk.input(&call(AppCall::Identify { customer_ids: alice, token: None }));
        assert_eq!(asked.classified.taken, [Transition::TokenAsked]);
        let t = token(START / 1000 + 3600);
        let stored = walk.input(&call(AppCall::ProvideToken { ask: 1, token: Some(t.clone()) }));
        assert_eq!(stored.classified.taken, [Transition::TokenSet]);
        let sent = walk.input(&call(AppCall::Track { event: "e1".into() }));
        assert_eq!(sent.classified.taken, [Transition::Send]);
        let rejected = walk.input(&Input::respond(1, Reply::UNAUTHORIZED));
        assert_eq!(rejected.classified.taken, [Transition::Refetch]);
        let resent = walk.input(&call(AppCall::ProvideToken { ask: 2, token: Some(t) }));
        assert_eq!(resent.classified.taken, [Transition::TokenReplaced, Transition::RefetchResent]);
        let failed = walk.input(&Input::respond(2, Reply::UNAUTHORIZED));
        assert_eq!(failed.classified.taken, [Transition::RefetchRejected]);
        assert!(failed.classified.unexplained.is_empty(), "{:?}", failed.classified.unexplained);
    }

    #[test]
    fn a_backoff_wait_and_the_automatic_flush_are_named() {
        let mut walk = Walk::new(&jwt_lifecycle_spec::profile::braze_web(), START);
        walk.input(&call(AppCall::Configure { jwt_enabled: true, debug: false, token: None }));
        walk.input(&call(AppCall::Track { event: "e1".into() }));
        let auto = walk.advance(11_000);
        assert_eq!(auto.classified.taken, [Transition::AutoFlush]);
        let rejected = walk.input(&Input::respond(1, Reply::UNAUTHORIZED));
        assert_eq!(rejected.classified.taken, [Transition::BackoffRejected]);
        let over = walk.advance(300_000);
        assert_eq!(over.classified.taken, [Transition::BackoffOver]);
        let failed = walk.input(&Input::respond(2, Reply::NetworkError));
        assert_eq!(failed.classified.taken, [Transition::BackoffFailed]);
        let flushed = walk.input(&call(AppCall::Flush {}));
        assert_eq!(flushed.classified.taken, [Transition::FlushDuringBackoff]);
    }

    #[test]
    fn a_rejection_and_its_retry_are_named() {
        let mut walk = Walk::new(&exponea_stream(), START);
        walk.input(&call(AppCall::Configure { jwt_enabled: true, debug: false, token: None }));
        walk.input(&call(AppCall::Track { event: "e1".into() }));
        let sent = walk.input(&call(AppCall::Flush {}));
        assert_eq!(sent.classified.taken, [Transition::Send]);
        let rejected = walk.input(&Input::respond(1, Reply::UNAUTHORIZED));
        assert_eq!(rejected.classified.taken, [Transition::RetryScheduled]);
        let retried = walk.advance(5_000);
        assert_eq!(retried.classified.taken, [Transition::RetrySent]);
        let failed = walk.input(&Input::respond(2, Reply::UNAUTHORIZED));
        assert_eq!(failed.classified.taken, [Transition::RetryRejected]);
        let stopped = walk.input(&call(AppCall::StopIntegration {}));
        assert_eq!(stopped.classified.taken, [Transition::Stop]);
        let restarted = walk.input(&Input::Restart {});
        assert_eq!(restarted.classified.taken, [Transition::RestartStopped]);
    }
}
