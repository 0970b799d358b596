/**
 * `hermes apply`, the orchestration: under the apply lock, read the actual state, plan,
 * check (problems, a saved plan's fingerprint, the safety brake), confirm, and execute the
 * changes in one transaction per database. Printing and prompting are the caller's (callbacks).
 */
import { inTransaction } from '../db/transaction.js';
import type { Dbs } from '../db/types.js';
import type { DesiredState } from '../desired/types.js';
import { HermesError } from '../errors.js';
import type { OpContext } from '../ops/index.js';
import { acquireApplyLock } from './apply-lock.js';
import { ApplyFailure, executePlan, type ExecuteResult } from './execute-plan.js';
import { comparableChanges, type PlanDocument } from './plan-document.js';
import { computePlan } from './plan.js';
import { assertPlannable } from './plan-desired.js';
import { savedChange, type Plan, type PlanSummary } from './plan-types.js';
import { readActualState } from './read-actual.js';
import { brakeMessage, checkSafety } from './safety-brake.js';
import { checkPinnedSecrets, readPinKey } from './secret-pins.js';

export interface ApplyRequest {
  desired: DesiredState;
  /** A saved plan: applied only while the actual state has its fingerprint and the plan is the same. */
  saved?: PlanDocument;
  actor: string;
  lockTimeoutSeconds?: number;
  force?: boolean;
  maxChangePercent?: number;
  /** Called with a plan that has changes; false refuses. */
  confirm(plan: Plan): Promise<boolean>;
  onProgress?(done: number, total: number): void;
  now?: () => Date;
}

export interface ApplyOutcome {
  /** The plan's summary (its changes are not kept: executePlan lets each batch go once written). */
  summary: PlanSummary;
  applied: boolean;
  result?: ExecuteResult;
}

/**
 * Reads the actual state, plans, and checks the plan (problems, a saved plan's staleness).
 * A function of its own so that the actual state is garbage once the plan exists: at 100,000
 * users it is hundreds of MB that the execution does not need.
 */
async function planAgainstDatabase(db: Dbs, request: ApplyRequest): Promise<Plan> {
  // The fingerprint only checks a saved plan.
  const actual = await readActualState(db, { fingerprint: request.saved !== undefined });
  const plan = computePlan(request.desired, actual);
  assertPlannable(plan);
  if (request.saved) {
    if (request.saved.fingerprint !== actual.fingerprint) {
      throw new HermesError('PLAN_STALE', 'the saved plan is stale: the database changed since it was made (plan again)');
    }
    if (comparableChanges(request.saved.changes) !== comparableChanges(plan.changes.map(savedChange))) {
      throw new HermesError('PLAN_STALE', 'the saved plan is stale: the desired state (or a secret it reads) no longer gives the same changes (plan again)');
    }
    checkPinnedSecrets(request.saved.secrets, plan, request.desired, await readPinKey(db));
  }
  return plan;
}

export async function applyDesiredState(db: Dbs, request: ApplyRequest): Promise<ApplyOutcome> {
  const lock = await acquireApplyLock(db.provisioning, request.actor, { timeoutSeconds: request.lockTimeoutSeconds });
  try {
    const plan = await planAgainstDatabase(db, request);
    const summary = plan.summary;
    if (plan.changes.length === 0) return { summary, applied: false };
    if (!request.force) {
      const reasons = checkSafety(plan, { maxChangePercent: request.maxChangePercent });
      if (reasons.length > 0) {
        throw new HermesError('APPLY_UNSAFE', brakeMessage(reasons));
      }
    }
    if (!(await request.confirm(plan))) {
      throw new HermesError('APPLY_NOT_APPROVED', 'Apply cancelled. Nothing was changed.');
    }
    const ctx: OpContext = { actor: request.actor, via: 'apply', now: request.now };
    try {
      const result = await inTransaction(db, (trx) => executePlan(trx, plan, request.desired, ctx, { onProgress: request.onProgress }));
      return { summary, applied: true, result };
    } catch (error) {
      // Committed in the Kamailio database only: its message says what to re-run.
      if (error instanceof HermesError && error.code === 'DB_PARTIAL_COMMIT') throw error;
      if (error instanceof ApplyFailure) {
        throw new HermesError('APPLY_FAILED', `apply failed and was rolled back, nothing was changed: ${error.message}`, { cause: error.cause });
      }
      throw new HermesError('APPLY_FAILED', `apply failed and was rolled back, nothing was changed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, { cause: error });
    }
  } finally {
    await lock.release().catch(() => undefined);
  }
}
