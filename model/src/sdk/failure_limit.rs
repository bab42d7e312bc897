//! The consecutive-failure count and the suspension it leads to (LIMIT-001..005).

use jwt_lifecycle_spec::profile::FailureLimit;

/// One session's count of consecutive authentication failures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct FailureCount {
    /// Consecutive authentication failures in this session.
    pub consecutive: u32,
    /// Whether sync is suspended until the next session.
    pub suspended: bool,
}

impl FailureCount {
    /// A new session: the count starts from zero and any suspension ends (LIMIT-003).
    pub fn new_session(&mut self) {
        *self = Self::default();
    }

    /// Counts one failure; suspends when the limit is reached (LIMIT-001).
    pub fn record_failure(&mut self, limit: Option<FailureLimit>) {
        self.consecutive = self.consecutive.saturating_add(1);
        if let Some(limit) = limit {
            if limit.suspended_until_next_session && self.consecutive >= limit.consecutive_failures {
                self.suspended = true;
            }
        }
    }

    /// A successful sync: resets the count where the profile says so (LIMIT-002).
    pub fn record_success(&mut self, limit: Option<FailureLimit>) {
        if limit.is_some_and(|l| l.reset_on_success) {
            self.consecutive = 0;
        }
    }
}
