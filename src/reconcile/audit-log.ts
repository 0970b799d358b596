/** Reads hermes' audit log (hermes_audit), newest first. */
import type { ProvisioningDb } from '../db/types.js';
import { displayName } from './render-text.js';

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  /** Where the change came from: the API node, or `apply`. */
  node: string;
  /** create | update | delete; null on rows an apply wrote before hermes recorded it. */
  action: string | null;
  /** user, domain, alias, number, phone, provisioning, token; null as action. */
  kind: string | null;
  object_key: string;
  detail: string;
}

export async function readAuditLog(db: ProvisioningDb, options: { limit: number }): Promise<AuditEntry[]> {
  const rows = await db
    .selectFrom('hermes_audit')
    .select(['id', 'at', 'actor', 'node', 'action', 'kind', 'object_key', 'detail'])
    .orderBy('id', 'desc')
    .limit(options.limit)
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), action: r.action || null, kind: r.kind || null }));
}

/**
 * One entry as a line of `hermes log`: time, actor, source, then what changed as the plan
 * says it (`create user alice@example.com`), then the details. The actor and key are quoted
 * as plans quote names (when they are not plain printable ASCII).
 */
export function auditLine(e: AuditEntry): string {
  const key = displayName(e.object_key);
  const what = e.action && e.kind ? `${e.action} ${e.kind} ${key}` : `change ${key} (action not recorded)`;
  const detail = e.detail && e.detail !== '{}' ? `  ${e.detail}` : '';
  return `${e.at}  ${displayName(e.actor)}  ${e.node}  ${what}${detail}`;
}
