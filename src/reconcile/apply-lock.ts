/**
 * The apply lock: a hermes_locks row named 'apply', written outside the apply's transaction so
 * that other processes see it. A second apply fails at once naming the holder, or waits up to
 * a timeout. The row is deleted when the apply ends, successfully or not.
 */
import { hostname } from 'node:os';
import { HermesError } from '../errors.js';
import type { ProvisioningDb } from '../db/types.js';

export const APPLY_LOCK = 'apply';

export interface LockHandle {
  holder: string;
  release(): Promise<void>;
}

export function lockHolder(actor: string, now: Date = new Date()): string {
  return `${actor} on ${hostname()} pid ${process.pid} since ${now.toISOString()}`.slice(0, 255);
}

async function currentHolder(db: ProvisioningDb): Promise<string | undefined> {
  const row = await db.selectFrom('hermes_locks').select(['holder']).where('name', '=', APPLY_LOCK).executeTakeFirst();
  return row?.holder;
}

export async function acquireApplyLock(db: ProvisioningDb, actor: string, options: { timeoutSeconds?: number } = {}): Promise<LockHandle> {
  const deadline = Date.now() + (options.timeoutSeconds ?? 0) * 1000;
  for (;;) {
    const now = new Date();
    const holder = lockHolder(actor, now);
    try {
      await db.insertInto('hermes_locks').values({ name: APPLY_LOCK, holder, acquired_at: now.toISOString() }).execute();
      return {
        holder,
        async release() {
          await db.deleteFrom('hermes_locks').where('name', '=', APPLY_LOCK).where('holder', '=', holder).execute();
        },
      };
    } catch (error) {
      const other = await currentHolder(db);
      if (other === undefined) {
        // The insert failed for another reason than a held lock, or the holder just left.
        if (Date.now() < deadline) continue;
        const again = await currentHolder(db);
        if (again === undefined) throw error;
      }
      if (Date.now() >= deadline) {
        throw new HermesError(
          'APPLY_LOCKED',
          `another apply is running: the apply lock is held by ${other ?? 'another process'} (wait with --lock-timeout SECONDS, or if that process is gone, run hermes apply --force-unlock)`,
        );
      }
      await new Promise((r) => setTimeout(r, Math.min(500, Math.max(50, deadline - Date.now()))));
    }
  }
}

/** Deletes the apply lock whoever holds it; returns the holder that was removed. */
export async function forceUnlock(db: ProvisioningDb): Promise<string | undefined> {
  const holder = await currentHolder(db);
  await db.deleteFrom('hermes_locks').where('name', '=', APPLY_LOCK).execute();
  return holder;
}
