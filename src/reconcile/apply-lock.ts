/**
 * The apply lock: one apply at a time per provisioning database, released when its process
 * dies, naming its holder to whoever waits. A hermes_locks row named 'apply' names the holder
 * (actor, host, pid, since). What makes it exclusive depends on the engine:
 * - with a session lock (MySQL/MariaDB GET_LOCK, PostgreSQL advisory locks), the server's lock
 *   held on a dedicated connection: the server frees it when the process dies, and the next
 *   apply replaces the dead holder's row;
 * - otherwise (SQLite), the row is a lease written in a write transaction, renewed while the
 *   apply runs: a later apply takes it over when its process is gone (same host) or the lease
 *   expired (any host).
 * A row without host (older hermes, or written by hand) is honoured until --force-unlock.
 */
import { hostname } from 'node:os';
import { adapterOf } from '../db/dialects/index.js';
import { tryHoldSessionLock } from '../db/session-lock.js';
import type { HermesLocksTable, ProvisioningDb } from '../db/types.js';
import { HermesError } from '../errors.js';

export const APPLY_LOCK = 'apply';
/** A lease's length, and how often its holder renews it. */
export const LEASE_MS = 60_000;
const RENEW_MS = 10_000;

export interface LockHandle {
  holder: string;
  release(): Promise<void>;
}

type Attempt = { handle: LockHandle } | { holder: string | undefined };

export function lockHolder(actor: string, now: Date = new Date()): string {
  return `${actor} on ${hostname()} pid ${process.pid} since ${now.toISOString()}`.slice(0, 255);
}

async function currentRow(db: ProvisioningDb): Promise<HermesLocksTable | undefined> {
  return db.selectFrom('hermes_locks').selectAll().where('name', '=', APPLY_LOCK).executeTakeFirst();
}

function ownRow(holder: string, now: Date, lease: boolean): HermesLocksTable {
  return {
    name: APPLY_LOCK,
    holder,
    acquired_at: now.toISOString(),
    host: hostname(),
    pid: process.pid,
    expires_at: lease ? new Date(now.getTime() + LEASE_MS).toISOString() : null,
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether a lease row's holder is gone: its process ended on this host, or its lease ran out. */
function abandoned(row: HermesLocksTable, now: Date): boolean {
  if (!row.host) return false;
  if (row.host === hostname() && row.pid != null && !processAlive(Number(row.pid))) return true;
  return row.expires_at != null && row.expires_at < now.toISOString();
}

async function trySessionLock(db: ProvisioningDb, actor: string): Promise<Attempt> {
  const held = await tryHoldSessionLock(db, APPLY_LOCK);
  if (!held) return { holder: (await currentRow(db))?.holder };
  const conn = held.conn as ProvisioningDb;
  try {
    const row = await currentRow(conn);
    if (row && !row.host) {
      await held.release();
      return { holder: row.holder };
    }
    // Any row left is a dead session's: the server freed its lock.
    const now = new Date();
    const holder = lockHolder(actor, now);
    await conn.deleteFrom('hermes_locks').where('name', '=', APPLY_LOCK).execute();
    await conn.insertInto('hermes_locks').values(ownRow(holder, now, false)).execute();
    return {
      handle: {
        holder,
        async release() {
          try {
            await conn.deleteFrom('hermes_locks').where('name', '=', APPLY_LOCK).where('holder', '=', holder).execute();
          } finally {
            await held.release();
          }
        },
      },
    };
  } catch (error) {
    await held.release().catch(() => undefined);
    throw error;
  }
}

function isBusy(error: unknown): boolean {
  return /^SQLITE_BUSY/.test((error as { code?: string })?.code ?? '');
}

async function tryLease(db: ProvisioningDb, actor: string): Promise<Attempt> {
  const now = new Date();
  const holder = lockHolder(actor, now);
  let other: string | undefined;
  try {
    other = await db.transaction().execute(async (trx) => {
      const row = await currentRow(trx);
      if (row && !abandoned(row, now)) return row.holder;
      await trx.deleteFrom('hermes_locks').where('name', '=', APPLY_LOCK).execute();
      await trx.insertInto('hermes_locks').values(ownRow(holder, now, true)).execute();
      return undefined;
    });
  } catch (error) {
    if (isBusy(error)) return { holder: undefined };
    throw error;
  }
  if (other !== undefined) return { holder: other };
  const renew = () =>
    db.updateTable('hermes_locks')
      .set({ expires_at: new Date(Date.now() + LEASE_MS).toISOString() })
      .where('name', '=', APPLY_LOCK)
      .where('holder', '=', holder)
      .execute()
      .catch(() => undefined);
  const timer = setInterval(renew, RENEW_MS);
  timer.unref();
  return {
    handle: {
      holder,
      async release() {
        clearInterval(timer);
        await db.deleteFrom('hermes_locks').where('name', '=', APPLY_LOCK).where('holder', '=', holder).execute();
      },
    },
  };
}

export async function acquireApplyLock(db: ProvisioningDb, actor: string, options: { timeoutSeconds?: number } = {}): Promise<LockHandle> {
  const deadline = Date.now() + (options.timeoutSeconds ?? 0) * 1000;
  const attempt = adapterOf(db).sessionLock ? trySessionLock : tryLease;
  for (;;) {
    const outcome = await attempt(db, actor);
    if ('handle' in outcome) return outcome.handle;
    if (Date.now() >= deadline) {
      throw new HermesError(
        'APPLY_LOCKED',
        `another apply is running: the apply lock is held by ${outcome.holder ?? 'another process'} (wait with --lock-timeout SECONDS; a lock whose process died is taken over by the next apply, and hermes apply --force-unlock removes one written by hand or by an older hermes)`,
      );
    }
    await new Promise((r) => setTimeout(r, Math.min(500, Math.max(50, deadline - Date.now()))));
  }
}

/** Deletes the apply lock's row whoever holds it; returns the holder that was removed. */
export async function forceUnlock(db: ProvisioningDb): Promise<string | undefined> {
  const holder = (await currentRow(db))?.holder;
  await db.deleteFrom('hermes_locks').where('name', '=', APPLY_LOCK).execute();
  return holder;
}
