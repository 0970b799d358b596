/**
 * Applies a plan's changes through src/ops, in plan order, with consecutive changes of the
 * same kind and action in one batch call. The caller runs this inside inTransaction (one
 * transaction per database), so a failure leaves nothing half-applied.
 *
 * Updates of phones and aliases are a removal and an addition: the removals run first (before
 * the plan's deletes), so that removing a user never trips over a line or alias that is about
 * to move; the additions run at the update's place in the plan.
 */
import type { Dbs } from '../db/types.js';
import type { DesiredState, DesiredUser } from '../desired/types.js';
import {
  addAliases,
  addDomains,
  addLocalUsers,
  addNumberRange,
  addNumbers,
  MAX_RANGE_SIZE,
  addPhones,
  addRemoteUsers,
  OpFailure,
  removeAliases,
  removeDomains,
  removeNumbers,
  removePhones,
  removeUsers,
  updateUsers,
  type LocalUserInput,
  type OpContext,
  type RemoteUserInput,
  type UserUpdate,
} from '../ops/index.js';
import { numbersOfKey, runOfKey, splitRun } from './number-ranges.js';
import type { Change, Plan } from './plan-types.js';
import { changeTitle } from './render-text.js';

export interface ExecuteOptions {
  /** Called after each batch with the number of changes done so far. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Called after each batch of at least LARGE_BATCH changes, whose inputs, rows and SQL text
   * are garbage by then (apply passes releaseMemory: a full collection caps the peak memory).
   */
  afterLargeBatch?: () => void;
}

/** A batch this large leaves enough garbage to be worth a collection (see afterLargeBatch). */
export const LARGE_BATCH = 10_000;

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

function splitAddress(address: string): { username: string; domain: string } {
  const at = address.lastIndexOf('@');
  return { username: address.slice(0, at), domain: address.slice(at + 1) };
}

function aliasKey(key: string) {
  const { username, domain } = splitAddress(key);
  return { alias_username: username, alias_domain: domain };
}

function lines(value: unknown): string[] {
  return Array.isArray(value) ? (value as string[]) : [];
}

/** Consecutive changes of the same kind and action. */
function batches(changes: Change[]): Change[][] {
  const out: Change[][] = [];
  for (const c of changes) {
    const last = out[out.length - 1];
    if (last && last[0].kind === c.kind && last[0].action === c.action) last.push(c);
    else out.push([c]);
  }
  return out;
}

export async function executePlan(db: Dbs, plan: Plan, desired: DesiredState, ctx: OpContext, options: ExecuteOptions = {}): Promise<ExecuteResult> {
  const users = new Map<string, DesiredUser>((desired.users ?? []).map((u) => [u.address, u]));
  const result: ExecuteResult = { generatedPasswords: [], domainsChanged: false };
  const total = plan.changes.length;
  let done = 0;

  const run = async (batch: Change[], fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (error) {
      throw new ApplyFailure(batch[0], batch.length, error);
    }
  };

  // Removal halves of phone and alias updates.
  const phoneUpdates = plan.changes.filter((c) => c.kind === 'phone' && c.action === 'update');
  if (phoneUpdates.length > 0) {
    await run(phoneUpdates, () =>
      removePhones(db, phoneUpdates.flatMap((c) => lines(c.before?.lines).map((a) => ({ mac: c.key, ...splitAddress(a) }))), ctx),
    );
  }
  const aliasUpdates = plan.changes.filter((c) => c.kind === 'alias' && c.action === 'update');
  if (aliasUpdates.length > 0) {
    await run(aliasUpdates, () => removeAliases(db, aliasUpdates.map((c) => aliasKey(c.key)), ctx));
  }

  for (const batch of batches(plan.changes)) {
    const { kind, action } = batch[0];
    await run(batch, async () => {
      switch (`${action} ${kind}`) {
        case 'delete phone':
          return removePhones(db, batch.flatMap((c) => lines(c.before?.lines).map((a) => ({ mac: c.key, ...splitAddress(a) }))), ctx);
        case 'delete alias':
          return removeAliases(db, batch.map((c) => aliasKey(c.key)), ctx);
        case 'delete user':
          return removeUsers(db, batch.map((c) => splitAddress(c.key)), ctx);
        case 'delete number':
          return removeNumbers(db, batch.flatMap((c) => numbersOfKey(c.key)), ctx);
        case 'delete domain':
          result.domainsChanged = true;
          return removeDomains(db, batch.map((c) => c.key), ctx);
        case 'create domain':
          result.domainsChanged = true;
          return addDomains(db, batch.map((c) => c.key), ctx);
        case 'create number': {
          // Runs go in as ranges (bulk, one audit row per run), single numbers as a batch.
          const singles: string[] = [];
          for (const c of batch) {
            const { start, end } = runOfKey(c.key);
            if (start === end) singles.push(start);
            else for (const part of splitRun(start, end, MAX_RANGE_SIZE)) await addNumberRange(db, part.start, part.end, ctx);
          }
          if (singles.length > 0) await addNumbers(db, singles, ctx);
          return;
        }
        case 'create user': {
          const locals: LocalUserInput[] = [];
          const remotes: RemoteUserInput[] = [];
          for (const c of batch) {
            const u = users.get(c.key);
            if (!u) throw new Error(`user ${c.key} is not in the desired state`);
            const common = { username: u.username, domain: u.domain, displayname: u.displayname, email: u.email, dialplan: u.dialplan, linetext: u.linetext };
            if (u.kind === 'local') {
              locals.push({ ...common, password: u.password });
              if (u.password === undefined) result.generatedPasswords.push(u.address);
            } else {
              remotes.push({
                ...common,
                password: u.password ?? '',
                registrar: u.registrar ?? '',
                r_port: u.r_port ?? null,
                proxy: u.proxy ?? null,
                p_port: u.p_port ?? null,
                authid: u.authid ?? null,
              });
            }
          }
          if (locals.length > 0) await addLocalUsers(db, locals, ctx);
          if (remotes.length > 0) await addRemoteUsers(db, remotes, ctx);
          return;
        }
        case 'update user': {
          const updates: UserUpdate[] = batch.map((c) => {
            const { password, ...fields } = c.after ?? {};
            const update: UserUpdate = { ...splitAddress(c.key), fields: fields as UserUpdate['fields'] };
            if (password !== undefined) {
              const u = users.get(c.key);
              if (u?.password === undefined) throw new Error(`the password of ${c.key} is not in the desired state`);
              update.password = u.password;
            }
            return update;
          });
          return updateUsers(db, updates, ctx);
        }
        case 'create alias':
        case 'update alias':
          return addAliases(
            db,
            batch.map((c) => ({ ...aliasKey(c.key), ...splitAddress(String(c.after?.destination)) })),
            ctx,
          );
        case 'create phone':
        case 'update phone':
          return addPhones(db, batch.flatMap((c) => lines(c.after?.lines).map((a, i) => ({ mac: c.key, ...splitAddress(a), line: i + 1 }))), ctx);
        default:
          throw new Error(`unknown change ${action} ${kind}`);
      }
    });
    done += batch.length;
    if (batch.length >= LARGE_BATCH) options.afterLargeBatch?.();
    options.onProgress?.(done, total);
  }
  return result;
}
