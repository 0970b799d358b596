/**
 * Applies a plan's changes through src/ops, in plan order: consecutive changes of the same kind
 * and action are written together, WRITE_BATCH at a time, by their kind's executor (kinds/).
 * Each batch's inputs, rows and SQL text are built when it is written and are garbage after,
 * so memory holds one batch, never the whole apply. The plan is handed over: its changes are
 * taken out of it (plan.changes is left empty), and each batch is garbage once written, so the
 * heap shrinks as the apply goes (at 100,000 users the changes are about 90 MB). The caller
 * runs this inside inTransaction (one transaction per database), so a failure leaves nothing
 * half-applied.
 *
 * The audit log gets one row per change, with the plan's action, kind and key (the ops write
 * none: ctx.auditedByCaller), written with the change's batch.
 *
 * Updates of phones and aliases are a removal and an addition: the removals run first (before
 * the plan's deletes), so that removing a user never trips over a line or alias that is about
 * to move; the additions run at the update's place in the plan.
 */
import type { Dbs } from '../db/types.js';
import type { DesiredState } from '../desired/types.js';
import { formatAddress } from '../model/index.js';
import { OpFailure, writeAuditRecords, type OpContext } from '../ops/index.js';
import { KINDS, kindOf } from './kinds/index.js';
import { declaredUsers, type ExecContext } from './kinds/kind.js';
import { savedChange, type Change, type Plan } from './plan-types.js';
import { changeTitle } from './render-text.js';

export interface ExecuteOptions {
  /** Called after each batch with the number of changes done so far. */
  onProgress?: (done: number, total: number) => void;
}

/** At most this many changes are written by one op call. */
export const WRITE_BATCH = 10_000;

export interface ExecuteResult {
  /** Local users created with a generated password. */
  generatedPasswords: string[];
  /** Whether Kamailio's `domain` table changed (domain.reload is due). */
  domainsChanged: boolean;
}

/** A change failed: the message names it; `cause` is the op's or the database's error. */
export class ApplyFailure extends Error {
  constructor(
    readonly change: Change,
    readonly batchSize: number,
    override readonly cause: unknown,
  ) {
    const reason = cause instanceof OpFailure ? `${cause.cause}: ${cause.detail}` : cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    super(`${changeTitle(change).replace(/^[+~-] /, `${change.action} `)}${batchSize > 1 ? ` (in a batch of ${batchSize})` : ''} failed: ${reason}`);
    this.name = 'ApplyFailure';
  }
}

/** Consecutive changes of the same kind and action, at most WRITE_BATCH each. */
function* batches(changes: Change[]): Generator<Change[]> {
  let batch: Change[] = [];
  for (const c of changes) {
    const first = batch[0];
    if (first !== undefined && (first.kind !== c.kind || first.action !== c.action || batch.length === WRITE_BATCH)) {
      yield batch;
      batch = [];
    }
    batch.push(c);
  }
  if (batch.length > 0) yield batch;
}

/** The plan's changes as batches, taken out of the plan (which is left without changes). */
function takeBatches(plan: Plan): Change[][] {
  const out = [...batches(plan.changes)];
  plan.changes = [];
  return out;
}

async function guarded(batch: Change[], write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    throw new ApplyFailure(batch[0], batch.length, error);
  }
}

function execContext(desired: DesiredState, ops: OpContext): ExecContext {
  const declared = declaredUsers(desired);
  return {
    desired,
    ops,
    generatedPasswords: [],
    domainsChanged: false,
    declaredUser: (address) => declared(formatAddress(address)),
  };
}

/** A change as the audit log records it: its action, kind and key, and what it shows (never a secret). */
function auditRecord(c: Change) {
  const { action, kind, key, macs: _macs, ...detail } = savedChange(c);
  return { action, kind, key, detail };
}

export async function executePlan(db: Dbs, plan: Plan, desired: DesiredState, caller: OpContext, options: ExecuteOptions = {}): Promise<ExecuteResult> {
  const ops: OpContext = { ...caller, auditedByCaller: true };
  const ctx = execContext(desired, ops);
  // The removal halves of updates, last kind first (phones before aliases).
  for (const kind of [...KINDS].reverse()) {
    if (kind.beforeDeletes === undefined) continue;
    const updates = plan.changes.filter((c) => c.kind === kind.kind && c.action === 'update');
    if (updates.length > 0) await guarded(updates, () => kindOf(kind.kind).beforeDeletes!(db, updates, ctx));
  }
  const total = plan.changes.length;
  const pending = takeBatches(plan);
  let done = 0;
  // Each batch is dropped from `pending` before it is written: once written it is garbage.
  for (let batch = pending.shift(); batch !== undefined; batch = pending.shift()) {
    const { kind, action } = batch[0];
    await guarded(batch, async () => {
      await kindOf(kind).execute(db, action, batch, ctx);
      await writeAuditRecords(db, 'apply', batch.map(auditRecord), ops);
    });
    done += batch.length;
    options.onProgress?.(done, total);
  }
  return { generatedPasswords: ctx.generatedPasswords, domainsChanged: ctx.domainsChanged };
}
