import type { FailureEnvelope } from '../ops/envelope.js';

export type NodeParams = Record<string, string | string[] | undefined>;

/**
 * The parameters of a request, as callNode takes them: the query string's, merged with the
 * body's (form or JSON object) for POST. A key given more than once (in the query, or both in
 * the query and the body) arrives as an array, which the node answers as invalid. JSON numbers
 * and booleans become their text; nested objects, arrays of non-strings and null are invalid.
 */
export function requestParams(query: unknown, body: unknown): { params: NodeParams } | { invalid: FailureEnvelope } {
  const params: NodeParams = Object.create(null) as NodeParams;
  const add = (key: string, value: string | string[]) => {
    const existing = params[key];
    if (existing === undefined) params[key] = value;
    else params[key] = ([] as string[]).concat(existing, value);
  };
  if (query && typeof query === 'object') {
    for (const [key, value] of Object.entries(query as Record<string, unknown>)) {
      if (typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'))) add(key, value as string | string[]);
    }
  }
  if (body === undefined || body === null || body === '') return { params };
  if (typeof body !== 'object' || Array.isArray(body)) {
    return { invalid: { response: 'invalid', cause: 'body', detail: 'the request body must be a form or a JSON object of parameters' } };
  }
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (typeof value === 'string') add(key, value);
    else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') add(key, String(value));
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) add(key, value as string[]);
    else {
      return { invalid: { response: 'invalid', cause: key.slice(0, 64), detail: `parameter "${key.slice(0, 64)}" must be a string, a number or a boolean` } };
    }
  }
  return { params };
}
