import type { Dbs } from '../db/types.js';
import type { AliasRow } from '../model/index.js';
import { selectByAddress } from './bulk.js';
import type { Address, AliasKey } from './types.js';

/** An alias's own address (alias_username@alias_domain). */
export const aliasAddress = (a: AliasKey): Address => ({ username: a.alias_username, domain: a.alias_domain });

/** A dbaliases row as stored: the model's alias row and its id. */
export interface StoredAlias extends AliasRow {
  id: number;
}

const aliasColumns = (db: Dbs) => () => db.kamailio.selectFrom('dbaliases').select(['id', 'alias_username', 'alias_domain', 'username', 'domain']);

/**
 * The dbaliases rows whose alias is at one of `addresses`, case variants included (a superset:
 * the caller keys them with new AddressIndex(rows, aliasAddress)).
 */
export async function aliasRowsAt(db: Dbs, addresses: readonly Address[]): Promise<StoredAlias[]> {
  return selectByAddress(addresses, { db: db.kamailio, base: aliasColumns(db), username: 'alias_username', domain: 'alias_domain', folds: db.caseInsensitive.dbaliases });
}

/** The dbaliases rows whose destination is one of `addresses`, case variants included (a superset, as aliasRowsAt). */
export async function aliasRowsTo(db: Dbs, addresses: readonly Address[]): Promise<StoredAlias[]> {
  return selectByAddress(addresses, { db: db.kamailio, base: aliasColumns(db), username: 'username', domain: 'domain', folds: db.caseInsensitive.dbaliases });
}
