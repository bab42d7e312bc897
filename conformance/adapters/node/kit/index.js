'use strict';
/**
 * The jwt-lifecycle Node adapter kit. See README.md for a complete adapter and what each seam does.
 *
 *   const { runAdapter } = require('<kit>');
 *   runAdapter({ name, version, profiles, environment, load, request, calls });
 */

const path = require('node:path');
const { serve, Conversation, negotiate } = require('./protocol');
const { Session, Unimplemented } = require('./session');
const { tokenFromHeader, requestSentFields, jwtPayload, downgradeToV1 } = require('./observations');
const { VirtualClock } = require('./clock');
const { Transport, CapturedRequest } = require('./transport');
const { createStorage } = require('./storage');
const { SeededRandom } = require('./random');

function callerDir() {
  // The adapter's own file: the first stack frame outside the kit.
  const lines = (new Error().stack || '').split('\n').slice(1);
  for (const line of lines) {
    const match = /\(?((?:\/|[A-Za-z]:\\)[^():]+):\d+:\d+\)?$/.exec(line.trim());
    if (match && !match[1].startsWith(__dirname)) return path.dirname(match[1]);
  }
  return process.cwd();
}

/**
 * Runs an adapter on stdin/stdout. `spec.baseDir` (default: the caller's directory) is where the
 * SDK package is resolved from.
 */
function runAdapter(spec) {
  const full = { protocol: 2, ...spec, baseDir: spec.baseDir || callerDir() };
  // A plumbing check against a suite that does not know the adapter's profiles yet: announce
  // (and accept cases of) other profiles. Verdicts of such a run mean nothing.
  const override = process.env.JWT_LIFECYCLE_ANNOUNCE_PROFILES;
  if (override) {
    full.profiles = override.split(',').map((p) => p.trim()).filter(Boolean);
    process.stderr.write(`adapter: announcing ${full.profiles.join(', ')} (JWT_LIFECYCLE_ANNOUNCE_PROFILES): a plumbing check only\n`);
  }
  validate(full);
  return serve(full);
}

function validate(spec) {
  if (typeof spec.name !== 'string' || !spec.name) throw new TypeError('adapter: `name` (a string) is required');
  if (!Array.isArray(spec.profiles) || spec.profiles.length === 0) throw new TypeError('adapter: `profiles` (a non-empty array) is required');
  if (spec.calls && typeof spec.calls !== 'object') throw new TypeError('adapter: `calls` must be an object of functions');
}

module.exports = {
  runAdapter,
  Conversation,
  Session,
  Unimplemented,
  negotiate,
  tokenFromHeader,
  requestSentFields,
  jwtPayload,
  downgradeToV1,
  VirtualClock,
  Transport,
  CapturedRequest,
  createStorage,
  SeededRandom,
};
