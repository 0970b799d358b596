import type { Dbs } from '../db/types.js';
import type { OpContext } from './context.js';
import type { Address, LocalUserInput, RemoteUserInput, UserRecord, UserUpdate } from './types.js';

export async function getUser(db: Dbs, address: Address, ctx: OpContext): Promise<UserRecord> {
  throw new Error('not implemented yet');
}
export async function listUsers(db: Dbs, search: string | undefined, ctx: OpContext): Promise<string[]> {
  throw new Error('not implemented yet');
}
export async function addLocalUsers(db: Dbs, users: LocalUserInput[], ctx: OpContext): Promise<UserRecord[]> {
  throw new Error('not implemented yet');
}
export async function addRemoteUsers(db: Dbs, users: RemoteUserInput[], ctx: OpContext): Promise<UserRecord[]> {
  throw new Error('not implemented yet');
}
export async function updateUsers(db: Dbs, updates: UserUpdate[], ctx: OpContext): Promise<void> {
  throw new Error('not implemented yet');
}
export async function removeUsers(db: Dbs, addresses: Address[], ctx: OpContext): Promise<void> {
  throw new Error('not implemented yet');
}
