import { HermesError } from '../errors.js';
import type { DialectName } from './types.js';

export const DEFAULT_DB_URL = 'sqlite:hermes.db';

export interface SqliteTarget {
  dialect: 'sqlite';
  /** File path, or ':memory:'. */
  path: string;
}

export interface MysqlTarget {
  dialect: 'mysql';
  host: string;
  port: number;
  user: string;
  password: string;
  /** Empty when the URL names no database (only useful for server-level work in tests). */
  database: string;
}

export type DbTarget = SqliteTarget | MysqlTarget;

/**
 * Parses a database URL: `sqlite:PATH` (also `sqlite://PATH`) or
 * `mysql://user:pass@host:port/db` (`mariadb://` is accepted as a synonym).
 */
export function parseDbUrl(url: string): DbTarget {
  const trimmed = url.trim();
  if (trimmed.startsWith('sqlite:')) {
    let path = trimmed.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2);
    if (path === '') {
      throw new HermesError('DB_URL_INVALID', `database URL "${trimmed}" names no file: use sqlite:PATH, e.g. sqlite:hermes.db`);
    }
    return { dialect: 'sqlite', path };
  }
  if (/^(mysql|mariadb):/i.test(trimmed)) {
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch {
      throw new HermesError('DB_URL_INVALID', `database URL "${redactDbUrl(trimmed)}" is malformed: use mysql://user:password@host:port/database`);
    }
    if (!parsed.hostname) {
      throw new HermesError('DB_URL_INVALID', `database URL "${redactDbUrl(trimmed)}" names no host: use mysql://user:password@host:port/database`);
    }
    const port = parsed.port === '' ? 3306 : Number(parsed.port);
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    if (database.includes('/')) {
      throw new HermesError('DB_URL_INVALID', `database URL "${redactDbUrl(trimmed)}" has a database name with a '/': use mysql://user:password@host:port/database`);
    }
    return {
      dialect: 'mysql',
      host: parsed.hostname.replace(/^\[|\]$/g, ''),
      port,
      user: decodeURIComponent(parsed.username) || 'root',
      password: decodeURIComponent(parsed.password),
      database,
    };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1];
  throw new HermesError(
    'DB_URL_INVALID',
    scheme
      ? `database URL scheme "${scheme}:" is not supported: use sqlite:PATH or mysql://user:password@host:port/database`
      : `database URL "${redactDbUrl(trimmed)}" has no scheme: use sqlite:PATH or mysql://user:password@host:port/database`,
  );
}

/** The URL with any password replaced by "***", for messages and logs. */
export function redactDbUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}

/** A short, secret-free name for a target, for messages. */
export function describeTarget(target: DbTarget): string {
  if (target.dialect === 'sqlite') return `sqlite:${target.path}`;
  return `mysql://${target.user}@${target.host}:${target.port}/${target.database}`;
}

export function dialectOf(url: string): DialectName {
  return parseDbUrl(url).dialect;
}
