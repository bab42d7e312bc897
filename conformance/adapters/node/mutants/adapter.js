#!/usr/bin/env node
'use strict';
/**
 * Mutants of the real SDKs: the same adapters, with ONE thing the SDK does changed by a wrapper
 * around the unmodified package. The suite must catch each one and name the requirement it
 * breaks (conformance/tests/real_sdks.rs proves it).
 *
 *   node mutants/adapter.js <sdk> <mutation>      e.g. node mutants/adapter.js iterable-web no-refetch-on-401
 *   node mutants/adapter.js --list                the mutations, one per line: <sdk> <mutation> <what it changes>
 *
 * A wrapper changes the SDK only at its seams: what it sends (a captured request's headers, as
 * the wire would carry them), what it reads of an answer (the body handed to it), and its public
 * calls (the token callback it is given, the subscription it offers). The kit and the adapters'
 * normal path know nothing of mutants.
 */

const path = require('node:path');
const { runAdapter } = require('../kit');

/** The request that `request` resends: the last earlier one with the same URL and body answered 401. */
function resentAfter401(ctx, request) {
  const earlier = ctx.requests
    .list()
    .filter((r) => r.id < request.id && r.url === request.url && r.body === request.body && r.reply && r.reply.reply && r.reply.reply.status === 401);
  return earlier[earlier.length - 1] || null;
}

/** Wraps `spec.onRequest` (or the default report) so `rewrite` sees each request first. */
function rewritingRequests(spec, rewrite) {
  const report = spec.onRequest || ((ctx, request) => ctx.observe('request_sent', ctx.requestSentFields(request)));
  return { ...spec, onRequest: (ctx, request) => report(ctx, rewrite(ctx, request) || request) };
}

/** Wraps `spec.load` so that `after(ctx, sdk)` may replace what the adapter sees as the SDK. */
function wrappingLoad(spec, after) {
  return { ...spec, load: async (ctx) => after(ctx, await spec.load(ctx)) };
}

/** Wraps one of the adapter's calls. */
function wrappingCall(spec, name, wrap) {
  return { ...spec, calls: { ...spec.calls, [name]: wrap(spec.calls[name]) } };
}

const MUTATIONS = {
  'iterable-web': {
    'no-refetch-on-401': {
      what: 'after a 401 the SDK resends with the token it already had instead of asking generateJWT',
      apply: (spec) =>
        wrappingLoad(spec, (ctx, sdk) => ({
          ...sdk,
          initialize(apiKey, generateJWT) {
            let last = null;
            const mutated = (payload) => {
              const step = ctx.step;
              if (last !== null && step && step.kind === 'respond' && step.reply && step.reply.status === 401) {
                return Promise.resolve(last);
              }
              return generateJWT(payload).then((token) => {
                last = token;
                return token;
              });
            };
            return sdk.initialize(apiKey, mutated);
          },
        })),
    },
    'old-token-after-refetch': {
      what: 'the one resend after a 401 carries the refused token, not the one the refetch returned',
      apply: (spec) =>
        rewritingRequests(spec, (ctx, request) => {
          const refused = resentAfter401(ctx, request);
          if (refused) request.headers.authorization = refused.header('authorization');
          return request;
        }),
    },
    'no-refresh-before-expiry': {
      what: 'the refresh timer fires but the SDK never calls generateJWT from it (its ask is swallowed)',
      apply: (spec) =>
        wrappingLoad(spec, (ctx, sdk) => ({
          ...sdk,
          initialize(apiKey, generateJWT) {
            // Only the timer asks during an `advance` step (facts I3): that ask never settles.
            const mutated = (payload) => (ctx.step && ctx.step.kind === 'advance' ? new Promise(() => {}) : generateJWT(payload));
            return sdk.initialize(apiKey, mutated);
          },
        })),
    },
    'no-token-on-events': {
      what: 'event requests go out without the Authorization header',
      apply: (spec) =>
        rewritingRequests(spec, (ctx, request) => {
          if (request.path.endsWith('/events/track')) delete request.headers.authorization;
          return request;
        }),
    },
  },
  'braze-web': {
    'ignore-auth-error-body': {
      what: 'the SDK does not read auth_error in a response body: such an answer counts as a success',
      apply: (spec) =>
        wrappingLoad(spec, (ctx, sdk) => {
          const respond = ctx.requests.respond.bind(ctx.requests);
          ctx.requests.respond = (id, reply, body, headers) => {
            if (body && typeof body === 'object' && !Array.isArray(body) && 'auth_error' in body) {
              const { auth_error: _ignored, ...rest } = body;
              return respond(id, reply, rest, headers);
            }
            return respond(id, reply, body, headers);
          };
          return sdk;
        }),
    },
    'first-signature-forever': {
      what: 'every request carries the first signature the SDK ever sent in the case, whatever was set since',
      apply: (spec) =>
        rewritingRequests(spec, (ctx, request) => {
          const signed = ctx.requests.list().find((r) => r.id < request.id && r.header('x-braze-auth-signature'));
          if (signed && request.header('x-braze-auth-signature')) {
            request.headers['x-braze-auth-signature'] = signed.header('x-braze-auth-signature');
          }
          return request;
        }),
    },
    'silent-failure-subscription': {
      what: 'subscribeToSdkAuthenticationFailures accepts the subscriber and never calls it',
      apply: (spec) => wrappingCall(spec, 'register_handler', () => () => {}),
    },
  },
};

function main(argv) {
  if (argv[0] === '--list') {
    for (const [sdk, mutations] of Object.entries(MUTATIONS)) {
      for (const [name, m] of Object.entries(mutations)) process.stdout.write(`${sdk} ${name} ${m.what}\n`);
    }
    return;
  }
  const [sdk, name] = argv;
  const mutation = MUTATIONS[sdk] && MUTATIONS[sdk][name];
  if (!mutation) {
    process.stderr.write(`usage: mutants/adapter.js <sdk> <mutation> | --list; unknown ${JSON.stringify(argv.join(' '))}\n`);
    process.exit(2);
  }
  const { buildSpec } = require(`../${sdk}/spec`);
  const spec = buildSpec();
  runAdapter({
    ...mutation.apply(spec),
    version: `${spec.version} mutant ${name}`,
    baseDir: path.join(__dirname, '..', sdk),
  });
}

module.exports = { MUTATIONS };

if (require.main === module) main(process.argv.slice(2));
