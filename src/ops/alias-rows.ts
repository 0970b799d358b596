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

/**
 * The dbaliases rows whose alias is at one of `addresses`, as the database compares them (the
 * caller keys them with addressKey(aliasAddress(row), db.caseInsensitive.dbaliases)).
 */
export async function aliasRowsAt(db: Dbs, addresses: readonly Address[]): Promise<StoredAlias[]> {
  return selectByAddress(
    addresses,
    (domain) => db.kamailio.selectFrom('dbaliases').select(['id', 'alias_username', 'alias_domain', 'username', 'domain']).where('alias_domain', '=', domain),
    'alias_username',
  );
}
