//! Mutants that are only other profile data: the unchanged machine follows a perturbed
//! profile, while the oracle keeps judging by the true one.

use crate::catalogue::Mutation;
use jwt_lifecycle_spec::profile::{
    AuthFailurePolicy, Batching, ClearingCall, OtherFailurePolicy, Profile, PullPolicy, RetryPolicy,
};

/// The retry [`Mutation::RetryOnForbiddenWithValidToken`] gives a 403 to a valid token:
/// once, one second later. The mutant's own choice; no profile retries such a 403.
const RETRY_ONCE: RetryPolicy = RetryPolicy::After { attempts: 1, delay_ms: 1_000, tolerance_ms: 0 };

/// How many times shorter [`Mutation::ShortBackoff`]'s shortest wait is.
const SHORTER: u64 = 10;

/// How early [`Mutation::RefreshThirtySecondsEarly`] notifies, in ms.
const EARLY_MS: u64 = 30_000;

/// True when `bug` is built as a perturbed profile.
pub fn perturbs(bug: Mutation) -> bool {
    use Mutation::*;
    matches!(
        bug,
        RetryTwice
            | RetryOnForbiddenWithValidToken
            | KeepTokenOnAnonymize
            | KeepTokenOnLogout
            | RefreshThirtySecondsEarly
            | SilentExpiredToken
            | SilentMissingToken
            | IgnoreFailureLimit
            | NoResetOnSuccess
            | ForgetTokenOnRestart
            | IgnoreClearToken
            | SuspendOneFailureEarly
            | WindowOpensOneMsLate
            | NoAskOnIdentify
            | NoAskBeforeExpiry
            | NoRefetchAfterRejection
            | IgnoreAuthErrorBody
            | NoAutoFlush
            | ShortBackoff
            | QueueInsteadOfPerEvent
            | RequeueWithoutQueue
            | PauseBlocksFlush
    )
}

/// The profile the machine of `bug` follows: `profile` itself for a wrapper, the
/// perturbed profile otherwise.
pub fn perturbed(bug: Mutation, profile: &Profile) -> Profile {
    let mut p = profile.clone();
    match bug {
        Mutation::RetryTwice => {
            for policy in failure_policies(&mut p) {
                if let RetryPolicy::After { attempts, .. } = &mut policy.retry {
                    *attempts += 1;
                }
            }
        }
        Mutation::RetryOnForbiddenWithValidToken => p.on_forbidden_with_valid_token.retry = RETRY_ONCE,
        Mutation::KeepTokenOnAnonymize => keep_token_on(&mut p, ClearingCall::Anonymize),
        Mutation::KeepTokenOnLogout => keep_token_on(&mut p, ClearingCall::Logout),
        Mutation::IgnoreClearToken => keep_token_on(&mut p, ClearingCall::ClearToken),
        Mutation::RefreshThirtySecondsEarly => {
            if let Some(refresh) = p.refresh.as_mut() {
                refresh.lead_ms += EARLY_MS;
            }
        }
        Mutation::SilentExpiredToken => p.preflight.notify_expired = false,
        Mutation::SilentMissingToken => p.preflight.notify_not_provided = false,
        Mutation::IgnoreFailureLimit => p.failure_limit = None,
        Mutation::NoResetOnSuccess => {
            if let Some(limit) = p.failure_limit.as_mut() {
                limit.reset_on_success = false;
            }
        }
        Mutation::ForgetTokenOnRestart => p.persists.token = false,
        Mutation::SuspendOneFailureEarly => {
            if let Some(limit) = p.failure_limit.as_mut() {
                // A limit of one cannot come earlier; no profile has one.
                limit.consecutive_failures = limit.consecutive_failures.saturating_sub(1).max(1);
            }
        }
        Mutation::WindowOpensOneMsLate => {
            if let Some(refresh) = p.refresh.as_mut() {
                refresh.lead_ms = refresh.lead_ms.saturating_sub(1);
            }
        }
        Mutation::NoAskOnIdentify => pull_policy(&mut p, |pull| pull.on_identify = false),
        Mutation::NoAskBeforeExpiry => pull_policy(&mut p, |pull| pull.before_expiry = false),
        Mutation::NoRefetchAfterRejection => pull_policy(&mut p, |pull| pull.after_rejection = false),
        Mutation::IgnoreAuthErrorBody => p.body_signals.clear(),
        Mutation::NoAutoFlush => p.auto_flush = None,
        Mutation::QueueInsteadOfPerEvent => p.batching = Batching::HeadRunOneInFlight,
        Mutation::PauseBlocksFlush => {
            if let Some(limit) = p.failure_limit.as_mut() {
                limit.flush_while_suspended = false;
            }
        }
        // Only a profile that fails such a request has no queue to put it back in.
        Mutation::RequeueWithoutQueue if p.on_other_failure == OtherFailurePolicy::Fail => {
            p.on_other_failure = OtherFailurePolicy::Requeue;
        }
        Mutation::ShortBackoff => {
            for policy in failure_policies(&mut p) {
                if let RetryPolicy::Backoff { min_ms, .. } = &mut policy.retry {
                    *min_ms /= SHORTER;
                }
            }
            if let OtherFailurePolicy::Backoff { min_ms, .. } = &mut p.on_other_failure {
                *min_ms /= SHORTER;
            }
        }
        _ => {}
    }
    p
}

/// Changes when a pulling profile asks for tokens; a profile that only pushes is kept.
fn pull_policy(p: &mut Profile, change: impl FnOnce(&mut PullPolicy)) {
    if let Some(pull) = p.token_supply.pull.as_mut() {
        change(pull);
    }
}

fn failure_policies(p: &mut Profile) -> [&mut AuthFailurePolicy; 3] {
    [&mut p.on_unauthorized, &mut p.on_forbidden_without_token, &mut p.on_forbidden_with_valid_token]
}

fn keep_token_on(p: &mut Profile, call: ClearingCall) {
    p.clears_token_on.retain(|c| *c != call);
}

#[cfg(test)]
mod tests {
    use super::*;
    use jwt_lifecycle_spec::profile::ProfileId;

    #[test]
    fn a_perturbed_profile_differs_from_the_true_one_in_some_profile_and_a_wrapper_keeps_it() {
        for &bug in Mutation::all() {
            let changed = ProfileId::ALL.into_iter().any(|id| perturbed(bug, &id.profile()) != id.profile());
            assert_eq!(changed, perturbs(bug), "{bug}");
        }
    }
}
