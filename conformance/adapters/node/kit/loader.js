'use strict';
/**
 * Loads the SDK anew for each instance, after the fakes are installed.
 *
 * CommonJS: the modules an instance loaded are deleted from `require.cache` when the next
 * instance starts, so they are evaluated again and capture the new fake globals.
 * ES modules: each instance imports the SDK under its own `?kit_instance=N` URL (see
 * esm-hooks.mjs), which makes Node evaluate the whole graph again.
 */

const path = require('node:path');
const { createRequire, register } = require('node:module');
const { pathToFileURL } = require('node:url');

let hooksRegistered = false;

class ModuleLoader {
  /** @param {string} baseDir where package names are resolved from (the adapter's directory) */
  constructor(baseDir) {
    this.baseDir = baseDir;
    this.requireFrom = createRequire(path.join(baseDir, 'noop.js'));
    this.instance = 0;
    this.loadedByInstance = new Set();
  }

  /** A new SDK instance: forget the modules the previous one loaded. */
  newInstance() {
    for (const key of this.loadedByInstance) delete require.cache[key];
    this.loadedByInstance.clear();
    this.instance += 1;
  }

  /** Where `name` resolves to from the adapter's directory. */
  resolve(name) {
    return this.requireFrom.resolve(name);
  }

  /** `require(name)`, fresh for this instance. */
  require(name) {
    const before = new Set(Object.keys(require.cache));
    try {
      return this.requireFrom(name);
    } finally {
      for (const key of Object.keys(require.cache)) if (!before.has(key)) this.loadedByInstance.add(key);
    }
  }

  /** `import(name)` (an ES module package or file), fresh for this instance. */
  async import(name) {
    if (!hooksRegistered) {
      register('./esm-hooks.mjs', pathToFileURL(__filename));
      hooksRegistered = true;
    }
    const file = path.isAbsolute(name) ? name : this.resolve(name);
    const url = pathToFileURL(file);
    url.searchParams.set('kit_instance', String(this.instance));
    return import(url.href);
  }
}

module.exports = { ModuleLoader };
