/**
 * Reads the actual state in bulk: one query per table (domain, subscriber, dbaliases,
 * hermes_users, hermes_phones, hermes_numbers), never one per object, all sent at once,
 * canonicalised and keyed for the planner, with a fingerprint over the canonical rows.
 */
import { createHash } from 'node:crypto';
import type { Dbs } from '../db/types.js';
import { sql } from 'kysely';
import { isE164, normalizeMac } from '../ops/canonical.js';
import { subscriberUser, type ActualState, type ActualUser } from './actual-state.js';
import { numericNumber, type NumberRun } from '../model/index.js';
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

export async function readActualState(dbs: Dbs, options: ReadActualOptions = {}): Promise<ActualState> {
  const fp = options.fingerprint ?? true;
  const [domainRows, subscriberRows, aliasRows, userRows, phoneRows, pool] = await Promise.all([
    // Ordered by id: a stable order for the fingerprint without sorting in JavaScript.
    dbs.kamailio.selectFrom('domain').select(['domain']).orderBy('id').execute(),
    dbs.kamailio.selectFrom('subscriber').select(['username', 'domain', 'password', 'ha1']).orderBy('id').execute(),
    dbs.kamailio.selectFrom('dbaliases').select(['alias_username', 'alias_domain', 'username', 'domain']).orderBy('id').execute(),
    dbs.provisioning
      .selectFrom('hermes_users')
      .select(['username', 'domain', 'kind', 'displayname', 'email', 'password', 'registrar', 'r_port', 'proxy', 'p_port', 'authid', 'dialplan', 'linetext'])
      .orderBy('id')
      .execute(),
    dbs.provisioning.selectFrom('hermes_phones').select(['mac', 'username', 'domain', 'line']).orderBy('id').execute(),
    readPool(dbs),
  ]);

  const hash = fp ? createHash('sha256') : undefined;
  const feed = (table: string, lines: string[]) => {
    if (!hash) return;
    hash.update(`#${table}\n`);
    const chunk = 10_000;
    for (let i = 0; i < lines.length; i += chunk) hash.update(lines.slice(i, i + chunk).join('\n') + '\n');
  };

  // One lowercase string per distinct domain, shared by every row (fewer strings kept alive).
  const lowered = new Map<string, string>();
  const lower = (d: string): string => {
    let l = lowered.get(d);
    if (l === undefined) lowered.set(d, (l = d.toLowerCase()));
    return l;
  };
  const domains = new Set(domainRows.map((r) => lower(r.domain)));
  if (fp) feed('domain', [...domains]);

  const users = new Map<string, ActualUser>();
  const subscriberLines: string[] = [];
  for (const r of subscriberRows) {
    const domain = lower(r.domain);
    const address = `${r.username}@${domain}`;
    const ha1 = r.ha1.toLowerCase();
    if (fp) subscriberLines.push(`${address}\u0000${r.password}\u0000${ha1}`);
    users.set(address, subscriberUser(r.username, domain, address, r.password, ha1));
  }
  feed('subscriber', subscriberLines);

  const userLines: string[] = [];
  for (const r of userRows) {
    const domain = lower(r.domain);
    const address = `${r.username}@${domain}`;
    const fields = {
      displayname: r.displayname ?? '',
      email: r.email ?? '',
      dialplan: r.dialplan ?? '',
      linetext: r.linetext ?? '',
      registrar: r.registrar ?? null,
      r_port: r.r_port === null || r.r_port === undefined ? null : Number(r.r_port),
      proxy: r.proxy ?? null,
      p_port: r.p_port === null || r.p_port === undefined ? null : Number(r.p_port),
      authid: r.authid ?? null,
    };
    if (fp) userLines.push(
      `${address}\u0000${r.kind}\u0000${r.password ?? '\u0001'}\u0000${fields.displayname}\u0000${fields.email}\u0000${fields.dialplan}\u0000${fields.linetext}\u0000${fields.registrar ?? '\u0001'}\u0000${fields.r_port ?? ''}\u0000${fields.proxy ?? '\u0001'}\u0000${fields.p_port ?? ''}\u0000${fields.authid ?? '\u0001'}`,
    );
    const existing = users.get(address);
    if (existing) {
      existing.displayname = fields.displayname;
      existing.email = fields.email;
      existing.dialplan = fields.dialplan;
      existing.linetext = fields.linetext;
      existing.registrar = fields.registrar;
      existing.r_port = fields.r_port;
      existing.proxy = fields.proxy;
      existing.p_port = fields.p_port;
      existing.authid = fields.authid;
      existing.hasProvisioning = true;
      existing.kind = r.kind === 'remote' ? 'remote' : 'local';
      if (r.kind === 'remote') existing.password = r.password ?? '';
    } else {
      users.set(address, {
        username: r.username,
        domain,
        address,
        kind: r.kind === 'remote' ? 'remote' : 'local',
        hasSubscriber: false,
        hasProvisioning: true,
        ...fields,
        password: r.password ?? '',
        ha1: '',
      });
    }
  }
  feed('hermes_users', userLines);

  const aliases = new Map<string, ActualState['aliases'] extends Map<string, infer V> ? V : never>();
  const aliasLines: string[] = [];
  for (const r of aliasRows) {
    const alias = { alias_username: r.alias_username, alias_domain: lower(r.alias_domain), username: r.username, domain: lower(r.domain) };
    const key = `${alias.alias_username}@${alias.alias_domain}`;
    if (fp) aliasLines.push(`${key}\u0000${alias.username}@${alias.domain}`);
    if (aliases.get(key) === undefined) aliases.set(key, alias);
  }
  feed('dbaliases', aliasLines);

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
  if (fp) {
    feed('hermes_phones', phoneLines.map((l) => `${l.mac} ${l.line} ${l.address}`));
    feed('hermes_numbers', [...pool.runs.map((r) => `${r.start}..${r.end}`), ...pool.other]);
  }

  return { domains, users, aliases, phones, pool: pool.runs, poolSize: pool.size, fingerprint: hash ? hash.digest('hex') : '' };
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
