//! What time passing obliges: the refresh notification (REFR-001) and timed retries
//! (RETRY-002), each inside its tolerance window.

use crate::belief::{EventState, Waiting};
use crate::book::Customers;
use crate::duty::{Duty, Must};
use crate::judge::Judge;
use jwt_lifecycle_spec::alphabet::{Reason, UnixMillis};

impl Judge<'_> {
    /// Before an advance's outputs: the timers that fall due in `(from, to]`.
    pub(crate) fn timers(&mut self, from: UnixMillis, to: UnixMillis) {
        self.refresh_timer(from, to);
        self.retry_timers(to);
    }

    /// After an advance's outputs: timers whose window has closed are spent.
    pub(crate) fn timers_after(&mut self, _from: UnixMillis, to: UnixMillis) {
        if let Some((_, latest)) = self.refresh_window() {
            if to >= latest {
                if let Some(stored) = self.belief.stored.as_mut() {
                    // REFR-007: a notification due while no handler was registered is
                    // dropped, not replayed.
                    stored.timer_live = false;
                }
            }
        }
        let missed: Vec<u64> = self
            .belief
            .requests
            .iter()
            .filter(|r| matches!(r.waiting, Waiting::Retry { due, tolerance } if to >= due.saturating_add(tolerance)))
            .map(|r| r.id)
            .collect();
        for id in missed {
            // The missing retry is reported by its duty; its events are taken as gone so
            // that one missing retry is not blamed again at every later step.
            if let Some(request) = self.belief.finish(id) {
                self.belief.remove_events(&request.events, EventState::Lost);
            }
        }
    }

    /// The instants the pending refresh notification may come at, if one is pending.
    fn refresh_window(&self) -> Option<(UnixMillis, UnixMillis)> {
        let policy = self.profile.refresh?;
        let stored = self.belief.stored?;
        let exp = self.belief.exp(stored.tok)?;
        if !self.belief.running || !self.belief.jwt || !stored.timer_live || stored.told_soon {
            return None;
        }
        let due = exp.saturating_sub(policy.lead_ms);
        let earliest = due.saturating_sub(policy.tolerance_ms).max(stored.set_at);
        let latest = due.saturating_add(policy.tolerance_ms).min(exp.saturating_sub(1));
        (earliest <= latest).then_some((earliest, latest))
    }

    /// REFR-001: `expired_soon` at `exp - lead`, within the tolerance, while a handler is
    /// registered.
    fn refresh_timer(&mut self, from: UnixMillis, to: UnixMillis) {
        let Some((earliest, latest)) = self.refresh_window() else { return };
        if to < earliest || from > latest || !self.belief.handler {
            return;
        }
        let Some(stored) = self.belief.stored else { return };
        let cust = self.belief.tokens.get(stored.tok).bound.unwrap_or(Customers::ANONYMOUS);
        let duty = Duty::new(
            "REFR-001",
            Must::Notify { reason: Reason::ExpiredSoon, cust, window: Some((earliest, latest)) },
        );
        // A handler registered inside the window may have come before or after the
        // timer; both are allowed. A window still open at the end of the step owes nothing
        // yet. A token notified before a restart may be notified again (LIFE-014).
        let optional = to < latest || self.belief.handler_since > earliest || stored.told_before_restart;
        self.push(if optional { duty.optional() } else { duty });
    }

    /// RETRY-002: each pending retry goes out inside its window, as the next attempt.
    fn retry_timers(&mut self, to: UnixMillis) {
        let due: Vec<Duty> = self
            .belief
            .requests
            .iter()
            .filter_map(|r| match r.waiting {
                Waiting::Retry { due, tolerance } if to >= due.saturating_sub(tolerance) => {
                    let window = (due.saturating_sub(tolerance), due.saturating_add(tolerance));
                    let duty = Duty::new(
                        "RETRY-002",
                        Must::Send {
                            events: r.events.clone(),
                            cust: r.cust,
                            attempt: r.attempt + 1,
                            purpose: r.purpose,
                            resends: Some(r.id),
                            preflight: None,
                            window: Some(window),
                        },
                    );
                    Some(if to < window.1 { duty.optional() } else { duty })
                }
                _ => None,
            })
            .collect();
        for duty in due {
            self.push(duty);
        }
    }
}
