#!/usr/bin/env node
'use strict';
// The braze-web adapter plus `probe` (localStorage, timers, a request's raw URL/headers/body)
// and a few SDK calls outside the alphabet, for the experiments in test/braze-web.test.js.
// Not an adapter to run the suite with.
const path = require('node:path');
const { runAdapter } = require('../kit');
const { buildSpec } = require('../braze-web/spec');

const spec = buildSpec();
runAdapter({
  ...spec,
  baseDir: path.join(__dirname, '..', 'braze-web'),
  calls: {
    ...spec.calls,
    probe(ctx, input) {
      const request = input.request ? ctx.requests.get(input.request) : null;
      ctx.observe('probe', {
        storage: ctx.localStorage.snapshot(),
        timers: ctx.clock.dueInstants().map((at) => at - ctx.now()),
        request: request && { method: request.method, url: request.url, headers: request.headers, json: request.json },
        inFlight: ctx.requests.inFlight().map((r) => r.id),
      });
    },
    braze_logout(ctx) {
      // The SDK's own logout (unregister push, disable the SDK, wipe data).
      ctx.sdk.logout();
    },
    destroy(ctx) {
      ctx.sdk.destroy();
    },
  },
});
