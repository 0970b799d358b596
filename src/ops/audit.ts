import type { Dbs } from '../db/types.js';
import { insertRows } from './bulk.js';
import type { OpContext } from './context.js';

/** What happened to the object: the plan's actions. */
export type AuditAction = 'create' | 'update' | 'delete';

/** One changed object: its key (alice@example.com, a MAC, a number), the action when the op's default is not it, non-secret details. */
export interface AuditEntry {
  key: string;
  action?: AuditAction;
  detail?: Record<string, unknown>;
}

/** One audit row: the action, the kind of object and its key, and non-secret details. */
export interface AuditRecord {
  action: AuditAction;
  kind: string;
  key: string;
  detail?: Record<string, unknown>;
}

/** The kind of object each writing op changes, and its usual action (an entry may say otherwise). */
const OP_AUDIT = {
  'user/add_local': { kind: 'user', action: 'create' },
  'user/add_remote': { kind: 'user', action: 'create' },
  'user/update': { kind: 'user', action: 'update' },
  'user/remove': { kind: 'user', action: 'delete' },
  'domain/add': { kind: 'domain', action: 'create' },
  'domain/remove': { kind: 'domain', action: 'delete' },
  'alias/add': { kind: 'alias', action: 'create' },
  'alias/remove': { kind: 'alias', action: 'delete' },
  'phone/add': { kind: 'phone', action: 'create' },
  'phone/remove': { kind: 'phone', action: 'delete' },
  'numbers/add': { kind: 'number', action: 'create' },
  'numbers/add_range': { kind: 'number', action: 'create' },
  'numbers/remove': { kind: 'number', action: 'delete' },
  'token/create': { kind: 'token', action: 'create' },
  'token/revoke': { kind: 'token', action: 'delete' },
} as const satisfies Record<string, { kind: string; action: AuditAction }>;

export type AuditedOp = keyof typeof OP_AUDIT;

/** A detail longer than this (a template body) is replaced by the names of its fields. */
const MAX_DETAIL = 8_192;

function detailText(detail: Record<string, unknown> | undefined): string {
  if (!detail) return '';
  const text = JSON.stringify(detail);
  return text.length <= MAX_DETAIL ? text : JSON.stringify({ shortened: true, fields: Object.keys(detail) });
}

/** The op's clock: ctx.now when injected (tests), else the wall clock. */
export function opTime(ctx: OpContext): Date {
  return ctx.now?.() ?? new Date();
}

/**
 * Writes one hermes_audit row per record, in bulk: at, actor, node (ctx.via: the API node or
 * `apply`), action, kind, object_key and the detail as JSON. Callers never put secrets in `detail`.
 */
export async function writeAuditRecords(db: Dbs, node: string, records: readonly AuditRecord[], ctx: OpContext): Promise<void> {
  if (records.length === 0) return;
  const at = opTime(ctx).toISOString();
  const actor = ctx.actor.slice(0, 128);
  const nodeName = (ctx.via ?? node).slice(0, 64);
  const rows = records.map((r) => [at, actor, nodeName, r.action, r.kind, r.key.slice(0, 255), detailText(r.detail)]);
  await insertRows(db.provisioning, 'hermes_audit', ['at', 'actor', 'node', 'action', 'kind', 'object_key', 'detail'], rows);
}

/**
 * An op's audit rows: one per entry, with the op's kind and action. Nothing when the caller
 * records the changes itself (ctx.auditedByCaller: apply writes one row per plan change).
 */
export async function writeAudit(db: Dbs, op: AuditedOp, entries: readonly AuditEntry[], ctx: OpContext): Promise<void> {
  if (ctx.auditedByCaller) return;
  const { kind, action } = OP_AUDIT[op];
  await writeAuditRecords(db, op, entries.map((e) => ({ action: e.action ?? action, kind, key: e.key, detail: e.detail })), ctx);
}
