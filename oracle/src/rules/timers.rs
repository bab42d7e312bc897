//! What time passing obliges: the refresh notification (REFR-001) or ask (REFR-009),
//! timed retries (RETRY-002), the end of a backoff wait (RETRY-016) and the automatic
//! flush (QUEUE-010), each inside its window.

use crate::belief::{EventState, Purpose, Waiting};
use crate::book::Customers;
use crate::duty::{Duty, Must};
use crate::judge::Judge;
use jwt_lifecycle_spec::alphabet::{Reason, UnixMillis};

impl Judge<'_> {
    /// Before an advance's outputs: the timers that fall due in `(from, to]`.
    pub(crate) fn timers(&mut self, from: UnixMillis, to: UnixMillis) {
        self.refresh_timer(from, to);
        self.retry_timers(to);
        self.automatic_send(to);
    }

    /// True when the SDK may send the head of the queue on its own now: nothing in flight,
    /// no backoff wait, not paused by the failure limit (QUEUE-010, RETRY-016, LIMIT-006).
    pub(crate) fn sendable(&self) -> bool {
        let b = &*self.belief;
        self.profile.auto_flush.is_some()
            && b.running
            && !b.queue.is_empty()
            && !b.suspended
            && b.gate.is_none()
            && b.events_in_flight().is_none()
    }

    /// RETRY-016 and QUEUE-010: the head of the queue goes out on its own by the end of
    /// the backoff wait, or within the flush interval of becoming sendable; any time
    /// before that is the SDK's choice (its timer's phase, or its random wait).
    fn automatic_send(&mut self, to: UnixMillis) {
        let b = &*self.belief;
        if !b.running || b.suspended || b.events_in_flight().is_some() {
            return;
        }
        let Some((cust, events)) = b.head_run() else { return };
        let (why, window) = match (b.gate, b.sendable_since, self.profile.auto_flush) {
            (Some(gate), _, _) if to >= gate.earliest => ("RETRY-016", (gate.earliest, gate.latest)),
            (None, Some(since), Some(auto)) => {
                ("QUEUE-010", (since, since.saturating_add(auto.interval_ms + auto.tolerance_ms)))
            }
            _ => return,
        };
        let duty = Duty::new(
            why,
            Must::Send {
                events,
                cust,
                attempt: 0,
                purpose: Purpose::Events,
                resends: None,
                preflight: None,
                window: Some(window),
            },
        );
        self.push(if to < window.1 { duty.optional() } else { duty });
    }

    /// After an advance's outputs: timers whose window has closed are spent.
    pub(crate) fn timers_after(&mut self, _from: UnixMillis, to: UnixMillis) {
        if self.belief.gate.is_some_and(|g| to >= g.latest) {
            // A missed end of wait is reported by its duty; the wait is over either way.
            self.belief.gate = None;
            self.belief.previous_wait = crate::belief::PreviousWait::Unknown;
        }
        if let (Some(since), Some(auto)) = (self.belief.sendable_since, self.profile.auto_flush) {
            if to >= since.saturating_add(auto.interval_ms + auto.tolerance_ms) {
                // Reported once by its duty; the interval starts again.
                self.belief.sendable_since = Some(to);
            }
        }
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
    /// registered; REFR-009: in a pulling profile, an ask at the same instant, handler or
    /// not.
    fn refresh_timer(&mut self, from: UnixMillis, to: UnixMillis) {
        let Some((earliest, latest)) = self.refresh_window() else { return };
        let asks = self.refresh_asks();
        if to < earliest || from > latest || !(self.belief.handler || asks) {
            return;
        }
        let Some(stored) = self.belief.stored else { return };
        let cust = self.belief.tokens.get(stored.tok).bound.unwrap_or(Customers::ANONYMOUS);
        let window = Some((earliest, latest));
        let duty = if asks {
            Duty::new("REFR-009", Must::Ask { reason: Reason::ExpiredSoon, cust, window })
        } else {
            Duty::new("REFR-001", Must::Notify { reason: Reason::ExpiredSoon, cust, window, code: None })
        };
        // A handler registered inside the window may have come before or after the
        // timer; both are allowed. A window still open at the end of the step owes nothing
        // yet. A token notified before a restart may be notified again (LIFE-014).
        let optional =
            to < latest || (!asks && self.belief.handler_since > earliest) || stored.told_before_restart;
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
                    let duty = Duty::new("RETRY-002", Must::resend(r, Some(window)));
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
