import type { Dbs } from '../db/types.js';
import { inTransaction } from '../db/transaction.js';
import { writeAudit } from './audit.js';
import { chunks, insertRows, likeGlob } from './bulk.js';
import { formatAddress } from './canonical.js';
import type { OpContext } from './context.js';
import { failed } from './envelope.js';
import type { Address, PhoneLine, PhoneLineInput, PhoneLineKey } from './types.js';
import { userRows } from './users.js';
import { MAX_LIST_LIMIT } from './list-limit.js';
import { checkAddress, checkLine, checkMac } from './validate.js';

interface PhoneRow {
  id: number;
  mac: string;
  username: string;
  domain: string;
  line: number;
}

async function rowsOfMacs(db: Dbs, macs: Iterable<string>): Promise<PhoneRow[]> {
  const out: PhoneRow[] = [];
  for (const part of chunks([...new Set(macs)])) {
    out.push(...(await db.provisioning.selectFrom('hermes_phones').select(['id', 'mac', 'username', 'domain', 'line']).where('mac', 'in', part).execute()));
  }
  return out;
}

const lineKey = (mac: string, a: Address) => `${mac} ${formatAddress(a)}`;

/** Lines grouped by their phone, in first-seen order: the audit log has a row per phone. */
function byMac<T extends { mac: string }>(lines: readonly T[]): [string, T[]][] {
  const out = new Map<string, T[]>();
  for (const l of lines) (out.get(l.mac) ?? out.set(l.mac, []).get(l.mac)!).push(l);
  return [...out];
}

/**
 * Associates phones (by MAC) with users, one line each. The user must exist (a hermes_users
 * or subscriber row; failed 'nonexistant'); an existing MAC+user association or a taken line
 * is failed 'exists'. A line left out gets the phone's lowest free line.
 */
export async function addPhones(db: Dbs, lines: PhoneLineInput[], ctx: OpContext): Promise<void> {
  const checked = lines.map((l) => ({ mac: checkMac(l.mac), ...checkAddress(l), line: l.line === undefined ? undefined : checkLine(l.line) }));
  if (checked.length === 0) return;
  const seen = new Set<string>();
  for (const l of checked) {
    const key = lineKey(l.mac, l);
    if (seen.has(key)) throw failed('exists', `phone ${l.mac} is given twice for ${formatAddress(l)}`);
    seen.add(key);
  }
  await inTransaction(db, async (trx) => {
    const users = await userRows(trx, checked);
    const unknown = checked.find((l) => !users.exists(l));
    if (unknown) throw failed('nonexistant', `user ${formatAddress(unknown)} does not exist`);
    const existing = await rowsOfMacs(trx, checked.map((l) => l.mac));
    const taken = new Map<string, Set<number>>();
    const associated = new Set<string>();
    for (const r of existing) {
      associated.add(lineKey(r.mac, r));
      (taken.get(r.mac) ?? taken.set(r.mac, new Set()).get(r.mac)!).add(r.line);
    }
    const dup = checked.find((l) => associated.has(lineKey(l.mac, l)));
    if (dup) throw failed('exists', `phone ${dup.mac} is associated with ${formatAddress(dup)} already`);
    // Explicit lines first, then the lowest free line for the others.
    for (const l of checked) {
      if (l.line === undefined) continue;
      const used = taken.get(l.mac) ?? taken.set(l.mac, new Set()).get(l.mac)!;
      if (used.has(l.line)) throw failed('exists', `line ${l.line} of phone ${l.mac} is taken`);
      used.add(l.line);
    }
    const rows = checked.map((l) => {
      const used = taken.get(l.mac) ?? taken.set(l.mac, new Set()).get(l.mac)!;
      let line = l.line;
      if (line === undefined) {
        line = 1;
        while (used.has(line)) line++;
        used.add(line);
      }
      return { mac: l.mac, username: l.username, domain: l.domain, line };
    });
    await insertRows(trx.provisioning, 'hermes_phones', ['mac', 'username', 'domain', 'line'], rows.map((r) => [r.mac, r.username, r.domain, r.line]));
    const had = new Set(existing.map((r) => r.mac));
    await writeAudit(trx, 'phone/add', byMac(rows).map(([mac, added]) => ({ key: mac, action: had.has(mac) ? 'update' : 'create', detail: { added: added.map((r) => ({ line: r.line, user: formatAddress(r) })) } })), ctx);
  });
}

/** Removes phone-to-user associations. Failed 'nonexistant' for one that is not there. */
export async function removePhones(db: Dbs, lines: PhoneLineKey[], ctx: OpContext): Promise<void> {
  const checked = lines.map((l) => ({ mac: checkMac(l.mac), ...checkAddress(l) }));
  if (checked.length === 0) return;
  await inTransaction(db, async (trx) => {
    const existing = new Map((await rowsOfMacs(trx, checked.map((l) => l.mac))).map((r) => [lineKey(r.mac, r), r]));
    const ids = new Set<number>();
    for (const l of checked) {
      const row = existing.get(lineKey(l.mac, l));
      if (!row) throw failed('nonexistant', `phone ${l.mac} is not associated with ${formatAddress(l)}`);
      ids.add(row.id);
    }
    for (const part of chunks([...ids])) await trx.provisioning.deleteFrom('hermes_phones').where('id', 'in', part).execute();
    const kept = new Set([...existing.values()].filter((r) => !ids.has(r.id)).map((r) => r.mac));
    await writeAudit(trx, 'phone/remove', byMac(checked).map(([mac, removed]) => ({ key: mac, action: kept.has(mac) ? 'update' : 'delete', detail: { removed: removed.map(formatAddress) } })), ctx);
  });
}

/**
 * The MACs of all phones, sorted. `search` is a glob matched anywhere in the MAC (colons and
 * dashes in it are ignored): f00ba2 finds f00ba2ba5c00.
 */
export async function listPhones(db: Dbs, search: string | undefined, _ctx: OpContext, limit = MAX_LIST_LIMIT): Promise<string[]> {
  let query = db.provisioning.selectFrom('hermes_phones').select('mac').distinct().orderBy('mac').limit(limit);
  if (search !== undefined && search !== '') query = query.where(likeGlob('mac', `*${search.replace(/[:-]/g, '').toLowerCase()}*`));
  return (await query.execute()).map((r) => r.mac);
}

/** The lines of one phone, in line order; failed 'nonexistant' when it has none. */
export async function phonesOfMac(db: Dbs, mac: string, _ctx: OpContext): Promise<PhoneLine[]> {
  const m = checkMac(mac);
  const rows = await db.provisioning.selectFrom('hermes_phones').select(['mac', 'username', 'domain', 'line']).where('mac', '=', m).orderBy('line').execute();
  if (rows.length === 0) throw failed('nonexistant', `phone ${m} does not exist`);
  return rows.map((r) => ({ mac: r.mac, user: formatAddress(r), line: r.line }));
}

/** The phone lines of one user, by MAC; failed 'nonexistant' when the user does not exist. */
export async function phonesOfUser(db: Dbs, address: Address, _ctx: OpContext): Promise<PhoneLine[]> {
  const a = checkAddress(address);
  const rows = await db.provisioning.selectFrom('hermes_phones').select(['mac', 'username', 'domain', 'line']).where('username', '=', a.username).where('domain', '=', a.domain).orderBy('mac').execute();
  if (rows.length === 0) {
    const users = await userRows(db, [a]);
    if (!users.exists(a)) throw failed('nonexistant', `user ${formatAddress(a)} does not exist`);
  }
  return rows.map((r) => ({ mac: r.mac, user: formatAddress(r), line: r.line }));
}
