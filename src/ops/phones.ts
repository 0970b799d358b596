import type { Dbs } from '../db/types.js';
import type { OpContext } from './context.js';
import type { Address, PhoneLine, PhoneLineInput, PhoneLineKey } from './types.js';

export async function addPhones(db: Dbs, lines: PhoneLineInput[], ctx: OpContext): Promise<void> {
  throw new Error('not implemented yet');
}
export async function removePhones(db: Dbs, lines: PhoneLineKey[], ctx: OpContext): Promise<void> {
  throw new Error('not implemented yet');
}
export async function listPhones(db: Dbs, search: string | undefined, ctx: OpContext): Promise<string[]> {
  throw new Error('not implemented yet');
}
export async function phonesOfMac(db: Dbs, mac: string, ctx: OpContext): Promise<PhoneLine[]> {
  throw new Error('not implemented yet');
}
export async function phonesOfUser(db: Dbs, address: Address, ctx: OpContext): Promise<PhoneLine[]> {
  throw new Error('not implemented yet');
}
