/** Reads hermes' audit log (hermes_audit), newest first. */
import type { ProvisioningDb } from '../db/types.js';

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  node: string;
  object_key: string;
  detail: string;
}

export async function readAuditLog(db: ProvisioningDb, options: { limit: number }): Promise<AuditEntry[]> {
  const rows = await db
    .selectFrom('hermes_audit')
    .select(['id', 'at', 'actor', 'node', 'object_key', 'detail'])
    .orderBy('id', 'desc')
    .limit(options.limit)
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}
