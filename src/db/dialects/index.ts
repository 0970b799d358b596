/**
 * The registry of database engines: one adapter per engine (see adapter.ts). Adding an engine
 * is one file beside this one and one line in ADAPTERS.
 */
import type { Kysely } from 'kysely';
import type { DialectAdapter } from './adapter.js';
import { mysql } from './mysql.js';
import { postgres } from './postgres.js';
import { sqlite } from './sqlite.js';

export const ADAPTERS = [sqlite, mysql, postgres] as const;

type TargetOf<A> = A extends DialectAdapter<infer T> ? T : never;
/** A parsed database URL, of whichever engine. */
export type DbTarget = TargetOf<(typeof ADAPTERS)[number]>;
export type DialectName = DbTarget['dialect'];
export type { DialectAdapter } from './adapter.js';

/** The adapter of an engine by name. */
export function adapterNamed(name: DialectName): DialectAdapter {
  const adapter = ADAPTERS.find((a) => a.name === name);
  if (!adapter) throw new Error(`no dialect adapter named ${name}`);
  return adapter;
}

/** The adapter of the engine a URL scheme names, if any. */
export function adapterForScheme(scheme: string): DialectAdapter | undefined {
  return ADAPTERS.find((a) => a.schemes.includes(scheme.toLowerCase()));
}

/** The adapter of a Kysely handle (a transaction or a single connection too) that hermes opened. */
export function adapterOf(db: Kysely<any>): DialectAdapter {
  const adapter = db.getExecutor().adapter as Partial<DialectAdapter>;
  if (typeof adapter.multiRowInsert !== 'function') throw new Error('this Kysely instance was not opened by hermes (no dialect adapter)');
  return adapter as DialectAdapter;
}
