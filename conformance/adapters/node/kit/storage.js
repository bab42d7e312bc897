'use strict';
/**
 * An in-memory Web Storage (`localStorage`, `sessionStorage`).
 *
 * The kit keeps one pair per case: wiped at `start`, kept across `restart`, so an SDK that
 * persists its token or queue finds them again after the app process "relaunches".
 * Named property access (`localStorage.foo`, `Object.keys(localStorage)`) works as in a
 * browser, because some SDKs read storage that way.
 */

class MemoryStorage {
  constructor() {
    // Map keeps insertion order, which `key(i)` exposes like browsers do.
    Object.defineProperty(this, '_items', { value: new Map(), enumerable: false });
  }

  get length() {
    return this._items.size;
  }

  key(index) {
    const keys = [...this._items.keys()];
    return index >= 0 && index < keys.length ? keys[index] : null;
  }

  getItem(key) {
    const value = this._items.get(String(key));
    return value === undefined ? null : value;
  }

  setItem(key, value) {
    this._items.set(String(key), String(value));
  }

  removeItem(key) {
    this._items.delete(String(key));
  }

  clear() {
    this._items.clear();
  }

  /** A plain copy of the contents, for tests and experiments. */
  snapshot() {
    return Object.fromEntries(this._items);
  }
}

const OWN = new Set(['length', 'key', 'getItem', 'setItem', 'removeItem', 'clear', 'snapshot', '_items']);

/** Creates a storage object that also answers named property access. */
function createStorage() {
  const target = new MemoryStorage();
  return new Proxy(target, {
    get(t, prop, receiver) {
      if (typeof prop === 'symbol' || OWN.has(prop) || prop in Object.prototype) {
        const value = Reflect.get(t, prop, t);
        return typeof value === 'function' ? value.bind(t) : value;
      }
      return t.getItem(prop) ?? undefined;
    },
    set(t, prop, value) {
      if (typeof prop === 'symbol' || OWN.has(prop)) return false;
      t.setItem(prop, value);
      return true;
    },
    deleteProperty(t, prop) {
      if (typeof prop !== 'symbol') t.removeItem(prop);
      return true;
    },
    has(t, prop) {
      return OWN.has(prop) || (typeof prop === 'string' && t._items.has(prop));
    },
    ownKeys(t) {
      return [...t._items.keys()];
    },
    getOwnPropertyDescriptor(t, prop) {
      if (typeof prop === 'string' && t._items.has(prop)) {
        return { value: t._items.get(prop), writable: true, enumerable: true, configurable: true };
      }
      return undefined;
    },
  });
}

module.exports = { createStorage, MemoryStorage };
