import type { Dbs } from '../db/types.js';
import type { OpContext } from './context.js';

export const MAX_RANGE_SIZE = 1_000_000;

export async function addNumbers(db: Dbs, numbers: string[], ctx: OpContext): Promise<number> {
  throw new Error('not implemented yet');
}
export async function removeNumbers(db: Dbs, numbers: string[], ctx: OpContext): Promise<void> {
  throw new Error('not implemented yet');
}
export async function addNumberRange(db: Dbs, start: string, end: string, ctx: OpContext): Promise<number> {
  throw new Error('not implemented yet');
}
export async function listNumbers(db: Dbs, options: { search?: string; random?: boolean; limit?: number }, ctx: OpContext): Promise<string[]> {
  throw new Error('not implemented yet');
}
export async function numberInPool(db: Dbs, number: string, ctx: OpContext): Promise<boolean> {
  throw new Error('not implemented yet');
}
