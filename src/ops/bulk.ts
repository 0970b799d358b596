import { CompiledQuery, sql, type Kysely, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { adapterOf, type DialectAdapter } from '../db/dialects/index.js';
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

/** Each domain among `addresses` with its distinct usernames, in chunks (for `domain = ? AND username IN (…)`). */
export function* domainChunks(addresses: readonly Address[]): Generator<[domain: string, usernames: string[]]> {
  for (const [domain, usernames] of byDomain(addresses)) for (const part of chunks([...new Set(usernames)])) yield [domain, part];
}

/** A domain's batch of at least this many usernames may be looked up by reading the whole domain. */
export const WHOLE_DOMAIN_MIN = 2_000;

/**
 * The rows of one table at `addresses`: `inDomain(domain)` is the query of one domain's rows
 * (its domain condition applied), `usernameColumn` the column the usernames are looked up in.
 * Per domain and chunk of usernames, `… AND usernameColumn IN (…)` (no tuple IN). A large batch
 * (at least WHOLE_DOMAIN_MIN usernames in a domain) whose domain holds at most twice as many
 * rows as asked for is read in one query of the whole domain instead of hundreds of IN lists;
 * the rows may then include addresses that were not asked for (callers key the rows and look up).
 */
export async function selectByAddress<T>(
  addresses: readonly Address[],
  inDomain: (domain: string) => SelectQueryBuilder<any, any, T>,
  usernameColumn: string,
): Promise<T[]> {
  const out: T[] = [];
  const append = (rows: readonly T[]) => {
    for (const r of rows) out.push(r);
  };
  for (const [domain, usernames] of byDomain(addresses)) {
    const distinct = [...new Set(usernames)];
    if (distinct.length >= WHOLE_DOMAIN_MIN) {
      const counted = await inDomain(domain).clearSelect().select(sql<number | bigint | string>`count(*)`.as('n')).executeTakeFirst();
      if (Number(counted?.n ?? 0) <= 2 * distinct.length) {
        append(await inDomain(domain).execute());
        continue;
      }
    }
    for (const part of chunks(distinct)) append(await inDomain(domain).where(usernameColumn, 'in', part).execute());
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

/** username@domain as an SQL expression in the database's dialect. */
export function addressExpression(adapter: DialectAdapter, username: string, domain: string): RawBuilder<string> {
  return adapter.concat([sql.ref(username), sql.lit('@'), sql.ref(domain)]);
}

/** A DATETIME literal as Kamailio's tables hold it: 'YYYY-MM-DD HH:MM:SS' (UTC). */
export function kamailioDatetime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** Rows per multi-row INSERT at most. */
const MAX_ROWS = 10_000;

/** Rows per statement for a table of `columns` columns, within the engine's bound-value limit. */
export function rowsPerStatement(columns: number, maxBindParameters: number): number {
  return Math.max(1, Math.min(MAX_ROWS, Math.floor(maxBindParameters / columns)));
}

/**
 * Multi-row INSERTs in large chunks (see rowsPerStatement): `insert [ignore] into table (columns)
 * values (?, …), …` with every value bound, as the engine's adapter spells it. The table and
 * column names are constants of the caller (never input); the adapter quotes them. Builds the placeholders directly
 * instead of through Kysely's query builder, whose per-value nodes dominate the cost of
 * inserting 100,000 rows. Returns the number of rows the database reports as inserted.
 */
export async function insertRows(
  db: Kysely<any>,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  options: { ignore?: boolean } = {},
): Promise<number> {
  if (rows.length === 0) return 0;
  const adapter = adapterOf(db);
  const ignore = options.ignore ?? false;
  const per = rowsPerStatement(columns.length, adapter.maxBindParameters);
  const full = adapter.multiRowInsert(table, columns, Math.min(per, rows.length), { ignore });
  let inserted = 0;
  for (let i = 0; i < rows.length; i += per) {
    const part = rows.slice(i, i + per);
    const params: unknown[] = [];
    for (const row of part) for (const v of row) params.push(v);
    const text = part.length === per || i === 0 ? full : adapter.multiRowInsert(table, columns, part.length, { ignore });
    const result = await db.executeQuery(CompiledQuery.raw(text, params));
    inserted += Number(result.numAffectedRows ?? 0n);
  }
  return inserted;
}
