import { HermesError } from '../errors.js';
import { ADAPTERS, adapterForScheme, adapterNamed, type DbTarget } from './dialects/index.js';
import type { DialectAdapter } from './dialects/adapter.js';
import { redactDbUrl } from './redact.js';

export { redactDbUrl } from './redact.js';
export type { DbTarget } from './dialects/index.js';
export type { SqliteTarget } from './dialects/sqlite.js';
export type { MysqlTarget } from './dialects/mysql.js';
export type { PostgresTarget } from './dialects/postgres.js';

export const DEFAULT_DB_URL = 'sqlite:hermes.db';

/**
 * Parses a database URL by its scheme, with the engine that owns it: `sqlite:PATH` (also
 * `sqlite://PATH`), `mysql://user:pass@host:port/db` (`mariadb://` is a synonym),
 * `postgres://user:pass@host:port/db` (`postgresql://` is a synonym), with TLS parameters spelt
 * as each ecosystem does (see dialects/mysql.ts and dialects/postgres.ts)
 */
export function parseDbUrl(url: string): DbTarget {
  const trimmed = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1];
  const adapter = scheme ? adapterForScheme(scheme) : undefined;
  if (adapter) return adapter.parseUrl(trimmed);
  const forms = ADAPTERS.map((a) => a.urlForm).join(' or ');
  throw new HermesError(
    'DB_URL_INVALID',
    scheme ? `database URL scheme "${scheme}:" is not supported: use ${forms}` : `database URL "${redactDbUrl(trimmed)}" has no scheme: use ${forms}`,
  );
}

/** The adapter of a target's engine. */
export function adapterFor(target: DbTarget): DialectAdapter {
  return adapterNamed(target.dialect);
}

/** A short, secret-free name for a target, for messages. */
export function describeTarget(target: DbTarget): string {
  return adapterFor(target).describe(target);
}

/** Whether a URL names a database server (reads may overlap other work) rather than a file read in this process. */
export function isServerUrl(url: string): boolean {
  return adapterFor(parseDbUrl(url)).isServer;
}
