'use strict';
// Experiments establishing what the real @iterable/web-sdk 2.2.1 does, driven unmodified under
// the kit. Each test is one fact of /work/notes/real-sdks-facts.md ("Iterable"); if an upgrade
// changes a behaviour, the test that states it fails.
const test = require('node:test');
const assert = require('node:assert/strict');
const { AdapterProcess, T0, token } = require('./helpers');

const H = 3600;
const tokenFor = (user, expIn) => token(user, T0 / 1000 + expIn);
const outputs = (reply) => reply.observations.map((o) => o.output);
const only = (reply, output) => reply.observations.filter((o) => o.output === output);

/** Started, configured, identified as userId u1 with token A (exp +1 h), users/update answered 200. */
async function identified({ expIn = H, user = 'u1' } = {}) {
  const adapter = new AdapterProcess('../experiments/iterable-probe.js');
  await adapter.hello(2);
  await adapter.start('iterable/experiment', T0, 'iterable-web');
  await adapter.call('configure');
  const asked = await adapter.call('identify', { customer_ids: { userId: user } });
  const A = tokenFor(user, expIn);
  const provided = await adapter.call('provide_token', { ask: 1, token: A });
  await adapter.respond(1, { status: 200 }, {});
  return { adapter, A, asked, provided };
}

test('iterable: setUserID pulls a token for {userID}, then POSTs users/update carrying it', async () => {
  const { adapter, A, asked, provided } = await identified();
  assert.deepEqual(asked.observations, [{ at: T0, output: 'token_requested', ask: 1, reason: 'not_provided', customer_ids: { userId: 'u1' } }]);
  assert.deepEqual(provided.observations, [
    { at: T0, output: 'request_sent', request: 1, customer_ids: { userId: 'u1' }, events: [], authorization: A, attempt: 1, kind: 'customer_update' },
  ]);
  const probe = (await adapter.call('probe', { request: 1 })).observations[0];
  assert.equal(probe.request.method, 'POST');
  assert.equal(probe.request.url, 'https://api.iterable.com/api/users/update');
  assert.equal(probe.request.headers.authorization, `Bearer ${A}`);
  assert.equal(probe.request.headers['api-key'], 'jwt-lifecycle-conformance-api-key');
  assert.deepEqual(probe.request.json, { preferUserId: true, userId: 'u1' });
  assert.equal(probe.storage.itbl_auth_token, A);
  assert.equal(probe.storage.userId, 'u1');
  assert.deepEqual(probe.timers, [H * 1000 - 60000], 'one refresh timer, one minute before exp');
  await adapter.bye();
});

test('iterable: setEmail pulls a token for {email}; requests carry the email', async () => {
  const adapter = new AdapterProcess('../experiments/iterable-probe.js');
  await adapter.hello(2);
  await adapter.start('iterable/email', T0, 'iterable-web');
  await adapter.call('configure');
  const asked = await adapter.call('identify', { customer_ids: { email: 'a@example.com' } });
  assert.deepEqual(asked.observations[0].customer_ids, { email: 'a@example.com' });
  const sent = await adapter.call('provide_token', { ask: 1, token: tokenFor('a', H) });
  assert.deepEqual(sent.observations[0].customer_ids, { email: 'a@example.com' });
  assert.equal(sent.observations[0].kind, 'customer_update');
  await adapter.bye();
});

test('iterable: track sends POST events/track at once (no queue), one request per event', async () => {
  const { adapter, A } = await identified();
  const e1 = await adapter.call('track', { event: 'e1' });
  const e2 = await adapter.call('track', { event: 'e2' });
  assert.deepEqual(e1.observations, [{ at: T0, output: 'request_sent', request: 2, customer_ids: { userId: 'u1' }, events: ['e1'], authorization: A, attempt: 1, kind: 'events' }]);
  assert.deepEqual(e2.observations.map((o) => [o.request, o.events]), [[3, ['e2']]]);
  const probe = (await adapter.call('probe', { request: 2 })).observations[0];
  assert.equal(probe.request.url, 'https://api.iterable.com/api/events/track');
  assert.deepEqual(probe.request.json, { eventName: 'e1', userId: 'u1' });
  await adapter.bye();
});

test('iterable: track before any setEmail/setUserID rejects without sending', async () => {
  const adapter = new AdapterProcess('../experiments/iterable-probe.js');
  await adapter.hello(2);
  await adapter.start('iterable/no-user', T0, 'iterable-web');
  await adapter.call('configure');
  const tracked = await adapter.call('raw_track', { event: 'e1' });
  assert.deepEqual(outputs(tracked), ['track_promise']);
  assert.equal(tracked.observations[0].outcome, 'rejected');
  assert.match(tracked.observations[0].message, /must be initialized/);
  await adapter.bye();
});

test('iterable: 401 -> asks again at once and resends once with the new token; a second 401 is final', async () => {
  const { adapter } = await identified();
  await adapter.call('raw_track', { event: 'e1' });
  const refused = await adapter.respond(2, { status: 401 });
  // The SDK passes generateJWT no reason, and a 401 does not say expired or invalid: none is reported.
  assert.deepEqual(refused.observations, [{ at: T0, output: 'token_requested', ask: 2, reason: null, customer_ids: { userId: 'u1' } }]);
  const B = tokenFor('u1', 2 * H);
  const resent = await adapter.call('provide_token', { ask: 2, token: B });
  assert.deepEqual(resent.observations.map((o) => [o.output, o.request, o.authorization, o.attempt, o.events]), [['request_sent', 3, B, 2, ['e1']]]);
  const final = await adapter.respond(3, { status: 401 });
  assert.deepEqual(final.observations.map((o) => [o.output, o.outcome, o.status]), [['track_promise', 'rejected', 401]]);
  assert.deepEqual((await adapter.advance(10 * 60000)).observations, [], 'no later retry');
  await adapter.bye();
});

test('iterable: after a 401 refetch, the refresh timer still follows the FIRST token (it is not rescheduled)', async () => {
  const { adapter } = await identified();
  await adapter.call('track', { event: 'e1' });
  await adapter.respond(2, { status: 401 });
  await adapter.call('provide_token', { ask: 2, token: tokenFor('u1', 2 * H) });
  await adapter.respond(3, { status: 200 });
  const probe = (await adapter.call('probe')).observations[0];
  assert.deepEqual(probe.timers, [H * 1000 - 60000]);
  const fired = await adapter.advance(H * 1000);
  assert.deepEqual(fired.observations.map((o) => [o.output, o.at - T0, o.reason]), [['token_requested', H * 1000 - 60000, 'expired_soon']]);
  await adapter.bye();
});

test('iterable: 401 with a failed refetch rejects track; the token is left as it was', async () => {
  const { adapter, A } = await identified();
  await adapter.call('raw_track', { event: 'e1' });
  await adapter.respond(2, { status: 401 });
  const failed = await adapter.call('provide_token', { ask: 2 });
  assert.deepEqual(failed.observations.map((o) => [o.output, o.outcome]), [['track_promise', 'rejected']]);
  const next = await adapter.call('track', { event: 'e2' });
  assert.equal(next.observations[0].authorization, A);
  await adapter.bye();
});

test('iterable: two concurrent 401s each call generateJWT', async () => {
  const { adapter } = await identified();
  await adapter.call('track', { event: 'e1' });
  await adapter.call('track', { event: 'e2' });
  const first = await adapter.respond(2, { status: 401 });
  const second = await adapter.respond(3, { status: 401 });
  assert.deepEqual([...only(first, 'token_requested'), ...only(second, 'token_requested')].map((o) => o.ask), [2, 3]);
  await adapter.bye();
});

for (const [status, cause] of [[403, 'forbidden'], [500, 'network'], [400, 'network']]) {
  test(`iterable: ${status} -> track rejects at once, no retry, no token ask`, async () => {
    const { adapter } = await identified();
    await adapter.call('track', { event: 'e1' });
    const reply = await adapter.respond(2, { status }, { msg: 'x' });
    assert.deepEqual(reply.observations, [{ at: T0, output: 'request_failed', request: 2, events: ['e1'], cause }]);
    assert.deepEqual((await adapter.advance(10 * 60000)).observations, []);
    await adapter.bye();
  });
}

test('iterable: network error -> track rejects at once, no retry', async () => {
  const { adapter } = await identified();
  await adapter.call('track', { event: 'e1' });
  const reply = await adapter.respond(2, 'network_error');
  assert.deepEqual(reply.observations, [{ at: T0, output: 'request_failed', request: 2, events: ['e1'], cause: 'network' }]);
  assert.deepEqual((await adapter.advance(10 * 60000)).observations, []);
  await adapter.bye();
});

test('iterable: a 2xx whose body carries auth_error is a success (the body is not read for auth)', async () => {
  const { adapter } = await identified();
  await adapter.call('raw_track', { event: 'e1' });
  const reply = await adapter.respond(2, { status: 200 }, { auth_error: { error_code: 22, reason: 'expired' } });
  assert.deepEqual(reply.observations.map((o) => [o.output, o.outcome]), [['track_promise', 'resolved']]);
  await adapter.bye();
});

test('iterable: an expired token is sent as it is (no check before sending)', async () => {
  const { adapter, A } = await identified({ expIn: 30 }); // under a minute: no refresh timer
  assert.deepEqual((await adapter.advance(10 * 60000)).observations, []);
  const sent = await adapter.call('track', { event: 'late' });
  assert.equal(sent.observations[0].authorization, A, 'expired 9.5 minutes ago, sent anyway');
  await adapter.bye();
});

test('iterable: refresh timer at exp - 60 s; while the ask is pending, requests carry NO token', async () => {
  const { adapter } = await identified({ expIn: 300 });
  const fired = await adapter.advance(250000);
  assert.deepEqual(fired.observations, [{ at: T0 + 240000, output: 'token_requested', ask: 2, reason: 'expired_soon', customer_ids: { userId: 'u1' } }]);
  const probe = (await adapter.call('probe')).observations[0];
  assert.equal(probe.storage.itbl_auth_token, undefined, 'the stored token is removed when the refresh starts');
  const meanwhile = await adapter.call('track', { event: 'e1' });
  assert.equal(meanwhile.observations[0].authorization, null);
  assert.equal(meanwhile.observations[0].kind, 'events');
  const B = tokenFor('u1', 2 * H);
  const provided = await adapter.call('provide_token', { ask: 2, token: B });
  assert.deepEqual(provided.observations, [], 'a refresh sends nothing by itself');
  assert.equal((await adapter.call('track', { event: 'e2' })).observations[0].authorization, B);
  assert.deepEqual((await adapter.call('probe')).observations[0].timers.filter((t) => t > 0), [2 * H * 1000 - 250000 - 60000], 'a new timer for the new token');
  await adapter.bye();
});

test('iterable: a failed refresh leaves no token: later requests go out unauthenticated, no new ask', async () => {
  const { adapter } = await identified({ expIn: 300 });
  await adapter.advance(250000);
  assert.deepEqual((await adapter.call('provide_token', { ask: 2 })).observations, []);
  const sent = await adapter.call('track', { event: 'e1' });
  assert.equal(sent.observations[0].authorization, null);
  assert.deepEqual((await adapter.advance(24 * H * 1000)).observations, [], 'no retry of the refresh');
  await adapter.bye();
});

test('iterable: no refresh timer for a token under 60 s from exp, nor for one of 24 h or more', async () => {
  for (const expIn of [59, 24 * H, 48 * H]) {
    const { adapter } = await identified({ expIn });
    const probe = (await adapter.call('probe')).observations[0];
    assert.deepEqual(probe.timers, [], `exp in ${expIn} s`);
    await adapter.bye();
  }
  const { adapter } = await identified({ expIn: 24 * H - 1 });
  assert.deepEqual((await adapter.call('probe')).observations[0].timers, [(24 * H - 1) * 1000 - 60000]);
  await adapter.bye();
});

test('iterable: users/update is tried up to 4 times at once on failure (RETRY_USER_ATTEMPTS = 3)', async () => {
  const adapter = new AdapterProcess('../experiments/iterable-probe.js');
  await adapter.hello(2);
  await adapter.start('iterable/users-update', T0, 'iterable-web');
  await adapter.call('configure');
  await adapter.call('identify', { customer_ids: { userId: 'u1' } });
  await adapter.call('provide_token', { ask: 1, token: tokenFor('u1', H) });
  const sent = [];
  for (let id = 1; id <= 4; id += 1) {
    const reply = await adapter.respond(id, { status: 500 });
    sent.push(...only(reply, 'request_sent').map((o) => [o.request, o.kind, o.at - T0]));
  }
  assert.deepEqual(sent, [[2, 'customer_update', 0], [3, 'customer_update', 0], [4, 'customer_update', 0]]);
  assert.deepEqual((await adapter.advance(60000)).observations, []);
  await adapter.bye();
});

test('iterable: setUserID again clears the token and asks anew (even for the same user)', async () => {
  const { adapter } = await identified();
  const again = await adapter.call('identify', { customer_ids: { userId: 'u1' } });
  assert.deepEqual(again.observations.map((o) => [o.output, o.ask, o.reason]), [['token_requested', 2, 'not_provided']]);
  const meanwhile = await adapter.call('track', { event: 'e1' });
  assert.equal(meanwhile.observations[0].authorization, null, 'sent without a token while the ask is pending');
  await adapter.bye();
});

test('iterable: logout clears token, user and timer; track then rejects without sending', async () => {
  const { adapter } = await identified();
  assert.deepEqual((await adapter.call('logout')).observations, []);
  const probe = (await adapter.call('probe')).observations[0];
  assert.equal(probe.storage.itbl_auth_token, undefined);
  assert.equal(probe.storage.userId, undefined);
  assert.deepEqual(probe.timers, []);
  const tracked = await adapter.call('raw_track', { event: 'e1' });
  assert.deepEqual(outputs(tracked), ['track_promise']);
  await adapter.bye();
});

test('iterable: restart keeps itbl_auth_token and userId in localStorage, but the new instance has no user until setUserID, which asks anew', async () => {
  const { adapter, A } = await identified();
  await adapter.restart();
  const kept = (await adapter.call('probe')).observations[0].storage;
  assert.equal(kept.itbl_auth_token, A);
  assert.equal(kept.userId, 'u1');
  await adapter.call('configure');
  const tracked = await adapter.call('raw_track', { event: 'e1' });
  assert.deepEqual(outputs(tracked), ['track_promise'], 'rejected without sending: no user in the new instance');
  assert.deepEqual((await adapter.advance(H * 1000)).observations, [], 'no refresh timer survives');
  const again = await adapter.call('identify', { customer_ids: { userId: 'u1' } });
  assert.deepEqual(outputs(again), ['token_requested']);
  assert.equal(again.observations[0].ask, 2, 'ask ids count across the restart');
  await adapter.bye();
});

test('iterable: refreshJwtToken(user) asks at once and sends nothing', async () => {
  const { adapter } = await identified();
  const asked = await adapter.call('refresh', { user: 'u1' });
  assert.deepEqual(asked.observations.map((o) => [o.output, o.customer_ids]), [['token_requested', { userId: 'u1' }]]);
  const email = await adapter.call('refresh', { user: 'a@example.com' });
  assert.deepEqual(email.observations.map((o) => o.customer_ids), [{ email: 'a@example.com' }]);
  await adapter.bye();
});
