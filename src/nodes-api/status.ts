import type { Envelope } from '../ops/envelope.js';

/**
 * The HTTP status that mirrors an envelope: 200 ok, 400 invalid, 401 unauthenticated,
 * 403 forbidden (wrong scope), 404 nonexistant, 409 other failures, 500 error. (Unknown
 * nodes answer 404 with an 'invalid' envelope; the router sets that status itself.)
 */
export function httpStatusOf(envelope: Envelope): number {
  switch (envelope.response) {
    case 'ok':
      return 200;
    case 'invalid':
      return 400;
    case 'failed':
      switch (envelope.cause) {
        case 'unauthenticated':
          return 401;
        case 'forbidden':
          return 403;
        case 'nonexistant':
          return 404;
        default:
          return 409;
      }
    default:
      return 500;
  }
}
