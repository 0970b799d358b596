import type { ParamReader } from './node-params.js';

/**
 * Every list node (user/list, phone/list, numbers/list, alias/list) answers at most this many
 * entries: without `limit` (the contract's "entire list", for any pool or user base up to
 * this size) and with a larger `limit` (clamped: the contract's limit is a wish, not a demand).
 * A list cut short says so with `"truncated": true` in its envelope.
 */
export const MAX_LIST_LIMIT = 10_000;

/** The `limit` parameter: a whole number from 1 (invalid otherwise), clamped to MAX_LIST_LIMIT. */
export function listLimit(p: ParamReader): number {
  return Math.min(p.int('limit', 1, 999_999_999) ?? MAX_LIST_LIMIT, MAX_LIST_LIMIT);
}

/**
 * The members of a list node's envelope: `rows` (read with `limit + 1`) cut to `limit`, and
 * `truncated: true` when there were more.
 */
export function limited<K extends string, T>(key: K, rows: T[], limit: number): Record<K, T[]> & { truncated?: true } {
  const out = { [key]: rows.slice(0, limit) } as Record<K, T[]> & { truncated?: true };
  if (rows.length > limit) out.truncated = true;
  return out;
}
