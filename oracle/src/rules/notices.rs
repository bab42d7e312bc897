//! What the SDK tells the app: `handler_called` (NOTIFY-*, REFR-*, PRE-*, RETRY-001),
//! `app_error` (CONF-004, RETRY-011) and `token_requested` (pulled tokens).

use crate::book::Cust;
use crate::duty::Must;
use crate::judge::Judge;
use jwt_lifecycle_spec::alphabet::{AppCall, AppErrorKind, Input, Observation, Output, Reason};

impl Judge<'_> {
    pub(crate) fn on_handler(&mut self, obs: &Observation) -> Option<usize> {
        let Output::HandlerCalled { reason, customer_ids, code } = &obs.output else { return None };
        let cust = self.belief.customers.intern(customer_ids);
        self.check_handler_may_be_called(*reason);
        if self.belief.handler && self.belief.handler_throws && self.belief.thrown_at.is_none() {
            self.belief.thrown_at = Some(self.belief.now);
        }
        let index = self.find_notice(*reason).or_else(|| self.find_any_notice());
        match index {
            Some(index) => self.discharge_notice(index, *reason, cust, *code),
            // Without a handler NOTIFY-002 already says all there is to say.
            None if !self.belief.handler => {}
            None => self.blame_notice(*reason, cust),
        }
        if *reason == Reason::ExpiredSoon {
            let now = self.belief.now;
            if let Some(stored) = self.belief.stored.as_mut().filter(|s| !s.told_soon) {
                stored.told_soon = true;
                stored.told_at = now;
                stored.timer_live = false;
            }
        }
        index
    }

    /// NOTIFY-002, NOTIFY-003, RETRY-006, CONF-002/008: whether any handler call is allowed.
    fn check_handler_may_be_called(&mut self, reason: Reason) {
        let at = self.now();
        if !self.belief.handler {
            self.violate(
                self.first_applying(&["NOTIFY-002", "NOTIFY-008"]),
                format!("no handler is registered; at {at} the SDK called one with {reason}"),
            );
        }
        if !self.profile.handler_reasons.contains(&reason) {
            let message =
                format!("the handler is only told the profile's reasons; at {at} it was told {reason}");
            self.violate(self.first_applying(&["NOTIFY-003", "NOTIFY-008"]), message.clone());
            if reason == Reason::Insufficient {
                let why = self.first_applying(&["RETRY-006", "NOTIFY-003"]);
                self.violate(why, message);
            }
        }
        if !self.belief.jwt && self.belief.running {
            let why = self.first_applying(&["CONF-002", "CONF-008"]);
            self.violate(
                why,
                format!("without JWT the handler is never called; at {at} it was told {reason}"),
            );
        }
    }

    fn find_notice(&self, reason: Reason) -> Option<usize> {
        self.duties
            .iter()
            .position(|d| !d.done && matches!(&d.what, Must::Notify { reason: r, .. } if *r == reason))
    }

    /// A pending notification with another reason: the SDK gave the wrong reason.
    fn find_any_notice(&self) -> Option<usize> {
        self.duties.iter().position(|d| {
            !d.done && matches!(&d.what, Must::Notify { reason, .. } if *reason != Reason::ExpiredSoon)
        })
    }

    fn discharge_notice(&mut self, index: usize, reason: Reason, cust: Cust, code: Option<i64>) {
        self.duties[index].done = true;
        if self.duties[index].own {
            self.own_preflights.push(self.index);
        }
        let why = self.duties[index].why;
        let Must::Notify { reason: due, cust: whom, window, code: due_code } =
            self.duties[index].what.clone()
        else {
            return;
        };
        let at = self.now();
        if let Some(due_code) = due_code.filter(|c| Some(*c) != code) {
            let message = format!(
                "the answer's body gave the failure code {due_code}; at {at} the handler was given {}",
                code.map_or("none".to_owned(), |c| c.to_string())
            );
            self.violate("RETRY-019", message);
        }
        if due != reason {
            // RETRY-001 for a rejection; the pre-flight rule for a pre-flight check; the
            // body's code for a failure it signals.
            let rule = if why.starts_with("PRE-") || why == "RETRY-019" { why } else { "RETRY-001" };
            let message = format!("at {at} the handler must be told {due}; it was told {reason}");
            self.violate(rule, message);
        }
        if whom != cust {
            let rule = if reason == Reason::ExpiredSoon { "REFR-002" } else { "NOTIFY-001" };
            let message = format!(
                "the {reason} call at {at} concerns {}; the SDK named {}",
                self.cust(whom),
                self.cust(cust)
            );
            self.violate(rule, message);
        }
        if let Some((earliest, latest)) = window {
            let now = self.belief.now;
            if now < earliest || now > latest {
                let message = format!(
                    "expired_soon is due between {} and {}; it came at {at}",
                    self.off(earliest),
                    self.off(latest)
                );
                self.violate(why, message);
            }
        }
    }

    /// A handler call no duty calls for: names the rule it breaks.
    fn blame_notice(&mut self, reason: Reason, cust: Cust) {
        if reason == Reason::ExpiredSoon {
            self.blame_expired_soon(cust);
            return;
        }
        let at = self.now();
        let (why, context): (&'static str, String) = match self.input() {
            Some(Input::Respond { request, .. }) => self.blame_answer_notice(*request),
            _ if matches!(self.act, crate::trace::Act::Advance { .. }) => (
                self.first_applying(&["PRE-004", "NOTIFY-008"]),
                "no pre-flight check runs before a retry, and no timer calls for it".to_owned(),
            ),
            Some(Input::App(AppCall::Flush {})) => (
                self.first_applying(&["PRE-001", "PRE-002", "NOTIFY-008"]),
                "the pre-flight check of this flush calls for no such notification".to_owned(),
            ),
            _ => ("NOTIFY-008", "no rule calls for a handler call here".to_owned()),
        };
        let message = format!("at {at} the handler was told {reason} for {}; {context}", self.cust(cust));
        self.violate(why, message);
    }

    fn blame_answer_notice(&self, request: u64) -> (&'static str, String) {
        use crate::rules::answers::Verdict;
        let Some((answered, verdict)) = &self.answered else {
            return (
                "QUEUE-006",
                format!("request {request} was abandoned or never sent; a late answer is ignored"),
            );
        };
        match verdict {
            Verdict::Other => {
                ("RETRY-012", format!("the answer to request {request} is not an authentication failure"))
            }
            Verdict::Success => ("NOTIFY-008", format!("request {request} succeeded")),
            Verdict::AuthFailure { .. } if answered.attempt > 1 => (
                self.first_applying(&["RETRY-003", "NOTIFY-008"]),
                format!("request {request} was a retry; the failure of a last retry calls no handler"),
            ),
            Verdict::AuthFailure { .. } => (
                self.first_applying(&["RETRY-005", "NOTIFY-008"]),
                format!("the rejection of request {request} calls for no handler call"),
            ),
        }
    }

    /// REFR-*: an `expired_soon` no duty calls for.
    fn blame_expired_soon(&mut self, cust: Cust) {
        let at = self.now();
        let now = self.belief.now;
        let Some(policy) = self.profile.refresh else {
            let message =
                format!("this profile has no proactive refresh; at {at} the handler was told expired_soon");
            self.violate(self.first_applying(&["REFR-008", "NOTIFY-003"]), message);
            return;
        };
        let Some(stored) = self.belief.stored else {
            let message = format!(
                "no token is stored; at {at} the handler was told expired_soon for {}",
                self.cust(cust)
            );
            self.violate("REFR-006", message);
            return;
        };
        let shown = self.tok(stored.tok);
        let Some(exp) = self.belief.exp(stored.tok) else {
            let message = format!("{shown} has no exp, so it never expires on the client; at {at} the handler was told expired_soon");
            self.violate("LIFE-012", message);
            return;
        };
        if stored.told_soon {
            let message = format!(
                "expired_soon was already delivered for {shown} at {}; the SDK notified it again at {at}",
                self.off(stored.told_at)
            );
            self.violate("REFR-005", message);
            return;
        }
        if matches!(self.input(), Some(Input::App(AppCall::RegisterHandler { .. }))) {
            let message = format!("a notification dropped for want of a handler is not replayed; at {at} registering the handler told expired_soon");
            self.violate("REFR-007", message);
            return;
        }
        if self.stale_timer_at(now) {
            let message = format!(
                "the token whose refresh was due at {at} is no longer stored; its expired_soon still came"
            );
            self.violate("REFR-006", message);
            return;
        }
        let due = exp.saturating_sub(policy.lead_ms);
        let message = format!(
            "expired_soon for {shown} is due at {} (± {} ms) or before a request inside its window; it came at {at}",
            self.off(due),
            policy.tolerance_ms
        );
        self.violate("REFR-001", message);
    }

    /// True when `at` is the refresh instant of a token that was replaced or cleared.
    fn stale_timer_at(&self, at: u64) -> bool {
        let Some(policy) = self.profile.refresh else { return false };
        let current = self.belief.stored.map(|s| s.tok);
        (0..)
            .map_while(|i| {
                let tok = crate::book::Tok(i);
                ((i as usize) < self.token_count()).then_some(tok)
            })
            .filter(|t| Some(*t) != current)
            .filter_map(|t| self.belief.exp(t))
            .any(|exp| {
                let due = exp.saturating_sub(policy.lead_ms);
                at + policy.tolerance_ms >= due && at <= due + policy.tolerance_ms
            })
    }

    fn token_count(&self) -> usize {
        self.belief.tokens.len()
    }

    pub(crate) fn on_app_error(&mut self, obs: &Observation) -> Option<usize> {
        let Output::AppError { error, code } = &obs.output else { return None };
        let index = self
            .duties
            .iter()
            .position(|d| !d.done && matches!(&d.what, Must::RaiseError { error: e, .. } if e == error));
        let at = self.now();
        match index {
            Some(index) => {
                self.duties[index].done = true;
                if let Must::RaiseError { code: due, .. } = self.duties[index].what {
                    if due != *code {
                        let why = self.first_applying(&["NOTIFY-005", "RETRY-011"]);
                        let message =
                            format!("the error raised at {at} carries code {due:?}; the SDK gave {code:?}");
                        self.violate(why, message);
                    }
                }
            }
            None => {
                let (why, context) = match error {
                    AppErrorKind::JwtNotEnabled => (
                        self.first_applying(&["CONF-005", "CONF-002", "CONF-008"]),
                        "only a token passed without JWT in a debug build raises jwt_not_enabled",
                    ),
                    AppErrorKind::TokenRejected => (
                        self.first_applying(&["RETRY-011", "NOTIFY-008"]),
                        "no rejection calls for token_rejected here",
                    ),
                };
                self.violate(why, format!("at {at} the SDK raised {error:?}; {context}"));
            }
        }
        index
    }

    pub(crate) fn on_token_requested(&mut self, obs: &Observation) -> Option<usize> {
        let Output::TokenRequested { ask, reason, customer_ids } = &obs.output else { return None };
        let cust = self.belief.customers.intern(customer_ids);
        if self.profile.token_supply.pull.is_none() {
            let message = format!(
                "this profile's SDK has no token callback; at {} it asked for a token (ask {ask})",
                self.now()
            );
            self.violate("NOTIFY-008", message);
            return None;
        }
        // The app may answer any ask the SDK made (LIFE-017).
        self.belief.asks.retain(|a| a.id != *ask);
        self.belief.asks.push(crate::belief::Ask { id: *ask, cust });
        let index = self.find_ask(cust, *reason);
        match index {
            Some(index) => self.discharge_ask(index, *ask, *reason, cust),
            None => self.blame_ask(*ask, *reason, cust),
        }
        index
    }

    /// The pending ask duty this ask fits: the same customer (and reason, when given),
    /// else any pending ask duty (the SDK named the wrong customer or reason).
    fn find_ask(&self, cust: Cust, reason: Option<Reason>) -> Option<usize> {
        let open = |d: &crate::duty::Duty| !d.done && matches!(d.what, Must::Ask { .. });
        let fits = |d: &crate::duty::Duty| matches!(&d.what, Must::Ask { reason: r, cust: c, .. } if *c == cust && reason.is_none_or(|g| g == *r));
        self.duties
            .iter()
            .position(|d| open(d) && fits(d))
            .or_else(|| {
                self.duties
                    .iter()
                    .position(|d| open(d) && matches!(&d.what, Must::Ask { cust: c, .. } if *c == cust))
            })
            .or_else(|| self.duties.iter().position(open))
    }

    fn discharge_ask(&mut self, index: usize, ask: u64, reason: Option<Reason>, cust: Cust) {
        self.duties[index].done = true;
        let why = self.duties[index].why;
        let Must::Ask { reason: due, cust: whom, window } = self.duties[index].what.clone() else { return };
        let at = self.now();
        if whom != cust {
            let rule = if due == Reason::ExpiredSoon { "REFR-002" } else { why };
            let message = format!(
                "ask {ask} at {at} must ask a token for {}; the SDK asked one for {}",
                self.cust(whom),
                self.cust(cust)
            );
            self.violate(rule, message);
        }
        if let Some(given) = reason.filter(|r| *r != due) {
            let rule = if why == "RETRY-015" { "RETRY-001" } else { why };
            let message = format!("ask {ask} at {at} is for {due}; the SDK gave {given}");
            self.violate(rule, message);
        }
        if let Some((earliest, latest)) = window {
            let now = self.belief.now;
            if now < earliest || now > latest {
                let message = format!(
                    "the refresh ask is due between {} and {}; ask {ask} came at {at}",
                    self.off(earliest),
                    self.off(latest)
                );
                self.violate(why, message);
            }
        }
        if due == Reason::ExpiredSoon {
            if let Some(stored) = self.belief.stored.as_mut() {
                stored.told_soon = true;
                stored.timer_live = false;
            }
        }
    }

    /// An ask no duty calls for: names the rule it breaks.
    fn blame_ask(&mut self, ask: u64, reason: Option<Reason>, cust: Cust) {
        let at = self.now();
        let who = self.cust(cust);
        let refresh_like =
            reason == Some(Reason::ExpiredSoon) || matches!(self.act, crate::trace::Act::Advance { .. });
        let (why, context): (&'static str, String) = match self.belief.stored {
            _ if !self.belief.running => ("CONF-007", "the SDK is not running".to_owned()),
            _ if matches!(self.input(), Some(Input::App(AppCall::ProvideToken { token: None, .. }))) => {
                ("LIFE-018", "after a failed ask the SDK does not ask again on its own".to_owned())
            }
            Some(stored) if refresh_like && stored.told_soon => {
                ("REFR-005", format!("the refresh ask for {} was already made", self.tok(stored.tok)))
            }
            Some(stored) if refresh_like && self.belief.exp(stored.tok).is_none() => {
                ("LIFE-012", format!("{} has no exp, so it is never refreshed", self.tok(stored.tok)))
            }
            Some(_) if refresh_like && self.stale_timer_at(self.belief.now) => {
                ("REFR-006", "the token whose refresh was due now is no longer stored".to_owned())
            }
            Some(stored) if refresh_like => (
                "REFR-009",
                format!("the refresh ask for {} is due a minute before its exp", self.tok(stored.tok)),
            ),
            None if refresh_like && self.stale_timer_at(self.belief.now) => {
                ("REFR-006", "the token whose refresh was due now is no longer stored".to_owned())
            }
            _ => ("NOTIFY-008", "no rule calls for an ask here".to_owned()),
        };
        self.violate(why, format!("at {at} the SDK asked a token for {who} (ask {ask}); {context}"));
    }
}
