import type { Dbs } from '../db/types.js';
import { insertRows } from './bulk.js';
import type { OpContext } from './context.js';

/** One changed object: its key (alice@example.com, a MAC, a number) and non-secret details. */
export interface AuditEntry {
  key: string;
  detail?: Record<string, unknown>;
}

/** The op's clock: ctx.now when injected (tests), else the wall clock. */
export function opTime(ctx: OpContext): Date {
  return ctx.now?.() ?? new Date();
}

/**
 * Writes one hermes_audit row per entry, in bulk: at, actor, node (ctx.via, else the op's
 * node name), object_key and the detail as JSON. Callers never put secrets in `detail`.
 */
export async function writeAudit(db: Dbs, node: string, entries: readonly AuditEntry[], ctx: OpContext): Promise<void> {
  if (entries.length === 0) return;
  const at = opTime(ctx).toISOString();
  const actor = ctx.actor.slice(0, 128);
  const nodeName = (ctx.via ?? node).slice(0, 64);
  const rows = entries.map((e) => [at, actor, nodeName, e.key.slice(0, 255), e.detail ? JSON.stringify(e.detail) : '']);
  await insertRows(db.provisioning, 'hermes_audit', ['at', 'actor', 'node', 'object_key', 'detail'], rows);
}
