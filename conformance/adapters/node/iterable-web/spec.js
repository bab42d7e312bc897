'use strict';
/**
 * The `iterable-web` adapter: drives the real, unmodified `@iterable/web-sdk` (its Node build,
 * `index.node.js`, a webpack bundle with axios inside) on the kit. See
 * /work/notes/real-sdks-facts.md for what the SDK does and why each mapping is what it is.
 *
 * Token supply is pulled: the SDK calls the app's `generateJWT({email}|{userID})`; the adapter
 * reports each call as `token_requested` and returns the kit's ask, settled by `provide_token`.
 */

const SDK_PACKAGE = '@iterable/web-sdk';
const API_KEY = 'jwt-lifecycle-conformance-api-key';

/** The customer a request is for, from the fields the SDK's request interceptor adds. */
function customerIds(request) {
  const body = request.json || {};
  const holder = body.user && typeof body.user === 'object' ? body.user : body;
  if (typeof holder.email === 'string') return { email: holder.email };
  if (typeof holder.userId === 'string') return { userId: holder.userId };
  if (typeof body.currentEmail === 'string') return { email: body.currentEmail };
  if (typeof body.currentUserId === 'string') return { userId: body.currentUserId };
  return {};
}

/** What an API route is, in the alphabet's kinds. */
function kindOf(request) {
  const route = request.path.replace(/^\/api/, '');
  if (route === '/events/track' || route === '/commerce/trackPurchase' || route === '/commerce/updateCart') return 'events';
  if (route.startsWith('/users/')) return 'customer_update';
  if (route.includes('session')) return 'session';
  return 'other';
}

function eventsOf(request) {
  if (kindOf(request) !== 'events') return [];
  const body = request.json || {};
  return typeof body.eventName === 'string' ? [body.eventName] : [];
}

/** The customer the SDK asks a token for: its generateJWT payload, in the alphabet's shape. */
function askedFor(payload) {
  if (payload && typeof payload.email === 'string') return { email: payload.email };
  if (payload && typeof payload.userID === 'string') return { userId: payload.userID };
  return {};
}

/**
 * How a `track` promise's rejection reads as `request_failed.cause`: the SDK rejects with the
 * axios error of the last attempt (401 after the one refetch-and-resend, 403, another status, or
 * a network error).
 */
function causeOf(error, lastRequest) {
  // After a 401 whose refetch failed the SDK rejects with the app's generateJWT error, which
  // has no response: the request itself ended with the 401 it got.
  const answered = lastRequest && lastRequest.reply && lastRequest.reply.reply;
  const status = (error && error.response && error.response.status) || (answered && answered.status);
  if (status === 401) return 'authentication';
  if (status === 403) return 'forbidden';
  return 'network';
}

/**
 * Why the SDK asks, as the adapter can see it: the SDK passes no reason to generateJWT, but it
 * calls it from exactly three places (facts file, "token supply"): setEmail/setUserID (no token
 * yet), its response interceptor on a 401 (refused: expired or invalid, which the adapter cannot
 * tell, so no reason), and its refresh timer one
 * minute before exp (the only timer it has). The step that caused the call tells which.
 */
function reasonFromStep(step) {
  if (!step) return null;
  if (step.kind === 'app' && step.call === 'identify') return 'not_provided';
  // A 401 says the token was refused, not whether it was expired or invalid, and the SDK
  // passes no reason: the adapter cannot see which, so it says none.
  if (step.kind === 'respond') return null;
  if (step.kind === 'advance') return 'expired_soon';
  return null;
}

function buildSpec() {
  return {
    name: 'iterable-web',
    version: '0.1.0 (@iterable/web-sdk 2.2.1)',
    profiles: ['iterable-web'],
    environment: { dom: false },
    // The SDK reads localStorage and XMLHttpRequest as globals; axios picks XHR at load time,
    // which is why the kit installs the fakes first and loads the SDK after.
    load: (ctx) => ctx.require(SDK_PACKAGE),
    request: {
      authorization: { header: 'Authorization', bearer: true },
      customerIds,
      events: eventsOf,
      kind: kindOf,
      // The SDK numbers nothing; its one resend after a 401 is recognised by the adapter
      // (see `attempt` in onRequest below).
    },
    onRequest(ctx, request) {
      // A resend after a 401 goes out with the same body as the request that got the 401.
      const previous = ctx.requests
        .list()
        .filter((r) => r.id < request.id && r.body === request.body && r.url === request.url && r.reply && r.reply.reply && r.reply.reply.status === 401);
      const attempt = previous.length > 0 ? (ctx.state.attempts.get(previous[previous.length - 1].id) || 1) + 1 : 1;
      ctx.state.attempts.set(request.id, attempt);
      ctx.observe('request_sent', { ...ctx.requestSentFields(request), attempt });
    },
    calls: {
      configure(ctx, input) {
        if (input.jwt_enabled === false) {
          ctx.unimplemented('@iterable/web-sdk 2.2.1 (production build) has no mode without JWT: initialize(apiKey) without generateJWT returns null');
        }
        if (input.token) ctx.unimplemented('@iterable/web-sdk pulls tokens from generateJWT; it takes none at initialize');
        const generateJWT = (payload) => ctx.ask({ reason: reasonFromStep(ctx.step), customer_ids: askedFor(payload) });
        ctx.state.attempts = new Map();
        ctx.state.api = ctx.sdk.initialize(API_KEY, generateJWT);
        if (!ctx.state.api) throw new Error('initialize returned null');
      },
      identify(ctx, input) {
        if (input.token) ctx.unimplemented('@iterable/web-sdk pulls tokens from generateJWT; setEmail/setUserID take none');
        const ids = input.customer_ids || {};
        const api = requireApi(ctx);
        // The promise settles when the users/update request (with its tries) ends; the adapter
        // reports what the SDK sends, not the promise.
        let pending;
        if (typeof ids.email === 'string') pending = api.setEmail(ids.email);
        else if (typeof ids.userId === 'string') pending = api.setUserID(ids.userId);
        else ctx.unimplemented(`@iterable/web-sdk identifies by email or userId, not ${JSON.stringify(ids)}`);
        pending.catch((error) => ctx.log(`iterable-web: identify settled with ${describe(error)}`));
      },
      logout(ctx) {
        requireApi(ctx).logout();
      },
      track(ctx, input) {
        // `track` is a module function: callable before initialize too (it then rejects unsent).
        const sentBefore = ctx.requests.list().length;
        ctx.sdk.track({ eventName: input.event }).then(
          () => {},
          (error) => {
            // The app sees the rejection: the event is gone (the SDK has no queue).
            const mine = ctx.requests
              .list()
              .slice(sentBefore)
              .filter((r) => eventsOf(r).includes(input.event));
            const last = mine[mine.length - 1];
            if (!last) {
              // Refused without a request (no user identified, facts I12): the rejection is
              // the SDK telling the app the event will not be sent, which the alphabet says
              // as a deletion of an SDK that cannot send (CONF-007, `anonymous_events: false`).
              ctx.log(`iterable-web: track(${input.event}) rejected before sending: ${describe(error)}`);
              ctx.observe('events_deleted', { events: [input.event], rule: 'sdk_not_running' });
              return;
            }
            ctx.observe('request_failed', { request: last.id, events: [input.event], cause: causeOf(error, last) });
          },
        );
      },
    },
  };
}

/**
 * setEmail, setUserID and logout exist only on the object initialize returns: before configure
 * the app has nothing to call.
 */
function requireApi(ctx) {
  if (!ctx.state.api) ctx.unimplemented('@iterable/web-sdk: setEmail/setUserID/logout exist only on what initialize returns; before configure there is nothing to call');
  return ctx.state.api;
}

function describe(error) {
  if (!error) return String(error);
  if (error.response) return `HTTP ${error.response.status}`;
  return error.message || String(error);
}

module.exports = { buildSpec, customerIds, kindOf, eventsOf, causeOf, reasonFromStep };
