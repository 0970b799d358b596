import type { ControlledTransaction } from 'kysely';
import { HermesError } from '../errors.js';
import type { Dbs, ProvisioningTables } from './types.js';

/** Names of the two databases for messages (Connection.names); generic ones when not given. */
export interface DatabaseNames {
  kamailio: string;
  provisioning: string;
}

async function rollback(trx: ControlledTransaction<any> | undefined): Promise<void> {
  await trx?.rollback().execute().catch(() => undefined);
}

/**
 * The writers of one process (one Connection), waiting their turn in the process, first come
 * first served, instead of each holding a pooled connection while it waits for the writers'
 * lock in the database: readers keep the pool's other connections (or, on SQLite, the one
 * connection between two writers), so reads stay fast during a burst of writes. Writers in other processes still wait for each other in the database.
 */
export class WriterQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    // A turn of the event loop between writers, for the reads and requests waiting for one:
    // with a synchronous driver (SQLite) one writer after another would otherwise run in a
    // single chain of promise callbacks.
    const result = this.#tail.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(fn);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * Runs `fn` with both databases inside transactions: one transaction when Kamailio and
 * provisioning share a connection, otherwise one on each. Every such transaction is a writer:
 * before `fn` reads anything it takes the writers' lock (DialectAdapter.writeLock, on the
 * provisioning database), so writers run one at a time across processes and each one's
 * checks see everything the writers before it committed (`dbs.writers` queues this
 * process's writers first). Both roll back when `fn` throws or
 * when the first commit (Kamailio's) fails. The second commit (the provisioning database's)
 * can still fail after the first succeeded, which no pair of independent databases can rule
 * out: then DB_PARTIAL_COMMIT says which database holds the changes and that running the same
 * command again completes them (every writer plans from what it reads, so a re-run writes
 * only what the provisioning database lacks). Called with handles that are already
 * transactions, it joins them (the lock is held already).
 */
export async function inTransaction<T>(dbs: Dbs & { names?: DatabaseNames }, fn: (trx: Dbs) => Promise<T>): Promise<T> {
  // Already inside a transaction (an op called by apply): join it.
  if (dbs.kamailio.isTransaction) return fn(dbs);
  return dbs.writers ? dbs.writers.run(() => writeTransaction(dbs, fn)) : writeTransaction(dbs, fn);
}

async function writeTransaction<T>(dbs: Dbs & { names?: DatabaseNames }, fn: (trx: Dbs) => Promise<T>): Promise<T> {
  const lock = dbs.adapters.provisioning;
  if (dbs.shared) {
    return dbs.kamailio.transaction().execute(async (trx) => {
      await lock.writeLock(trx);
      return fn({ ...dbs, kamailio: trx, provisioning: trx as unknown as Dbs['provisioning'] });
    });
  }
  const kamailio = await dbs.kamailio.startTransaction().execute();
  let provisioning: ControlledTransaction<ProvisioningTables> | undefined;
  let result: T;
  try {
    provisioning = await dbs.provisioning.startTransaction().execute();
    await lock.writeLock(provisioning);
    result = await fn({ ...dbs, kamailio, provisioning });
    await kamailio.commit().execute();
  } catch (error) {
    await rollback(provisioning);
    await rollback(kamailio);
    throw error;
  }
  try {
    await provisioning.commit().execute();
  } catch (error) {
    await rollback(provisioning);
    const names = dbs.names ?? { kamailio: 'the Kamailio database', provisioning: 'the provisioning database' };
    throw new HermesError(
      'DB_PARTIAL_COMMIT',
      `the changes were committed to ${names.kamailio} but the commit of ${names.provisioning} failed (${firstLine(error)}): run the same command again (hermes apply with the same desired state) to complete them; hermes plan shows what remains`,
      { cause: error },
    );
  }
  return result;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
