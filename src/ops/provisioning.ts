/**
 * The writers and readers of hermes_provisioning, the applied provisioning state (see
 * src/provisioning/applied.ts): one row per item, its body JSON with secrets hashed.
 */
import type { Dbs } from '../db/types.js';
import { chunks } from './bulk.js';

/** Every stored item: item -> body. */
export async function readProvisioningItems(db: Dbs, items?: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (items === undefined) {
    for (const r of await db.provisioning.selectFrom('hermes_provisioning').select(['item', 'body']).orderBy('item').execute()) out.set(r.item, r.body);
    return out;
  }
  for (const part of chunks([...items])) for (const r of await db.provisioning.selectFrom('hermes_provisioning').select(['item', 'body']).where('item', 'in', part).execute()) out.set(r.item, r.body);
  return out;
}

/** Stores items (replacing those that exist). */
export async function putProvisioningItems(db: Dbs, rows: readonly { item: string; body: string }[]): Promise<void> {
  if (rows.length === 0) return;
  await removeProvisioningItems(db, rows.map((r) => r.item));
  for (const part of chunks([...rows])) await db.provisioning.insertInto('hermes_provisioning').values(part).execute();
}

/** Removes items. */
export async function removeProvisioningItems(db: Dbs, items: readonly string[]): Promise<void> {
  for (const part of chunks([...items])) await db.provisioning.deleteFrom('hermes_provisioning').where('item', 'in', part).execute();
}
