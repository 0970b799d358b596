import type { Dbs } from '../db/types.js';
import type { OpContext } from './context.js';

/** Inserts `domain` rows (did NULL, last_modified now). Failed 'exists' when one is there. */
export async function addDomains(db: Dbs, domains: string[], ctx: OpContext): Promise<void> {
  throw new Error('not implemented yet');
}

/** Deletes only the `domain` rows. Failed 'nonexistant' when one is missing. */
export async function removeDomains(db: Dbs, domains: string[], ctx: OpContext): Promise<void> {
  throw new Error('not implemented yet');
}
