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
 * `setImmediate` stays real too (counted, so the kit knows when none is pending): it means "at
 * this instant", browsers have none, and libraries such as fake-indexeddb chain it; faked, each
 * link of such a chain scheduled inside a timer would land one virtual millisecond later.
 */

const FakeTimers = require('@sinonjs/fake-timers');

// Captured before any fake is installed: the kit's own way back to the real event loop.
const realSetImmediate = setImmediate;
const realClearImmediate = clearImmediate;
const realSetTimeout = setTimeout;

/** Resolves on the next turn of the REAL event loop, after every pending microtask. */
function realYield() {
  return new Promise((resolve) => realSetImmediate(resolve));
}

/** The global functions that take a callback, wrapped so a throwing callback is reported, not fatal. */
const CALLBACK_TAKERS = ['setTimeout', 'setInterval', 'requestAnimationFrame', 'requestIdleCallback'];

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
      toNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'clearImmediate'],
      loopLimit: this.loopLimit,
      ignoreMissingTimers: true,
    });
    this.wrapCallbackTakers();
    this.countImmediates();
  }

  /** Real immediates, counted: `settle` waits until none is pending. */
  countImmediates() {
    const clock = this;
    this.pendingImmediates = new Set();
    this.savedImmediate = { setImmediate: globalThis.setImmediate, clearImmediate: globalThis.clearImmediate };
    globalThis.setImmediate = function setImmediate(callback, ...args) {
      const handle = realSetImmediate(() => {
        clock.pendingImmediates.delete(handle);
        try {
          callback(...args);
        } catch (error) {
          clock.onUncaught(error);
        }
      });
      clock.pendingImmediates.add(handle);
      return handle;
    };
    globalThis.clearImmediate = function clearImmediate(handle) {
      clock.pendingImmediates.delete(handle);
      realClearImmediate(handle);
    };
  }

  /** Removes the fakes; every timer scheduled on them is dropped with them. */
  uninstall() {
    if (!this.fake) return;
    if (this.savedImmediate) {
      for (const handle of this.pendingImmediates) realClearImmediate(handle);
      Object.assign(globalThis, this.savedImmediate);
      this.savedImmediate = null;
    }
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
    const dueNow = () => this.dueInstants().filter((at) => at <= this.fake.now).length;
    for (let round = 0; round < 100000; round += 1) {
      await realYield();
      if (this.pendingImmediates.size > 0) continue;
      if (dueNow() === 0) {
        await realYield();
        if (dueNow() === 0 && this.pendingImmediates.size === 0) return;
        continue;
      }
      await this.fake.tickAsync(0);
    }
    throw new Error('the SDK keeps scheduling work at the same instant (100000 rounds); a runaway loop?');
  }

  /**
   * Moves the clock forward by `ms`, firing each timer at its own due instant (`Date.now()` reads
   * the due time inside it) and draining promise continuations after each, so what a timer causes
   * is seen at its instant.
   */
  async advance(ms) {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`advance needs a non-negative number of ms, got ${ms}`);
    const target = this.fake.now + ms;
    await this.settle();
    // One due instant at a time, settling in between, so what a timer starts (promise chains,
    // immediates) finishes at its instant, before a later timer runs.
    for (;;) {
      const next = this.dueInstants()[0];
      if (next === undefined || next > target) break;
      await this.fake.tickAsync(Math.max(0, next - this.fake.now));
      await this.settle();
    }
    if (this.fake.now < target) await this.fake.tickAsync(target - this.fake.now);
    await this.settle();
  }
}

module.exports = { VirtualClock, realYield, realSetTimeout };
