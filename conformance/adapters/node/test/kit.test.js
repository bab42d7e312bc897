'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { AdapterProcess, T0, token } = require('./helpers');

async function started(options) {
  const adapter = new AdapterProcess('fixtures/toy-adapter.js', options);
  await adapter.hello(2);
  assert.deepEqual(await adapter.start(), { type: 'ready' });
  await adapter.call('configure');
  return adapter;
}

test('handshake: protocol 2 when the suite offers 1 and 2, with name and profiles', async () => {
  const adapter = new AdapterProcess('fixtures/toy-adapter.js');
  const hello = await adapter.hello(2);
  assert.deepEqual(hello, { type: 'hello', protocol: 2, adapter: 'toy', version: '0.0.0', profiles: ['toy'] });
  assert.equal(await adapter.bye(), 0);
});

test('handshake: protocol 1 when the suite offers only 1 (a version 1 suite)', async () => {
  const adapter = new AdapterProcess('fixtures/toy-adapter.js');
  assert.equal((await adapter.hello(1)).protocol, 1);
  assert.equal(await adapter.bye(), 0);
});

test('handshake: a version 1 adapter answers error to a protocol 2 only hello, then accepts 1', async () => {
  const adapter = new AdapterProcess('fixtures/toy-adapter.js', { env: { TOY_MAX_PROTOCOL: '1' } });
  const refused = await adapter.send({ type: 'hello', protocol: 2, suite: 'x' });
  assert.equal(refused.type, 'error');
  assert.equal((await adapter.hello(1)).protocol, 1);
  assert.equal((await adapter.hello(2)).protocol, 1, 'offered [1,2], a v1 adapter picks 1');
  assert.equal(await adapter.bye(), 0);
});

test('malformed lines and unknown messages get {"type":"error"}; the adapter goes on', async () => {
  const adapter = new AdapterProcess('fixtures/toy-adapter.js');
  assert.equal((await adapter.sendRaw('this is not json')).type, 'error');
  assert.equal((await adapter.sendRaw('[1,2]')).type, 'error');
  assert.equal((await adapter.send({ type: 'frobnicate' })).type, 'error');
  assert.equal((await adapter.send({ type: 'advance', ms: 1 })).type, 'error', 'advance before hello');
  await adapter.hello(2);
  assert.equal((await adapter.send({ type: 'advance', ms: 1 })).type, 'error', 'advance before start');
  assert.equal((await adapter.start('c', T0, 'other-profile')).type, 'unsupported');
  assert.deepEqual(await adapter.start(), { type: 'ready' });
  assert.equal((await adapter.send({ type: 'input', input: { input: 'teleport' } })).type, 'error');
  assert.equal(await adapter.bye(), 0);
});

test('an exception in the adapter code is an error reply with its message, not a crash', async () => {
  const adapter = await started();
  const reply = await adapter.call('anonymize');
  assert.equal(reply.type, 'error');
  assert.match(reply.message, /boom in the adapter/);
  assert.equal((await adapter.call('track', { event: 'e1' })).type, 'done', 'still serving');
  assert.equal(await adapter.bye(), 0);
});

test('a call the adapter does not map is unimplemented', async () => {
  const adapter = await started();
  const reply = await adapter.call('logout');
  assert.equal(reply.type, 'unimplemented');
  assert.match(reply.reason, /logout/);
  assert.equal(await adapter.bye(), 0);
});

test('requests are numbered, reported with the token without Bearer, and parked until respond', async () => {
  const adapter = await started();
  const A = token('A', T0 / 1000 + 3600);
  await adapter.call('set_token', { token: A });
  const first = await adapter.call('track', { event: 'e1' });
  assert.deepEqual(first.observations, [
    { at: T0, output: 'request_sent', request: 1, customer_ids: {}, events: ['e1'], authorization: A, attempt: 1, kind: 'events' },
  ]);
  const second = await adapter.call('track', { event: 'e2' });
  assert.equal(second.observations[0].request, 2);
  // Parked: time passes, nothing is answered, nothing happens.
  assert.deepEqual((await adapter.advance(60000)).observations, []);
  const answered = await adapter.respond(1, { status: 200 });
  assert.deepEqual(answered.observations, []);
  // A request has one answer: a second one reaches nothing (the SDK sees no change).
  assert.deepEqual((await adapter.respond(1, { status: 401 })).observations, [], 'a second answer changes nothing');
  assert.equal((await adapter.respond(9, { status: 200 })).type, 'error', 'no request 9');
  assert.equal(await adapter.bye(), 0);
});

test('a 401 schedules a retry that is sent during advance, at its own instant, as attempt 2', async () => {
  const adapter = await started();
  await adapter.call('set_token', { token: token('A', T0 / 1000 + 3600) });
  await adapter.call('track', { event: 'e1' });
  await adapter.advance(5000);
  assert.deepEqual((await adapter.respond(1, { status: 401 })).observations, []);
  const later = await adapter.advance(10000);
  assert.equal(later.observations.length, 1);
  assert.equal(later.observations[0].at, T0 + 5000 + 1000);
  assert.equal(later.observations[0].request, 2);
  assert.equal(later.observations[0].attempt, 2);
  assert.equal(await adapter.bye(), 0);
});

test('respond with a body: the SDK reads it as JSON (XHR and fetch)', async () => {
  const adapter = await started();
  await adapter.call('set_token', { token: 'T' });
  await adapter.call('track', { event: 'e1' });
  await adapter.call('track', { event: 'e2' });
  await adapter.advance(0);
  const xhr = await adapter.respond(2, { status: 403 }, { auth_error: { error_code: 22, reason: 'expired' } });
  assert.equal(xhr.observations.length, 1);
  assert.deepEqual(xhr.observations[0].detail.body, { auth_error: { error_code: 22, reason: 'expired' } });
  const flush = await adapter.call('flush');
  assert.equal(flush.observations[0].kind, 'other');
  assert.equal(flush.observations[0].request, 3);
  const answered = await adapter.respond(3, { status: 200 }, { ok: true });
  assert.deepEqual(answered.observations.map((o) => o.detail), [{ reason: 'flushed', status: 200, body: { ok: true } }]);
  assert.equal(await adapter.bye(), 0);
});

test('network error: XHR fires error, fetch rejects; each observed in the respond step', async () => {
  const adapter = await started();
  await adapter.call('track', { event: 'e1' });
  const xhr = await adapter.respond(1, 'network_error');
  assert.deepEqual(xhr.observations.map((o) => o.reason), ['network']);
  await adapter.call('flush');
  const fetched = await adapter.respond(2, 'network_error');
  assert.deepEqual(fetched.observations.map((o) => o.detail), [{ reason: 'network', message: 'Failed to fetch' }]);
  assert.equal(await adapter.bye(), 0);
});

test('clock: timers fire in due order at their own instants, Date.now() reading the due time', async () => {
  const adapter = await started();
  await adapter.advance(500);
  await adapter.call('new_session');
  const step = await adapter.advance(2500);
  assert.deepEqual(
    step.observations.map((o) => [o.reason, o.at, o.detail.at]),
    [
      ['tick1', T0 + 1500, T0 + 1500],
      ['tick2', T0 + 2500, T0 + 2500],
    ],
  );
  const rest = await adapter.advance(1000);
  assert.deepEqual(rest.observations.map((o) => [o.reason, o.at]), [['tick3', T0 + 3500]]);
  assert.equal(await adapter.bye(), 0);
});

test('clock: a timer captured at load (bundled-library style) is virtual too', async () => {
  const adapter = await started();
  const exp = T0 / 1000 + 300;
  await adapter.call('set_token', { token: token('A', exp) });
  const step = await adapter.advance(250000);
  assert.deepEqual(step.observations.map((o) => [o.reason, o.at]), [['expired_soon', T0 + 240000]]);
  assert.equal(await adapter.bye(), 0);
});

test('restart: storage survives, the module is loaded anew, old requests and timers are abandoned, ids go on', async () => {
  const adapter = await started();
  const A = token('A', T0 / 1000 + 300);
  await adapter.call('set_token', { token: A });
  await adapter.call('track', { event: 'e1' });
  const before = (await adapter.call('identify')).observations[0];
  await adapter.advance(1000);
  const restarted = await adapter.restart();
  assert.deepEqual(restarted, { type: 'done', observations: [] });
  await adapter.call('configure');
  const after = (await adapter.call('identify')).observations[0];
  assert.equal(after.token, A, 'localStorage kept the token');
  assert.equal(after.instances, 1, 'module-level state is new: the module was evaluated again');
  assert.equal(after.loadedAt, T0 + 1000, 'loaded at the virtual instant of the restart');
  assert.equal(before.instance, 1);
  assert.equal(after.instance, 2);
  // The old refresh timer (due at +240 s) is gone, the old request 1 is abandoned.
  assert.deepEqual((await adapter.advance(300000)).observations, []);
  assert.deepEqual((await adapter.respond(1, { status: 401 })).observations, [], 'a late answer to an abandoned request is ignored');
  const sent = await adapter.call('track', { event: 'e2' });
  assert.equal(sent.observations[0].request, 2, 'request ids count across the restart');
  assert.equal(await adapter.bye(), 0);
});

test('start wipes storage and numbering', async () => {
  const adapter = await started();
  await adapter.call('set_token', { token: 'T' });
  await adapter.call('track', { event: 'e1' });
  assert.deepEqual(await adapter.start('toy/second', T0 + 5), { type: 'ready' });
  await adapter.call('configure');
  const seen = (await adapter.call('identify')).observations[0];
  assert.equal(seen.token, null);
  assert.equal(seen.loadedAt, T0 + 5);
  assert.equal((await adapter.call('track', { event: 'e2' })).observations[0].request, 1);
  assert.equal(await adapter.bye(), 0);
});

test('token asks: token_requested numbered per case, provide_token resolves or fails them', async () => {
  const adapter = await started();
  const asked = await adapter.call('ask');
  assert.deepEqual(asked.observations, [{ at: T0, output: 'token_requested', ask: 1, reason: 'not_provided', customer_ids: {} }]);
  await adapter.call('ask');
  assert.deepEqual((await adapter.call('provide_token', { ask: 1, token: 'TK' })).observations.map((o) => o.provided), ['TK']);
  assert.deepEqual((await adapter.call('provide_token', { ask: 2 })).observations.map((o) => o.failed), ['the app could not provide a token']);
  assert.equal((await adapter.call('provide_token', { ask: 7, token: 'x' })).type, 'error');
  assert.equal(await adapter.bye(), 0);
});

test('protocol 1: v2-only fields and observations are left out', async () => {
  const adapter = new AdapterProcess('fixtures/toy-adapter.js');
  await adapter.hello(1);
  await adapter.start();
  await adapter.call('configure');
  const sent = await adapter.call('track', { event: 'e1' });
  assert.equal('kind' in sent.observations[0], false);
  const asked = await adapter.call('ask');
  assert.deepEqual(asked.observations, []);
  assert.match(adapter.stderr, /protocol 1 cannot express/);
  assert.equal(await adapter.bye(), 0);
});

test('seeded Math.random: the same case id gives the same sequence', async () => {
  const runs = [];
  for (let i = 0; i < 2; i += 1) {
    const adapter = await started();
    runs.push((await adapter.call('identify')).observations[0].random);
    await adapter.bye();
  }
  assert.equal(runs[0], runs[1]);
  assert.ok(runs[0] >= 0 && runs[0] < 1);
});

test('jsdom: window is the global object, the page is visible, storage still survives restart', async () => {
  const adapter = await started({ env: { TOY_DOM: '1' } });
  await adapter.call('set_token', { token: 'T' });
  const seen = (await adapter.call('identify')).observations[0];
  assert.equal(seen.hasWindow, true);
  assert.equal(seen.hidden, false);
  await adapter.restart();
  await adapter.call('configure');
  assert.equal((await adapter.call('identify')).observations[0].token, 'T');
  assert.equal(await adapter.bye(), 0);
});

test('stdout carries only replies: an SDK console.log goes to stderr', async () => {
  const adapter = await started();
  const reply = await adapter.call('track', { event: 'e1' });
  assert.equal(reply.type, 'done');
  assert.match(adapter.stderr, /toy: sending e1/);
  assert.equal(await adapter.bye(), 0);
});

test('restart with an ES module SDK: the module graph is evaluated anew per instance', async () => {
  const adapter = await started();
  const first = (await adapter.call('stop_integration')).observations[0];
  const again = (await adapter.call('stop_integration')).observations[0];
  assert.deepEqual([first.count, again.count], [1, 2], 'same instance, same module');
  await adapter.advance(7000);
  await adapter.restart();
  const fresh = (await adapter.call('stop_integration')).observations[0];
  assert.equal(fresh.count, 1, 'module-level state starts again');
  assert.equal(fresh.loadedAt, T0 + 7000);
  assert.equal(await adapter.bye(), 0);
});
