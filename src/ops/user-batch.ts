import type { Dbs } from '../db/types.js';
import type { Address } from './types.js';

/** Bulk reads of one kind running at once on one database pair; later reads wait and join. */
const MAX_IN_FLIGHT = 4;
/** Addresses per bulk read at most. */
const MAX_BATCH = 500;

interface Waiter<R> {
  address: Address;
  resolve(result: R): void;
  reject(error: unknown): void;
}

interface Queue<R> {
  db: Dbs;
  waiting: Waiter<R>[];
  inFlight: number;
  scheduled: boolean;
}

const queues = new Map<Function, WeakMap<object, Queue<unknown>>>();

/**
 * Coalesces concurrent single-user reads into bulk reads. The API server answers many user/get
 * requests at once; each alone would cost a round trip (or two) to the database. Reads that
 * arrive on the same (non-transaction) handles during one event-loop turn are read together
 * at the turn's end (setImmediate) with `read` (`domain = ? AND username IN (…)`); while
 * MAX_IN_FLIGHT such reads are running, new reads wait and join the next one, so batches grow
 * with load instead of the number of queries. Inside a transaction nothing is coalesced.
 */
export function coalescedRead<R>(db: Dbs, address: Address, read: (db: Dbs, addresses: readonly Address[]) => Promise<R>): Promise<R> {
  if (db.kamailio.isTransaction || db.provisioning.isTransaction) return read(db, [address]);
  let byDb = queues.get(read) as WeakMap<object, Queue<R>> | undefined;
  if (!byDb) {
    byDb = new WeakMap();
    queues.set(read, byDb as WeakMap<object, Queue<unknown>>);
  }
  let queue = byDb.get(db.kamailio);
  if (!queue) {
    queue = { db, waiting: [], inFlight: 0, scheduled: false };
    byDb.set(db.kamailio, queue);
  }
  if (queue.db.provisioning !== db.provisioning) return read(db, [address]);
  const q = queue;
  return new Promise<R>((resolve, reject) => {
    q.waiting.push({ address, resolve, reject });
    if (!q.scheduled) {
      q.scheduled = true;
      setImmediate(() => {
        q.scheduled = false;
        flush(q, read);
      });
    }
  });
}

function flush<R>(queue: Queue<R>, read: (db: Dbs, addresses: readonly Address[]) => Promise<R>): void {
  while (queue.inFlight < MAX_IN_FLIGHT && queue.waiting.length > 0) {
    const batch = queue.waiting.splice(0, MAX_BATCH);
    queue.inFlight++;
    read(queue.db, batch.map((w) => w.address)).then(
      (result) => {
        for (const w of batch) w.resolve(result);
      },
      (error: unknown) => {
        for (const w of batch) w.reject(error);
      },
    ).finally(() => {
      queue.inFlight--;
      flush(queue, read);
    });
  }
}
