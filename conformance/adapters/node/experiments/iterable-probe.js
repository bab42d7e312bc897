#!/usr/bin/env node
'use strict';
// The iterable-web adapter plus a `probe` call that reports what the suite cannot see
// (localStorage, scheduled timers, the request's raw URL/headers/body), for the experiments in
// test/iterable-web.test.js. Not an adapter to run the suite with.
const path = require('node:path');
const { runAdapter } = require('../kit');
const { buildSpec } = require('../iterable-web/spec');

const spec = buildSpec();
runAdapter({
  ...spec,
  baseDir: path.join(__dirname, '..', 'iterable-web'),
  calls: {
    ...spec.calls,
    probe(ctx, input) {
      const request = input.request ? ctx.requests.get(input.request) : null;
      ctx.observe('probe', {
        storage: ctx.localStorage.snapshot(),
        timers: ctx.clock.dueInstants().map((at) => at - ctx.now()),
        request: request && { method: request.method, url: request.url, headers: request.headers, json: request.json },
      });
    },
    // setEmail/setUserID with a merge/replay override, and the SDK's other token entry points.
    refresh(ctx, input) {
      ctx.state.api.refreshJwtToken(input.user);
    },
    raw_track(ctx, input) {
      // track with the promise's outcome reported as an observation (what the app sees).
      ctx.sdk.track({ eventName: input.event }).then(
        () => ctx.observe('track_promise', { event: input.event, outcome: 'resolved' }),
        (error) => ctx.observe('track_promise', { event: input.event, outcome: 'rejected', status: error && error.response ? error.response.status : null, message: error && error.message }),
      );
    },
  },
});
