'use strict';
/**
 * The virtual clock: `@sinonjs/fake-timers` installed on the global object.
 *
 * Why fake-timers and not a hand-made queue: an SDK (and the libraries it bundles, such as
 * axios) reads `Date`, `setTimeout`, `setInterval`, `setImmediate`, `performance` and
 * `requestAnimationFrame` from the global object, often once at load time. Installing the
 * fakes BEFORE the SDK is loaded makes every one of those the virtual clock's.
 *
 * `process.nextTick` and `queueMicrotask` stay real: promise continuations must run as they
 * would, and the kit drains them by yielding to the real event loop between timers.
 */

const FakeTimers = require('@sinonjs/fake-timers');

// Captured before any fake is installed: the kit's own way back to the real event loop.
const realSetImmediate = setImmediate;
const realSetTimeout = setTimeout;

/** Resolves on the next turn of the REAL event loop, after every pending microtask. */
function realYield() {
  return new Promise((resolve) => realSetImmediate(resolve));
}

/** The global functions that take a callback, wrapped so a throwing callback is reported, not fatal. */
const CALLBACK_TAKERS = ['setTimeout', 'setInterval', 'setImmediate', 'requestAnimationFrame', 'requestIdleCallback'];

class VirtualClock {
  /**
   * @param {object} options
   * @param {(error: unknown) => void} options.onUncaught called with an exception that escaped a
   *   timer callback (a browser reports it on the console and goes on; so does the kit)
   * @param {number} [options.loopLimit] timers fired in one advance before giving up (a runaway loop)
   */
  constructor({ onUncaught, loopLimit = 100000 } = {}) {
    this.onUncaught = onUncaught || ((error) => process.stderr.write(`uncaught in a timer: ${error && error.stack}\n`));
    this.loopLimit = loopLimit;
    this.fake = null;
  }

  get installed() {
    return this.fake !== null;
  }

  /** Installs fresh fakes at `nowMs` (on `start`, and on `restart` with the clock's current reading). */
  install(nowMs) {
    if (this.fake) this.uninstall();
    this.fake = FakeTimers.withGlobal(globalThis).install({
      now: nowMs,
      toNotFake: ['nextTick', 'queueMicrotask'],
      loopLimit: this.loopLimit,
      ignoreMissingTimers: true,
    });
    this.wrapCallbackTakers();
  }

  /** Removes the fakes; every timer scheduled on them is dropped with them. */
  uninstall() {
    if (!this.fake) return;
    for (const name of CALLBACK_TAKERS) {
      if (this.originals && this.originals[name]) globalThis[name] = this.originals[name];
    }
    this.fake.uninstall();
    this.fake = null;
  }

  wrapCallbackTakers() {
    this.originals = {};
    for (const name of CALLBACK_TAKERS) {
      const fakeFn = globalThis[name];
      if (typeof fakeFn !== 'function') continue;
      this.originals[name] = fakeFn;
      const report = this.onUncaught;
      const wrapped = function (callback, ...rest) {
        if (typeof callback !== 'function') return fakeFn.call(this, callback, ...rest);
        const guarded = function (...args) {
          try {
            return callback.apply(this, args);
          } catch (error) {
            report(error);
            return undefined;
          }
        };
        return fakeFn.call(this, guarded, ...rest);
      };
      Object.defineProperty(wrapped, 'name', { value: name });
      // Libraries test for `setTimeout.clock` or copy properties such as `__promisify__`.
      Object.assign(wrapped, fakeFn);
      globalThis[name] = wrapped;
    }
  }

  /** The virtual instant, Unix milliseconds. */
  now() {
    if (!this.fake) throw new Error('the virtual clock is not installed (no case started)');
    return this.fake.now;
  }

  /** How many timers are scheduled (tests and experiments). */
  pendingTimers() {
    return this.fake ? this.fake.countTimers() : 0;
  }

  /** The due instants of the scheduled timers, earliest first (tests and experiments). */
  dueInstants() {
    if (!this.fake || !this.fake.timers) return [];
    return [...this.fake.timers.values()]
      .map((timer) => timer.callAt)
      .sort((a, b) => a - b);
  }

  /**
   * Lets everything the current instant has caused happen: promise continuations, and timers due
   * now (zero-delay timers, immediates), repeatedly, until nothing is left to run at this instant.
   */
  async settle() {
    for (let round = 0; round < 1000; round += 1) {
      await realYield();
      const dueNow = this.dueInstants().filter((at) => at <= this.fake.now).length;
      if (dueNow === 0) {
        await realYield();
        if (this.dueInstants().filter((at) => at <= this.fake.now).length === 0) return;
      }
      await this.fake.tickAsync(0);
    }
    throw new Error('the SDK keeps scheduling work at the same instant (1000 rounds); a runaway loop?');
  }

  /**
   * Moves the clock forward by `ms`, firing each timer at its own due instant (`Date.now()` reads
   * the due time inside it) and draining promise continuations after each, so what a timer causes
   * is seen at its instant.
   */
  async advance(ms) {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`advance needs a non-negative number of ms, got ${ms}`);
    await this.settle();
    await this.fake.tickAsync(ms);
    await this.settle();
  }
}

module.exports = { VirtualClock, realYield, realSetTimeout };
