//! The profiles of two shipping web SDKs, taken from their vendors' public documentation:
//! each value is sourced or decided in the registry (the requirement named beside it).
//! Where a shipped SDK does otherwise, the profile still follows the documentation and the
//! suite reports the SDK's deviation.

use super::{
    bound, AuthFailurePolicy, AutoFlush, Batching, BodyMeaning, BodySignal, ClaimRules, ClearingCall,
    DisabledTokenAction, DisabledTokenPolicy, FailureLimit, IdentityBinding, JwsAlgorithm,
    OtherFailurePolicy, Persistence, PreflightPolicy, Presence, Profile, ProfileId, PullPolicy, ReasonCode,
    RefreshPolicy, RequestValue, RetryPolicy, TokenSupply, MAX_TOKEN_BYTES, MINUTE_MS,
};
use crate::alphabet::{CallKind, Reason};

/// Iterable's README and "JWT-Enabled API Keys" article.
pub const ITERABLE_DOCUMENT: &str = "https://github.com/Iterable/iterable-web-sdk/blob/main/README.md";

/// Braze's developer guide, "Setting up SDK authentication".
pub const BRAZE_DOCUMENT: &str = "https://www.braze.com/docs/developer_guide/sdk_integration/authentication";

/// Iterable web SDK: tokens are pulled from the app's `generateJWT` callback on identify,
/// a minute before expiry and after a 401 (LIFE-016, REFR-009, RETRY-015); each `track`
/// sends its own request (QUEUE-009); there is no handler and no queue.
pub fn iterable_web() -> Profile {
    let quiet_failure = AuthFailurePolicy {
        notify_handler: false,
        raise_app_error: false,
        retry: RetryPolicy::Never,
        counts_toward_limit: false,
    };
    Profile {
        id: ProfileId::IterableWeb,
        title: "Iterable web SDK (@iterable/web-sdk)".into(),
        document: ITERABLE_DOCUMENT.into(),
        // setUserID / setEmail: the adapter passes `{"userId": ...}` or `{"email": ...}`;
        // the suite's own identities use `userId`.
        identifier_key: Some("userId".into()),
        token_call_identifier: false,
        // CONF-009: initialize takes generateJWT; the README describes no mode without JWT.
        jwt_optional: false,
        // CONF-007: the README has the app identify the user before any API request.
        anonymous_events: false,
        token_while_jwt_disabled: DisabledTokenPolicy {
            debug: DisabledTokenAction::IgnoreSilently,
            release: DisabledTokenAction::IgnoreSilently,
        },
        // REFR-009: "within 1 minute of expiration" the SDK fetches a new JWT.
        refresh: Some(RefreshPolicy {
            lead_ms: MINUTE_MS,
            tolerance_ms: 2_000,
            notify_at_once_inside_window: true,
        }),
        preflight: PreflightPolicy {
            notify_not_provided: false,
            notify_expired: false,
            notify_expiring_soon: false,
        },
        // RETRY-015: a 401 fetches a new JWT; the request is sent again once with it.
        on_unauthorized: AuthFailurePolicy {
            notify_handler: false,
            raise_app_error: false,
            retry: RetryPolicy::RefetchThenRetry,
            counts_toward_limit: false,
        },
        // RETRY-017: the documents name 401 as the answer to a missing, invalid or expired
        // token; a 403 is the server refusing the request itself.
        on_forbidden_without_token: quiet_failure,
        on_forbidden_with_valid_token: quiet_failure,
        forbidden_on_expired_token_is_expiry: false,
        on_other_failure: OtherFailurePolicy::Fail,
        failure_limit: None,
        // LIFE-006, LIFE-016: signing a user in fetches a fresh token; LIFE-010: logout.
        clears_token_on: vec![ClearingCall::IdentifyWithoutToken, ClearingCall::Logout],
        logout_syncs_then_deletes_on_jwt_failure: false,
        handler_reasons: vec![],
        codes: vec![],
        // CLAIM-017. The payload names the user by `email` or `userId`; the token crate's
        // identity bindings as data express that (until then the closest binding on main).
        claims: ClaimRules {
            algorithms: vec![JwsAlgorithm::HS256],
            kid: Presence::Optional,
            typ_jwt: Presence::Required,
            required_claims: vec![],
            // The suite's identities are user ids (setUserID); a token naming its user by
            // `email` (setEmail) has no request value to be compared with, so only `userId`
            // is bound.
            informational_claims: vec![],
            exp: Presence::Optional,
            max_lifetime_s: None,
            min_key_bytes: 32,
            leeway_s: 0,
            max_token_bytes: MAX_TOKEN_BYTES,
            // Either `email` or `userId` names the user, so neither alone is required.
            identity: IdentityBinding {
                matches: vec![bound("userId", RequestValue::Identifier, Presence::Optional)],
                fixed: vec![],
            },
        },
        handler_term: "token callback (generateJWT)".into(),
        calls: vec![
            CallKind::Configure,
            CallKind::Identify,
            CallKind::Logout,
            CallKind::Track,
            CallKind::ProvideToken,
        ],
        // LIFE-014: the web SDK is initialised and the user identified on every page load,
        // and identify asks for a fresh token: nothing of the last page is used again.
        persists: Persistence { token: false, customer: false, queue: false },
        token_supply: TokenSupply {
            push: false,
            pull: Some(PullPolicy { on_identify: true, before_expiry: true, after_rejection: true }),
        },
        batching: Batching::PerEventConcurrent,
        body_signals: vec![],
        auto_flush: None,
    }
}

/// Braze web SDK: tokens are pushed with `changeUser` and `setSdkAuthenticationSignature`;
/// a rejection calls the failure subscriber and is retried with a randomised backoff
/// (RETRY-016, RETRY-020) until 50 consecutive failures pause automatic sending until
/// the next session (LIMIT-006); queued data goes out every 10 s (QUEUE-010).
pub fn braze_web() -> Profile {
    let backoff = RetryPolicy::Backoff { min_ms: 10_000, max_ms: 300_000, factor: 3 };
    let reject = AuthFailurePolicy {
        notify_handler: true,
        raise_app_error: false,
        retry: backoff,
        counts_toward_limit: true,
    };
    Profile {
        id: ProfileId::BrazeWeb,
        title: "Braze web SDK (@braze/web-sdk)".into(),
        document: BRAZE_DOCUMENT.into(),
        // changeUser(userId, jwt); requests name the user as `user_id`.
        identifier_key: Some("user_id".into()),
        // setSdkAuthenticationSignature takes the token alone.
        token_call_identifier: false,
        // CONF-003: enableSdkAuthentication is an option of initialize.
        jwt_optional: true,
        anonymous_events: true,
        token_while_jwt_disabled: DisabledTokenPolicy {
            debug: DisabledTokenAction::IgnoreSilently,
            release: DisabledTokenAction::IgnoreSilently,
        },
        // REFR-008: the app learns of expiry from the failure callback.
        refresh: None,
        preflight: PreflightPolicy {
            notify_not_provided: false,
            notify_expired: false,
            notify_expiring_soon: false,
        },
        on_unauthorized: reject,
        on_forbidden_without_token: reject,
        on_forbidden_with_valid_token: reject,
        forbidden_on_expired_token_is_expiry: true,
        // RETRY-016: every failed send waits out the same backoff.
        on_other_failure: OtherFailurePolicy::Backoff { min_ms: 10_000, max_ms: 300_000, factor: 3 },
        // LIMIT-006: 50 consecutive failed attempts pause retries until the next session
        // start; the manual flush stays available.
        failure_limit: Some(FailureLimit {
            consecutive_failures: 50,
            reset_on_success: true,
            suspended_until_next_session: true,
            flush_while_suspended: true,
            deletes_queue: false,
        }),
        // LIFE-006: changeUser without a JWT; LIFE-005: wipeData.
        clears_token_on: vec![ClearingCall::IdentifyWithoutToken, ClearingCall::ClearLocalData],
        logout_syncs_then_deletes_on_jwt_failure: false,
        handler_reasons: vec![Reason::Expired, Reason::NotProvided, Reason::Invalid],
        // RETRY-019: the documented error codes; every other code is `invalid`.
        codes: vec![
            ReasonCode { reason: Reason::Expired, code: 22 },
            ReasonCode { reason: Reason::NotProvided, code: 26 },
        ],
        // CLAIM-018.
        // RS256 only: Braze verifies with the public key of an RSA key pair the app's
        // backend signs with.
        claims: ClaimRules {
            algorithms: vec![JwsAlgorithm::RS256],
            kid: Presence::Optional,
            typ_jwt: Presence::Required,
            required_claims: vec!["sub".into(), "exp".into()],
            informational_claims: vec![],
            exp: Presence::Required,
            max_lifetime_s: None,
            min_key_bytes: 32,
            leeway_s: 0,
            max_token_bytes: MAX_TOKEN_BYTES,
            identity: IdentityBinding {
                matches: vec![bound("sub", RequestValue::Identifier, Presence::Required)],
                fixed: vec![],
            },
        },
        handler_term: "SDK authentication failure subscriber".into(),
        calls: vec![
            CallKind::Configure,
            CallKind::SetToken,
            CallKind::RegisterHandler,
            CallKind::Identify,
            CallKind::Track,
            CallKind::Flush,
            CallKind::NewSession,
            CallKind::ClearLocalData,
        ],
        // LIFE-014: the SDK queues data in localStorage; the user and signature are kept
        // with it.
        persists: Persistence { token: true, customer: true, queue: true },
        token_supply: TokenSupply { push: true, pull: None },
        batching: Batching::HeadRunOneInFlight,
        // RETRY-019: a rejection comes back as `auth_error` in the body, with its code.
        body_signals: vec![
            BodySignal {
                status_min: 200,
                status_max: 499,
                pointer: "/auth_error".into(),
                means: BodyMeaning::AuthenticationFailure,
            },
            BodySignal {
                status_min: 200,
                status_max: 499,
                pointer: "/auth_error/error_code".into(),
                means: BodyMeaning::VendorCode,
            },
        ],
        // QUEUE-010: queued data is sent every 10 s.
        auto_flush: Some(AutoFlush { interval_ms: 10_000, tolerance_ms: 1_000 }),
    }
}
