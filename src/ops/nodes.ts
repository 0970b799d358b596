import type { Dbs } from '../db/types.js';
import type { OpContext } from './context.js';
import type { Envelope } from './envelope.js';

export interface NodeDefinition {
  name: string;
  mutates: boolean;
  params: string[];
}

export type NodeParams = Record<string, string | string[] | undefined>;

export const NODES: ReadonlyMap<string, NodeDefinition> = new Map();

/** Runs one node; never throws. */
export async function callNode(db: Dbs, name: string, params: NodeParams, ctx: OpContext): Promise<Envelope> {
  return { response: 'error', cause: 'dbfail', detail: 'not implemented yet' };
}
