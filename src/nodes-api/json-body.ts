import { HermesError } from '../errors.js';

/**
 * The first key a JSON object text gives twice at its top level, or undefined. `text` is
 * valid JSON (JSON.parse accepted it), so a string followed by `:` at depth 1 is a key.
 * Nested objects need no check: a parameter's value may not be an object.
 */
export function duplicateTopLevelKey(text: string): string | undefined {
  const keys = new Set<string>();
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === '"') {
      const start = i;
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
      if (depth !== 1 || !/^\s*:/.test(text.slice(i + 1, i + 64))) continue;
      const key = JSON.parse(text.slice(start, i + 1)) as string;
      if (keys.has(key)) return key;
      keys.add(key);
    }
  }
  return undefined;
}

/**
 * Parses a JSON request body as the node API accepts it: an object of parameters, each key
 * once (docs/api.md). Anything else is API_BODY_INVALID, naming what is wrong.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HermesError('API_BODY_INVALID', 'the request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HermesError('API_BODY_INVALID', 'the request body must be a JSON object of parameters, not an array or a single value');
  }
  const duplicate = duplicateTopLevelKey(text);
  if (duplicate !== undefined) throw new HermesError('API_BODY_INVALID', `the JSON body gives the key ${JSON.stringify(duplicate.slice(0, 64))} more than once`);
  return value;
}
