import type { Dbs } from '../db/types.js';
import type { Address } from './types.js';

/**
 * Coalesces concurrent single-user reads into one bulk read. The API server answers many
 * user/get requests at once; each alone would cost a round trip (or two) to the database.
 * Reads that arrive during the same event-loop turn on the same (non-transaction) handles
 * are collected and read together at the turn's end (setImmediate) with `read`, which does
 * `domain = ? AND username IN (…)` lookups. Inside a transaction nothing is coalesced.
 */
export function coalescedRead<R>(db: Dbs, address: Address, read: (db: Dbs, addresses: readonly Address[]) => Promise<R>): Promise<R> {
  if (db.kamailio.isTransaction || db.provisioning.isTransaction) return read(db, [address]);
  let batches = pending.get(read) as Map<object, Batch<R>> | undefined;
  if (!batches) {
    batches = new Map();
    pending.set(read, batches as Map<object, Batch<unknown>>);
  }
  let batch = batches.get(db.kamailio);
  if (batch && batch.db.provisioning !== db.provisioning) return read(db, [address]);
  if (!batch) {
    const created: Batch<R> = { db, addresses: [], result: undefined as unknown as Promise<R> };
    const map = batches;
    created.result = new Promise<R>((resolve, reject) => {
      setImmediate(() => {
        map.delete(db.kamailio);
        read(db, created.addresses).then(resolve, reject);
      });
    });
    batches.set(db.kamailio, created);
    batch = created;
  }
  batch.addresses.push(address);
  return batch.result;
}

interface Batch<R> {
  db: Dbs;
  addresses: Address[];
  result: Promise<R>;
}

const pending = new Map<Function, Map<object, Batch<unknown>>>();
