'use strict';
/**
 * Turning what the SDK did into the suite's observations (docs/adapter-protocol.md §2.5 and the
 * version 2 additions): a captured request into `request_sent`, and the version 1 downgrade.
 */

const KINDS = new Set(['events', 'customer_update', 'session', 'other']);

/**
 * The token a request carries, from a named header, with an optional `Bearer ` prefix removed;
 * null when the header is absent or empty.
 */
function tokenFromHeader(request, header = 'authorization', { bearer = true } = {}) {
  const value = request.header(header);
  if (value == null || value === '') return null;
  if (bearer) {
    const match = /^Bearer\s+(.*)$/i.exec(value);
    if (match) return match[1] === '' ? null : match[1];
  }
  return value;
}

/**
 * Builds the `request_sent` fields for `request` with the adapter's extractors:
 * `authorization` ({header, bearer} or a function), `customerIds`, `events`, `kind`, `attempt`.
 * A missing extractor gives the protocol's default (no customer, no events, `events`, 1).
 */
function requestSentFields(request, extractors, ctx) {
  const x = extractors || {};
  let authorization;
  if (typeof x.authorization === 'function') authorization = x.authorization(request, ctx);
  else {
    const spec = x.authorization || { header: 'authorization', bearer: true };
    authorization = tokenFromHeader(request, spec.header, { bearer: spec.bearer !== false });
  }
  const kind = x.kind ? x.kind(request, ctx) : 'events';
  if (!KINDS.has(kind)) throw new Error(`request ${request.id}: kind must be one of ${[...KINDS].join(', ')}, got ${kind}`);
  return {
    request: request.id,
    customer_ids: (x.customerIds && x.customerIds(request, ctx)) || {},
    events: (x.events && x.events(request, ctx)) || [],
    authorization: authorization == null ? null : authorization,
    attempt: (x.attempt && x.attempt(request, ctx)) || 1,
    kind,
  };
}

/** The payload of a JWT as an object, or null when it is not three base64url parts with JSON. */
function jwtPayload(token) {
  if (typeof token !== 'string') return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}

const V1_OUTPUTS = new Set(['request_sent', 'handler_called', 'request_failed', 'events_deleted', 'app_error']);

/**
 * An observation as a version 1 suite can read it, or null when version 1 cannot express it
 * (`token_requested`, a `network` failure, a `failure_limit` deletion): those are left out and
 * said on stderr, never bent into something else.
 */
function downgradeToV1(observation) {
  if (!V1_OUTPUTS.has(observation.output)) return null;
  if (observation.output === 'request_failed' && observation.cause === 'network') return null;
  if (observation.output === 'events_deleted' && observation.rule === 'failure_limit') return null;
  if (observation.output === 'request_sent') {
    const { kind, ...rest } = observation;
    return rest;
  }
  return observation;
}

module.exports = { tokenFromHeader, requestSentFields, jwtPayload, downgradeToV1, KINDS };
