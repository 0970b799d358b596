import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { DialectName } from '../db/types.js';
import { globToLike } from './canonical.js';
import type { Address } from './types.js';

/** Rows per multi-row INSERT and values per IN list: well below every driver's limits. */
export const CHUNK = 500;

export function chunks<T>(items: readonly T[], size: number = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Addresses grouped by domain, so lookups are `domain = ? AND username IN (…)` in chunks. */
export function byDomain(addresses: readonly Address[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const a of addresses) {
    const list = out.get(a.domain);
    if (list) list.push(a.username);
    else out.set(a.domain, [a.username]);
  }
  return out;
}

/**
 * Runs `fetch` for every domain and chunk of usernames among `addresses` and concatenates
 * the rows: bulk lookups by address without tuple IN.
 */
export async function selectByAddress<T>(
  addresses: readonly Address[],
  fetch: (domain: string, usernames: string[]) => Promise<T[]>,
): Promise<T[]> {
  const out: T[] = [];
  for (const [domain, usernames] of byDomain(addresses)) {
    for (const part of chunks([...new Set(usernames)])) out.push(...(await fetch(domain, part)));
  }
  return out;
}

/**
 * The key under which the database itself compares an address. Kamailio's tables on MySQL
 * use the server's (case-insensitive) collation; SQLite and hermes' utf8mb4_bin tables
 * compare exactly.
 */
export function addressKey(address: Address, caseInsensitive: boolean): string {
  const key = `${address.username}@${address.domain}`;
  return caseInsensitive ? key.toLowerCase() : key;
}

/** `column LIKE ? ESCAPE '!'` for a glob (* and ?), parameterised. */
export function likeGlob(column: RawBuilder<unknown> | string, glob: string): RawBuilder<SqlBool> {
  const ref = typeof column === 'string' ? sql.ref(column) : column;
  return sql<SqlBool>`${ref} like ${globToLike(glob)} escape '!'`;
}

/** username@domain as an SQL expression in the given dialect. */
export function addressExpression(dialect: DialectName, username: string, domain: string): RawBuilder<string> {
  return dialect === 'mysql'
    ? sql<string>`concat(${sql.ref(username)}, '@', ${sql.ref(domain)})`
    : sql<string>`(${sql.ref(username)} || '@' || ${sql.ref(domain)})`;
}

/** A DATETIME literal as Kamailio's tables hold it: 'YYYY-MM-DD HH:MM:SS' (UTC). */
export function kamailioDatetime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** Number of rows an INSERT/UPDATE/DELETE result reports. */
export function affected(result: { numInsertedOrUpdatedRows?: bigint; numDeletedRows?: bigint; numUpdatedRows?: bigint } | readonly { numInsertedOrUpdatedRows?: bigint }[]): number {
  if (Array.isArray(result)) return result.reduce((n, r) => n + Number(r.numInsertedOrUpdatedRows ?? 0n), 0);
  const r = result as { numInsertedOrUpdatedRows?: bigint; numDeletedRows?: bigint; numUpdatedRows?: bigint };
  return Number(r.numInsertedOrUpdatedRows ?? r.numDeletedRows ?? r.numUpdatedRows ?? 0n);
}
