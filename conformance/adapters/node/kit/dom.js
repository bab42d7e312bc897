'use strict';
/**
 * Optional browser environment for SDKs that need a DOM: a jsdom document, navigator, location,
 * cookies, with `window` and `self` pointing at Node's global object, so that `window.setTimeout`
 * is the virtual clock's and `window.XMLHttpRequest` the captured one.
 *
 * A new document is made for each SDK instance (a relaunched app gets a fresh page), over the
 * case's cookie jar (cookies, like storage, survive a restart and are wiped at start).
 */

// Names the kit always takes from jsdom, even when Node has a global of that name. Events must be
// jsdom's: jsdom's dispatchEvent (window, document, elements) accepts only its own Event objects.
const FORCED = ['window', 'self', 'top', 'parent', 'frames', 'document', 'navigator', 'location', 'history', 'screen'];
const FORCED_CLASSES = ['Event', 'CustomEvent'];
// Names the kit never copies from jsdom: the virtual clock, the captured transport and the
// case's storage own them, and Node's own versions of the rest are the ones the SDK must see.
const NEVER = new Set([
  'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate',
  'Date', 'performance', 'XMLHttpRequest', 'fetch', 'localStorage', 'sessionStorage', 'indexedDB',
  'console', 'Promise', 'queueMicrotask', 'crypto', 'Math', 'JSON',
]);

const DEFAULT_USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

class DomEnvironment {
  /**
   * @param {object} [options]
   * @param {string} [options.url] the page's URL (origin of cookies and storage)
   * @param {string} [options.userAgent] navigator.userAgent (some SDKs time flushes by it)
   * @param {string} [options.html] the page
   */
  constructor({ url = 'https://app.example.test/', userAgent = DEFAULT_USER_AGENT, html } = {}) {
    // Loaded only when a DOM is asked for: jsdom takes a while to load.
    this.jsdom = require('jsdom');
    this.url = url;
    this.userAgent = userAgent;
    this.html = html || '<!DOCTYPE html><html><head><title>app</title></head><body></body></html>';
    this.cookieJar = new this.jsdom.CookieJar();
    this.dom = null;
    this.installed = new Map(); // name -> previous descriptor (undefined when there was none)
  }

  /** A brand-new case: cookies are wiped. */
  resetCase() {
    this.teardown();
    this.cookieJar = new this.jsdom.CookieJar();
  }

  /** Creates a new page and puts its globals on Node's global object. */
  setup() {
    this.teardown();
    const virtualConsole = new this.jsdom.VirtualConsole();
    virtualConsole.on('jsdomError', (error) => process.stderr.write(`jsdom: ${error.message}\n`));
    this.dom = new this.jsdom.JSDOM(this.html, {
      url: this.url,
      pretendToBeVisual: true,
      cookieJar: this.cookieJar,
      virtualConsole,
    });
    const win = this.dom.window;
    // jsdom's own user agent names jsdom; SDKs time flushes and pick code paths by it. (Its
    // `userAgent` option is gone; a custom ResourceLoader would also load subresources.)
    const userAgent = this.userAgent;
    Object.defineProperty(win.navigator, 'userAgent', { get: () => userAgent, configurable: true });
    // The window's own names, and those of its prototypes (addEventListener, dispatchEvent...).
    const names = new Set();
    for (let o = win; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
      for (const name of Object.getOwnPropertyNames(o)) if (name !== 'constructor') names.add(name);
    }
    for (const name of names) {
      if (NEVER.has(name) || FORCED.includes(name) || FORCED_CLASSES.includes(name) || name in globalThis) continue;
      let value;
      try {
        value = win[name];
      } catch {
        continue;
      }
      // Methods such as getComputedStyle or addEventListener need jsdom's window as `this`;
      // constructors (capitalised) must stay constructible.
      if (typeof value === 'function' && !/^[A-Z]/.test(name)) value = value.bind(win);
      this.define(name, value);
    }
    for (const name of ['window', 'self', 'top', 'parent', 'frames']) this.define(name, globalThis);
    for (const name of FORCED_CLASSES) this.define(name, win[name]);
    for (const name of ['document', 'navigator', 'location', 'history', 'screen']) this.define(name, win[name]);
  }

  define(name, value) {
    if (!this.installed.has(name)) this.installed.set(name, Object.getOwnPropertyDescriptor(globalThis, name));
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  }

  /** Removes the page's globals and closes it. */
  teardown() {
    for (const [name, previous] of this.installed) {
      if (previous) Object.defineProperty(globalThis, name, previous);
      else delete globalThis[name];
    }
    this.installed.clear();
    if (this.dom) {
      this.dom.window.close();
      this.dom = null;
    }
  }
}

module.exports = { DomEnvironment, DEFAULT_USER_AGENT };
