//! Vendor profiles: each vendor's behaviour set as plain data.
//!
//! One model and one suite serve every vendor; what differs between vendors is only
//! the values in a [`Profile`]. Nothing in this project branches on a profile's name.

use crate::alphabet::{Body, CallKind, CustomerIds, Reason, Reply};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

mod web;

pub use web::{braze_web, iterable_web, BRAZE_DOCUMENT, ITERABLE_DOCUMENT};

/// The name of a profile, as used on the command line and in case files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ProfileId {
    /// Bloomreach (Exponea) iOS SDK in Data hub stream mode (seed 000).
    #[serde(rename = "exponea-stream")]
    ExponeaStream,
    /// MoEngage iOS SDK (seed 001).
    #[serde(rename = "moengage-ios")]
    MoengageIos,
    /// MoEngage Android SDK (seed 003).
    #[serde(rename = "moengage-android")]
    MoengageAndroid,
    /// Khoros Brand Messenger legacy iOS SDK (seed 002).
    #[serde(rename = "khoros-legacy")]
    KhorosLegacy,
    /// Webex Connect Core SDK (seed 004).
    #[serde(rename = "webex-connect")]
    WebexConnect,
    /// Iterable web SDK (`@iterable/web-sdk`), from its public README and Iterable's
    /// "JWT-Enabled API Keys" article.
    #[serde(rename = "iterable-web")]
    IterableWeb,
    /// Braze web SDK (`@braze/web-sdk`), from Braze's "Setting up SDK authentication"
    /// guide and the SDK's API reference.
    #[serde(rename = "braze-web")]
    BrazeWeb,
}

impl ProfileId {
    /// Every profile, in a fixed order.
    pub const ALL: [ProfileId; 7] = [
        ProfileId::ExponeaStream,
        ProfileId::MoengageIos,
        ProfileId::MoengageAndroid,
        ProfileId::KhorosLegacy,
        ProfileId::WebexConnect,
        ProfileId::IterableWeb,
        ProfileId::BrazeWeb,
    ];

    /// The profile's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileId::ExponeaStream => "exponea-stream",
            ProfileId::MoengageIos => "moengage-ios",
            ProfileId::MoengageAndroid => "moengage-android",
            ProfileId::KhorosLegacy => "khoros-legacy",
            ProfileId::WebexConnect => "webex-connect",
            ProfileId::IterableWeb => "iterable-web",
            ProfileId::BrazeWeb => "braze-web",
        }
    }

    /// The profile's data.
    pub fn profile(self) -> Profile {
        match self {
            ProfileId::ExponeaStream => exponea_stream(),
            ProfileId::MoengageIos => moengage(ProfileId::MoengageIos, "001_878d786eff8a9dad.txt"),
            ProfileId::MoengageAndroid => moengage(ProfileId::MoengageAndroid, "003_50a9853e0c5e43fb.txt"),
            ProfileId::KhorosLegacy => khoros_legacy(),
            ProfileId::WebexConnect => webex_connect(),
            ProfileId::IterableWeb => iterable_web(),
            ProfileId::BrazeWeb => braze_web(),
        }
    }

    /// The profile's data, built once per process and shared: a suite starts a machine
    /// and an oracle for every case.
    pub fn shared(self) -> Arc<Profile> {
        static BUILT: OnceLock<Vec<Arc<Profile>>> = OnceLock::new();
        let all = BUILT.get_or_init(|| ProfileId::ALL.iter().map(|id| Arc::new(id.profile())).collect());
        match ProfileId::ALL.iter().position(|id| *id == self) {
            Some(index) => Arc::clone(&all[index]),
            // Unreachable while ALL lists every variant (a test holds it); built afresh
            // rather than panicking.
            None => Arc::new(self.profile()),
        }
    }
}

impl fmt::Display for ProfileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A profile name that is not one of [`ProfileId::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown profile `{given}`; expected one of: {}", profile_names())]
pub struct UnknownProfile {
    /// What was given.
    pub given: String,
}

/// The names of [`ProfileId::ALL`], comma-separated.
fn profile_names() -> String {
    ProfileId::ALL.map(ProfileId::as_str).join(", ")
}

impl FromStr for ProfileId {
    type Err = UnknownProfile;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ProfileId::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| UnknownProfile { given: s.to_owned() })
    }
}

/// One vendor's behaviour set.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Profile {
    /// The profile's name.
    pub id: ProfileId,
    /// A human title.
    pub title: String,
    /// The seed document the profile is derived from, or the public URL of the vendor's
    /// documentation it follows.
    pub document: String,
    /// The key under which a single identifier is stored in [`CustomerIds`], for SDKs that
    /// know a customer by one identifier; `None` where the app passes a whole ids map.
    pub identifier_key: Option<String>,
    /// Whether the token call (`set_token`) takes an identifier that becomes the current
    /// customer (LIFE-013). Where it does not, an identifier passed with it is ignored.
    pub token_call_identifier: bool,
    /// Whether `configure` can leave JWT off (Exponea's project mode, MoEngage's default);
    /// false for an SDK that always authenticates with JWT. Cases and random runs configure
    /// such a profile with JWT on only (CONF-009).
    pub jwt_optional: bool,
    /// Whether the SDK sends events of an anonymous customer. Where it does not, a `track`
    /// while no customer is identified is refused and reported like one made before
    /// `configure` (`events_deleted` `sdk_not_running`, CONF-007).
    pub anonymous_events: bool,
    /// What the SDK does when a token is passed while JWT is not enabled.
    pub token_while_jwt_disabled: DisabledTokenPolicy,
    /// The proactive refresh notification, if the SDK has one.
    pub refresh: Option<RefreshPolicy>,
    /// The checks the SDK makes before the first attempt of each request.
    pub preflight: PreflightPolicy,
    /// What a 401 Unauthorized does.
    pub on_unauthorized: AuthFailurePolicy,
    /// What a 403 Forbidden does when the request carried no token.
    pub on_forbidden_without_token: AuthFailurePolicy,
    /// What a 403 Forbidden does when the request carried a token that is not expired.
    pub on_forbidden_with_valid_token: AuthFailurePolicy,
    /// Whether a 403 to a request whose token had expired is handled as a 401 (RETRY-007);
    /// otherwise it is handled as a 403 with a token.
    pub forbidden_on_expired_token_is_expiry: bool,
    /// What a request that fails without an authentication failure (no HTTP answer, or a
    /// status other than 2xx, 401 and 403) does.
    pub on_other_failure: OtherFailurePolicy,
    /// The consecutive-failure limit, if the SDK has one.
    pub failure_limit: Option<FailureLimit>,
    /// Which app calls clear the stored token.
    pub clears_token_on: Vec<ClearingCall>,
    /// Whether logout first sends what is queued, deleting it if that sync fails
    /// with a JWT error (QUEUE-002).
    pub logout_syncs_then_deletes_on_jwt_failure: bool,
    /// The reasons the handler may be given.
    pub handler_reasons: Vec<Reason>,
    /// The vendor error code for each reason, where the vendor defines codes.
    pub codes: Vec<ReasonCode>,
    /// What the backend's tokens look like and how they are validated.
    pub claims: ClaimRules,
    /// The vendor's own name for the app's handler ("JWT error handler", "authentication
    /// listener", ...), for prose and diagrams.
    pub handler_term: String,
    /// The app calls the SDK has. A case may only use these; random runs send only these.
    pub calls: Vec<CallKind>,
    /// What survives an app restart (LIFE-014).
    pub persists: Persistence,
    /// How the SDK gets its tokens: pushed by the app, pulled through a callback, or both.
    pub token_supply: TokenSupply,
    /// How queued events become requests.
    pub batching: Batching,
    /// What the SDK reads in a response body, beyond its status.
    pub body_signals: Vec<BodySignal>,
    /// Whether the SDK sends queued events on its own on a timer, and how often.
    pub auto_flush: Option<AutoFlush>,
}

/// What a request failing without an authentication failure does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OtherFailurePolicy {
    /// Its events go back to the front of the queue for the next flush (RETRY-012).
    Requeue,
    /// It fails for good at once (`request_failed` `network`): SDKs without a queue
    /// (RETRY-017).
    Fail,
    /// Its events go back to the front of the queue and the SDK sends nothing on its own
    /// until a randomised wait is over (RETRY-016), as [`RetryPolicy::Backoff`].
    Backoff {
        /// The shortest wait, in ms.
        min_ms: u64,
        /// The longest wait, in ms.
        max_ms: u64,
        /// A wait is at most this many times the previous one.
        factor: u32,
    },
}

/// Sending queued events on a timer (QUEUE-010).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AutoFlush {
    /// Queued events that can be sent are sent within this many ms without a flush call.
    pub interval_ms: u64,
    /// How far an SDK may be late on the interval, in ms.
    pub tolerance_ms: u64,
}

/// How a profile reads one server answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Answer {
    /// A 2xx that signals nothing more: the request is delivered.
    Delivered,
    /// An authentication failure, handled as a 401 or a 403.
    Rejected {
        /// 401 or 403: which failure policy applies (a failure signalled in a 2xx body is
        /// a 401).
        status: u16,
        /// The body says the token had expired.
        expired: bool,
        /// The vendor code the body gives the failure (RETRY-019).
        code: Option<i64>,
        /// Only the body signalled it: the status alone would have delivered the request.
        by_body: bool,
    },
    /// No HTTP answer, or a status that is neither a success nor an authentication failure.
    Other,
}

/// What an SDK keeps across an app restart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Persistence {
    /// The stored token, and the customer it is bound to.
    pub token: bool,
    /// The current customer.
    pub customer: bool,
    /// The queued events (and those of a request in flight, which go back to the queue).
    pub queue: bool,
}

/// How an SDK gets its tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TokenSupply {
    /// The app pushes tokens (`set_token`, `identify` with a token, `configure` with one).
    pub push: bool,
    /// The SDK asks the app's token callback (`token_requested`, answered by
    /// `provide_token`), when.
    pub pull: Option<PullPolicy>,
}

/// When an SDK that pulls its tokens asks the app's callback for one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PullPolicy {
    /// When a customer is identified.
    pub on_identify: bool,
    /// When the stored token enters its refresh window (the refresh policy's lead).
    pub before_expiry: bool,
    /// After an authentication failure whose policy is [`RetryPolicy::RefetchThenRetry`].
    pub after_rejection: bool,
}

/// How queued events become requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Batching {
    /// One request at a time, carrying the longest run of events at the head of the queue
    /// that belong to one customer (QUEUE-003, QUEUE-004).
    HeadRunOneInFlight,
    /// One request per event, sent when it is tracked; several may be in flight.
    PerEventConcurrent,
}

/// Something an SDK reads in a response body.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BodySignal {
    /// The lowest status it applies to.
    pub status_min: u16,
    /// The highest status it applies to.
    pub status_max: u16,
    /// The JSON pointer of the field the SDK reads (`/auth_error`).
    pub pointer: String,
    /// What the field's presence means.
    pub means: BodyMeaning,
}

/// What a body field tells an SDK.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyMeaning {
    /// The response is an authentication failure, whatever its status.
    AuthenticationFailure,
    /// The token had expired (the failure's reason is `expired`).
    TokenExpired,
    /// The field holds the vendor's code for the failure: the reason is the one the
    /// profile's `codes` give that code (`invalid` for a code they do not list), and the
    /// handler is given the code (RETRY-019).
    VendorCode,
}

impl Profile {
    /// The vendor code for `reason`, if the profile defines one.
    pub fn code_for(&self, reason: Reason) -> Option<i64> {
        self.codes.iter().find(|c| c.reason == reason).map(|c| c.code)
    }

    /// The reason a vendor code stands for: the one the profile's codes give it,
    /// `invalid` for a code they do not list (RETRY-019).
    pub fn reason_for_code(&self, code: i64) -> Reason {
        self.codes.iter().find(|c| c.code == code).map_or(Reason::Invalid, |c| c.reason)
    }

    /// True when the SDK asks the app's token callback for its tokens.
    pub fn pulls(&self) -> bool {
        self.token_supply.pull.is_some()
    }

    /// How the SDK reads a server answer: its status, and the body fields the profile's
    /// `body_signals` name (RETRY-019).
    pub fn read_answer(&self, reply: Reply, body: Option<&Body>) -> Answer {
        let Reply::Status(status) = reply else { return Answer::Other };
        let field = |meaning: BodyMeaning| {
            self.body_signals
                .iter()
                .filter(|s| s.means == meaning && (s.status_min..=s.status_max).contains(&status))
                .find_map(|s| body.and_then(|b| b.pointer(&s.pointer)))
        };
        let by_body = field(BodyMeaning::AuthenticationFailure).is_some();
        if status == 401 || status == 403 || by_body {
            return Answer::Rejected {
                status: if status == 403 { 403 } else { 401 },
                expired: field(BodyMeaning::TokenExpired).is_some(),
                code: field(BodyMeaning::VendorCode).and_then(serde_json::Value::as_i64),
                by_body: by_body && status != 401 && status != 403,
            };
        }
        if (200..300).contains(&status) {
            Answer::Delivered
        } else {
            Answer::Other
        }
    }

    /// The retry policies of the profile's authentication failures.
    pub fn failure_retries(&self) -> [RetryPolicy; 3] {
        [
            self.on_unauthorized.retry,
            self.on_forbidden_without_token.retry,
            self.on_forbidden_with_valid_token.retry,
        ]
    }

    /// The backoff bounds, where the profile's failures back off (RETRY-016).
    pub fn backoff(&self) -> Option<Backoff> {
        self.failure_retries().iter().find_map(|r| r.backoff()).or_else(|| self.on_other_failure.backoff())
    }

    /// The customer identity for an identifier passed with a token, for SDKs whose
    /// token call takes one.
    pub fn identity_for(&self, identifier: &str) -> CustomerIds {
        let key = self.identifier_key.as_deref().unwrap_or("identifier");
        CustomerIds::single(key, identifier)
    }

    /// True when `call` clears the stored token in this profile.
    pub fn clears_token(&self, call: ClearingCall) -> bool {
        self.clears_token_on.contains(&call)
    }

    /// The failure policy for a response status, given whether the request carried a
    /// token and whether that token was unexpired when the response arrived. `None` for
    /// statuses that are not authentication failures.
    pub fn auth_failure_policy(
        &self,
        status: u16,
        carried_token: bool,
        token_unexpired: bool,
    ) -> Option<&AuthFailurePolicy> {
        match status {
            401 => Some(&self.on_unauthorized),
            403 if !carried_token => Some(&self.on_forbidden_without_token),
            // RETRY-007: a 403 on an expired token is an expiry, handled like a 401.
            403 if !token_unexpired && self.forbidden_on_expired_token_is_expiry => {
                Some(&self.on_unauthorized)
            }
            403 => Some(&self.on_forbidden_with_valid_token),
            _ => None,
        }
    }

    /// Every profile.
    pub fn all() -> Vec<Profile> {
        ProfileId::ALL.into_iter().map(ProfileId::profile).collect()
    }
}

/// What happens to a token passed while JWT is not enabled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DisabledTokenPolicy {
    /// In a debug build.
    pub debug: DisabledTokenAction,
    /// In a release build.
    pub release: DisabledTokenAction,
}

/// The SDK's reaction to a token passed while JWT is not enabled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisabledTokenAction {
    /// The call is dropped without any trace; the token is not stored.
    IgnoreSilently,
    /// A fatal error is raised to the app; the token is not stored.
    RaiseFatal,
}

/// The proactive refresh notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RefreshPolicy {
    /// How long before `exp` the handler is told [`Reason::ExpiredSoon`], in ms.
    pub lead_ms: u64,
    /// How far an SDK may be off `exp - lead_ms`, either way, in ms.
    pub tolerance_ms: u64,
    /// Whether a token set with `exp` already inside the window is notified at once
    /// (REFR-003).
    pub notify_at_once_inside_window: bool,
}

/// The checks made before the first attempt of each request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PreflightPolicy {
    /// Tell the handler [`Reason::NotProvided`] when no token is stored.
    pub notify_not_provided: bool,
    /// Tell the handler [`Reason::Expired`] when the stored token has expired.
    pub notify_expired: bool,
    /// Tell the handler [`Reason::ExpiredSoon`] when the stored token is inside the
    /// refresh window (at most once per token, REFR-005).
    pub notify_expiring_soon: bool,
}

/// What an authentication failure does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AuthFailurePolicy {
    /// Whether the handler is called (with the reason the token's state gives).
    pub notify_handler: bool,
    /// Whether an error is raised to the app (with the reason's vendor code).
    pub raise_app_error: bool,
    /// What happens to the request next.
    pub retry: RetryPolicy,
    /// Whether the failure counts toward the consecutive-failure limit.
    pub counts_toward_limit: bool,
}

/// What happens to a request after an authentication failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RetryPolicy {
    /// The request fails for good at once.
    Never,
    /// Retry up to `attempts` times, each `delay_ms` after the failure (± `tolerance_ms`),
    /// with the token stored at the time of the retry; then fail for good.
    After {
        /// How many retries.
        attempts: u32,
        /// Delay before each retry, in ms.
        delay_ms: u64,
        /// How far an SDK may be off the delay, either way, in ms.
        tolerance_ms: u64,
    },
    /// Hold the request's events until the app provides a new token, then send them again.
    OnNewToken,
    /// Ask the app's token callback for a token for the request's customer (pulled
    /// tokens), then send the request again once, carrying the token provided (RETRY-015).
    RefetchThenRetry,
    /// The request's events go back to the front of the queue and the SDK sends nothing on
    /// its own until a randomised wait is over; each wait lies in
    /// `[min_ms, min(max_ms, factor × the previous wait)]`, the previous wait of the first
    /// failure after a success being `min_ms` (RETRY-016).
    Backoff {
        /// The shortest wait, in ms.
        min_ms: u64,
        /// The longest wait, in ms.
        max_ms: u64,
        /// A wait is at most this many times the previous one.
        factor: u32,
    },
}

impl RetryPolicy {
    /// The most retries one request can get before it fails for good (`None` for
    /// [`RetryPolicy::OnNewToken`], where the bound is one resend per new token, and for
    /// [`RetryPolicy::Backoff`], where retries go on until the failure limit).
    pub fn max_retries(self) -> Option<u32> {
        match self {
            RetryPolicy::Never => Some(0),
            RetryPolicy::After { attempts, .. } => Some(attempts),
            RetryPolicy::RefetchThenRetry => Some(1),
            RetryPolicy::OnNewToken | RetryPolicy::Backoff { .. } => None,
        }
    }
}

/// The bounds of a randomised backoff: each wait lies in `[min_ms, min(max_ms, factor ×
/// previous)]`, measured from the failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Backoff {
    /// The shortest wait, in ms.
    pub min_ms: u64,
    /// The longest wait, in ms.
    pub max_ms: u64,
    /// A wait is at most this many times the previous one.
    pub factor: u32,
}

impl Backoff {
    /// The longest the wait after one of `previous` ms may be (`None`: the previous wait
    /// is not known, so only `max_ms` bounds it).
    pub fn longest_after(self, previous: Option<u64>) -> u64 {
        match previous {
            Some(previous) => previous
                .saturating_mul(u64::from(self.factor))
                .clamp(self.min_ms, self.max_ms.max(self.min_ms)),
            None => self.max_ms.max(self.min_ms),
        }
    }
}

impl RetryPolicy {
    /// The backoff bounds, for [`RetryPolicy::Backoff`].
    pub fn backoff(self) -> Option<Backoff> {
        match self {
            RetryPolicy::Backoff { min_ms, max_ms, factor } => Some(Backoff { min_ms, max_ms, factor }),
            _ => None,
        }
    }
}

impl OtherFailurePolicy {
    /// The backoff bounds, for [`OtherFailurePolicy::Backoff`].
    pub fn backoff(self) -> Option<Backoff> {
        match self {
            OtherFailurePolicy::Backoff { min_ms, max_ms, factor } => {
                Some(Backoff { min_ms, max_ms, factor })
            }
            _ => None,
        }
    }
}

/// The consecutive-failure limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FailureLimit {
    /// After this many consecutive authentication failures, sync stops.
    pub consecutive_failures: u32,
    /// Whether a successful sync resets the count.
    pub reset_on_success: bool,
    /// Sync resumes when the next session begins (and the count starts again from 0).
    pub suspended_until_next_session: bool,
    /// While suspended, an explicit `flush` still sends the head of the queue; only what
    /// the SDK sends on its own is paused (LIMIT-006).
    pub flush_while_suspended: bool,
    /// Reaching the limit deletes what is queued (`events_deleted` `failure_limit`).
    /// No profile's documents say so; a perturbed profile uses it to mirror a shipping SDK.
    pub deletes_queue: bool,
}

/// App calls that may clear the stored token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClearingCall {
    /// `anonymize`.
    Anonymize,
    /// `stop_integration`.
    StopIntegration,
    /// `clear_local_data`.
    ClearLocalData,
    /// `identify` without a token.
    IdentifyWithoutToken,
    /// `logout`.
    Logout,
    /// `set_token` without a token.
    ClearToken,
}

/// A vendor error code for a reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReasonCode {
    /// The reason.
    pub reason: Reason,
    /// The vendor's code.
    pub code: i64,
}

/// A JWS algorithm a profile may accept (RFC 7518 §3.1). Each is bound to one kind of
/// key (RFC 8725 §3.1): an HMAC algorithm to a shared secret, RS256 to an RSA key pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum JwsAlgorithm {
    /// HMAC with SHA-256.
    HS256,
    /// HMAC with SHA-384.
    HS384,
    /// HMAC with SHA-512.
    HS512,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
}

/// The kind of key an algorithm signs and verifies with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// A shared secret (HMAC).
    Hmac,
    /// An RSA key pair: the private key signs, the public key verifies.
    Rsa,
}

impl JwsAlgorithm {
    /// Every algorithm, in a fixed order.
    pub const ALL: [JwsAlgorithm; 4] =
        [JwsAlgorithm::HS256, JwsAlgorithm::HS384, JwsAlgorithm::HS512, JwsAlgorithm::RS256];

    /// The `alg` header value.
    pub fn as_str(self) -> &'static str {
        match self {
            JwsAlgorithm::HS256 => "HS256",
            JwsAlgorithm::HS384 => "HS384",
            JwsAlgorithm::HS512 => "HS512",
            JwsAlgorithm::RS256 => "RS256",
        }
    }

    /// The algorithm whose `alg` header value is exactly `name` (case matters: `hs256`
    /// and `none` are no algorithm).
    pub fn from_name(name: &str) -> Option<Self> {
        JwsAlgorithm::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// The kind of key the algorithm is used with.
    pub fn key_kind(self) -> KeyKind {
        match self {
            JwsAlgorithm::HS256 | JwsAlgorithm::HS384 | JwsAlgorithm::HS512 => KeyKind::Hmac,
            JwsAlgorithm::RS256 => KeyKind::Rsa,
        }
    }

    /// For an HMAC algorithm, the hash output size in bytes: RFC 8725 §3.5's minimum
    /// secret length. `None` for RSA, whose minimum is a modulus size in bits.
    pub fn hmac_bytes(self) -> Option<usize> {
        match self {
            JwsAlgorithm::HS256 => Some(32),
            JwsAlgorithm::HS384 => Some(48),
            JwsAlgorithm::HS512 => Some(64),
            JwsAlgorithm::RS256 => None,
        }
    }
}

impl fmt::Display for JwsAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a header parameter or claim must, may or must not appear.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// It must appear.
    Required,
    /// It may appear.
    Optional,
}

/// How a token is bound to the request it comes with: the claims compared with the
/// request, and the claims whose value is fixed. Claims are named as they appear in the
/// payload; nothing about them is a branch on a vendor.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdentityBinding {
    /// Claims that must equal a value of the request.
    pub matches: Vec<ClaimMatch>,
    /// Claims that must carry one fixed value (a grant, such as Khoros' `scope: appUser`);
    /// a token with another value, or none, does not cover any request (403).
    pub fixed: Vec<FixedClaim>,
}

/// A claim compared, by exact equality, with a value of the request.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClaimMatch {
    /// The claim's name in the payload.
    pub claim: String,
    /// What of the request it is compared with.
    pub with: RequestValue,
    /// `Required`: a token without the claim covers no request. `Optional`: compared
    /// only when the token carries it (a token without it covers any value).
    pub presence: Presence,
}

/// A value of the request a claim is compared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestValue {
    /// The request's whole customer ids map: the claim is an object of strings with the
    /// same members and values.
    CustomerIds,
    /// The request's single identifier, stored under the profile's `identifier_key`.
    Identifier,
    /// The id of the app the request is made from (a mismatch is `app_id_mismatch`).
    AppId,
    /// The customer profile a link or unlink request names; compared on those requests
    /// only.
    LinkedCustomer,
}

/// A claim that must carry one fixed value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FixedClaim {
    /// The claim's name in the payload.
    pub claim: String,
    /// The only value accepted.
    pub value: String,
}

impl IdentityBinding {
    /// The claim compared with `value`, if the binding has one.
    pub fn claim_for(&self, value: RequestValue) -> Option<&ClaimMatch> {
        self.matches.iter().find(|m| m.with == value)
    }
}

/// How a profile's tokens are minted and validated (the backend side).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClaimRules {
    /// Algorithms accepted.
    pub algorithms: Vec<JwsAlgorithm>,
    /// Whether the header must carry `kid`.
    pub kid: Presence,
    /// Whether the header must carry `typ: JWT`.
    pub typ_jwt: Presence,
    /// Claims that must be present.
    pub required_claims: Vec<String>,
    /// Claims the backend writes for information only: read, never compared (Khoros'
    /// `platform` and `givenName`).
    pub informational_claims: Vec<String>,
    /// Whether `exp` must be present.
    pub exp: Presence,
    /// The longest a token may still be valid for, `exp - now`, in seconds.
    pub max_lifetime_s: Option<u64>,
    /// The shortest HMAC key accepted, in bytes (RSA keys: at least 2048 bits, always).
    pub min_key_bytes: usize,
    /// Clock leeway for `exp`, `nbf` and `iat`, in seconds (explicit, VALID-007).
    pub leeway_s: u64,
    /// The largest compact token accepted, in bytes (checked before decoding).
    pub max_token_bytes: usize,
    /// Which claims bind the token to the request's identity, and how.
    pub identity: IdentityBinding,
}

impl ClaimRules {
    /// True when the profile's tokens carry `claim`: required, informational, bound to
    /// the request, or fixed.
    pub fn mentions(&self, claim: &str) -> bool {
        self.required_claims.iter().any(|c| c == claim)
            || self.informational_claims.iter().any(|c| c == claim)
            || self.identity.matches.iter().any(|m| m.claim == claim)
            || self.identity.fixed.iter().any(|f| f.claim == claim)
    }
}

fn bound(claim: &str, with: RequestValue, presence: Presence) -> ClaimMatch {
    ClaimMatch { claim: claim.into(), with, presence }
}

const MINUTE_MS: u64 = 60_000;
const DAY_S: u64 = 86_400;
const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// Exponea stream mode (seed 000). Project/Engagement mode is the same profile
/// configured with `jwt_enabled: false`, where tokens are ignored (CONF-002).
pub fn exponea_stream() -> Profile {
    let retry_once = AuthFailurePolicy {
        notify_handler: true,
        raise_app_error: false,
        retry: RetryPolicy::After { attempts: 1, delay_ms: 1_000, tolerance_ms: 250 },
        counts_toward_limit: false,
    };
    Profile {
        id: ProfileId::ExponeaStream,
        title: "Bloomreach (Exponea) iOS SDK, Data hub stream mode".into(),
        document: "000_b0a9c4ebf5a0bf43.txt".into(),
        identifier_key: None,
        token_call_identifier: false,
        jwt_optional: true,
        anonymous_events: true,
        token_while_jwt_disabled: DisabledTokenPolicy {
            debug: DisabledTokenAction::IgnoreSilently,
            release: DisabledTokenAction::IgnoreSilently,
        },
        refresh: Some(RefreshPolicy {
            lead_ms: MINUTE_MS,
            tolerance_ms: 2_000,
            notify_at_once_inside_window: true,
        }),
        preflight: PreflightPolicy {
            notify_not_provided: true,
            notify_expired: true,
            notify_expiring_soon: true,
        },
        on_unauthorized: retry_once,
        on_forbidden_without_token: retry_once,
        on_forbidden_with_valid_token: AuthFailurePolicy {
            notify_handler: false,
            raise_app_error: false,
            retry: RetryPolicy::Never,
            counts_toward_limit: false,
        },
        forbidden_on_expired_token_is_expiry: true,
        on_other_failure: OtherFailurePolicy::Requeue,
        failure_limit: None,
        clears_token_on: vec![
            ClearingCall::Anonymize,
            ClearingCall::StopIntegration,
            ClearingCall::ClearLocalData,
            ClearingCall::IdentifyWithoutToken,
            ClearingCall::ClearToken,
        ],
        logout_syncs_then_deletes_on_jwt_failure: false,
        handler_reasons: vec![Reason::ExpiredSoon, Reason::Expired, Reason::NotProvided, Reason::Invalid],
        codes: vec![],
        claims: ClaimRules {
            algorithms: vec![JwsAlgorithm::HS256, JwsAlgorithm::HS384, JwsAlgorithm::HS512],
            kid: Presence::Optional,
            typ_jwt: Presence::Optional,
            required_claims: vec!["ids".into(), "exp".into()],
            informational_claims: vec![],
            exp: Presence::Required,
            max_lifetime_s: Some(90 * DAY_S),
            min_key_bytes: 32,
            leeway_s: 0,
            max_token_bytes: MAX_TOKEN_BYTES,
            identity: IdentityBinding {
                matches: vec![bound("ids", RequestValue::CustomerIds, Presence::Required)],
                fixed: vec![],
            },
        },
        handler_term: "JWT error handler".into(),
        calls: vec![
            CallKind::Configure,
            CallKind::SetToken,
            CallKind::RegisterHandler,
            CallKind::Identify,
            CallKind::StopIntegration,
            CallKind::ClearLocalData,
            CallKind::Track,
            CallKind::Flush,
            CallKind::NewSession,
            CallKind::Anonymize,
            CallKind::ClearToken,
        ],
        persists: Persistence { token: true, customer: true, queue: true },
        token_supply: TokenSupply { push: true, pull: None },
        batching: Batching::HeadRunOneInFlight,
        body_signals: vec![],
        auto_flush: None,
    }
}

/// MoEngage iOS (seed 001) and Android (seed 003): the same lifecycle on two platforms.
fn moengage(id: ProfileId, document: &str) -> Profile {
    let hold_for_new_token = AuthFailurePolicy {
        notify_handler: true,
        raise_app_error: false,
        retry: RetryPolicy::OnNewToken,
        counts_toward_limit: true,
    };
    let title = match id {
        ProfileId::MoengageAndroid => "MoEngage Android SDK",
        _ => "MoEngage iOS SDK",
    };
    Profile {
        id,
        title: title.into(),
        document: document.into(),
        identifier_key: Some("identifier".into()),
        token_call_identifier: true,
        jwt_optional: true,
        anonymous_events: true,
        token_while_jwt_disabled: DisabledTokenPolicy {
            debug: DisabledTokenAction::RaiseFatal,
            release: DisabledTokenAction::IgnoreSilently,
        },
        refresh: None,
        preflight: PreflightPolicy {
            notify_not_provided: false,
            notify_expired: false,
            notify_expiring_soon: false,
        },
        on_unauthorized: hold_for_new_token,
        on_forbidden_without_token: hold_for_new_token,
        on_forbidden_with_valid_token: hold_for_new_token,
        forbidden_on_expired_token_is_expiry: true,
        on_other_failure: OtherFailurePolicy::Requeue,
        failure_limit: Some(FailureLimit {
            consecutive_failures: 10,
            reset_on_success: true,
            suspended_until_next_session: true,
            flush_while_suspended: false,
            deletes_queue: false,
        }),
        clears_token_on: vec![ClearingCall::Logout],
        logout_syncs_then_deletes_on_jwt_failure: true,
        handler_reasons: vec![Reason::Expired, Reason::NotProvided, Reason::Invalid],
        codes: vec![],
        claims: ClaimRules {
            algorithms: vec![JwsAlgorithm::HS256],
            kid: Presence::Optional,
            typ_jwt: Presence::Optional,
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
        handler_term: "authentication listener".into(),
        calls: vec![
            CallKind::Configure,
            CallKind::SetToken,
            CallKind::RegisterHandler,
            CallKind::Identify,
            CallKind::StopIntegration,
            CallKind::ClearLocalData,
            CallKind::Track,
            CallKind::Flush,
            CallKind::NewSession,
            CallKind::Logout,
        ],
        persists: Persistence { token: true, customer: true, queue: true },
        token_supply: TokenSupply { push: true, pull: None },
        batching: Batching::HeadRunOneInFlight,
        body_signals: vec![],
        auto_flush: None,
    }
}

/// Khoros Brand Messenger legacy iOS SDK (seed 002).
pub fn khoros_legacy() -> Profile {
    let delegate_then_relogin = AuthFailurePolicy {
        notify_handler: true,
        raise_app_error: false,
        retry: RetryPolicy::OnNewToken,
        counts_toward_limit: false,
    };
    Profile {
        id: ProfileId::KhorosLegacy,
        title: "Khoros Brand Messenger legacy iOS SDK".into(),
        document: "002_55fb01009e8bb77d.txt".into(),
        identifier_key: Some("userId".into()),
        token_call_identifier: true,
        jwt_optional: true,
        anonymous_events: true,
        token_while_jwt_disabled: DisabledTokenPolicy {
            debug: DisabledTokenAction::IgnoreSilently,
            release: DisabledTokenAction::IgnoreSilently,
        },
        refresh: None,
        preflight: PreflightPolicy {
            notify_not_provided: false,
            notify_expired: false,
            notify_expiring_soon: false,
        },
        on_unauthorized: delegate_then_relogin,
        on_forbidden_without_token: delegate_then_relogin,
        on_forbidden_with_valid_token: delegate_then_relogin,
        forbidden_on_expired_token_is_expiry: true,
        on_other_failure: OtherFailurePolicy::Requeue,
        failure_limit: None,
        clears_token_on: vec![ClearingCall::Logout],
        logout_syncs_then_deletes_on_jwt_failure: false,
        handler_reasons: vec![Reason::Expired, Reason::NotProvided, Reason::Invalid],
        codes: vec![],
        claims: ClaimRules {
            algorithms: vec![JwsAlgorithm::HS256],
            kid: Presence::Required,
            typ_jwt: Presence::Required,
            required_claims: vec!["userId".into(), "scope".into(), "iat".into()],
            informational_claims: vec!["platform".into(), "givenName".into()],
            exp: Presence::Optional,
            max_lifetime_s: None,
            min_key_bytes: 32,
            leeway_s: 0,
            max_token_bytes: MAX_TOKEN_BYTES,
            identity: IdentityBinding {
                matches: vec![bound("userId", RequestValue::Identifier, Presence::Required)],
                fixed: vec![FixedClaim { claim: "scope".into(), value: "appUser".into() }],
            },
        },
        handler_term: "authentication delegate".into(),
        calls: vec![
            CallKind::Configure,
            CallKind::SetToken,
            CallKind::RegisterHandler,
            CallKind::Identify,
            CallKind::StopIntegration,
            CallKind::ClearLocalData,
            CallKind::Track,
            CallKind::Flush,
            CallKind::NewSession,
            CallKind::Logout,
        ],
        persists: Persistence { token: true, customer: true, queue: true },
        token_supply: TokenSupply { push: true, pull: None },
        batching: Batching::HeadRunOneInFlight,
        body_signals: vec![],
        auto_flush: None,
    }
}

/// Webex Connect Core SDK (seed 004).
pub fn webex_connect() -> Profile {
    let raise = AuthFailurePolicy {
        notify_handler: false,
        raise_app_error: true,
        retry: RetryPolicy::Never,
        counts_toward_limit: false,
    };
    Profile {
        id: ProfileId::WebexConnect,
        title: "Webex Connect Core SDK".into(),
        document: "004_0ca9a2f3a570ac2a.txt".into(),
        identifier_key: Some("userId".into()),
        token_call_identifier: true,
        jwt_optional: true,
        anonymous_events: true,
        token_while_jwt_disabled: DisabledTokenPolicy {
            debug: DisabledTokenAction::IgnoreSilently,
            release: DisabledTokenAction::IgnoreSilently,
        },
        refresh: None,
        preflight: PreflightPolicy {
            notify_not_provided: false,
            notify_expired: false,
            notify_expiring_soon: false,
        },
        on_unauthorized: raise,
        on_forbidden_without_token: raise,
        on_forbidden_with_valid_token: raise,
        forbidden_on_expired_token_is_expiry: true,
        on_other_failure: OtherFailurePolicy::Requeue,
        failure_limit: None,
        clears_token_on: vec![ClearingCall::Logout],
        logout_syncs_then_deletes_on_jwt_failure: false,
        handler_reasons: vec![],
        codes: vec![
            ReasonCode { reason: Reason::Invalid, code: 38 },
            ReasonCode { reason: Reason::NotProvided, code: 39 },
            ReasonCode { reason: Reason::Expired, code: 40 },
        ],
        claims: ClaimRules {
            algorithms: vec![JwsAlgorithm::HS256],
            kid: Presence::Optional,
            typ_jwt: Presence::Required,
            required_claims: vec!["appId".into()],
            informational_claims: vec![],
            exp: Presence::Optional,
            max_lifetime_s: None,
            min_key_bytes: 32,
            leeway_s: 0,
            max_token_bytes: MAX_TOKEN_BYTES,
            identity: IdentityBinding {
                matches: vec![
                    bound("appId", RequestValue::AppId, Presence::Required),
                    bound("userId", RequestValue::Identifier, Presence::Optional),
                    bound("customerId", RequestValue::LinkedCustomer, Presence::Optional),
                ],
                fixed: vec![],
            },
        },
        handler_term: "error callback".into(),
        calls: vec![
            CallKind::Configure,
            CallKind::SetToken,
            CallKind::RegisterHandler,
            CallKind::Identify,
            CallKind::StopIntegration,
            CallKind::ClearLocalData,
            CallKind::Track,
            CallKind::Flush,
            CallKind::NewSession,
            CallKind::Logout,
        ],
        persists: Persistence { token: true, customer: true, queue: true },
        token_supply: TokenSupply { push: true, pull: None },
        batching: Batching::HeadRunOneInFlight,
        body_signals: vec![],
        auto_flush: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shared_profile_of_each_id_is_its_profile_built_once() {
        for id in ProfileId::ALL {
            assert_eq!(*id.shared(), id.profile());
            assert!(Arc::ptr_eq(&id.shared(), &id.shared()), "{id} is built again");
        }
    }

    #[test]
    fn every_profile_name_parses_back_to_itself() {
        for id in ProfileId::ALL {
            assert_eq!(id.as_str().parse::<ProfileId>().unwrap(), id);
            assert_eq!(id.profile().id, id);
            let json = serde_json::to_string(&id).unwrap();
            assert_eq!(json, format!("\"{}\"", id.as_str()));
        }
    }

    #[test]
    fn an_unknown_profile_name_lists_the_valid_ones() {
        let err = "exponea".parse::<ProfileId>().unwrap_err().to_string();
        assert!(err.starts_with("unknown profile `exponea`; expected one of: "), "{err}");
        for id in ProfileId::ALL {
            assert!(err.contains(id.as_str()), "{id} missing from: {err}");
        }
    }

    #[test]
    fn profiles_round_trip_through_json() {
        for profile in Profile::all() {
            let json = serde_json::to_string(&profile).unwrap();
            assert_eq!(serde_json::from_str::<Profile>(&json).unwrap(), profile);
        }
    }

    #[test]
    fn a_403_on_an_expired_token_is_handled_as_a_401() {
        let p = exponea_stream();
        assert_eq!(p.auth_failure_policy(403, true, false), Some(&p.on_unauthorized));
        assert_eq!(p.auth_failure_policy(403, true, true), Some(&p.on_forbidden_with_valid_token));
        assert_eq!(p.auth_failure_policy(403, false, false), Some(&p.on_forbidden_without_token));
        assert_eq!(p.auth_failure_policy(500, true, true), None);
    }

    #[test]
    fn braze_reads_a_rejection_and_its_code_in_the_body() {
        let p = braze_web();
        let body = |v: serde_json::Value| Body(v);
        let coded = body(serde_json::json!({"auth_error": {"error_code": 22, "reason": "EXPIRED"}}));
        assert_eq!(
            p.read_answer(Reply::OK, Some(&coded)),
            Answer::Rejected { status: 401, expired: false, code: Some(22), by_body: true }
        );
        assert_eq!(p.reason_for_code(22), Reason::Expired);
        assert_eq!(p.reason_for_code(26), Reason::NotProvided);
        assert_eq!(p.reason_for_code(21), Reason::Invalid, "an unlisted code says the token was refused");
        let other = body(serde_json::json!({"ok": true}));
        assert_eq!(p.read_answer(Reply::OK, Some(&other)), Answer::Delivered);
        assert_eq!(p.read_answer(Reply::OK, None), Answer::Delivered);
        assert_eq!(
            p.read_answer(Reply::UNAUTHORIZED, None),
            Answer::Rejected { status: 401, expired: false, code: None, by_body: false }
        );
        assert_eq!(p.read_answer(Reply::Status(500), None), Answer::Other);
        assert_eq!(p.read_answer(Reply::NetworkError, Some(&coded)), Answer::Other);
        // A profile that reads no body ignores it.
        assert_eq!(iterable_web().read_answer(Reply::OK, Some(&coded)), Answer::Delivered);
    }

    #[test]
    fn a_backoff_wait_is_bounded_by_the_factor_and_the_ceiling() {
        let b = braze_web().backoff().unwrap();
        assert_eq!((b.min_ms, b.max_ms, b.factor), (10_000, 300_000, 3));
        assert_eq!(b.longest_after(Some(b.min_ms)), 30_000);
        assert_eq!(b.longest_after(Some(30_000)), 90_000);
        assert_eq!(b.longest_after(Some(200_000)), 300_000);
        assert_eq!(b.longest_after(Some(1)), 10_000, "never below the shortest wait");
        assert_eq!(
            b.longest_after(None),
            300_000,
            "an unknown previous wait is bounded by the ceiling alone"
        );
        assert_eq!(iterable_web().backoff(), None);
    }

    #[test]
    fn iterable_pulls_and_braze_pushes() {
        let it = iterable_web();
        assert!(it.pulls() && !it.token_supply.push);
        assert_eq!(it.on_unauthorized.retry, RetryPolicy::RefetchThenRetry);
        assert_eq!(it.on_unauthorized.retry.max_retries(), Some(1));
        // A 403 on an expired token is not an expiry for Iterable, whose server answers 401.
        assert_eq!(it.auth_failure_policy(403, true, false), Some(&it.on_forbidden_with_valid_token));
        let bz = braze_web();
        assert!(!bz.pulls() && bz.token_supply.push);
        assert!(bz.failure_limit.is_some_and(|l| l.flush_while_suspended && !l.deletes_queue));
        assert_eq!(bz.auto_flush.map(|a| a.interval_ms), Some(10_000));
    }

    #[test]
    fn identity_bindings_name_claims_the_tokens_carry() {
        for p in Profile::all() {
            let rules = &p.claims;
            // A required bound claim is a required claim: a token without it is refused
            // as incomplete (401) before it is compared with the request (403).
            for m in rules.identity.matches.iter().filter(|m| m.presence == Presence::Required) {
                assert!(rules.required_claims.contains(&m.claim), "{}: {}", p.id, m.claim);
            }
            for f in &rules.identity.fixed {
                assert!(rules.required_claims.contains(&f.claim), "{}: {}", p.id, f.claim);
            }
            // Only profiles that name a single identifier bind a claim to it.
            let binds_identifier = rules.identity.claim_for(RequestValue::Identifier).is_some();
            assert_eq!(binds_identifier, p.identifier_key.is_some(), "{}", p.id);
            assert!(!rules.algorithms.is_empty(), "{}", p.id);
        }
    }

    #[test]
    fn algorithms_are_bound_to_their_kind_of_key_and_named_exactly() {
        for alg in JwsAlgorithm::ALL {
            assert_eq!(JwsAlgorithm::from_name(alg.as_str()), Some(alg));
            assert_eq!(alg.hmac_bytes().is_some(), alg.key_kind() == KeyKind::Hmac);
        }
        for name in ["none", "hs256", "RS384", ""] {
            assert_eq!(JwsAlgorithm::from_name(name), None, "{name}");
        }
    }

    #[test]
    fn webex_codes_are_the_documented_ordinals() {
        let p = webex_connect();
        assert_eq!(p.code_for(Reason::Invalid), Some(38));
        assert_eq!(p.code_for(Reason::NotProvided), Some(39));
        assert_eq!(p.code_for(Reason::Expired), Some(40));
        assert_eq!(p.code_for(Reason::ExpiredSoon), None);
    }
}
