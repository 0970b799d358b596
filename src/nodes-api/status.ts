import { httpStatusOfCause } from '../errors.js';
import type { Envelope } from '../ops/envelope.js';

/**
 * The HTTP status that mirrors an envelope: 200 ok, else the status the error catalogue
 * (src/errors.ts) gives its response and cause (400 for an invalid parameter, 401
 * unauthenticated, 403 forbidden, 404 nonexistant or an unknown node, 409 other failures,
 * 500 error).
 */
export function httpStatusOf(envelope: Envelope): number {
  return envelope.response === 'ok' ? 200 : httpStatusOfCause(envelope.response, envelope.cause);
}
