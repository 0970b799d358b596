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
 * Runs `fn` with both databases inside transactions: one transaction when Kamailio and
 * provisioning share a connection, otherwise one on each. Both roll back when `fn` throws or
 * when the first commit (Kamailio's) fails. The second commit (the provisioning database's)
 * can still fail after the first succeeded, which no pair of independent databases can rule
 * out: then DB_PARTIAL_COMMIT says which database holds the changes and that running the same
 * command again completes them (every writer plans from what it reads, so a re-run writes
 * only what the provisioning database lacks). Called with handles that are already
 * transactions, it joins them.
 */
export async function inTransaction<T>(dbs: Dbs & { names?: DatabaseNames }, fn: (trx: Dbs) => Promise<T>): Promise<T> {
  // Already inside a transaction (an op called by apply): join it.
  if (dbs.kamailio.isTransaction) return fn(dbs);
  if (dbs.shared) {
    return dbs.kamailio.transaction().execute(async (trx) =>
      fn({ ...dbs, kamailio: trx, provisioning: trx as unknown as Dbs['provisioning'] }),
    );
  }
  const kamailio = await dbs.kamailio.startTransaction().execute();
  let provisioning: ControlledTransaction<ProvisioningTables> | undefined;
  let result: T;
  try {
    provisioning = await dbs.provisioning.startTransaction().execute();
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
