//! The registry: every normative rule of the specification.
//!
//! Ids are stable forever once published: a rule that is withdrawn keeps its id and is
//! never reused. Statements paraphrase the vendor documents; where a document is vague
//! or contradicts another, `decision` says what this project decided and why.

use crate::profile::ProfileId::{self, *};
use crate::requirement::{Area, Clause, Level, Requirement, Source, Subject};

mod clauses;

const ALL: &[ProfileId] = &ProfileId::ALL;
const EXPONEA: &[ProfileId] = &[ExponeaStream];
const MOENGAGE: &[ProfileId] = &[MoengageIos, MoengageAndroid];
const KHOROS: &[ProfileId] = &[KhorosLegacy];
const WEBEX: &[ProfileId] = &[WebexConnect];
const HOLDING: &[ProfileId] = &[MoengageIos, MoengageAndroid, KhorosLegacy];
const ITERABLE: &[ProfileId] = &[IterableWeb];
const BRAZE: &[ProfileId] = &[BrazeWeb];
/// Profiles whose app pushes tokens (every one but the pull-only iterable-web).
const PUSHED: &[ProfileId] =
    &[ExponeaStream, MoengageIos, MoengageAndroid, KhorosLegacy, WebexConnect, BrazeWeb];
/// Profiles with a handler or error callback the app registers (not iterable-web).
const HANDLED: &[ProfileId] = PUSHED;
/// Profiles that keep a queue (not iterable-web, which sends each event at once).
const QUEUED: &[ProfileId] = PUSHED;
/// Profiles whose JWT can be left off at configure, Exponea's project mode aside.
const OPTIONAL_JWT: &[ProfileId] = &[MoengageIos, MoengageAndroid, KhorosLegacy, WebexConnect, BrazeWeb];
/// Profiles with a logout call.
const LOGGING_OUT: &[ProfileId] = &[MoengageIos, MoengageAndroid, KhorosLegacy, WebexConnect, IterableWeb];
/// Profiles whose documents leave the token's expiry to the app.
const NO_REFRESH: &[ProfileId] = &[MoengageIos, MoengageAndroid, KhorosLegacy, WebexConnect, BrazeWeb];
/// Profiles with a proactive refresh (a handler call, or an ask for a pulled token).
const REFRESHING: &[ProfileId] = &[ExponeaStream, IterableWeb];
/// Profiles whose consecutive-failure limit pauses sync until the next session.
const LIMITED: &[ProfileId] = &[MoengageIos, MoengageAndroid, BrazeWeb];
/// Profiles with a bounded number of retries per request (not braze-web, whose backoff
/// goes on until its failure limit).
const BOUNDED_RETRIES: &[ProfileId] =
    &[ExponeaStream, MoengageIos, MoengageAndroid, KhorosLegacy, WebexConnect, IterableWeb];
/// Profiles whose tokens are HMAC-signed (not braze-web, RS256).
const HMAC_SIGNED: &[ProfileId] =
    &[ExponeaStream, MoengageIos, MoengageAndroid, KhorosLegacy, WebexConnect, IterableWeb];

const D000: &str = "000_b0a9c4ebf5a0bf43.txt";
const D001: &str = "001_878d786eff8a9dad.txt";
const D002: &str = "002_55fb01009e8bb77d.txt";
const D003: &str = "003_50a9853e0c5e43fb.txt";
const D004: &str = "004_0ca9a2f3a570ac2a.txt";

const fn src(document: &'static str, section: &'static str) -> Source {
    Source::seed(document, section)
}

const EXP_SET: Source = src(D000, "Set JWT token");
const EXP_HANDLER: Source = src(D000, "Register JWT error handler");
const EXP_IDENTIFY: Source = src(D000, "Identify customer with JWT");
const EXP_TIMER: Source = src(D000, "Proactive refresh timer");
const EXP_PREFLIGHT: Source = src(D000, "Pre-flight token check");
const EXP_RETRY: Source = src(D000, "Request retry on authentication failure");
const EXP_CLEAR: Source = src(D000, "Token storage and clearing");
const EXP_GENERATE: Source = src(D000, "Generate JWT tokens");
const MOE_ENABLE: Source = src(D001, "Step 1: Enable JWT Authentication");
const MOE_PASS: Source = src(D001, "Step 2: Pass the JWT to the SDK");
const MOE_ERRORS: Source = src(D001, "Step 3: Handle Authentication Errors");
const MOE_INFO: Source = src(D001, "Step 4: Register the listener after SDK initialization");
const MOA_ENABLE: Source = src(D003, "Step 1: Enable JWT Authentication");
const MOA_PASS: Source = src(D003, "Step 2: Pass the JWT to the SDK");
const MOA_ERRORS: Source = src(D003, "Step 3: Handle Authentication Errors");
const KHO_GENERATE: Source = src(D002, "Generate the JWT");
const KHO_LOGIN: Source = src(D002, "End User Login");
const KHO_IDP: Source = src(D002, "Using an identity provider (IdP)");
const WBX_HEADER: Source = src(D004, "JWT Token Header");
const WBX_PAYLOAD: Source = src(D004, "Token Payload");
const WBX_SIGNATURE: Source = src(D004, "JWT Token Signature");
const WBX_ERRORS: Source = src(D004, "JWT validation errors");
const WBX_INTRO: Source = src(D004, "JWT Authentication");

const IT_DOC: &str = "Iterable web SDK README";
const IT_URL: &str = crate::profile::ITERABLE_DOCUMENT;
const IT_EXPIRES: Source = Source::page(IT_DOC, IT_URL, "What if the user's JWT expires?");
const IT_USING: Source = Source::page(IT_DOC, IT_URL, "Using the SDK");
const IT_WITHJWT: Source = Source::page(IT_DOC, IT_URL, "`WithJWT`");
const IT_TRACK: Source = Source::page(IT_DOC, IT_URL, "`track`");
const IT_INITIALIZE: Source = Source::page(IT_DOC, IT_URL, "`initialize`");
const IT_KEYS_DOC: &str = "Iterable: JWT-Enabled API Keys";
const IT_KEYS_URL: &str = "https://support.iterable.com/hc/en-us/articles/360050801231-JWT-Enabled-API-Keys";
const IT_KEYS: Source = Source::page(IT_KEYS_DOC, IT_KEYS_URL, "JWT-Enabled API Keys");
const IT_GENERATING: Source = Source::page(IT_KEYS_DOC, IT_KEYS_URL, "Generating JWTs");
const BZ_DOC: &str = "Braze developer guide: Setting up SDK authentication";
const BZ_URL: &str = crate::profile::BRAZE_DOCUMENT;
const BZ_KEYS: Source = Source::page(BZ_DOC, BZ_URL, "Step 1.1: Generate a public/private key-pair");
const BZ_JWT: Source = Source::page(BZ_DOC, BZ_URL, "Step 1.2: Create a JSON Web Token for the current user");
const BZ_ENABLE: Source = Source::page(BZ_DOC, BZ_URL, "Step 2.1: Enable authentication in the Braze SDK.");
const BZ_SET: Source = Source::page(BZ_DOC, BZ_URL, "Step 2.2: Set the current user's JWT");
const BZ_CALLBACK: Source =
    Source::page(BZ_DOC, BZ_URL, "Step 2.3: Register a callback function for invalid tokens");
const BZ_CODES: Source = Source::page(BZ_DOC, BZ_URL, "Error codes");
const BZ_RETRIES: Source = Source::page(BZ_DOC, BZ_URL, "How will rejected requests be retried?");
const BZ_MID_SESSION: Source =
    Source::page(BZ_DOC, BZ_URL, "What happens if a JWT expires in the middle of a user's session?");
const BZ_REF_DOC: &str = "Braze Web SDK reference";
const BZ_REF_URL: &str = "https://js.appboycdn.com/web-sdk/latest/doc/modules/braze.html";
const BZ_FLUSH: Source = Source::page(BZ_REF_DOC, BZ_REF_URL, "requestImmediateDataFlush");
const BZ_WIPE: Source = Source::page(BZ_REF_DOC, BZ_REF_URL, "wipeData");

#[allow(clippy::too_many_arguments)]
const fn rule(
    id: &'static str,
    level: Level,
    area: Area,
    subject: Subject,
    profiles: &'static [ProfileId],
    source: Source,
    also: &'static [Source],
    title: &'static str,
    statement: &'static str,
    decision: Option<&'static str>,
) -> Requirement {
    Requirement {
        id,
        level,
        area,
        subject,
        title,
        statement,
        profiles,
        source,
        also,
        decision,
        clauses: clauses::of(id),
    }
}

use Area::*;
use Level::*;
use Subject::*;

/// Every requirement, in id order within each area.
pub static REQUIREMENTS: &[Requirement] = &[
    // ---------------------------------------------------------------- configuration
    rule("CONF-001", Must, Conf, SdkBehaviour, ALL, EXP_SET, &[MOE_PASS, MOA_PASS, KHO_LOGIN, IT_KEYS, BZ_ENABLE],
        "Stored token on every request",
        "When JWT is enabled and a token is stored for the request's customer, the SDK attaches it to every request it sends as `Authorization: Bearer <token>`.",
        Some("The documents say the token is attached to requests but not how. The suite compares the token after `Bearer `, the scheme RFC 6750 gives to bearer tokens. An SDK that carries it in another header (Braze's `X-Braze-Auth-Signature`, its documented \"last known JWT\" appended to every request) is compared on that header's token: the adapter reports it as the request's token.")),
    rule("CONF-002", Must, Conf, SdkBehaviour, EXPONEA, EXP_SET, &[],
        "Project mode ignores tokens",
        "When the SDK is configured without JWT (Exponea project/Engagement mode), a token passed by set-token or identify is ignored silently: nothing is stored, no request carries an Authorization header, the handler is never called and no error is raised. An authentication failure then fails the request at once (`request_failed`), with no retry.",
        None),
    rule("CONF-003", Must, Conf, SdkBehaviour, &[MoengageIos, MoengageAndroid, BrazeWeb], MOE_ENABLE, &[MOA_ENABLE, BZ_ENABLE],
        "JWT is enabled at initialisation",
        "Whether JWT authentication is on is decided when the SDK is configured and does not change until it is configured again.",
        Some("The documents do not say what a second configure does. It re-configures the running SDK: the JWT mode and build take the new values and a new session begins (LIMIT-003); the stored token, the customer, the queue and the handler are kept, because configure is the app's start-up call and apps call it again without meaning to forget their user. The suite demands this one behaviour: an SDK that ignores a second configure keeps a JWT mode the app changed, and one that starts afresh loses the user and their events without any call that says so (QUEUE-001).")),
    rule("CONF-004", Must, Conf, SdkBehaviour, MOENGAGE, MOE_PASS, &[],
        "Token without JWT enabled: fatal in debug builds",
        "In a debug build, passing a token while JWT is not enabled raises a fatal error to the app (`app_error` `jwt_not_enabled`) and the token is not stored.",
        Some("Seed 003 (Android) does not describe this case; the Android profile follows the iOS document, since both profiles share one lifecycle.")),
    rule("CONF-005", Must, Conf, SdkBehaviour, MOENGAGE, MOE_PASS, &[],
        "Token without JWT enabled: dropped in release builds",
        "In a release build, passing a token while JWT is not enabled is dropped silently: no error, nothing stored, no request carries the token.",
        None),
    rule("CONF-006", Must, Conf, SdkBehaviour, PUSHED, EXP_SET, &[src(D000, "Complete integration example")],
        "Token passed to configure",
        "A token passed together with `configure` is handled exactly as a set-token call made immediately after configuring: stored, bound to the current customer, and its refresh scheduled.",
        Some("The documents show the token set after configuration only; one rule for both orders keeps every SDK observable in the same way. A profile whose tokens are only pulled (iterable-web) takes none at configure (CONF-009).")),
    rule("CONF-007", Must, Conf, SdkBehaviour, ALL, EXP_SET, &[],
        "Not running before configure and after stop",
        "Before `configure`, and after `stop_integration` until the next `configure`, the SDK sends nothing, stores no token and registers no handler; a tracked event is reported deleted (`sdk_not_running`) rather than dropped silently.",
        Some("The documents do not describe calls made to an unconfigured or stopped SDK. Some shipping SDKs queue such calls and replay them after configure; the spec does not, because before configure the SDK cannot know whether JWT is enabled (CONF-002, CONF-005), so replaying a token could send one the app configured away. Reporting the event keeps QUEUE-001 (nothing lost silently) true in every state. The Exponea example registers the handler after configuring and before setting the token, which this allows; a handler registered before `stop_integration` stays registered (NOTIFY-006). A profile that sends no events of an anonymous customer (`anonymous_events: false`: iterable-web, whose README has the app identify the user before any API request) treats a `track` made while no customer is identified the same way: it is refused and reported `sdk_not_running`.")),
    rule("CONF-008", Must, Conf, SdkBehaviour, OPTIONAL_JWT, src(D004, "Enabling JWT Authentication for Thread, Topic, and Segment APIs"), &[KHO_LOGIN, MOE_ENABLE],
        "Without JWT no token is used",
        "When the SDK is configured without JWT, no request carries an Authorization header and the handler is never called; an authentication failure fails the request at once (`request_failed`). A token passed is ignored silently, except where CONF-004 raises an error.",
        Some("Seed 004 makes JWT opt-in and seed 002 has no JWT-less mode; neither says what a token passed without JWT does. The spec treats it like Exponea's project mode (CONF-002), the one documented precedent. Braze's guide appends the JWT only when `enableSdkAuthentication` is set, which is this rule.")),
    rule("CONF-009", Must, Conf, SdkBehaviour, ALL, EXP_CLEAR, &[MOE_INFO, KHO_LOGIN, WBX_INTRO, IT_WITHJWT, BZ_SET, BZ_WIPE],
        "The calls each profile has",
        "Each profile lists the app calls its SDK has (`calls`); cases and random runs use only those. Every seed profile has configure, set_token, register_handler, identify, stop_integration, clear_local_data, track, flush and new_session; exponea-stream also has anonymize and set_token without a token, and no logout; moengage-ios, moengage-android, khoros-legacy and webex-connect also have logout, and no anonymize. iterable-web has configure, identify, logout, track and provide_token; braze-web has configure, set_token, register_handler, identify, track, flush, new_session and clear_local_data. A profile whose tokens are only pulled takes no token in configure or identify, and a profile without a mode without JWT is configured with JWT on.",
        Some("The documents name anonymize (seed 000) and logout (seeds 001-003, and Webex Connect's unregister) but never both for one SDK. An adapter answers `unimplemented` for a call its SDK lacks; sending such a call would only shorten a run, so the suite does not. Iterable's README initialises the SDK with the token callback and describes no mode without JWT, and gives setEmail/setUserID, logout and track; it has no token setter and no failure callback. Braze's guide and reference give initialize (JWT optional), changeUser with or without a JWT, setSdkAuthenticationSignature (a token, never none), subscribeToSdkAuthenticationFailures, logCustomEvent, requestImmediateDataFlush, openSession and wipeData (clear_local_data: it removes all local data and makes the user anonymous). Braze's logout also unregisters push and disables the SDK for good, and disableSDK is a persisted opt-out a later initialize does not undo, so neither is the alphabet's logout or stop_integration; braze-web has neither.")),
    // ---------------------------------------------------------------- token storage
    rule("LIFE-001", Must, Life, SdkBehaviour, ALL, EXP_SET, &[MOE_PASS, MOA_PASS, KHO_LOGIN, IT_USING, BZ_SET],
        "Set token stores it",
        "Setting a token stores it; every later request for the same customer carries it until it is replaced or cleared.",
        Some("In a profile that pulls its tokens, the token the app's callback provides is the token set (LIFE-017).")),
    rule("LIFE-002", Must, Life, SdkBehaviour, ALL, EXP_SET, &[BZ_SET],
        "A new token replaces the stored one",
        "Setting a token while one is stored replaces it at once: later requests, including retries already scheduled, carry the new token, and the old token's refresh notification is cancelled.",
        Some("The documents do not say what a second set does. Replacing is what every app's refresh flow relies on, and sending the token current at retry time avoids the known bug of replaying a token frozen when the request was queued. Braze's guide refreshes the token mid-session with setSdkAuthenticationSignature, which is this rule; a pulled token replaces the stored one as a set token does (LIFE-017).")),
    rule("LIFE-003", Must, Life, SdkBehaviour, EXPONEA, EXP_CLEAR, &[],
        "Anonymize clears the token",
        "`anonymize` clears the stored token and starts an anonymous customer.",
        None),
    rule("LIFE-004", Must, Life, SdkBehaviour, EXPONEA, EXP_CLEAR, &[],
        "Stop integration clears the token",
        "`stop_integration` clears the stored token.",
        None),
    rule("LIFE-005", Must, Life, SdkBehaviour, &[ExponeaStream, BrazeWeb], EXP_CLEAR, &[BZ_WIPE],
        "Clearing local data clears the token",
        "`clear_local_data` clears the stored token and starts an anonymous customer.",
        Some("Seed 000 lists `clearLocalCustomerData` among the calls that clear the token, with no precondition; one shipping SDK honours it only before initialisation. The spec follows the document (it applies to a running SDK too), since a call that silently does nothing on a running SDK would leave the token in place; an SDK that ignores it deviates. In every profile the call also forgets the customer (the identity is local data, QUEUE-006). Braze's wipeData removes all locally stored SDK data, so that the user is seen as a new anonymous user: the stored signature goes with it.")),
    rule("LIFE-006", Must, Life, SdkBehaviour, &[ExponeaStream, IterableWeb, BrazeWeb], EXP_IDENTIFY, &[EXP_CLEAR, IT_EXPIRES, BZ_SET],
        "Identify without a token clears it",
        "`identify` without a token clears the stored token; to keep a token across identify, the app passes it again.",
        Some("Seed 000 says so. Iterable's README fetches a new JWT whenever the app signs a user in, so the token of the previous sign-in is not kept (a profile that pulls its tokens then asks for one, LIFE-016). Braze's guide has the app supply the JWT with every changeUser and call changeUser only when the user actually changes, so a changeUser without one leaves the new user without a token; the spec clears it even for the same user, which the guide tells apps not to do.")),
    rule("LIFE-007", Must, Life, SdkBehaviour, PUSHED, EXP_IDENTIFY, &[BZ_SET],
        "Identify with a token stores it for the new customer",
        "`identify` with a token switches to the given customer and stores the token bound to that customer, as set-token would.",
        Some("One shipping SDK merges the new ids into the current customer instead of switching. The spec switches: the request's customer ids are exactly the ids identified (CLAIM-003 requires the token's ids to equal the request's exactly, and the app mints the token for the ids it identifies with), so a merge would make every request's ids differ from its token's.")),
    rule("LIFE-008", Must, Life, SdkBehaviour, ALL, EXP_CLEAR, &[],
        "A cleared token is never sent again",
        "After the token is cleared, no later request carries it, including a retry that was scheduled before the clearing.",
        Some("A request the clearing call itself causes (a customer update an SDK sends on `identify`, QUEUE-008) goes out after the clearing and carries no cleared token; the one exception is MoEngage's logout sync, which the documents send before the user is forgotten, with the token the logout then clears (LIFE-010, QUEUE-002). No other clearing call sends anything first: `anonymize`, `stop_integration` and `clear_local_data` do not flush (QUEUE-004).")),
    rule("LIFE-009", Must, Life, SdkBehaviour, ALL, EXP_GENERATE, &[WBX_PAYLOAD, KHO_IDP],
        "No token leaks across customers",
        "A token is bound to the customer that was current when it was set; the SDK attaches it only to requests made for that customer, never to a request carrying another customer's events.",
        Some("The documents require the token's ids to match the request's; they do not say what an SDK does with events queued for one customer when another is identified. Sending them without that customer's token keeps one customer's token off another's data.")),
    rule("LIFE-010", Must, Life, SdkBehaviour, LOGGING_OUT, MOE_INFO, &[MOA_ERRORS, KHO_LOGIN, IT_WITHJWT],
        "Logout clears the token",
        "`logout` clears the stored token and the customer; a logout sync already started keeps the token it was sent with.",
        Some("Only MoEngage mentions logout, and none of the documents says whether the token survives it. A token belongs to the user it was minted for, so it goes with the user. Iterable's README: logout signs the current user out of the SDK, which is this rule.")),
    rule("LIFE-011", Must, Life, SdkBehaviour, ALL, EXP_TIMER, &[EXP_PREFLIGHT],
        "Unparsable tokens are kept and sent",
        "A token the SDK cannot parse (not three base64url parts, or a payload that is not a JSON object) is still stored and sent; the SDK treats it as a token without `exp`, and the server decides.",
        Some("The documents describe parsing `exp` but not a failure to parse. An SDK cannot verify a signature, so it must not act as the validator; the server's 401 is the answer. A string with anything but base64url characters in its parts (such as `Bearer <jwt>`, with its space) is not three base64url parts, so it is unparsable: the client reads no `exp` from it and sends it as it is.")),
    rule("LIFE-012", Must, Life, SdkBehaviour, ALL, EXP_TIMER, &[WBX_PAYLOAD],
        "Tokens without exp never expire on the client",
        "A token without an integer `exp` claim (a non-negative integer number of seconds) is never expiring or expired on the client: no refresh notification and no pre-flight expiry notification; server rejections are handled as usual.",
        Some("Seed 000 does not cover a token without `exp`; seed 004 makes `exp` optional. The client has nothing to time, so it leaves expiry to the server. An `exp` that is a float, a string or negative counts as none: the backend rejects such a token (VALID-006), so the client must not time it either.")),
    rule("LIFE-013", Must, Life, SdkBehaviour, HOLDING, MOE_PASS, &[MOA_PASS, KHO_LOGIN],
        "The identifier passed with the token is the customer",
        "Where the token call takes an identifier (MoEngage `identifier`, Khoros `userId`), the call makes that identifier the current customer and binds the token to it.",
        Some("The customer ids of an identifier are `{KEY: identifier}` with the profile's `identifier_key`: `identifier` for MoEngage, `userId` for Khoros and Webex Connect. Exponea's and Braze's token calls take no identifier (`token_call_identifier: false`); one passed to them is ignored. iterable-web and braze-web know a customer by one identifier too, `userId` (or `email`) and `user_id`, passed with identify. With JWT disabled the identifier is ignored with the token (CONF-005, CONF-008).")),
    rule("LIFE-014", Must, Life, SdkBehaviour, ALL, EXP_CLEAR, &[MOE_PASS, MOA_PASS, BZ_FLUSH, IT_USING],
        "What persists across launches",
        "After an app restart (`restart`), the SDK keeps what its profile persists: the stored token and the customer it is bound to, the current customer and the queue. Nothing else survives: the handler is registered again, the failure count starts again, and a request in flight is abandoned with its events back at the front of the queue. After the next `configure` the kept token is attached again and timed as if set then.",
        Some("Seed 000 keeps the token in the Keychain so it persists across launches. Seed 001 asks the app to check on later launches whether the token has expired, which presumes the SDK still holds it; the Android and Khoros documents are silent and follow the same reading, as does Webex Connect, whose user stays registered. Events are persisted by every SDK of this kind before they are sent, so a relaunch does not lose them (QUEUE-001). The once-per-token memory of REFR-005 is not persisted: after a relaunch the kept token may be notified again. Braze's reference says the SDK queues data in localStorage, which survives a page load; the user and the signature are kept with it. Iterable's README has the app initialise the SDK and sign the user in on every page, and signing in fetches a new token (LIFE-016), so iterable-web persists nothing; its requests in flight end with the page, and, with no queue to keep them, so do their events, which nothing is left to report.")),
    rule("LIFE-015", Must, Life, SdkBehaviour, EXPONEA, EXP_SET, &[EXP_CLEAR],
        "Setting no token clears it",
        "`set_token` without a token (Exponea `setSdkAuthToken(nil)`) clears the stored token; later requests carry none and its refresh notification is cancelled.",
        Some("Seed 000 documents only setting a token; the shipping SDK accepts nil, and a call that hands the SDK no token has one sensible meaning: there is no token to attach. The other profiles' token calls require a token, so they have no such call.")),
    rule("LIFE-016", Must, Life, SdkBehaviour, ITERABLE, IT_EXPIRES, &[IT_USING, IT_KEYS],
        "Identify asks for the new customer's token",
        "In a profile that pulls its tokens, `identify` clears the stored token (LIFE-006) and asks the app's token callback at once for a token for the identified customer (`token_requested` naming that customer, reason `not_provided` when one is given), every time, the same customer included.",
        Some("Iterable's README fetches a new JWT when the app signs a user in with setEmail or setUserID, and the support article has the SDK call the app's callback when a user is identified. Nothing says a second sign-in of the same user is different, so it asks too.")),
    rule("LIFE-017", Must, Life, SdkBehaviour, ITERABLE, IT_EXPIRES, &[IT_INITIALIZE],
        "A pulled token is stored for the customer asked for",
        "`provide_token` with a token answers one outstanding ask: the token is stored bound to the customer the ask named, replacing the stored token (LIFE-002) and timed for its refresh (REFR-009), provided that customer is still the current one; a token for a customer who is no longer current is not stored. Requests waiting for that ask go out with it (RETRY-015). An answer to an ask the SDK never made, or already answered, changes nothing.",
        Some("The README has the callback return a valid JWT for the user named in its payload, and the SDK use it for later requests. A token minted for one user must not be attached to another's requests (LIFE-009), so one that arrives after the user changed is dropped.")),
    rule("LIFE-018", Must, Life, SdkBehaviour, ITERABLE, IT_EXPIRES, &[],
        "A failed ask",
        "`provide_token` without a token (the callback fails) stores nothing and leaves the stored token as it is; the SDK does not ask again on its own for that occasion, and a request waiting for that ask fails for good (`request_failed` `authentication`, RETRY-015).",
        Some("The README says that if requesting a new JWT fails, the SDK does not try again, and further requests to the API will fail. It does not say what becomes of the token held: the spec keeps it, since the SDK has nothing better, and the server's 401 then asks again (RETRY-015), one of the documented occasions. A request that was waiting for the token cannot be sent with one, so it fails visibly (QUEUE-001).")),
    // ---------------------------------------------------------------- refresh
    rule("REFR-001", Must, Refr, SdkBehaviour, EXPONEA, EXP_TIMER, &[EXP_HANDLER],
        "Refresh notification 60 s before exp",
        "When a token with `exp` is stored, the SDK tells the handler `expired_soon` at `exp - 60 s`, within ±2 s.",
        Some("The document says the timer fires approximately 60 seconds before expiry. The spec fixes the lead at exactly 60 000 ms and accepts ±2 000 ms: wide enough for timer coalescing on mobile platforms, narrow enough to catch a timer set with the wrong lead.")),
    rule("REFR-002", Must, Refr, SdkBehaviour, REFRESHING, EXP_TIMER, &[IT_EXPIRES],
        "The refresh notification names the customer",
        "The `expired_soon` notification (in a profile that pulls its tokens, the refresh ask, REFR-009) carries the customer ids the token is bound to.",
        None),
    rule("REFR-003", Must, Refr, SdkBehaviour, REFRESHING, EXP_TIMER, &[IT_EXPIRES],
        "Token set inside the window",
        "A token set while its `exp` is already 60 s away or less (but not past) is notified `expired_soon` (in a profile that pulls its tokens, asked for again, REFR-009) at once, when it is set.",
        Some("The document does not cover it. A timer scheduled in the past must not be skipped: SDKs that skip it never warn about short-lived tokens, a known complaint with other SDKs. Iterable's README fetches a new JWT when the JWT is within a minute of expiration, which a token provided already inside that minute is.")),
    rule("REFR-004", Must, Refr, SdkBehaviour, REFRESHING, EXP_TIMER, &[EXP_PREFLIGHT],
        "Token set already expired",
        "A token set after its `exp` gets no refresh notification; where the profile checks before sending, the next pre-flight check tells the handler `expired`.",
        Some("The document does not cover it. The pre-flight check already reports expiry; a second notification at set time would double every callback for the same fact. A profile that pulls its tokens and checks nothing before sending learns of it from the server's 401, which asks for a token (RETRY-015).")),
    rule("REFR-005", Must, Refr, SdkBehaviour, REFRESHING, EXP_TIMER, &[EXP_PREFLIGHT],
        "expired_soon at most once per token",
        "`expired_soon` is delivered (in a profile that pulls its tokens, the refresh ask is made) at most once per stored token, by the timer or by a pre-flight check, whichever comes first; later requests inside the window do not repeat it. A notification dropped because no handler was registered (REFR-007) was not delivered, so a later pre-flight inside the window still delivers it.",
        Some("The pre-flight section could be read as notifying on every request inside the window. Repeated callbacks are a reported bug class; once per token is enough to trigger a refresh.")),
    rule("REFR-006", Must, Refr, SdkBehaviour, REFRESHING, EXP_TIMER, &[],
        "No notification for a token no longer stored",
        "Replacing or clearing the token cancels its pending refresh notification (or refresh ask).",
        None),
    rule("REFR-007", Must, Refr, SdkBehaviour, EXPONEA, EXP_HANDLER, &[],
        "No handler, no notification",
        "A notification due while no handler is registered is dropped, not replayed when a handler is registered later, nor by a later `configure` of the running SDK.",
        Some("The document asks apps to register the handler before setting the token so the timer can notify it; it does not promise a replay. Dropping is the behaviour that order implies. A `configure` while running keeps the stored token (the decision of CONF-003) and does not time it again: only a token kept across a restart is timed again at configure (LIFE-014), since the new process has no timer for it.")),
    rule("REFR-008", Must, Refr, SdkBehaviour, NO_REFRESH, MOE_PASS, &[MOA_PASS, KHO_LOGIN, WBX_PAYLOAD, BZ_MID_SESSION],
        "No proactive refresh outside Exponea",
        "Profiles whose documents leave the token lifecycle to the app never notify `expired_soon`.",
        Some("Braze's guide answers a token expiring mid-session with the failure callback, not with a warning before expiry.")),
    rule("REFR-009", Must, Refr, SdkBehaviour, ITERABLE, IT_EXPIRES, &[IT_KEYS],
        "A pulling SDK asks again a minute before exp",
        "In a profile that pulls its tokens, the refresh notification is an ask: when a token with `exp` is stored, the SDK asks its token callback for the token's customer at `exp - 60 s`, within ±2 s (`token_requested`, reason `expired_soon` when one is given). No handler is involved: the ask is made whether or not one is registered.",
        Some("Iterable's README fetches a new JWT when the JWT is within 1 minute of expiration, and the support article has the callback called prior to the current token's expiration. The lead and tolerance are REFR-001's, for the same reasons. The README gives no other bound: a token however long-lived is refreshed a minute before its `exp`, and one provided already inside the minute is asked for again at once (REFR-003).")),
    // ---------------------------------------------------------------- pre-flight
    rule("PRE-001", Must, Pre, SdkBehaviour, EXPONEA, EXP_PREFLIGHT, &[],
        "No token: notProvided, sent without header",
        "Before the first attempt of a request with no token stored for its customer, the handler is told `not_provided`, and the request is sent without an Authorization header.",
        None),
    rule("PRE-002", Must, Pre, SdkBehaviour, EXPONEA, EXP_PREFLIGHT, &[],
        "Expired token: expired, still sent",
        "Before the first attempt of a request whose token has expired, the handler is told `expired`, and the request is still sent with the expired token.",
        None),
    rule("PRE-003", Must, Pre, SdkBehaviour, EXPONEA, EXP_PREFLIGHT, &[],
        "Expiring token: expiredSoon, sent",
        "Before the first attempt of a request whose token is inside the refresh window, the handler is told `expired_soon` (subject to REFR-005), and the request is sent with the token.",
        None),
    rule("PRE-004", Must, Pre, SdkBehaviour, EXPONEA, EXP_PREFLIGHT, &[EXP_RETRY],
        "Pre-flight runs on first attempts only",
        "Pre-flight checks run before the first attempt of a request, not before its retry.",
        Some("The retry follows a failure that has already notified the handler; checking again would notify twice for one failure.")),
    rule("PRE-005", Must, Pre, SdkBehaviour, ALL, EXP_PREFLIGHT, &[WBX_PAYLOAD],
        "When a token counts as expired",
        "On the client a token is expired from the instant `exp` × 1000 ms onward (RFC 7519: on or after), and inside the refresh window from `exp` × 1000 − lead onward; the client applies no leeway.",
        Some("The documents do not define the boundary. RFC 7519 §4.1.4 says on or after `exp`; a client leeway would only hide skew the 60 s lead already absorbs.")),
    // ---------------------------------------------------------------- failures
    rule("RETRY-001", Must, Retry, SdkBehaviour, ALL, EXP_RETRY, &[MOE_ERRORS, KHO_LOGIN, WBX_ERRORS, BZ_CALLBACK],
        "The reason for a rejection",
        "The reason an authentication failure reports (to the handler, as Webex Connect's code, or with the ask a refetch makes) comes from the token the request carried, at the time of the response: `not_provided` if it carried none, `expired` if it had expired, `invalid` otherwise; where the response's body gives the failure's code, from that code (RETRY-019).",
        Some("Seed 000's table says `.expired` or `.invalid` without saying which, and the other documents do not say at all; the token's expiry at response time decides. A request without a token cannot be expired or invalid, so it is `not_provided`, as for a 403 without a token. An ask's reason is judged only when the SDK (or its adapter) gives one.")),
    rule("RETRY-002", Must, Retry, SdkBehaviour, EXPONEA, EXP_RETRY, &[],
        "401: one retry after 1 s with the current token",
        "After a 401 the SDK retries the request once, 1 000 ms after the response (±250 ms), carrying the token stored at the time of the retry.",
        Some("The document says ~1 second. The spec fixes 1 000 ms with ±250 ms tolerance, and the token current at retry time so that a token the handler just provided is used.")),
    rule("RETRY-003", Must, Retry, SdkBehaviour, EXPONEA, EXP_RETRY, &[],
        "A failed retry fails the request for good",
        "If the retry is also rejected (401 or 403), the request fails permanently (`request_failed`), with no further retry and no further handler call.",
        None),
    rule("RETRY-004", Must, Retry, SdkBehaviour, EXPONEA, EXP_RETRY, &[],
        "403 without a token: notProvided and one retry",
        "On a 403 to a request that carried no token, the handler is told `not_provided` and the request is retried once as after a 401.",
        None),
    rule("RETRY-005", Must, Retry, SdkBehaviour, EXPONEA, EXP_RETRY, &[],
        "403 with a valid token: fail at once",
        "On a 403 to a request that carried an unexpired token, the request fails at once: no retry, no handler call, and the token stays stored.",
        Some("`request_failed.cause` is `forbidden` only here, for a 403 to an unexpired token with JWT enabled; every other rejection that fails a request (a 403 to a request without a token, a 403 with JWT disabled, a held request failed by a change of customer, a last retry) fails with `authentication`, since none of them says anything about the token's scope.")),
    rule("RETRY-006", Must, Retry, SdkBehaviour, EXPONEA, EXP_RETRY, &[EXP_HANDLER],
        "The insufficient reason is never delivered",
        "The exponea-stream SDK never calls the handler with `insufficient`.",
        Some("Contradiction: the handler section lists `.insufficient` among the reasons, but the retry table says a 403 with a valid token invokes no handler. The table is the specific rule for the only case that could produce `insufficient`, so it wins; the reason stays in the vocabulary as reserved.")),
    rule("RETRY-007", Must, Retry, SdkBehaviour, EXPONEA, EXP_RETRY, &[],
        "403 on an expired token is an expiry",
        "A 403 to a request whose token has expired when the response arrives is handled like a 401 (`expired`, one retry).",
        Some("The table distinguishes 403 without a token from 403 with a valid token but says nothing of an expired one. The token's expiry is the likelier cause, and refreshing it is the useful reaction.")),
    rule("RETRY-008", Must, Retry, SdkBehaviour, HOLDING, MOE_INFO, &[MOA_ERRORS, KHO_LOGIN],
        "No retry until a new token",
        "After an authentication failure the request is held: it is not sent again until the app provides a new token, and each new token sends the same request again at once (the same events, `attempt` one higher); events tracked meanwhile wait in the queue for the next flush.",
        Some("MoEngage says the SDK does not retry the request until a new token arrives, so what comes back is that request, a retry. Seed 002 describes only the delegate and a re-login with a fresh token; the Khoros profile holds the request until that login, as MoEngage does. The public header of the Smooch iOS SDK that Khoros legacy is built on (`SKTAuthenticationDelegate.h`) caps the automatic retries made with a token passed to the delegate's completion handler at 5 per request; seed 002's example answers the delegate by logging in again instead, which the profile models as a new token (`set_token`), and the header says nothing of logins, so the khoros-legacy profile has no cap: each login resends the held request once (RETRY-013).")),
    rule("RETRY-009", Must, Retry, SdkBehaviour, MOENGAGE, MOE_ERRORS, &[MOA_ERRORS],
        "Authentication errors reach the listener",
        "Every authentication failure (401 or 403) calls the registered listener once, with a reason and the customer's identifier.",
        None),
    rule("RETRY-010", Must, Retry, SdkBehaviour, KHOROS, KHO_LOGIN, &[],
        "Invalid token reaches the delegate",
        "Every authentication failure calls the authentication delegate (`onInvalidToken`) once; the app answers by logging in again with a fresh token.",
        None),
    rule("RETRY-011", Must, Retry, SdkBehaviour, WEBEX, WBX_ERRORS, &[],
        "Webex: rejection raised with its code, no retry",
        "An authentication failure fails the request at once and raises `app_error` `token_rejected` with code 39 when no token was sent, 40 when the token had expired, and 38 otherwise; no retry and no handler call.",
        None),
    rule("RETRY-012", Must, Retry, SdkBehaviour, QUEUED, EXP_RETRY, &[MOE_INFO, BZ_FLUSH],
        "Network failures are not authentication failures",
        "A request that fails without an HTTP response, or with a status other than 2xx, 401 and 403, calls no handler, does not count toward a failure limit, and puts its events back at the front of the queue to be sent on the next flush.",
        Some("No document covers non-authentication failures. Keeping the events queued means nothing is lost, and not counting them keeps a flaky network from suspending sync. Braze's reference says queued data that fails to flush is flushed on a later flush; in braze-web the next automatic one comes after the backoff wait (RETRY-016).")),
    rule("RETRY-013", Must, Retry, SdkBehaviour, BOUNDED_RETRIES, EXP_RETRY, &[MOE_INFO, IT_EXPIRES],
        "Requests per event are bounded",
        "Without a new app call, no event is sent more than 1 + the profile's retry count times; a held request is sent again at most once per new token.",
        Some("Endless refresh and retry loops are a reported bug class. This bounds work per event so that a rejecting server cannot make the SDK loop. braze-web is not bound by a count: its guide retries rejected requests until a valid token comes, so its bound is a rate (the backoff, RETRY-016) and a limit (LIMIT-006).")),
    rule("RETRY-014", Must, Retry, SdkBehaviour, HOLDING, MOE_INFO, &[KHO_LOGIN],
        "A held request does not outlive its customer",
        "When the current customer changes (identify with other ids, anonymize, logout, or a token passed with another identifier) while a request of the previous customer is held, that request fails permanently (`request_failed` `authentication`) and the queue moves on. Likewise, a rejection that would hold a request whose customer is no longer current fails it at once, after the handler call.",
        Some("The documents do not cover a user switch during a hold. Only the previous customer's token could release the request, and the SDK will never be given one again, so holding on would block every later customer's events; failing it visibly keeps QUEUE-001 true.")),
    rule("RETRY-015", Must, Retry, SdkBehaviour, ITERABLE, IT_EXPIRES, &[IT_KEYS],
        "A 401 asks for a token, then resends once",
        "After an authentication failure whose policy refetches (iterable-web: a 401), the SDK asks its token callback at once for a token for the request's customer (`token_requested`, reason per RETRY-001 when one is given), unless an ask for that customer is already outstanding, which the request then waits for. When the ask resolves with a token, the request is sent again at once, once, as its next attempt, carrying that token. A rejected resend, or a failed ask (LIFE-018), fails the request for good (`request_failed` `authentication`) with no further ask for it.",
        Some("Iterable's README fetches a new JWT when a request fails with a 401. It does not say whether the failed request is sent again: the spec resends it once with the new token, so that a token expiring between two asks loses no event, and only once, so that a server rejecting every token cannot make the SDK loop (RETRY-013). Concurrent rejections of one customer may share one ask or make one each: both keep the events.")),
    rule("RETRY-016", Must, Retry, SdkBehaviour, BRAZE, BZ_RETRIES, &[BZ_CALLBACK, BZ_FLUSH],
        "Randomised backoff within bounds",
        "After a failure whose policy backs off (braze-web: every authentication failure, and every failure with no HTTP answer or another status), the request's events go back to the front of the queue and the SDK sends nothing on its own until its wait is over. Each wait, from the failure to the next automatic send, lies between 10 s and the smaller of 300 s and 3 × the previous wait; the previous wait of the first failure after a success is 10 s. At the end of the wait at the latest the SDK sends the head of the queue, carrying the token stored then. Where in its window a wait falls is the SDK's choice; an explicit `flush` sends at once.",
        Some("Braze's guide says rejected requests retry periodically with an exponential backoff until a valid token comes, and that each SDK has a manual flush. It gives no numbers: the suite takes the shipped web SDK's own bounds (10 s, 300 s, a factor of 3, randomised within them), the only ones on record, and checks a wait only against those bounds. It is silent on failures without an HTTP answer; backing off those too keeps an outage from being hammered every 10 s. A retry sent by an explicit flush leaves the next wait bounded by 300 s alone, since the SDK's own wait is then unknown. So does a success of a request the SDK sends on its own (QUEUE-008) during a run of failures: whether it ends the run is the SDK's choice, since such requests may take another path than the queue's.")),
    rule("RETRY-017", Must, Retry, SdkBehaviour, ITERABLE, IT_TRACK, &[IT_EXPIRES],
        "Without a queue a failure ends the request",
        "In a profile that keeps no queue (per-event sending), a request that fails without an authentication failure (no HTTP answer, or a status other than 2xx and 401) fails for good at once: `request_failed` with cause `network`, no handler call, no ask, no retry. So does a 403, with cause `forbidden` for a token that was unexpired and `authentication` otherwise (RETRY-005's causes).",
        Some("The README documents only the 401 occasion for a new token, and the support article answers a missing, invalid or expired token with 401; a 403 is the server refusing the request itself. The README's track returns a promise the app sees rejected, so the event's end is visible, which is what QUEUE-001 asks.")),
    rule("RETRY-018", Must, Retry, SdkBehaviour, ITERABLE, IT_EXPIRES, &[],
        "A refetch does not outlive its customer",
        "When the current customer changes (identify with other ids, logout) while a request of the previous customer waits for an ask (RETRY-015), the request fails for good (`request_failed` `authentication`) at once; the token later provided for that ask is not stored (LIFE-017). Likewise, a rejection that would refetch for a request whose customer is no longer current fails it at once, with no ask.",
        Some("The documents do not cover a user switch while a token is fetched. The token asked for could only be used for the previous customer, whom the SDK no longer serves (LIFE-009), so the request fails visibly, as a held request does (RETRY-014).")),
    rule("RETRY-019", Must, Retry, SdkBehaviour, BRAZE, BZ_CALLBACK, &[BZ_CODES],
        "A failure signalled in the body",
        "A response whose JSON body has `auth_error` is an authentication failure, whatever its status (braze-web reads it in 2xx to 4xx answers), handled as a 401; its reason comes from `auth_error.error_code`: 22 (EXPIRED) `expired`, 26 (MISSING_TOKEN) `not_provided`, any other code `invalid`; the handler is given that code. A 2xx without `auth_error` delivers (QUEUE-007).",
        Some("The guide lists the error codes and the callback's fields (error code, reason, user, token) but not how the server carries a rejection. Braze's servers answer it with an `auth_error` object in the response body, the only signal the shipped SDK reads; the suite's server may also answer 401 or 403, which are rejections too (RETRY-020). The codes for expired and missing tokens have reasons of their own; every other documented code says the token was refused.")),
    rule("RETRY-020", Must, Retry, SdkBehaviour, BRAZE, BZ_CALLBACK, &[BZ_RETRIES, BZ_MID_SESSION],
        "Every rejection reaches the failure subscriber",
        "Every authentication failure (a 401, a 403, or a body with `auth_error`) calls the registered failure subscriber once, with its reason (RETRY-001, RETRY-019) and the request's customer, counts toward the failure limit (LIMIT-006), and is retried after a backoff wait (RETRY-016).",
        Some("The guide has requests rejected for an expired, missing or unverifiable token call the subscriber, and retried with backoff until a valid token comes; it makes no exception for how the rejection is answered.")),
    // ---------------------------------------------------------------- limit
    rule("LIMIT-001", Must, Limit, SdkBehaviour, MOENGAGE, MOE_INFO, &[MOA_ERRORS],
        "10 consecutive failures suspend sync",
        "After 10 consecutive authentication failures in one session, the SDK sends no request until the next session begins.",
        None),
    rule("LIMIT-002", Must, Limit, SdkBehaviour, LIMITED, MOE_INFO, &[MOA_ERRORS, BZ_RETRIES],
        "Success resets the count",
        "A successful sync resets the consecutive-failure count to zero.",
        None),
    rule("LIMIT-003", Must, Limit, SdkBehaviour, LIMITED, MOE_INFO, &[MOA_ERRORS, BZ_RETRIES],
        "What a session is",
        "A session begins at `configure` and at each `new_session` input; a new session ends the suspension and starts the count from zero.",
        Some("The documents do not define the next session. SDKs start one on relaunch or after an inactivity timeout; the suite cannot see either, so the adapter maps `new_session` to whatever starts one in its SDK (Braze: openSession).")),
    rule("LIMIT-004", Must, Limit, SdkBehaviour, LIMITED, MOE_INFO, &[MOA_ERRORS, BZ_RETRIES],
        "Events tracked while suspended are kept",
        "Events tracked while sync is suspended stay queued and are sent once the next session begins.",
        Some("The documents do not say; deleting them would lose data for a reason the user never sees, while keeping them costs only storage. Braze's guide retries rejected requests until a valid token comes and only pauses the retries, so what is queued stays queued.")),
    rule("LIMIT-005", Must, Limit, SdkBehaviour, MOENGAGE, MOE_INFO, &[MOA_ERRORS],
        "A new token does not lift the suspension",
        "While suspended, setting a new token stores it but sends nothing until the next session; a request held for a new token (RETRY-008) then goes out again, as its next attempt, on the first flush after the next session begins.",
        Some("The documents say sync stops until the next session begins, without exception for new tokens. The held request keeps its place at the head of the queue, so the first flush of the new session sends it before anything tracked later.")),
    rule("LIMIT-006", Must, Limit, SdkBehaviour, BRAZE, BZ_RETRIES, &[BZ_FLUSH],
        "Braze: 50 consecutive failures pause automatic sending",
        "After 50 consecutive authentication failures (a success resets the count, LIMIT-002), the SDK sends nothing on its own (no automatic flush, no retry) until the next session begins (LIMIT-003); an explicit `flush` still sends the head of the queue, and its failure counts like any other; a new token does not resume automatic sending; queued events are kept (LIMIT-004).",
        Some("The guide: after 50 consecutive failed attempts retries are paused until the next session start, and each SDK has a method to request a data flush manually. It names the next session as the only thing that resumes retries, so a new token does not. Only authentication failures count (RETRY-012).")),
    // ---------------------------------------------------------------- queue
    rule("QUEUE-001", Must, Queue, SdkBehaviour, ALL, EXP_RETRY, &[MOE_INFO],
        "No event is lost silently",
        "Every tracked event is eventually delivered, still queued, or removed by a rule this spec names, and every removal is an observable output (`request_failed` or `events_deleted`), which comes after any handler call or app error the same failure causes.",
        Some("The order of outputs at one instant is normative only where a rule says so: a removal after the notification of the same failure (here, so the app hears why before the data is gone) and a pre-flight notification before the request it is for (PRE-001..003). Any other outputs of one step may come in any order (a request of the SDK's own next to a failure, the deletions of several sources, two timers due together); cases group such outputs with `any_order`.")),
    rule("QUEUE-002", Must, Queue, SdkBehaviour, MOENGAGE, MOE_INFO, &[MOA_ERRORS],
        "Logout sync failure deletes pending data",
        "`logout` sends the queued events with the current token; if that sync fails with a JWT error, the events are deleted (`events_deleted` `logout_sync_failed`) and not retried.",
        Some("The sync sends what a flush would send now (QUEUE-004): the head run of the queue, when it belongs to the customer logging out, nothing is in flight or held and sync is not suspended; events of an earlier customer wait for the next flush, since this user's token could not carry them (LIFE-009). With JWT disabled there is no JWT error: a rejected logout sync fails like any request (`request_failed`, CONF-008).")),
    rule("QUEUE-003", Must, Queue, SdkBehaviour, QUEUED, EXP_GENERATE, &[],
        "A request carries one customer's events",
        "Events are tagged with the customer current when they are tracked; a request carries the longest run of queued events at the head of the queue that belong to one customer, in order.",
        Some("Needed for LIFE-009: the documents require a token to match the request's customer ids, so a request can only be for one customer.")),
    rule("QUEUE-004", Must, Queue, SdkBehaviour, QUEUED, EXP_RETRY, &[BZ_FLUSH],
        "One request at a time, sent on flush",
        "The SDK has at most one request in flight; `flush` sends the head of the queue when nothing is in flight, nothing is held and sync is not suspended (or its limit lets an explicit flush through, LIMIT-006), and is a no-op otherwise; nothing else sends queued events but a retry, a resend for a new token, MoEngage's logout sync and, in a profile that flushes on a timer, the automatic flush (QUEUE-010).",
        Some("The documents do not describe batching. The suite demands one behaviour of the profiles whose `batching` is `head_run_one_in_flight` (every seed profile and braze-web): a single request in flight carrying the head run, sent only by a flush (or as a retry, a resend for a new token, MoEngage's logout sync, or the automatic flush of a profile that has one). A single in-flight request makes which events a request carries, and which token, decidable at every step; an SDK that batches otherwise is described by a profile whose `batching` says so. A call that is not a flush sends no events: `anonymize` keeps them queued for the next flush (QUEUE-006) and `stop_integration` and `clear_local_data` delete them, so none of them flushes first; sending events during such a call would leave the token they carry to the order of steps inside the call, which no document fixes. An adapter maps `flush` to the SDK's flush call. Braze's reference describes one queue flushed on an interval; sending a second batch while the first is unanswered is not needed for that.")),
    rule("QUEUE-005", Must, Queue, SdkBehaviour, ALL, EXP_RETRY, &[WBX_ERRORS],
        "A permanently failed request reports its events",
        "When a request fails permanently its events are gone, and the `request_failed` output lists them.",
        None),
    rule("QUEUE-006", Must, Queue, SdkBehaviour, QUEUED, EXP_CLEAR, &[BZ_WIPE],
        "Stopping or clearing discards the queue",
        "`stop_integration` and `clear_local_data` delete every queued event and the events of a request in flight or held, reported as `events_deleted`; `anonymize` keeps queued events, which stay tagged with the previous customer.",
        Some("The documents say these calls clear the token; stopping or wiping local data also removes data waiting to be sent, and the deletion is reported so nothing is lost silently. How the deleted events are grouped into `events_deleted` outputs, and in what order, is not normative: each event is reported once, under the call's rule. A request in flight (or held, or waiting for its retry) is abandoned with its events: a late answer to it is ignored (no handler call, no retry, no delivery). `clear_local_data` also makes the customer anonymous; `stop_integration` keeps it.")),
    rule("QUEUE-007", Must, Queue, SdkBehaviour, ALL, EXP_RETRY, &[MOE_INFO],
        "Success delivers the request's events",
        "A 2xx response delivers the request's events: they leave the queue and are never sent again.",
        Some("Some backends say more than a status in the response body (a reason such as `token_expired`, or an authentication failure inside a 2xx). A body changes what an answer means only where the profile's `body_signals` list the field its SDK reads; the seed profiles' documents name no body field, so for them the status alone decides and a 2xx delivers whatever its body says.")),
    rule("QUEUE-008", Must, Queue, SdkBehaviour, ALL, EXP_RETRY, &[EXP_IDENTIFY],
        "Requests the SDK sends on its own",
        "A request that carries no tracked event (a customer update, a session start, any other `kind` than `events`) follows the token rules (CONF-001 and the LIFE rules) and its profile's failure rules, and is not judged by the queue's rules (QUEUE-001..007): it neither counts as the request in flight nor delivers events.",
        Some("Shipping SDKs send customer updates on identify and session requests on their own; the documents describe only the token they carry. Leaving them out of the queue's rules lets a case about events run on such an SDK, while the token rules keep them honest. Whether an SDK sends them, when, and how many is its choice, and so is whether it runs its pre-flight check (PRE-001..003) before them: seed 000 says \"before each stream HTTP request\" without saying whether a customer update is one, so the notification is accepted and not required. They take ids in the same sequence as the SDK's other requests; a case numbers only the requests it expects and the suite binds its numbers to the SDK's, so the numbering they cause is not normative either. Their answers count as the profile's failure rules say, toward a failure limit and resetting it included.")),
    rule("QUEUE-009", Must, Queue, SdkBehaviour, ITERABLE, IT_TRACK, &[IT_USING],
        "Per-event sending",
        "In a profile that sends per event, each `track` sends one request at once, carrying exactly that event, for the customer current at the call and with the token stored for that customer; several requests may be in flight at once, nothing waits in a queue, and the SDK has no flush.",
        Some("Iterable's README maps each call to one API request (track to `POST /api/events/track`) and describes no queue or batching. Requests in flight are independent: each one is answered, retried and failed on its own.")),
    rule("QUEUE-010", Must, Queue, SdkBehaviour, BRAZE, BZ_FLUSH, &[BZ_RETRIES],
        "Automatic flush on an interval",
        "In a profile that flushes on a timer (braze-web: every 10 s), queued events that can be sent (nothing in flight, no backoff wait, not paused by the failure limit) are sent without a `flush` call, as the head of the queue, no later than the interval (with 1 s of tolerance) after they became sendable; the SDK may send them earlier, at a tick of its own timer. It sends nothing on its own at an app call.",
        Some("Braze's reference says logged data is queued locally and sent asynchronously on a regular interval, 10 seconds when localStorage is available (3 seconds otherwise; the suite's browser has it). The phase of the SDK's timer is not visible, so any automatic send within the interval is accepted, and the interval bounds the wait.")),
    // ---------------------------------------------------------------- notifications
    rule("NOTIFY-001", Must, Notify, SdkBehaviour, HANDLED, EXP_HANDLER, &[MOE_ERRORS, MOA_ERRORS, KHO_LOGIN],
        "Notifications name the customer",
        "Every handler call carries its reason and the customer ids of the customer it concerns.",
        None),
    rule("NOTIFY-002", Must, Notify, SdkBehaviour, HANDLED, EXP_HANDLER, &[MOE_ERRORS],
        "Without a handler nothing is called",
        "While no handler is registered no handler call is made; the lifecycle goes on unchanged.",
        None),
    rule("NOTIFY-003", Must, Notify, SdkBehaviour, HANDLED, EXP_HANDLER, &[MOE_ERRORS],
        "Only the profile's reasons",
        "The handler is only ever told a reason the profile lists (`expired_soon`, `expired`, `not_provided`, `invalid` for Exponea; `expired`, `not_provided`, `invalid` for MoEngage, Khoros and Braze; none for Webex Connect).",
        None),
    rule("NOTIFY-004", Must, Notify, SdkBehaviour, MOENGAGE, MOE_ERRORS, &[MOA_ERRORS],
        "MoEngage codes are not compared",
        "The listener's `code` is not compared by the suite; the reason and the identifier are.",
        Some("The documents show that the listener receives a code but never list the codes, so the spec cannot fix them.")),
    rule("NOTIFY-005", Must, Notify, SdkBehaviour, WEBEX, WBX_ERRORS, &[],
        "Webex error codes",
        "Webex Connect reports TokenInvalid as 38, TokenRequired as 39 and TokenExpired as 40.",
        None),
    rule("NOTIFY-006", Must, Notify, SdkBehaviour, HANDLED, EXP_HANDLER, &[MOE_ERRORS],
        "One handler",
        "Registering a handler replaces any handler registered before; it stays registered across identify, anonymize, logout, `stop_integration` and a later `configure` (an app restart forgets it, LIFE-014).",
        Some("The documents register one handler at start-up and never remove it. A stopped SDK calls no handler (CONF-007) but keeps the registration, because registering is app code run once at start-up, not part of the integration that stop ends.")),
    rule("NOTIFY-007", Must, Notify, SdkBehaviour, HANDLED, EXP_HANDLER, &[MOE_ERRORS, KHO_LOGIN],
        "A handler that throws",
        "An exception thrown (or a rejection returned) by the app's handler never reaches the lifecycle: the SDK goes on exactly as if the handler had returned.",
        Some("The documents do not say. The handler is app code the SDK cannot trust, and one shipping SDK's own tests check that a throwing handler leaves it working: a failure in app code must not stop sync or lose events.")),
    rule("NOTIFY-008", Must, Notify, SdkBehaviour, ALL, EXP_HANDLER, &[MOE_ERRORS, WBX_ERRORS],
        "No unprompted calls",
        "The SDK calls the handler, asks for a token and raises errors to the app only where a rule of this specification calls for it.",
        Some("The documents list the occasions for each callback and no others. Stated so that a call no rule explains is named as such rather than blamed on an unrelated rule. Whether an SDK asks the app for tokens at all is its profile's `token_supply`: pushed by the app, pulled through the app's token callback (`token_requested`, answered by `provide_token`), or both. The seed documents have the app pass every token, so the seed profiles only push and any ask from them is unprompted.")),
    // ---------------------------------------------------------------- claims
    rule("CLAIM-001", Must, Claim, Token, EXPONEA, EXP_GENERATE, &[],
        "Exponea algorithms",
        "Exponea tokens are signed with HS256, HS384 or HS512; any other `alg` is rejected.",
        None),
    rule("CLAIM-002", Should, Claim, Token, EXPONEA, EXP_GENERATE, &[],
        "Exponea kid",
        "An Exponea token should carry `kid` naming the signing key; when present it selects the key from the ring.",
        None),
    rule("CLAIM-003", Must, Claim, Token, EXPONEA, EXP_GENERATE, &[],
        "Exponea ids match exactly",
        "The `ids` claim is an object of string values that must equal the request's customer ids exactly (same keys, same values); otherwise the request is forbidden (403).",
        None),
    rule("CLAIM-004", Must, Claim, Token, EXPONEA, EXP_GENERATE, &[EXP_TIMER],
        "Exponea exp at most 90 days ahead",
        "An Exponea token carries an integer `exp` no more than 90 days after the time of validation.",
        Some("The document says expiration should match the session and be at most 90 days, and the SDK's timer needs `exp`; the spec makes `exp` required and measures the 90 days from validation time, as there is no `iat`.")),
    rule("CLAIM-005", Must, Claim, Token, KHOROS, KHO_GENERATE, &[],
        "Khoros header",
        "A Khoros token is HS256 with header `kid` (the app key id) and `typ: JWT`.",
        None),
    rule("CLAIM-006", Must, Claim, Token, KHOROS, KHO_GENERATE, &[KHO_IDP],
        "Khoros claims",
        "A Khoros token carries `userId` equal to the user logging in and `scope: appUser` (any other scope is forbidden); `platform` and `givenName` are informational.",
        None),
    rule("CLAIM-007", Must, Claim, Token, KHOROS, KHO_GENERATE, &[],
        "iat in seconds",
        "`iat` is a NumericDate in seconds; an `iat` later than the time of validation (as a millisecond timestamp would be) is rejected.",
        Some("Seed 002's example builds `iat` from a millisecond timestamp, but RFC 7519 NumericDate is seconds. The spec follows the RFC; a millisecond value lands tens of thousands of years ahead and is rejected as issued in the future.")),
    rule("CLAIM-008", Must, Claim, Token, KHOROS, KHO_GENERATE, &[],
        "Khoros secret as UTF-8",
        "The Khoros key is the UTF-8 bytes of the app key secret.",
        None),
    rule("CLAIM-009", Must, Claim, Token, WEBEX, WBX_HEADER, &[WBX_INTRO],
        "Webex header",
        "A Webex Connect token is HS256 with `typ: JWT`; any other algorithm is rejected.",
        None),
    rule("CLAIM-010", Must, Claim, Token, WEBEX, WBX_PAYLOAD, &[],
        "Webex appId",
        "`appId` is required and must equal the app asset's id.",
        None),
    rule("CLAIM-011", Must, Claim, Token, WEBEX, WBX_PAYLOAD, &[],
        "Webex userId",
        "`userId` is optional; when present it must equal the request's user.",
        None),
    rule("CLAIM-012", Must, Claim, Token, WEBEX, WBX_PAYLOAD, &[],
        "Webex customerId on link and unlink only",
        "`customerId` is optional and is compared with the customer profile only when linking or unlinking a profile.",
        None),
    rule("CLAIM-013", Must, Claim, Token, WEBEX, WBX_PAYLOAD, &[],
        "Webex exp optional",
        "`exp` is optional for Webex Connect; when present it is enforced, and no maximum lifetime applies.",
        None),
    rule("CLAIM-014", Must, Claim, Token, WEBEX, WBX_SIGNATURE, &[],
        "Webex secret of at least 32 bytes",
        "The Webex Connect shared secret is at least 32 bytes before base64 encoding; a shorter key is refused when the key ring is built.",
        None),
    rule("CLAIM-015", Must, Claim, Token, MOENGAGE, MOE_PASS, &[MOA_PASS],
        "MoEngage token bound to its identifier",
        "A MoEngage token minted by this project carries `sub` equal to the identifier passed with it, and `exp`.",
        Some("The documents leave the token's contents to the MoEngage dashboard. The suite's stand-in server binds the token to the identifier through `sub`, the registered claim for the subject (RFC 7519 §4.1.2).")),
    rule("CLAIM-016", Must, Claim, Token, HMAC_SIGNED, EXP_GENERATE, &[WBX_SIGNATURE],
        "HMAC keys as long as the hash",
        "An HMAC key is at least as long as the hash output of every algorithm it may be used with (32 bytes for HS256, 48 for HS384, 64 for HS512).",
        Some("RFC 8725 §3.5. Only Webex states a length; the other profiles get the RFC's floor.")),
    rule("CLAIM-017", Must, Claim, Token, ITERABLE, IT_GENERATING, &[IT_KEYS],
        "Iterable header and user",
        "An Iterable token is HS256 with `typ: JWT`, and its payload names the user it gives access to by `email` or `userId`, which must equal the request's user; a missing, invalid or expired token is answered 401.",
        None),
    rule("CLAIM-018", Must, Claim, Token, BRAZE, BZ_JWT, &[BZ_KEYS],
        "Braze header and subject",
        "A Braze token is RS256 (an RSA key pair, 2048 bits recommended) with `typ: JWT`; `sub` must equal the user id passed to changeUser, and `exp` is required.",
        None),
    // ---------------------------------------------------------------- validation
    rule("VALID-001", Must, Valid, Token, ALL, EXP_GENERATE, &[WBX_HEADER],
        "Algorithm allow-list bound to the key",
        "A token is verified only with an algorithm both the profile and the selected key allow; `none` and every non-HMAC algorithm are rejected.",
        None),
    rule("VALID-002", Must, Valid, Token, ALL, EXP_GENERATE, &[KHO_GENERATE],
        "kid selects only from the ring",
        "`kid` only names a key in the configured ring; an unknown `kid` is rejected, and `kid` is never used as a path, URL or query.",
        None),
    rule("VALID-003", Must, Valid, Token, ALL, EXP_GENERATE, &[],
        "crit is rejected",
        "A token whose header carries `crit` is rejected: this project understands no extension.",
        None),
    rule("VALID-004", Must, Valid, Token, ALL, EXP_GENERATE, &[],
        "Size limit before decoding",
        "A token longer than the profile's limit (8 KiB) is rejected before any part is decoded.",
        None),
    rule("VALID-005", Must, Valid, Token, ALL, EXP_GENERATE, &[],
        "Duplicate member names are rejected",
        "A header or payload with a duplicate JSON member name, or that is not a UTF-8 JSON object, is rejected as malformed.",
        None),
    rule("VALID-006", Must, Valid, Token, ALL, EXP_GENERATE, &[WBX_PAYLOAD],
        "NumericDates are integers in range",
        "`exp`, `nbf` and `iat` are non-negative integers below 2^53 seconds; floats, strings and negative values are rejected.",
        Some("RFC 7519 allows non-integer NumericDates, but none of the documents uses them and type confusion in `exp` is a known vulnerability class.")),
    rule("VALID-007", Must, Valid, Token, ALL, EXP_GENERATE, &[],
        "Explicit leeway",
        "Time claims are checked with the leeway the profile states (0 s in every profile): no silent default leeway.",
        Some("The documents give no leeway; the client refreshes 60 s early, so server-side leeway is not needed to absorb skew.")),
    rule("VALID-008", Must, Valid, Token, ALL, EXP_GENERATE, &[],
        "Constant-time signature check",
        "The signature is compared in constant time.",
        None),
    rule("VALID-009", Must, Valid, Token, ALL, EXP_RETRY, &[WBX_ERRORS],
        "Rejections map to status and code",
        "A missing, expired, malformed or badly signed token is answered 401; a token that is valid but does not cover the request (ids, user or app mismatch, insufficient scope) is answered 403; Webex Connect adds code 39, 40 or 38.",
        Some("Seed 000's retry table separates 401 from 403-with-a-valid-token; the validator follows that split for every profile.")),
];

/// Looks a clause up by its id, `<requirement id>/<clause name>`.
pub fn clause(id: &str) -> Option<(&'static Requirement, &'static Clause)> {
    let (requirement_id, name) = id.split_once('/')?;
    let r = requirement(requirement_id)?;
    Some((r, r.clause(name)?))
}

/// Looks a requirement up by id.
pub fn requirement(id: &str) -> Option<&'static Requirement> {
    REQUIREMENTS.iter().find(|r| r.id == id)
}

/// The requirements that apply to `profile`.
pub fn requirements_for(profile: ProfileId) -> impl Iterator<Item = &'static Requirement> {
    REQUIREMENTS.iter().filter(move |r| r.applies_to(profile))
}
