import type { Dbs } from '../db/types.js';
import { inTransaction } from '../db/transaction.js';
import { opTime, writeAudit } from './audit.js';
import { chunks, kamailioDatetime } from './bulk.js';
import type { OpContext } from './context.js';
import { failed } from './envelope.js';
import { checkDomain } from './validate.js';

/** The subset of `domains` that are Kamailio domains (rows of `domain`), lowercased. */
export async function localDomains(db: Dbs, domains: Iterable<string>): Promise<Set<string>> {
  const out = new Set<string>();
  for (const part of chunks([...new Set(domains)])) {
    const rows = await db.kamailio.selectFrom('domain').select('domain').where('domain', 'in', part).execute();
    for (const r of rows) out.add(r.domain.toLowerCase());
  }
  return out;
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
    const existing = await localDomains(trx, wanted);
    const missing = wanted.find((d) => !existing.has(d));
    if (missing) throw failed('nonexistant', `domain ${missing} does not exist`);
    for (const part of chunks(wanted)) await trx.kamailio.deleteFrom('domain').where('domain', 'in', part).execute();
    await writeAudit(trx, 'domain/remove', wanted.map((key) => ({ key })), ctx);
  });
}
