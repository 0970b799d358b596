import type { Dbs } from '../db/types.js';
import type { OpContext } from './context.js';
import type { Address, AliasInput, AliasKey, AliasRecord } from './types.js';

export async function addAliases(db: Dbs, aliases: AliasInput[], ctx: OpContext): Promise<void> {
  throw new Error('not implemented yet');
}
export async function removeAliases(db: Dbs, aliases: AliasKey[], ctx: OpContext): Promise<void> {
  throw new Error('not implemented yet');
}
export async function listAliases(db: Dbs, search: string | undefined, ctx: OpContext): Promise<AliasRecord[]> {
  throw new Error('not implemented yet');
}
export async function aliasesOfUser(db: Dbs, destination: Address, options: { e164?: boolean }, ctx: OpContext): Promise<string[]> {
  throw new Error('not implemented yet');
}
