'use strict';
/**
 * A seedable `Math.random` (mulberry32), so an SDK's randomised backoff is the same on every run
 * of a case and its delays can be measured and asserted.
 */

function mulberry32(seed) {
  let a = seed >>> 0;
  return function random() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed from a string (a case id), FNV-1a. */
function seedFrom(text) {
  let hash = 0x811c9dc5;
  for (const char of String(text)) {
    hash ^= char.codePointAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

class SeededRandom {
  constructor() {
    this.original = Math.random;
    this.generator = null;
    this.seed = null;
  }

  /** Replaces Math.random with a generator seeded by `seed` (a number or a string). */
  install(seed) {
    this.seed = typeof seed === 'number' ? seed >>> 0 : seedFrom(seed);
    this.generator = mulberry32(this.seed);
    const generator = () => this.generator();
    Math.random = generator;
  }

  uninstall() {
    Math.random = this.original;
  }
}

module.exports = { SeededRandom, mulberry32, seedFrom };
