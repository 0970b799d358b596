/**
 * Reads the actual state in bulk: one query per table (domain, subscriber, dbaliases,
 * hermes_users, hermes_phones, hermes_numbers), never one per object, all sent at once,
 * canonicalised and keyed for the planner, with a fingerprint over the canonical rows.
 */
import { createHash } from 'node:crypto';
import type { Dbs } from '../db/types.js';
import { sql } from 'kysely';
import { isE164, normalizeMac } from '../ops/canonical.js';
import { readProvisioningItems } from '../ops/provisioning.js';
import { subscriberUser, type ActualAlias, type ActualState, type ActualUser } from './actual-state.js';
import { foldCase, numericNumber, USER_FIELDS, type NumberRun, type UserFieldName, type UserFields } from '../model/index.js';
import { mergeRuns } from './number-ranges.js';

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export interface ReadActualOptions {
  /**
   * Compute the fingerprint (default true). Only what compares or records the state needs it
   * (a saved plan, `--format json`/`markdown`, `--out`); without it `fingerprint` is '' and
   * the canonical lines are never built. When computed it is the same either way.
   */
  fingerprint?: boolean;
}

/** The fingerprint's hash, fed a table at a time; does nothing when not asked for. */
class Fingerprint {
  private readonly hash: ReturnType<typeof createHash> | undefined;
  constructor(readonly enabled: boolean) {
    this.hash = enabled ? createHash('sha256') : undefined;
  }

  feed(table: string, lines: string[]): void {
    if (!this.hash) return;
    this.hash.update(`#${table}\n`);
    const chunk = 10_000;
    for (let i = 0; i < lines.length; i += chunk) this.hash.update(lines.slice(i, i + chunk).join('\n') + '\n');
  }

  digest(): string {
    return this.hash ? this.hash.digest('hex') : '';
  }
}

/** One lowercase string per distinct domain, shared by every row (fewer strings kept alive). */
function lowerer(): (d: string) => string {
  const lowered = new Map<string, string>();
  // rows come a domain at a time: the last domain is compared before the map is asked
  let lastIn: string | undefined;
  let lastOut = '';
  return (d) => {
    if (d === lastIn) return lastOut;
    let l = lowered.get(d);
    if (l === undefined) lowered.set(d, (l = d.toLowerCase()));
    lastIn = d;
    return (lastOut = l);
  };
}

async function readRows(dbs: Dbs) {
  return Promise.all([
    // Ordered by id: a stable order for the fingerprint without sorting in JavaScript.
    dbs.kamailio.selectFrom('domain').select(['domain']).orderBy('id').execute(),
    dbs.kamailio.selectFrom('subscriber').select(['username', 'domain', 'password', 'ha1']).orderBy('id').execute(),
    dbs.kamailio.selectFrom('dbaliases').select(['alias_username', 'alias_domain', 'username', 'domain']).orderBy('id').execute(),
    dbs.provisioning
      .selectFrom('hermes_users')
      .select(['username', 'domain', 'kind', 'password', ...USER_FIELDS.map((f) => f.column as UserFieldName)])
      .orderBy('id')
      .execute(),
    dbs.provisioning.selectFrom('hermes_phones').select(['mac', 'username', 'domain', 'line']).orderBy('id').execute(),
    readPool(dbs),
    readProvisioningItems(dbs),
  ]);
}

type AllRows = Awaited<ReturnType<typeof readRows>>;
type UserRow = AllRows[3][number];

/** Sets a hermes_users row's fields on a user, as the model's UserFields (directly: no object per row). */
function setRowFields(u: ActualUser, r: UserRow): void {
  u.displayname = r.displayname ?? '';
  u.email = r.email ?? '';
  u.dialplan = r.dialplan ?? '';
  u.linetext = r.linetext ?? '';
  u.registrar = r.registrar ?? null;
  u.r_port = r.r_port === null || r.r_port === undefined ? null : Number(r.r_port);
  u.proxy = r.proxy ?? null;
  u.p_port = r.p_port === null || r.p_port === undefined ? null : Number(r.p_port);
  u.authid = r.authid ?? null;
}

/** The fingerprint line of a hermes_users row: every field of the model's table, in order. */
function userLine(address: string, r: UserRow, fields: UserFields): string {
  let line = `${address}\u0000${r.kind}\u0000${r.password ?? '\u0001'}`;
  for (const f of USER_FIELDS) line += `\u0000${fields[f.name] ?? (f.type === 'port' ? '' : '\u0001')}`;
  return line;
}

/** Finds a user by a case variant of its address; the index is built on the first call (most rows match exactly). */
function caseVariants(users: Map<string, ActualUser>): (address: string) => ActualUser | undefined {
  let folded: Map<string, ActualUser> | undefined;
  return (address) => {
    if (folded === undefined) {
      folded = new Map();
      for (const [key, u] of users) if (!folded.has(foldCase(key))) folded.set(foldCase(key), u);
    }
    return folded.get(foldCase(address));
  };
}

/** Subscribers, then hermes_users rows merged into them (a local user has both). */
function readUsers(subscriberRows: AllRows[1], userRows: AllRows[3], lower: (d: string) => string, fp: Fingerprint): Map<string, ActualUser> {
  const users = new Map<string, ActualUser>();
  const subscriberLines: string[] = [];
  for (const r of subscriberRows) {
    const domain = lower(r.domain);
    const address = `${r.username}@${domain}`;
    const ha1 = r.ha1.toLowerCase();
    if (fp.enabled) subscriberLines.push(`${address}\u0000${r.password}\u0000${ha1}`);
    users.set(address, subscriberUser(r.username, domain, address, r.password, ha1));
  }
  fp.feed('subscriber', subscriberLines);
  const userLines: string[] = [];
  const variants = caseVariants(users);
  for (const r of userRows) {
    const domain = lower(r.domain);
    const address = `${r.username}@${domain}`;
    const kind = r.kind === 'remote' ? 'remote' : 'local';
    // A subscriber spelled in another case is the same user (hermes' case rule, as ops/users.ts reads it).
    const existing = users.get(address) ?? variants(address);
    let user: ActualUser;
    if (existing) {
      user = existing;
      setRowFields(user, r);
      user.hasProvisioning = true;
      user.kind = kind;
      if (kind === 'remote') user.password = r.password ?? '';
    } else {
      // subscriberUser's properties are in the order of a user read from both tables
      user = subscriberUser(r.username, domain, address, r.password ?? '', '');
      user.kind = kind;
      user.hasSubscriber = false;
      user.hasProvisioning = true;
      setRowFields(user, r);
      users.set(address, user);
    }
    if (fp.enabled) userLines.push(userLine(address, r, user));
  }
  fp.feed('hermes_users', userLines);
  return users;
}

function readAliases(aliasRows: AllRows[2], lower: (d: string) => string, fp: Fingerprint): Map<string, ActualAlias> {
  const aliases = new Map<string, ActualAlias>();
  const aliasLines: string[] = [];
  for (const r of aliasRows) {
    // The row itself (its four columns) becomes the alias, its domains lowercased: no copy of 100,000 rows.
    const alias: ActualAlias = r;
    alias.alias_domain = lower(r.alias_domain);
    alias.domain = lower(r.domain);
    const key = `${alias.alias_username}@${alias.alias_domain}`;
    if (fp.enabled) aliasLines.push(`${key}\u0000${alias.username}@${alias.domain}`);
    if (aliases.get(key) === undefined) aliases.set(key, alias);
  }
  fp.feed('dbaliases', aliasLines);
  return aliases;
}

function readPhones(phoneRows: AllRows[4], fp: Fingerprint): Map<string, string[]> {
  const phoneLines: { mac: string; line: number; address: string }[] = [];
  for (const r of phoneRows) {
    phoneLines.push({ mac: normalizeMac(r.mac) ?? r.mac.toLowerCase(), line: Number(r.line), address: `${r.username}@${r.domain.toLowerCase()}` });
  }
  phoneLines.sort((a, b) => cmp(a.mac, b.mac) || a.line - b.line);
  const phones = new Map<string, string[]>();
  for (const l of phoneLines) {
    const lines = phones.get(l.mac);
    if (lines) lines.push(l.address);
    else phones.set(l.mac, [l.address]);
  }
  fp.feed('hermes_phones', fp.enabled ? phoneLines.map((l) => `${l.mac} ${l.line} ${l.address}`) : []);
  return phones;
}

export async function readActualState(dbs: Dbs, options: ReadActualOptions = {}): Promise<ActualState> {
  const fp = new Fingerprint(options.fingerprint ?? true);
  const [domainRows, subscriberRows, aliasRows, userRows, phoneRows, pool, provisioning] = await readRows(dbs);
  const lower = lowerer();
  const domains = new Set(domainRows.map((r) => lower(r.domain)));
  fp.feed('domain', fp.enabled ? [...domains] : []);
  const users = readUsers(subscriberRows, userRows, lower, fp);
  const aliases = readAliases(aliasRows, lower, fp);
  const phones = readPhones(phoneRows, fp);
  fp.feed('hermes_numbers', fp.enabled ? [...pool.runs.map((r) => `${r.start}..${r.end}`), ...pool.other] : []);
  // fed only when there is something, so the fingerprint of a platform without provisioning is unchanged
  if (provisioning.size > 0) fp.feed('hermes_provisioning', fp.enabled ? [...provisioning].map(([item, body]) => `${item} ${body}`) : []);
  return { domains, users, aliases, phones, provisioning, pool: pool.runs, poolSize: pool.size, fingerprint: fp.digest() };
}

/** Buckets whose detail is read per query (each a range condition on the primary key). */
const DETAIL_BUCKETS_PER_QUERY = 200;

/**
 * The pool as runs, without reading a row per number: one GROUP BY over buckets of 1,000
 * numbers (same length, same digits but the last three) gives each bucket's count, first and
 * last; a bucket whose count spans first..last is a full run. Only the rows of the other
 * buckets are read (range conditions on the primary key). Rows that are not E.164 (not written
 * by hermes) are kept apart in `other`, for the fingerprint; the planner leaves them alone.
 */
async function readPool(dbs: Dbs): Promise<{ runs: NumberRun[]; size: number; other: string[] }> {
  const number = sql.ref('number');
  const buckets = await dbs.provisioning
    .selectFrom('hermes_numbers')
    .select([sql<number | string | bigint>`count(*)`.as('n'), sql<string>`min(${number})`.as('first'), sql<string>`max(${number})`.as('last')])
    .groupBy([sql`length(${number})`, sql`substr(${number}, 1, length(${number}) - 3)`])
    .execute();
  const full: { start: string; end: string }[] = [];
  const partial: { first: string; last: string }[] = [];
  let size = 0;
  for (const b of buckets) {
    const n = Number(b.n);
    size += n;
    if (isE164(b.first) && isE164(b.last) && numericNumber(b.last) - numericNumber(b.first) + 1 === n) full.push({ start: b.first, end: b.last });
    else partial.push(b);
  }
  const singles: { start: string; end: string }[] = [];
  const other: string[] = [];
  for (let i = 0; i < partial.length; i += DETAIL_BUCKETS_PER_QUERY) {
    const part = partial.slice(i, i + DETAIL_BUCKETS_PER_QUERY);
    const rows = await dbs.provisioning
      .selectFrom('hermes_numbers')
      .select('number')
      .where((eb) => eb.or(part.map((b) => eb.and([eb('number', '>=', b.first), eb('number', '<=', b.last), eb(sql`length(${number})`, '=', b.first.length)]))))
      .execute();
    for (const r of rows) {
      if (isE164(r.number)) singles.push({ start: r.number, end: r.number });
      else other.push(r.number);
    }
  }
  other.sort();
  const runs = mergeRuns(full.concat(singles));
  // Rows that are not E.164 do not count as pool numbers the file manages.
  return { runs, size: size - other.length, other };
}
