import type { FailureEnvelope } from '../ops/envelope.js';

/**
 * The methods that run a node (docs/api.md): GET with a query, POST with a form or JSON body.
 * Every other method on a node's path answers 405 with an Allow header, and runs nothing.
 */
export const NODE_METHODS = ['GET', 'POST'] as const;

/** The envelope of a 405: `invalid`, cause `method`. */
export function methodNotAllowed(method: string, path: string): FailureEnvelope {
  return {
    response: 'invalid',
    cause: 'method',
    detail: `${method.slice(0, 16)} is not allowed on ${path}: call a node with GET (query) or POST (form or JSON body)`,
  };
}
