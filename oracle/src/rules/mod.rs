//! The rules, as what each step obliges and what each observation may be.
//!
//! - [`calls`]: app calls and restarts: the belief they change and the duties they set.
//! - [`answers`]: server answers: delivery, requeue, and the reaction to a rejection.
//! - [`timers`]: time passing: the refresh notification and timed retries.
//! - [`sent`], [`notices`], [`removals`]: each kind of observation, checked and matched
//!   with the duty it discharges, or blamed on the rule it breaks.

pub(crate) mod answers;
mod calls;
mod notices;
mod removals;
mod sent;
mod timers;

use crate::duty::{Duty, Must};
use crate::judge::Judge;
use jwt_lifecycle_spec::alphabet::AppCall;

/// The token string an app call passes, if any.
pub(crate) fn call_token(call: &AppCall) -> Option<&str> {
    match call {
        AppCall::Configure { token, .. }
        | AppCall::Identify { token, .. }
        | AppCall::SetToken { token, .. }
        | AppCall::ProvideToken { token, .. } => token.as_deref(),
        _ => None,
    }
}

impl Judge<'_> {
    /// What an undischarged duty's violation says, and the rule it names.
    pub(crate) fn describe_unmet(&self, duty: &Duty) -> (&'static str, String) {
        let at = self.off(self.act.end());
        let message = match &duty.what {
            Must::Send { events, cust, attempt, resends, window, .. } => {
                let what = format!("{} of {}", self.evs(events), self.cust(*cust));
                match (resends, window) {
                    (Some(id), Some((_, latest))) => format!(
                        "the retry of request {id} ({what}) was due by {}; by {at} it had not been sent",
                        self.off(*latest)
                    ),
                    (Some(id), None) => {
                        format!("request {id} ({what}) must go out again as attempt {attempt}; the SDK sent nothing")
                    }
                    (None, Some((_, latest))) => {
                        format!("{what} was due to go out on its own by {}; by {at} it had not", self.off(*latest))
                    }
                    (None, None) => format!("{what} must be sent now; the SDK sent nothing"),
                }
            }
            Must::Ask { reason, cust, window } => match window {
                Some((earliest, latest)) => format!(
                    "the SDK must ask its token callback for {}'s token ({reason}) between {} and {}; by {at} it had not",
                    self.cust(*cust),
                    self.off(*earliest),
                    self.off(*latest)
                ),
                None => format!(
                    "the SDK must ask its token callback for {}'s token ({reason}) at {at}; it did not",
                    self.cust(*cust)
                ),
            },
            Must::Notify { reason, cust, window, .. } => match window {
                Some((earliest, latest)) => format!(
                    "{reason} for {} was due between {} and {}; by {at} it had not come",
                    self.cust(*cust),
                    self.off(*earliest),
                    self.off(*latest)
                ),
                None => {
                    format!("the handler must be told {reason} for {} at {at}; it was not", self.cust(*cust))
                }
            },
            Must::RaiseError { error, code } => {
                format!("the SDK must raise {error:?} (code {code:?}) to the app at {at}; it raised nothing")
            }
            Must::Fail { request, events, cause } => format!(
                "request {request} ({}) must fail for good (request_failed {cause:?}) at {at}; it did not",
                self.evs(events)
            ),
            Must::Delete { events, rule } => {
                format!("{} must be reported deleted ({rule:?}) at {at}; they were not", self.evs(events))
            }
        };
        (self.refine_unmet(duty), message)
    }

    /// A send that did not happen because the SDK thinks it is suspended breaks a LIMIT
    /// rule; one whose events a network failure put back breaks RETRY-012.
    fn refine_unmet(&self, duty: &Duty) -> &'static str {
        let Must::Send { events, .. } = &duty.what else { return duty.why };
        if !events.is_empty() && events.iter().all(|e| self.belief.ev(*e).requeued) {
            return "RETRY-012";
        }
        let Some(limit) = self.profile.failure_limit else { return duty.why };
        let b = &*self.belief;
        if b.lifted {
            "LIMIT-003"
        } else if b.failures_in_session >= limit.consecutive_failures
            && b.failures < limit.consecutive_failures
        {
            "LIMIT-002"
        } else if b.failures > 0 && duty.why == "QUEUE-004" {
            // The limit rule of the profile: MoEngage's suspension or Braze's pause.
            self.first_applying(&["LIMIT-001", "LIMIT-006"])
        } else {
            duty.why
        }
    }
}
