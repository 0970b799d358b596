import { sql, type SqlBool } from 'kysely';
import type { Dbs } from '../db/types.js';
import { foldCase } from '../model/index.js';
import { inTransaction } from '../db/transaction.js';
import { opTime, writeAudit } from './audit.js';
import { chunks, kamailioDatetime } from './bulk.js';
import type { OpContext } from './context.js';
import { failed } from './envelope.js';
import { checkDomain } from './validate.js';

/**
 * The `domain` rows at `domains` (lower-case), by lower-case name: each name's rows as stored.
 * Compared as DNS compares names, whatever the engine's collation: on columns that compare
 * exactly, the rows spelled with an upper-case letter (written by other tools) are read too.
 */
async function domainRows(db: Dbs, domains: Iterable<string>): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const add = (stored: string) => {
    const key = foldCase(stored);
    const list = out.get(key);
    if (!list) out.set(key, [stored]);
    else if (!list.includes(stored)) list.push(stored);
  };
  const wanted = new Set([...domains].map(foldCase));
  for (const part of chunks([...wanted])) {
    for (const r of await db.kamailio.selectFrom('domain').select('domain').where('domain', 'in', part).execute()) add(r.domain);
  }
  if (!db.caseInsensitive.domain && wanted.size > 0) {
    for (const r of await db.kamailio.selectFrom('domain').select('domain').where(sql<SqlBool>`${sql.ref('domain')} <> lower(${sql.ref('domain')})`).execute()) add(r.domain);
  }
  for (const key of out.keys()) if (!wanted.has(key)) out.delete(key);
  return out;
}

/** The subset of `domains` that are Kamailio domains (rows of `domain`), lowercased. */
export async function localDomains(db: Dbs, domains: Iterable<string>): Promise<Set<string>> {
  return new Set((await domainRows(db, domains)).keys());
}

/**
 * Inserts `domain` rows (did NULL, last_modified now). Failed 'exists' when one is there
 * already; nothing is written then.
 */
export async function addDomains(db: Dbs, domains: string[], ctx: OpContext): Promise<void> {
  const wanted = [...new Set(domains.map((d) => checkDomain(d, 'domain')))];
  if (wanted.length === 0) return;
  await inTransaction(db, async (trx) => {
    const existing = await localDomains(trx, wanted);
    if (existing.size > 0) throw failed('exists', `domain ${[...existing][0]} exists already`);
    const last_modified = kamailioDatetime(opTime(ctx));
    for (const part of chunks(wanted)) {
      await trx.kamailio.insertInto('domain').values(part.map((domain) => ({ domain, did: null, last_modified }))).execute();
    }
    await writeAudit(trx, 'domain/add', wanted.map((key) => ({ key })), ctx);
  });
}

/**
 * Deletes only the `domain` rows (subscribers and aliases in the domain are the caller's
 * business). Failed 'nonexistant' when one is missing; nothing is written then.
 */
export async function removeDomains(db: Dbs, domains: string[], ctx: OpContext): Promise<void> {
  const wanted = [...new Set(domains.map((d) => checkDomain(d, 'domain')))];
  if (wanted.length === 0) return;
  await inTransaction(db, async (trx) => {
    const existing = await domainRows(trx, wanted);
    const missing = wanted.find((d) => !existing.has(d));
    if (missing) throw failed('nonexistant', `domain ${missing} does not exist`);
    // The rows as stored (e.g. `Corp.Example` for corp.example).
    for (const part of chunks([...existing.values()].flat())) await trx.kamailio.deleteFrom('domain').where('domain', 'in', part).execute();
    await writeAudit(trx, 'domain/remove', wanted.map((key) => ({ key })), ctx);
  });
}
