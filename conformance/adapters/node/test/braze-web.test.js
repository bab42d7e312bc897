'use strict';
// Experiments establishing what the real @braze/web-sdk 6.13.0 does, driven unmodified under the
// kit (jsdom page, fake IndexedDB, seeded Math.random). Each test is one fact of
// /work/notes/real-sdks-facts.md ("Braze"); an upgrade that changes a behaviour fails its test.
const test = require('node:test');
const assert = require('node:assert/strict');
const { AdapterProcess, T0 } = require('./helpers');

const sentOf = (reply) => reply.observations.filter((o) => o.output === 'request_sent');
const handlerOf = (reply) => reply.observations.filter((o) => o.output === 'handler_called');
const AUTH_ERROR = { auth_error: { error_code: 22, reason: 'EXPIRED' } };

/** Started, configured (session opened), handler registered, changeUser(u1, A); the three start-up requests answered 200. */
async function identified(caseId = 'braze/experiment') {
  const adapter = new AdapterProcess('../experiments/braze-probe.js');
  await adapter.hello(2);
  await adapter.start(caseId, T0, 'braze-web');
  const configured = await adapter.call('configure');
  await adapter.call('register_handler');
  const identified = await adapter.call('identify', { customer_ids: { user_id: 'u1' }, token: 'JWT-A' });
  for (const id of [1, 2, 3]) await adapter.respond(id, { status: 200 }, {});
  return { adapter, configured, identified };
}

/**
 * Advances from timer to timer until the SDK sends a request (at most `limitMs` of virtual time);
 * returns [first request, ms waited from now, all requests of that step].
 */
async function nextRequest(adapter, limitMs = 400000) {
  const from = (await adapter.call('probe')).observations[0].at;
  let now = from;
  while (now - from < limitMs) {
    const timers = (await adapter.call('probe')).observations[0].timers;
    const next = timers.length > 0 ? Math.max(1, Math.min(...timers)) : limitMs - (now - from);
    const step = Math.min(next, limitMs - (now - from));
    const reply = await adapter.advance(step);
    now += step;
    const sent = sentOf(reply);
    if (sent.length > 0) return [sent[0], sent[0].at - from, sent];
  }
  return [null, now - from, []];
}

test('braze: configure opens a session and sends it at once; anonymous requests carry no signature', async () => {
  const { adapter, configured, identified: changed } = await identified();
  assert.deepEqual(configured.observations.map((o) => [o.output, o.request, o.kind, o.authorization, o.customer_ids]), [['request_sent', 1, 'session', null, {}]]);
  // changeUser ends the anonymous session and starts one for u1: two requests, both signed.
  assert.deepEqual(changed.observations.map((o) => [o.request, o.kind, o.authorization, o.customer_ids]), [
    [2, 'session', 'JWT-A', { user_id: 'u1' }],
    [3, 'session', 'JWT-A', {}],
  ]);
  const probe = (await adapter.call('probe', { request: 2 })).observations[0];
  assert.equal(probe.request.url, 'https://sdk.iad-01.braze.com/api/v3/data/');
  assert.equal(probe.request.headers['x-braze-auth-signature'], 'JWT-A');
  assert.equal(probe.request.headers.authorization, undefined, 'no Authorization header');
  assert.equal(probe.storage['ab.storage.signature.jwt-lifecycle-conformance-api-key'], '{"v":"JWT-A"}');
  await adapter.bye();
});

test('braze: a tracked event waits for the 10 s flush timer (desktop user agent); flush sends at once', async () => {
  const { adapter } = await identified();
  assert.deepEqual(sentOf(await adapter.call('track', { event: 'e1' })), []);
  const [request, waited] = await nextRequest(adapter);
  assert.deepEqual([request.events, request.kind, request.authorization, request.attempt, request.customer_ids], [['e1'], 'events', 'JWT-A', 1, { user_id: 'u1' }]);
  assert.equal(waited, 10000);
  await adapter.call('track', { event: 'e2' });
  const flushed = await adapter.call('flush');
  assert.deepEqual(sentOf(flushed).map((o) => o.events), [['e2']]);
  await adapter.bye();
});

test('braze: a 2xx with auth_error calls the failure subscriber with the code and requeues the events', async () => {
  const { adapter } = await identified();
  await adapter.call('track', { event: 'e1' });
  const [request] = await nextRequest(adapter);
  const failed = await adapter.respond(request.request, { status: 200 }, AUTH_ERROR);
  assert.deepEqual(failed.observations.map((o) => [o.output, o.reason, o.code, o.customer_ids]), [['handler_called', 'expired', 22, { user_id: 'u1' }]]);
  const [retry] = await nextRequest(adapter);
  assert.deepEqual([retry.events, retry.attempt, retry.authorization], [['e1'], 2, 'JWT-A']);
  await adapter.bye();
});

for (const [label, reply, body] of [['401', { status: 401 }, {}], ['403', { status: 403 }, {}], ['500', { status: 500 }, {}], ['network error', 'network_error', undefined], ['401 with auth_error body', { status: 401 }, AUTH_ERROR]]) {
  test(`braze: ${label} -> no callback; the events are requeued and retried with backoff`, async () => {
    const { adapter } = await identified();
    await adapter.call('track', { event: 'e1' });
    const [request] = await nextRequest(adapter);
    const failed = await adapter.respond(request.request, reply, body);
    assert.deepEqual(failed.observations, []);
    const [retry, waited] = await nextRequest(adapter);
    assert.deepEqual([retry.events, retry.attempt], [['e1'], 2]);
    assert.ok(waited >= 10000 && waited <= 30000, `first retry within [10 s, 30 s], got ${waited}`);
    await adapter.bye();
  });
}

test('braze: backoff after failures: each wait is random in [10 s, 3 x the previous wait], capped at 300 s (seeded: the same every run)', async () => {
  const { adapter } = await identified('braze/backoff');
  await adapter.call('track', { event: 'e1' });
  let [request] = await nextRequest(adapter);
  const waits = [];
  for (let i = 0; i < 12; i += 1) {
    await adapter.respond(request.request, 'network_error');
    const [next, waited] = await nextRequest(adapter);
    assert.deepEqual(next.events, ['e1']);
    assert.equal(next.attempt, i + 2, 'X-Braze-Req-Attempt counts the tries');
    waits.push(waited);
    request = next;
  }
  let previous = 10000; // the normal flush interval is the first "previous wait"
  for (const wait of waits) {
    assert.ok(wait >= 10000 && wait <= 300000, `wait ${wait} outside [10 s, 300 s]`);
    assert.ok(wait <= 3 * previous, `wait ${wait} over 3 x the previous ${previous}`);
    previous = wait;
  }
  process.stderr.write(`braze backoff waits (seed "braze/backoff"): ${JSON.stringify(waits)}\n`);
  await adapter.bye();
});

test('braze: after 50 consecutive auth failures timed flushes are declined and drop the queued events; a new session resumes the retries', async () => {
  const { adapter } = await identified('braze/limit');
  await adapter.call('track', { event: 'e1' });
  let [request] = await nextRequest(adapter);
  let calls = 0;
  for (let i = 0; i < 50; i += 1) {
    const failed = await adapter.respond(request.request, { status: 200 }, AUTH_ERROR);
    calls += handlerOf(failed).length;
    const [next] = await nextRequest(adapter);
    if (i < 49) {
      assert.deepEqual(next.events, ['e1'], `try ${i + 2}`);
      request = next;
    } else {
      assert.equal(next, null, 'after the 50th failure nothing more is sent');
    }
  }
  assert.equal(calls, 50);
  // The queue is empty now: e1 was taken out of storage by the declined flush.
  const storage = (await adapter.call('probe')).observations[0].storage;
  assert.equal(storage['ab.storage.events.jwt-lifecycle-conformance-api-key'], undefined);
  // openSession once the 30-minute session has lapsed starts a new session: its start event
  // forces one flush past the limit (the docs: retries pause "until the next session start").
  const resumed = sentOf(await adapter.call('new_session'));
  assert.deepEqual(resumed.map((o) => [o.kind, o.events, o.attempt]), [['session', [], 51]]);
  // The session start event is requeued with each failure; while it is queued every timed flush
  // passes the limit (the count itself is not reset): retries go on with backoff.
  await adapter.respond(resumed[0].request, { status: 200 }, AUTH_ERROR);
  await adapter.call('track', { event: 'e2' });
  const [retried] = await nextRequest(adapter, 600000);
  assert.deepEqual([retried.events, retried.attempt], [['e2'], 52]);
  await adapter.bye();
});

test('braze: setSdkAuthenticationSignature sends nothing; the next retry carries the new signature', async () => {
  const { adapter } = await identified();
  await adapter.call('track', { event: 'e1' });
  const [request] = await nextRequest(adapter);
  await adapter.respond(request.request, { status: 200 }, AUTH_ERROR);
  assert.deepEqual((await adapter.call('set_token', { token: 'JWT-B' })).observations, []);
  const [retry] = await nextRequest(adapter);
  assert.deepEqual([retry.events, retry.authorization], [['e1'], 'JWT-B']);
  await adapter.bye();
});

test('braze: no exp parsing, no refresh timer: nothing happens as a token expires', async () => {
  const { adapter } = await identified();
  const exp = Math.floor(T0 / 1000) + 120;
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  await adapter.call('set_token', { token: `${b64({ alg: 'RS256' })}.${b64({ sub: 'u1', exp })}.c2ln` });
  const later = await adapter.advance(600000);
  assert.deepEqual(later.observations.filter((o) => o.output !== 'request_sent'), []);
  assert.deepEqual(sentOf(later), [], 'no request either: nothing was queued');
  await adapter.bye();
});

test("braze: changeUser to another user without a signature: the old user's data goes out signed, then the signature is cleared", async () => {
  const { adapter } = await identified();
  const switched = await adapter.call('identify', { customer_ids: { user_id: 'u2' } });
  const probe = (await adapter.call('probe')).observations[0];
  assert.equal(probe.storage['ab.storage.signature.jwt-lifecycle-conformance-api-key'], undefined);
  assert.deepEqual(sentOf(switched).map((o) => [o.customer_ids, o.kind, o.authorization]), [
    [{ user_id: 'u1' }, 'session', 'JWT-A'],
    [{ user_id: 'u2' }, 'session', null],
  ]);
  await adapter.bye();
});

test('braze: a throwing failure subscriber stops the automatic flush loop (the retry is never scheduled) until an explicit flush', async () => {
  const adapter = new AdapterProcess('../experiments/braze-probe.js');
  await adapter.hello(2);
  await adapter.start('braze/throws', T0, 'braze-web');
  await adapter.call('configure');
  await adapter.call('register_handler', { throws: true });
  await adapter.call('identify', { customer_ids: { user_id: 'u1' }, token: 'JWT-A' });
  for (const id of [1, 2, 3]) await adapter.respond(id, { status: 200 }, {});
  await adapter.call('track', { event: 'e1' });
  const [request] = await nextRequest(adapter);
  const failed = await adapter.respond(request.request, { status: 200 }, AUTH_ERROR);
  assert.equal(failed.type, 'done');
  assert.equal(handlerOf(failed).length, 1);
  assert.deepEqual((await adapter.call('probe')).observations[0].timers, [], 'no flush timer left');
  assert.deepEqual(sentOf(await adapter.advance(3600000)), [], 'nothing sent for an hour');
  const flushed = await adapter.call('flush');
  assert.deepEqual(sentOf(flushed).map((o) => o.events), [['e1']], 'the event was requeued before the subscriber threw');
  await adapter.bye();
});

test('braze: restart keeps signature, user and the queued events in localStorage; the new instance sends them signed', async () => {
  const { adapter } = await identified();
  await adapter.call('track', { event: 'e1' });
  await adapter.restart();
  const kept = (await adapter.call('probe')).observations[0].storage;
  assert.equal(kept['ab.storage.signature.jwt-lifecycle-conformance-api-key'], '{"v":"JWT-A"}');
  assert.match(kept['ab.storage.userId.jwt-lifecycle-conformance-api-key'], /g:u1\|/);
  // The session is still live: configure's openSession flushes the persisted queue at once.
  const configured = await adapter.call('configure');
  assert.deepEqual(sentOf(configured).map((o) => [o.events, o.authorization, o.customer_ids]), [[['e1'], 'JWT-A', { user_id: 'u1' }]]);
  await adapter.bye();
});
