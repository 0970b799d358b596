import DataLoader from 'dataloader';
import type { Dbs } from '../db/types.js';
import type { Address } from './types.js';

/** Bulk reads of one kind running at once on one database pair; later batches wait their turn. */
const MAX_IN_FLIGHT = 4;
/** Addresses per bulk read at most. */
const MAX_BATCH = 500;

type Read<R> = (db: Dbs, addresses: readonly Address[]) => Promise<R>;

/**
 * A DataLoader (no cache: every read sees the database as it is) whose batches are dispatched
 * at the end of the event-loop turn (setImmediate), and only while fewer than maxInFlight
 * (default MAX_IN_FLIGHT) of its reads are running and at least minIntervalMs (default 0) after
 * the last dispatch: a batch that has to wait stays open and keeps collecting calls (up to
 * MAX_BATCH), so batches grow with load instead of the number of queries.
 */
export function boundedLoader<K, V>(load: (keys: readonly K[]) => Promise<V[]>, maxInFlight = MAX_IN_FLIGHT, minIntervalMs = 0): DataLoader<K, V> {
  let inFlight = 0;
  let lastDispatch = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  const waiting: (() => void)[] = [];
  const next = (): void => {
    if (waiting.length === 0 || inFlight >= maxInFlight || timer !== undefined) return;
    const wait = lastDispatch + minIntervalMs - performance.now();
    if (wait > 0) {
      timer = setTimeout(() => {
        timer = undefined;
        next();
      }, wait);
      return;
    }
    lastDispatch = performance.now();
    waiting.shift()!(); // DataLoader calls the batch function at once: inFlight counts it before next() runs again
  };
  return new DataLoader<K, V>(
    async (keys) => {
      inFlight++;
      try {
        return await load(keys);
      } finally {
        inFlight--;
        next();
      }
    },
    {
      cache: false,
      maxBatchSize: MAX_BATCH,
      batchScheduleFn: (dispatch) =>
        setImmediate(() => {
          waiting.push(dispatch);
          next();
        }),
    },
  );
}

function createLoader<R>(db: Dbs, read: Read<R>): DataLoader<Address, R> {
  return boundedLoader<Address, R>(async (addresses) => {
    const result = await read(db, addresses);
    return addresses.map(() => result);
  });
}

/**
 * Coalesces concurrent single-user reads into bulk reads. The API server answers many user/get
 * requests at once; each alone would cost a round trip (or two) to the database. Reads that
 * arrive on the same (non-transaction) handles are read together with `read` (`domain = ? AND
 * username IN (…)`), which answers for all of them; each caller picks its own user from the
 * result. The loaders live on the connection (db.readers): none without it, and nothing is
 * coalesced inside a transaction or on handles other than those the loader was made for.
 */
export function coalescedRead<R>(db: Dbs, address: Address, read: Read<R>): Promise<R> {
  const readers = db.readers as Map<Read<unknown>, { db: Dbs; loader: DataLoader<Address, unknown> }> | undefined;
  if (readers === undefined || db.kamailio.isTransaction || db.provisioning.isTransaction) return read(db, [address]);
  let entry = readers.get(read);
  if (!entry) readers.set(read, (entry = { db, loader: createLoader(db, read) }));
  if (entry.db.kamailio !== db.kamailio || entry.db.provisioning !== db.provisioning) return read(db, [address]);
  return (entry.loader as DataLoader<Address, R>).load(address);
}
