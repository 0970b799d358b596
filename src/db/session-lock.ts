import type { Kysely } from 'kysely';
import { adapterOf } from './dialects/index.js';

/** A session lock held on its own connection; release() frees both. */
export interface HeldSessionLock {
  /** The dedicated connection that holds the lock (run the lock's bookkeeping on it). */
  conn: Kysely<any>;
  release(): Promise<void>;
}

/**
 * Tries once to take the engine's session lock `key` on a connection of its own, kept open
 * until release(): the server frees the lock when that connection ends, so a killed process
 * leaves nothing behind. Resolves undefined when another session holds it. Only for engines
 * with a session lock (adapter.sessionLock).
 */
export function tryHoldSessionLock(db: Kysely<any>, key: string): Promise<HeldSessionLock | undefined> {
  const lock = adapterOf(db).sessionLock;
  if (!lock) throw new Error('this database engine has no session lock');
  return new Promise((resolve, reject) => {
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    const session = db.connection().execute(async (conn) => {
      if (!(await lock.tryAcquire(conn, key))) return resolve(undefined);
      resolve({
        conn,
        async release() {
          finish();
          await session;
        },
      });
      await finished;
      await lock.release(conn, key);
    });
    session.catch(reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits up to `timeoutMs` for the session lock `key`; undefined when it stayed held. */
export async function waitForSessionLock(db: Kysely<any>, key: string, timeoutMs: number): Promise<HeldSessionLock | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const held = await tryHoldSessionLock(db, key);
    if (held || Date.now() >= deadline) return held;
    await sleep(Math.min(200, Math.max(20, deadline - Date.now())));
  }
}
