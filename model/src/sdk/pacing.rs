//! When the SDK sends on its own: the automatic flush (QUEUE-010) and the wait after a
//! failure in a profile that backs off (RETRY-016), and how its tries are numbered.

use jwt_lifecycle_spec::alphabet::UnixMillis;
use jwt_lifecycle_spec::profile::Backoff;

/// The automatic sending state of one SDK instance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Pacing {
    /// When the automatic flush fires next, while armed.
    pub flush_due: Option<UnixMillis>,
    /// The end of the backoff wait in progress: nothing goes out on its own before it.
    pub wait_until: Option<UnixMillis>,
    /// The previous backoff wait of the current run of failures (`None` after a success).
    pub last_wait: Option<u64>,
    /// Consecutive failed sends since the last success: the next try is this plus one.
    pub failed_tries: u32,
}

impl Pacing {
    /// A failed send: the next wait is the longest the bounds allow after the previous one
    /// (the reference's choice within the window a real SDK may pick from at random), so
    /// that waits grow exponentially up to the ceiling.
    pub fn failed(&mut self, now: UnixMillis, backoff: Option<Backoff>) {
        self.failed_tries = self.failed_tries.saturating_add(1);
        let Some(backoff) = backoff else { return };
        let wait = backoff.longest_after(Some(self.last_wait.unwrap_or(backoff.min_ms)));
        self.last_wait = Some(wait);
        self.wait_until = Some(now.saturating_add(wait));
        self.flush_due = self.wait_until;
    }

    /// A success ends the run of failures.
    pub fn succeeded(&mut self) {
        self.failed_tries = 0;
        self.last_wait = None;
    }

    /// A send ends the wait and the armed flush.
    pub fn sent(&mut self) {
        self.wait_until = None;
        self.flush_due = None;
    }

    /// The attempt number of the next try, for a profile that numbers tries.
    pub fn next_try(&self) -> u32 {
        self.failed_tries.saturating_add(1)
    }

    /// Arms the automatic flush `interval_ms` from now (or at the end of the wait), unless
    /// it is armed already.
    pub fn arm(&mut self, now: UnixMillis, interval_ms: u64) {
        if self.flush_due.is_none() {
            self.flush_due = Some(self.wait_until.unwrap_or(now.saturating_add(interval_ms)));
        }
    }

    /// Nothing to send on its own: the automatic flush is disarmed (a wait stays).
    pub fn disarm(&mut self) {
        self.flush_due = None;
    }
}
