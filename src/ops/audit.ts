import type { Dbs } from '../db/types.js';
import { chunks } from './bulk.js';
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
  const rows = entries.map((e) => ({
    at,
    actor: ctx.actor.slice(0, 128),
    node: (ctx.via ?? node).slice(0, 64),
    object_key: e.key.slice(0, 255),
    detail: e.detail ? JSON.stringify(e.detail) : '',
  }));
  for (const part of chunks(rows, 1_000)) await db.provisioning.insertInto('hermes_audit').values(part).execute();
}
