import { CompiledQuery, sql, type Kysely, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { adapterOf, type DialectAdapter } from '../db/dialects/index.js';
import { globToLike } from './canonical.js';
import { foldCase, globToRegExp } from '../model/index.js';
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

/** Where a table keeps an address, and whether its columns already fold case (db.caseInsensitive). */
export interface AddressColumns<T> {
  /** The database the table is in. */
  db: Kysely<any>;
  /** The query of the table's rows, its columns selected, without conditions. */
  base: () => SelectQueryBuilder<any, any, T>;
  username: string;
  domain: string;
  /** The columns compare case-insensitively (MySQL's *_ci collations): exact queries find every case variant. */
  folds: boolean;
}

/**
 * The rows of one table at `addresses`, compared by hermes' rule (foldedAddress: ASCII case
 * folded), whatever the engine's collation: a superset, which the caller keys with
 * AddressIndex. Per domain and chunk of usernames, `domain = ? AND username IN (…)` (no tuple
 * IN), the username column leading an index on every table looked up. On columns that compare
 * exactly the domain condition is `lower(domain) = ?` and the IN list holds every ASCII case
 * variant of each username (`u123`, `U123`), so that `alice@corp.example` finds
 * `Alice@Corp.Example` through the index; a username with more than MAX_VARIANT_LETTERS letters
 * is looked up as given through the index, and when no row is spelled so, by `lower(username)`,
 * which reads the whole table (once per chunk): a user/get of a stored spelling never scans. A
 * large batch (at least WHOLE_DOMAIN_MIN usernames in a domain) whose domain holds at most twice
 * as many rows as asked for is read in one query of the whole domain instead.
 */
export async function selectByAddress<T>(addresses: readonly Address[], table: AddressColumns<T>): Promise<T[]> {
  const out: T[] = [];
  const append = (rows: readonly T[]) => {
    for (const r of rows) out.push(r);
  };
  const domainRef = sql.ref(table.domain);
  const inDomain = (domain: string) => (table.folds ? table.base().where(table.domain, '=', domain) : table.base().where(sql<SqlBool>`lower(${domainRef}) = ${domain}`));
  for (const [domain, usernames] of byDomain(addresses.map((a) => ({ username: a.username, domain: foldCase(a.domain) })))) {
    const distinct = [...new Set(usernames)];
    if (distinct.length >= WHOLE_DOMAIN_MIN && (await domainRowsAtMost(table.db, inDomain(domain), 2 * distinct.length))) {
      append(await inDomain(domain).execute());
      continue;
    }
    const { listed, unlisted } = table.folds ? { listed: distinct, unlisted: [] } : variantsOf(distinct);
    for (const part of chunks(listed, LOOKUP_CHUNK)) append(await inDomain(domain).where(table.username, 'in', part).execute());
    // Names with many letters: the spelling given, through the index; only those not found so spelled by lower() (a scan).
    const found = new Set<string>();
    for (const part of chunks(unlisted, LOOKUP_CHUNK)) {
      const rows = await inDomain(domain).where(table.username, 'in', part).execute();
      append(rows);
      for (const r of rows) found.add((r as Record<string, string>)[table.username]);
    }
    const missing = unlisted.filter((name) => !found.has(name));
    for (const part of chunks(missing, LOWER_CHUNK)) append(await inDomain(domain).where(lowerIn(table.username, part)).execute());
  }
  return out;
}

/**
 * Usernames per `username IN (…)` lookup: larger than CHUNK, since an apply's batches look up
 * tens of thousands of names (and their case variants), each statement a round trip.
 */
const LOOKUP_CHUNK = 2_000;

/**
 * Whether the domain's rows (`query`: the table's rows in one domain) are at most `max`: the
 * database counts at most max + 1 of them (a count over a LIMITed subquery, so that a domain
 * much larger than the batch is not counted to its end, and one row comes back instead of the
 * max + 1 the subquery reads: count(*) of the whole domain read the whole table, once per batch
 * of an apply, and the LIMITed rows sent back cost the client one row each).
 */
async function domainRowsAtMost(db: Kysely<any>, query: SelectQueryBuilder<any, any, any>, max: number): Promise<boolean> {
  const probe = query.clearSelect().select(sql<number>`1`.as('one')).limit(max + 1);
  const row = await db.selectFrom(() => probe.as('probe')).select(sql<number | string | bigint>`count(*)`.as('n')).executeTakeFirst();
  return Number(row?.n ?? 0) <= max;
}

/** A username with at most this many ASCII letters is looked up by its case variants (2^letters of them). */
const MAX_VARIANT_LETTERS = 6;
/** Usernames per `lower(username) IN (…)` query: each such query reads the whole table. */
const LOWER_CHUNK = 5_000;

/** Every ASCII case variant of each username that has few letters (listed); the others (unlisted). */
function variantsOf(usernames: readonly string[]): { listed: string[]; unlisted: string[] } {
  const listed = new Set<string>();
  const unlisted: string[] = [];
  for (const name of usernames) {
    const letters: number[] = [];
    for (let i = 0; i < name.length && letters.length <= MAX_VARIANT_LETTERS; i++) if (isAsciiLetter(name.charCodeAt(i))) letters.push(i);
    if (letters.length > MAX_VARIANT_LETTERS) unlisted.push(name);
    else for (let mask = 0; mask < 1 << letters.length; mask++) listed.add(caseVariant(name, letters, mask));
  }
  return { listed: [...listed], unlisted };
}

const isAsciiLetter = (code: number): boolean => (code >= 65 && code <= 90) || (code >= 97 && code <= 122);

/** `name` with its letters at `letters` in upper case where `mask` has a bit set, lower case elsewhere. */
function caseVariant(name: string, letters: readonly number[], mask: number): string {
  if (letters.length === 0) return name;
  let out = '';
  let from = 0;
  for (let b = 0; b < letters.length; b++) {
    const at = letters[b];
    const ch = name[at];
    out += name.slice(from, at) + ((mask >> b) & 1 ? ch.toUpperCase() : ch.toLowerCase());
    from = at + 1;
  }
  return out + name.slice(from);
}

/** `lower(column) IN (lower(?), …)`: on every engine a superset of the ASCII case variants. */
function lowerIn(column: string, values: readonly string[]): RawBuilder<SqlBool> {
  return sql<SqlBool>`lower(${sql.ref(column)}) in (${sql.join(values.map((v) => sql`lower(${v})`))})`;
}

/**
 * Rows keyed by hermes' case rule. `get` prefers the row spelled exactly as asked (a case-
 * sensitive engine may hold `Alice` and `alice` side by side, written by other tools), then
 * any case variant; `all` gives the exact rows when there are some, else every variant.
 */
export class AddressIndex<T> {
  private readonly exact = new Map<string, T[]>();
  private readonly byFold = new Map<string, T[]>();

  constructor(rows: Iterable<T>, addressOf: (row: T) => Address) {
    for (const r of rows) {
      const a = addressOf(r);
      const key = `${a.username}@${a.domain}`;
      push(this.exact, key, r);
      push(this.byFold, foldCase(key), r);
    }
  }

  all(address: Address): T[] {
    const key = `${address.username}@${address.domain}`;
    return this.exact.get(key) ?? this.byFold.get(foldCase(key)) ?? [];
  }

  get(address: Address): T | undefined {
    return this.all(address)[0];
  }

  has(address: Address): boolean {
    return this.all(address).length > 0;
  }
}

function push<T>(map: Map<string, T[]>, key: string, row: T): void {
  const list = map.get(key);
  if (list) {
    if (!list.includes(row)) list.push(row);
  } else map.set(key, [row]);
}

/** `column LIKE ? ESCAPE '!'` for a glob (* and ?), parameterised. */
export function likeGlob(column: RawBuilder<unknown> | string, glob: string): RawBuilder<SqlBool> {
  const ref = typeof column === 'string' ? sql.ref(column) : column;
  return sql<SqlBool>`${ref} like ${globToLike(glob)} escape '!'`;
}

/**
 * A glob on an address under hermes' case rule, for `user/list` and `alias/list`: `where` is
 * `lower(column) LIKE lower(?)`, which finds every ASCII case variant on every engine (and may
 * find more: MySQL's collations also ignore accents, PostgreSQL's lower() folds beyond ASCII);
 * `matches` then keeps exactly the addresses the rule matches, so every engine answers alike.
 */
export function foldedGlob(column: RawBuilder<unknown>, glob: string): { where: RawBuilder<SqlBool>; matches: (address: string) => boolean } {
  const re = globToRegExp(foldCase(glob));
  return {
    where: sql<SqlBool>`lower(${column}) like lower(${globToLike(glob)}) escape '!'`,
    matches: (address) => re.test(foldCase(address)),
  };
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
 * values (?, …), …` with every value bound, as the engine's adapter spells it; with `replaceOn`
 * (a unique key's columns) a row whose key exists replaces the stored row's other columns. The
 * table and column names are constants of the caller (never input); the adapter quotes them.
 * Builds the placeholders directly instead of through Kysely's query builder, whose per-value
 * nodes dominate the cost of inserting 100,000 rows. Returns the number of rows the database
 * reports as inserted.
 */
export async function insertRows(
  db: Kysely<any>,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  options: { ignore?: boolean; replaceOn?: readonly string[] } = {},
): Promise<number> {
  if (rows.length === 0) return 0;
  const adapter = adapterOf(db);
  const insert = { ignore: options.ignore ?? false, replaceOn: options.replaceOn };
  const per = rowsPerStatement(columns.length, adapter.maxBindParameters);
  const full = adapter.multiRowInsert(table, columns, Math.min(per, rows.length), insert);
  let inserted = 0;
  for (let i = 0; i < rows.length; i += per) {
    const part = rows.slice(i, i + per);
    const params: unknown[] = [];
    for (const row of part) for (const v of row) params.push(v);
    const text = part.length === per || i === 0 ? full : adapter.multiRowInsert(table, columns, part.length, insert);
    const result = await db.executeQuery(CompiledQuery.raw(text, params));
    inserted += Number(result.numAffectedRows ?? 0n);
  }
  return inserted;
}
