'use strict';
/**
 * The `braze-web` adapter: drives the real, unmodified `@braze/web-sdk` (ES modules, `src/`) on
 * the kit, in a jsdom page whose `window` is Node's global object. See
 * /work/notes/real-sdks-facts.md for what the SDK does and why each mapping is what it is.
 *
 * Token supply is pushed: `changeUser(id, jwt)` and `setSdkAuthenticationSignature(jwt)`; the
 * token rides in the `X-Braze-Auth-Signature` header; failures reach the app through
 * `subscribeToSdkAuthenticationFailures`, and only for a 2xx whose body has `auth_error`.
 */

const SDK_PACKAGE = '@braze/web-sdk';
const API_KEY = 'jwt-lifecycle-conformance-api-key';
const BASE_URL = 'sdk.iad-01.braze.com';

/**
 * Braze error codes (developer guide, "SDK Authentication", "Error codes") as the alphabet's
 * reasons: 22 EXPIRED is `expired`, 26 MISSING_TOKEN is `not_provided`; every other code (10
 * expiration required, 20 decoding error, 21 subject mismatch, 23 invalid payload, 24 incorrect
 * algorithm, 25 public key error, 27 no matching public keys, 28 payload user id mismatch) says
 * the token was refused: `invalid`. The vendor code itself is reported in `code`.
 */
function reasonOf(errorCode) {
  switch (errorCode) {
    case 22:
      return 'expired';
    case 26:
      return 'not_provided';
    default:
      return 'invalid';
  }
}

function customerIds(request) {
  const body = request.json || {};
  const fromEvents = (body.events || []).map((e) => e.user_id).find((id) => typeof id === 'string');
  const id = (body.respond_with && body.respond_with.user_id) || body.user_id || fromEvents;
  return typeof id === 'string' ? { user_id: id } : {};
}

/** Custom events (`name: "ce"`, the event's own name in `data.n`) are the alphabet's events. */
function eventsOf(request) {
  const body = request.json || {};
  return (body.events || []).filter((e) => e.name === 'ce' && e.data && typeof e.data.n === 'string').map((e) => e.data.n);
}

function kindOf(request) {
  const body = request.json || {};
  if (!request.path.endsWith('/data/')) return 'other';
  if (eventsOf(request).length > 0) return 'events';
  const types = (body.events || []).map((e) => e.name);
  if (types.includes('ss') || types.includes('se')) return 'session';
  if ((body.attributes || []).length > 0) return 'customer_update';
  return 'other';
}

function buildSpec() {
  return {
    name: 'braze-web',
    version: '0.1.0 (@braze/web-sdk 6.13.0)',
    profiles: ['braze-web'],
    // The SDK needs a document (it parses its base URL with an <a> element, listens for
    // visibilitychange) and a visible page (a hidden one defers flushes); IndexedDB holds a
    // copy of the signature for the service worker; its backoff uses Math.random.
    environment: { dom: { url: 'https://app.example.test/' }, indexedDB: true },
    load: (ctx) => ctx.import(SDK_PACKAGE),
    request: {
      authorization: { header: 'X-Braze-Auth-Signature', bearer: false },
      customerIds,
      events: eventsOf,
      kind: kindOf,
      attempt: (request) => Number(request.header('X-Braze-Req-Attempt')) || 1,
    },
    calls: {
      configure(ctx, input) {
        const options = { baseUrl: BASE_URL, enableSdkAuthentication: input.jwt_enabled !== false, enableLogging: input.debug === true };
        if (!ctx.sdk.initialize(API_KEY, options)) throw new Error('braze.initialize returned false');
        if (input.token) ctx.sdk.setSdkAuthenticationSignature(input.token);
        // Configure begins the first session (docs/adapter-protocol.md §2.3).
        ctx.sdk.openSession();
      },
      set_token(ctx, input) {
        if (input.token == null) ctx.unimplemented('@braze/web-sdk has no call that clears the signature');
        ctx.sdk.setSdkAuthenticationSignature(input.token);
      },
      register_handler(ctx, input) {
        ctx.sdk.subscribeToSdkAuthenticationFailures((error) => {
          ctx.observe('handler_called', {
            reason: reasonOf(error && error.errorCode),
            customer_ids: error && error.userId ? { user_id: error.userId } : {},
            code: error && Number.isInteger(error.errorCode) ? error.errorCode : null,
          });
          if (input.throws) throw new Error('the app handler throws (as the case asks)');
        });
      },
      identify(ctx, input) {
        const id = input.customer_ids && input.customer_ids.user_id;
        if (typeof id !== 'string') ctx.unimplemented(`@braze/web-sdk identifies by a user id ({"user_id": ...}), not ${JSON.stringify(input.customer_ids)}`);
        ctx.sdk.changeUser(id, input.token || undefined);
      },
      logout(ctx) {
        ctx.sdk.wipeData();
      },
      // The profile's clearing call is wipeData (LIFE-005): it clears the stored signature,
      // the user and the queued events.
      clear_local_data(ctx) {
        ctx.sdk.wipeData();
      },
      track(ctx, input) {
        // false: the SDK refused the event (not initialised, disabled, invalid name) and queued
        // nothing; it logs why on the console. The return value is the SDK telling the app the
        // event will not be sent, which the alphabet says as a deletion by an SDK that cannot
        // send (CONF-007); the suite's event names are valid, so the refusal is the SDK's state.
        if (!ctx.sdk.logCustomEvent(input.event)) {
          ctx.log(`braze-web: logCustomEvent(${input.event}) returned false`);
          ctx.observe('events_deleted', { events: [input.event], rule: 'sdk_not_running' });
        }
      },
      flush(ctx) {
        ctx.sdk.requestImmediateDataFlush();
      },
      new_session(ctx) {
        ctx.sdk.openSession();
      },
    },
  };
}

module.exports = { buildSpec, reasonOf, customerIds, eventsOf, kindOf };
