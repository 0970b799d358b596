import type { Dbs } from './types.js';

/**
 * Runs `fn` with both databases inside transactions: one transaction when Kamailio and
 * provisioning share a connection, otherwise one on each, committed together (provisioning
 * first, then Kamailio) and both rolled back when `fn` throws. Called with handles that are
 * already transactions, it joins them.
 */
export async function inTransaction<T>(dbs: Dbs, fn: (trx: Dbs) => Promise<T>): Promise<T> {
  // Already inside a transaction (an op called by apply): join it.
  if (dbs.kamailio.isTransaction) return fn(dbs);
  if (dbs.shared) {
    return dbs.kamailio.transaction().execute(async (trx) =>
      fn({ ...dbs, kamailio: trx, provisioning: trx as unknown as Dbs['provisioning'] }),
    );
  }
  return dbs.kamailio.transaction().execute(async (kamailio) =>
    dbs.provisioning.transaction().execute(async (provisioning) => fn({ ...dbs, kamailio, provisioning })),
  );
}
