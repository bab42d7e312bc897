'use strict';
/**
 * One case at a time: the virtual clock, the captured transport, the storage, the optional
 * DOM, and the SDK instance (or instances, across restarts), driven by the suite's messages.
 */

const path = require('node:path');
const { VirtualClock } = require('./clock');
const { Transport, onListenerError } = require('./transport');
const { createStorage } = require('./storage');
const { SeededRandom } = require('./random');
const { ModuleLoader } = require('./loader');
const { requestSentFields, jwtPayload } = require('./observations');

/** Thrown by an adapter for an app call its SDK does not have: answered `unimplemented`. */
class Unimplemented extends Error {
  constructor(reason) {
    super(reason);
    this.name = 'Unimplemented';
  }
}

function log(...parts) {
  process.stderr.write(`${parts.map((p) => (typeof p === 'string' ? p : safeJson(p))).join(' ')}\n`);
}

function safeJson(value) {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** Token asks of a pull SDK: numbered per case, answered by `provide_token`. */
class Asks {
  constructor() {
    this.reset();
  }

  reset() {
    this.abandonAll();
    this.nextId = 1;
    this.all = new Map();
  }

  abandonAll() {
    if (!this.all) return;
    for (const ask of this.all.values()) if (ask.state === 'pending') ask.state = 'abandoned';
  }

  create(instance) {
    const ask = { id: this.nextId, instance, state: 'pending' };
    this.nextId += 1;
    ask.promise = new Promise((resolve, reject) => {
      ask.resolve = resolve;
      ask.reject = reject;
    });
    this.all.set(ask.id, ask);
    return ask;
  }

  /** Answers ask `id` with `token`, or fails it when `token` is null/undefined. */
  answer(id, token) {
    const ask = this.all.get(id);
    if (!ask) throw new Error(`provide_token: the SDK made no token ask ${id} in this case (asks so far: ${this.nextId - 1})`);
    if (ask.state === 'abandoned') {
      log(`kit: the answer to token ask ${id} is ignored: it was made by an instance that ended at restart`);
      return;
    }
    if (ask.state !== 'pending') {
      // The app's callback settles its promise once; a second answer is a no-op for the SDK,
      // as for a real app calling resolve twice.
      log(`kit: the second answer to token ask ${id} is ignored: it was already ${ask.state}`);
      return;
    }
    if (token == null) {
      ask.state = 'failed';
      ask.reject(new Error('the app could not provide a token'));
    } else {
      ask.state = 'provided';
      ask.resolve(token);
    }
  }

  pending() {
    return [...this.all.values()].filter((ask) => ask.state === 'pending');
  }
}

class Session {
  /** @param {object} spec the adapter (see README.md, "The adapter object") */
  constructor(spec) {
    this.spec = spec;
    const env = spec.environment || {};
    this.env = env;
    this.clock = new VirtualClock({ onUncaught: (error) => this.uncaught(error) });
    onListenerError((error) => this.uncaught(error));
    this.transport = new Transport({
      onSent: (request) => this.requestSent(request),
      now: () => this.clock.now(),
      log,
    });
    this.loader = new ModuleLoader(spec.baseDir || path.dirname(require.main ? require.main.filename : process.cwd()));
    this.random = new SeededRandom();
    this.asks = new Asks();
    this.dom = null;
    this.ctx = null;
    this.instance = 0;
    this.buffer = [];
    this.uncaughtErrors = [];
    this.started = false;
    this.step = null;
  }

  /** Called for an exception that escaped a timer callback or a promise nobody handled. */
  uncaught(error) {
    this.uncaughtErrors.push(error);
    log(`kit: uncaught in the SDK or the adapter (a browser would log it and go on): ${error && (error.stack || error.message || error)}`);
  }

  /** A brand-new case: fresh storage, numbering, cookies, databases; a new SDK instance. */
  async start(caseId, profile, clockMs) {
    this.teardown();
    this.caseId = caseId;
    this.profile = profile;
    this.caseState = {};
    this.localStorage = createStorage();
    this.sessionStorage = createStorage();
    this.transport.resetCase();
    this.asks.reset();
    this.buffer = [];
    this.uncaughtErrors = [];
    this.instance = 0;
    if (this.env.dom) {
      if (!this.dom) {
        const { DomEnvironment } = require('./dom');
        this.dom = new DomEnvironment(typeof this.env.dom === 'object' ? this.env.dom : {});
      }
      this.dom.resetCase();
    }
    this.indexedDB = null;
    if (this.env.indexedDB) {
      const { IDBFactory } = require('fake-indexeddb');
      this.indexedDB = new IDBFactory();
    }
    const seed = this.env.randomSeed === undefined || this.env.randomSeed === 'case' ? caseId : this.env.randomSeed;
    this.random.install(seed);
    this.started = true;
    await this.newInstance(clockMs);
  }

  /** The app process ends and a new one starts over the same storage; the clock goes on. */
  async restart() {
    if (this.spec.onRestart && this.ctx) await this.spec.onRestart(this.ctx);
    const now = this.clock.now();
    this.transport.newInstance();
    this.asks.abandonAll();
    await this.newInstance(now);
  }

  async newInstance(nowMs) {
    this.clock.uninstall();
    if (this.dom) this.dom.teardown();
    this.loader.newInstance();
    this.instance += 1;
    if (this.instance === 1) this.transport.instance = 1;
    if (this.dom) this.dom.setup();
    this.installStorage();
    this.clock.install(nowMs);
    this.transport.install(globalThis);
    this.ctx = this.makeContext();
    this.ctx.sdk = this.spec.load ? await this.spec.load(this.ctx) : null;
    await this.clock.settle();
  }

  installStorage() {
    const define = (name, value) => Object.defineProperty(globalThis, name, { value, writable: true, configurable: true });
    define('localStorage', this.localStorage);
    define('sessionStorage', this.sessionStorage);
    if (this.indexedDB) {
      const fake = require('fake-indexeddb');
      define('indexedDB', this.indexedDB);
      for (const name of ['IDBKeyRange', 'IDBCursor', 'IDBDatabase', 'IDBIndex', 'IDBObjectStore', 'IDBRequest', 'IDBTransaction', 'IDBOpenDBRequest', 'IDBVersionChangeEvent', 'IDBCursorWithValue', 'IDBFactory']) {
        if (fake[name]) define(name, fake[name]);
      }
    }
  }

  makeContext() {
    const session = this;
    const instance = this.instance;
    const ctx = {
      sdk: null,
      state: {},
      caseState: this.caseState,
      caseId: this.caseId,
      profile: this.profile,
      instance,
      protocol: this.protocol,
      localStorage: this.localStorage,
      sessionStorage: this.sessionStorage,
      requests: this.transport,
      clock: this.clock,
      now: () => session.clock.now(),
      log,
      jwtPayload,
      require: (name) => session.loader.require(name),
      import: (name) => session.loader.import(name),
      unimplemented(reason) {
        throw new Unimplemented(reason);
      },
      /** Records an observation at the current virtual instant (dropped if this instance has ended). */
      observe(output, fields = {}) {
        if (session.instance !== instance) {
          log(`kit: ${output} from an instance that ended at restart is not reported`);
          return;
        }
        session.buffer.push({ at: session.clock.now(), output, ...fields });
      },
      /**
       * The SDK called the app's token callback: reports `token_requested` and returns a promise the
       * suite settles with `provide_token` (a token, or a failure).
       */
      ask({ reason = null, customer_ids = {} } = {}) {
        const ask = session.asks.create(instance);
        ctx.observe('token_requested', { ask: ask.id, reason, customer_ids });
        return ask.promise;
      },
      /** The `request_sent` fields for a captured request, with the adapter's extractors. */
      requestSentFields: (request) => requestSentFields(request, session.spec.request, ctx),
    };
    // What the current step is (`{kind: 'app'|'respond'|'restart'|'advance', call, reply, body, ms}`):
    // lets an adapter say why something happened when the SDK itself does not say.
    Object.defineProperty(ctx, 'step', { get: () => session.step, enumerable: true });
    return ctx;
  }

  requestSent(request) {
    if (!this.ctx) return;
    if (this.spec.onRequest) {
      // The adapter reports requests itself (it may, say, number attempts across requests).
      this.spec.onRequest(this.ctx, request);
      return;
    }
    this.ctx.observe('request_sent', requestSentFields(request, this.spec.request, this.ctx));
  }

  /** Applies one `input` message's payload; returns the observations of the step. */
  async input(item) {
    this.requireStarted();
    const kind = item && item.input;
    this.step = { kind, call: item && item.call, reply: item && item.reply, body: item && item.body };
    if (kind === 'app') await this.appCall(item);
    else if (kind === 'respond') {
      this.transport.respond(item.request, item.reply, item.body);
      await this.clock.settle();
    } else if (kind === 'restart') {
      await this.restart();
    } else {
      throw new Error(`unknown input kind ${JSON.stringify(kind)}`);
    }
    return this.endStep();
  }

  async appCall(item) {
    const handler = this.spec.calls && this.spec.calls[item.call];
    if (!handler) {
      if (item.call === 'provide_token') {
        this.asks.answer(item.ask, item.token);
        await this.clock.settle();
        return;
      }
      if (item.call === 'restart') {
        await this.restart();
        return;
      }
      throw new Unimplemented(`${this.spec.name || 'this SDK'} has no \`${item.call}\``);
    }
    const result = handler(this.ctx, item);
    if (result && typeof result.then === 'function') {
      // An async handler is awaited while the step's work runs; if it is still pending when the
      // instant has settled (it waits on a request or a timer), it goes on in the background.
      let outcome = null;
      result.then(
        () => {
          outcome = { ok: true };
        },
        (error) => {
          outcome = { error };
        },
      );
      await this.clock.settle();
      if (outcome && outcome.error) throw outcome.error;
      if (!outcome) {
        result.catch((error) => this.uncaught(error));
      }
    } else {
      await this.clock.settle();
    }
  }

  /** Moves the virtual clock; returns the observations of the step. */
  async advance(ms) {
    this.requireStarted();
    this.step = { kind: 'advance', ms };
    await this.clock.advance(ms);
    return this.endStep();
  }

  async endStep() {
    if (this.spec.afterStep) {
      await this.spec.afterStep(this.ctx);
      await this.clock.settle();
    }
    if (this.spec.uncaught === 'error' && this.uncaughtErrors.length > 0) {
      const first = this.uncaughtErrors[0];
      this.uncaughtErrors = [];
      this.buffer = [];
      throw first;
    }
    this.uncaughtErrors = [];
    const observations = this.buffer;
    this.buffer = [];
    return observations;
  }

  requireStarted() {
    if (!this.started) throw new Error('no case started (send start first)');
  }

  /** Drops the current case's instance and fakes (before a new case, and at exit). */
  teardown() {
    this.clock.uninstall();
    if (this.dom) this.dom.teardown();
    this.random.uninstall();
    this.transport.abandonAll('the case ended');
    this.ctx = null;
    this.started = false;
  }
}

module.exports = { Session, Unimplemented, Asks };
