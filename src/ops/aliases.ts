import { foldCase, foldedAddress, type AliasRow } from '../model/index.js';
import type { Dbs } from '../db/types.js';
import { inTransaction } from '../db/transaction.js';
import { writeAudit } from './audit.js';
import { aliasAddress, aliasRowsAt, aliasRowsTo, type StoredAlias } from './alias-rows.js';
import { AddressIndex, addressExpression, chunks, foldedGlob, insertRows } from './bulk.js';
import { formatAddress, isE164 } from './canonical.js';
import type { OpContext } from './context.js';
import { localDomains } from './domains.js';
import { failed } from './envelope.js';
import { unpool } from './numbers.js';
import type { Address, AliasInput, AliasKey, AliasRecord } from './types.js';
import { subscriberRows, userRows } from './users.js';
import { MAX_LIST_LIMIT } from './list-limit.js';
import { checkAddress } from './validate.js';

function checkAliasKey(a: AliasKey, cause: string): AliasKey {
  const c = checkAddress({ username: a.alias_username, domain: a.alias_domain }, { username: cause, domain: cause });
  return { alias_username: c.username, alias_domain: c.domain };
}

const aliasRows = (db: Dbs, keys: readonly AliasKey[]): Promise<StoredAlias[]> => aliasRowsAt(db, keys.map(aliasAddress));

/**
 * Adds aliases (dbaliases rows). Checks, for the whole batch before writing anything:
 * 'invalid' cause 'alias' / 'destination' for bad SIP addresses; failed 'nxdomain' when the
 * alias domain is not a Kamailio domain; failed 'nonexistant' when the destination is in a
 * Kamailio domain but has no subscriber there; failed 'exists' when the alias exists, equals
 * a user's address, or is E.164 while its destination has an E.164 alias already. An E.164
 * alias takes its number out of the pool in the same transaction.
 */
export async function addAliases(db: Dbs, aliases: AliasInput[], ctx: OpContext): Promise<void> {
  const checked = aliases.map((a) => ({ ...checkAliasKey(a, 'alias'), ...checkAddress(a, { username: 'destination', domain: 'destination' }) }));
  if (checked.length === 0) return;
  const seen = new Set<string>();
  const e164Destinations = new Set<string>();
  for (const a of checked) {
    const key = foldedAddress(aliasAddress(a));
    if (seen.has(key)) throw failed('exists', `alias ${formatAddress(aliasAddress(a))} is given twice`);
    seen.add(key);
    if (isE164(a.alias_username)) {
      const dest = foldedAddress(a);
      if (e164Destinations.has(dest)) throw failed('exists', `${formatAddress(a)} is given two E.164 aliases`);
      e164Destinations.add(dest);
    }
  }
  await inTransaction(db, async (trx) => {
    const local = await localDomains(trx, [...checked.map((a) => a.alias_domain), ...checked.map((a) => a.domain)]);
    const foreign = checked.find((a) => !local.has(a.alias_domain));
    if (foreign) throw failed('nxdomain', `alias domain ${foreign.alias_domain} is not a Kamailio domain`);
    const existing = new AddressIndex(await aliasRows(trx, checked), aliasAddress);
    const taken = checked.find((a) => existing.has(aliasAddress(a)));
    if (taken) throw failed('exists', `alias ${formatAddress(aliasAddress(taken))} exists already`);
    // The alias addresses as users of either kind; the destinations need only their subscriber rows.
    const [accounts, destinations] = await Promise.all([userRows(trx, checked.map(aliasAddress)), subscriberRows(trx, checked)]);
    const account = checked.find((a) => accounts.exists(aliasAddress(a)));
    if (account) throw failed('exists', `alias ${formatAddress(aliasAddress(account))} is the address of a user`);
    const missing = checked.find((a) => local.has(a.domain) && !destinations.has(a));
    if (missing) throw failed('nonexistant', `destination ${formatAddress(missing)} is in a local domain but no such subscriber exists`);
    const e164 = checked.filter((a) => isE164(a.alias_username));
    if (e164.length > 0) {
      const has = new AddressIndex((await aliasRowsTo(trx, e164)).filter((r) => isE164(r.alias_username)), (r) => r);
      const clash = e164.find((a) => has.has(a));
      if (clash) throw failed('exists', `${formatAddress(clash)} has an E.164 alias already (${has.get(clash)!.alias_username})`);
    }
    await insertRows(trx.kamailio, 'dbaliases', ['alias_username', 'alias_domain', 'username', 'domain'], checked.map((a) => [a.alias_username, a.alias_domain, a.username, a.domain]));
    const numbers = [...new Set(e164.map((a) => a.alias_username))];
    await unpool(trx, numbers);
    await writeAudit(
      trx,
      'alias/add',
      checked.map((a) => ({ key: formatAddress(aliasAddress(a)), detail: { destination: formatAddress(a) } })),
      ctx,
    );
  });
}

/**
 * Removes aliases. 'invalid' cause 'address' for a bad alias address; failed 'nonexistant'
 * for one that does not exist. Removing an E.164 alias does NOT return its number to the
 * pool (the caller decides).
 */
export async function removeAliases(db: Dbs, aliases: AliasKey[], ctx: OpContext): Promise<void> {
  const checked = aliases.map((a) => checkAliasKey(a, 'address'));
  if (checked.length === 0) return;
  await inTransaction(db, async (trx) => {
    // The rows spelled as given, else every case variant (a case-sensitive engine may hold both).
    const byKey = new AddressIndex(await aliasRows(trx, checked), aliasAddress);
    const ids = new Set<number>();
    for (const a of checked) {
      const found = byKey.all(aliasAddress(a));
      if (found.length === 0) throw failed('nonexistant', `alias ${formatAddress(aliasAddress(a))} does not exist`);
      for (const r of found) ids.add(r.id);
    }
    for (const part of chunks([...ids])) await trx.kamailio.deleteFrom('dbaliases').where('id', 'in', part).execute();
    await writeAudit(
      trx,
      'alias/remove',
      checked.map((a) => ({ key: formatAddress(aliasAddress(a)), detail: { destination: formatAddress(byKey.get(aliasAddress(a))!) } })),
      ctx,
    );
  });
}

/** An alias row as alias/list and alias/user show it: domains lower-case. */
function shown(r: AliasRow): AliasRecord {
  return { alias: formatAddress({ username: r.alias_username, domain: foldCase(r.alias_domain) }), destination: formatAddress({ username: r.username, domain: foldCase(r.domain) }) };
}

/** Every alias with its destination, sorted by alias; `search` is a glob on the alias address, matched ignoring ASCII case on every engine. */
export async function listAliases(db: Dbs, search: string | undefined, _ctx: OpContext, limit = MAX_LIST_LIMIT): Promise<AliasRecord[]> {
  const adapter = db.adapters.kamailio;
  const alias = addressExpression(adapter, 'alias_username', 'alias_domain');
  let query = db.kamailio.selectFrom('dbaliases').select(['alias_username', 'alias_domain', 'username', 'domain']);
  let matches = (_alias: string) => true;
  if (search !== undefined && search !== '') {
    const glob = foldedGlob(alias, search);
    query = query.where(glob.where);
    matches = glob.matches;
  }
  query = query.orderBy(adapter.byteOrder(alias)).orderBy(adapter.byteOrder(addressExpression(adapter, 'username', 'domain'))).limit(limit);
  const rows = await query.execute();
  return rows
    .map(shown)
    .filter((r) => matches(r.alias))
    .sort((a, b) => (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : a.destination < b.destination ? -1 : 1));
}

/** The aliases (user@domain) pointing to a destination (any case variant of it), sorted; only E.164 ones with e164. */
export async function aliasesOfUser(db: Dbs, destination: Address, options: { e164?: boolean }, _ctx: OpContext): Promise<string[]> {
  const d = checkAddress(destination, { username: 'destination', domain: 'destination' });
  const rows = new Map(new AddressIndex(await aliasRowsTo(db, [d]), (r) => r).all(d).map((r) => [r.id, r]));
  return [...rows.values()]
    .filter((r) => !options.e164 || isE164(r.alias_username))
    .map((r) => shown(r).alias)
    .sort();
}
