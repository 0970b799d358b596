import { HermesError } from '../errors.js';
import type { DialectName } from './types.js';

export const DEFAULT_DB_URL = 'sqlite:hermes.db';

export interface SqliteTarget {
  dialect: 'sqlite';
  /** File path, or ':memory:'. */
  path: string;
}

/**
 * TLS to a database server, from the URL. `verifyCertificate`: the server's certificate must
 * chain to `caFile` (or to Node's bundled CAs); `verifyHostName`: it must also be issued for
 * the host the URL names.
 */
export interface TlsSettings {
  verifyCertificate: boolean;
  verifyHostName: boolean;
  /** A PEM file of the CA certificates to trust instead of Node's bundled ones. */
  caFile?: string;
}

interface ServerTargetFields {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Empty when the URL names no database (only useful for server-level work in tests). */
  database: string;
  /** Absent: a plain connection. */
  tls?: TlsSettings;
}

export interface MysqlTarget extends ServerTargetFields {
  dialect: 'mysql';
}

export interface PostgresTarget extends ServerTargetFields {
  dialect: 'postgres';
}

export type ServerTarget = MysqlTarget | PostgresTarget;
export type DbTarget = SqliteTarget | ServerTarget;

const FORMS = 'sqlite:PATH, mysql://user:password@host:port/database or postgres://user:password@host:port/database';

interface ServerScheme {
  dialect: ServerTarget['dialect'];
  defaultPort: number;
  defaultUser: string;
  form: string;
  /** The TLS settings of the URL's query parameters; refuses unknown ones. */
  tls(params: URLSearchParams, fail: (why: string) => never): TlsSettings | undefined;
}

const MYSQL: ServerScheme = {
  dialect: 'mysql',
  defaultPort: 3306,
  defaultUser: 'root',
  form: 'mysql://user:password@host:port/database[?ssl=true&ssl-ca=FILE]',
  tls(params, fail) {
    const known = new Set(['ssl', 'ssl-ca']);
    for (const key of params.keys()) if (!known.has(key)) fail(`has an unknown parameter "${key}" (MySQL/MariaDB URLs take ssl=true and ssl-ca=FILE)`);
    const ssl = params.get('ssl');
    const caFile = params.get('ssl-ca') || undefined;
    if (ssl !== null && !['true', 'false'].includes(ssl)) fail(`has ssl=${ssl}: use ssl=true or ssl=false`);
    if (ssl === 'false') {
      if (caFile) fail('has ssl=false with ssl-ca: drop one of them');
      return undefined;
    }
    if (ssl !== 'true' && !caFile) return undefined;
    return { verifyCertificate: true, verifyHostName: true, caFile };
  },
};

const SSLMODES = ['disable', 'require', 'verify-ca', 'verify-full'];

const POSTGRES: ServerScheme = {
  dialect: 'postgres',
  defaultPort: 5432,
  defaultUser: 'postgres',
  form: 'postgres://user:password@host:port/database[?sslmode=verify-full&sslrootcert=FILE]',
  tls(params, fail) {
    const known = new Set(['sslmode', 'sslrootcert']);
    for (const key of params.keys()) if (!known.has(key)) fail(`has an unknown parameter "${key}" (PostgreSQL URLs take sslmode= and sslrootcert=FILE)`);
    const mode = params.get('sslmode') ?? 'disable';
    const caFile = params.get('sslrootcert') || undefined;
    if (!SSLMODES.includes(mode)) fail(`has sslmode=${mode}: use one of ${SSLMODES.join(', ')}`);
    if (mode === 'disable') {
      if (caFile) fail('has sslrootcert without sslmode: add sslmode=verify-full (or verify-ca, require)');
      return undefined;
    }
    // As libpq: require with a root certificate verifies the chain, like verify-ca.
    return { verifyCertificate: mode !== 'require' || caFile !== undefined, verifyHostName: mode === 'verify-full', caFile };
  },
};

const SERVER_SCHEMES: Record<string, ServerScheme> = { mysql: MYSQL, mariadb: MYSQL, postgres: POSTGRES, postgresql: POSTGRES };

function parseServerUrl(url: string, scheme: ServerScheme): ServerTarget {
  const fail = (why: string): never => {
    throw new HermesError('DB_URL_INVALID', `database URL "${redactDbUrl(url)}" ${why}: use ${scheme.form}`);
  };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail('is malformed');
  }
  if (!parsed.hostname) fail('names no host');
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database.includes('/')) fail("has a database name with a '/'");
  const tls = scheme.tls(parsed.searchParams, fail);
  return {
    dialect: scheme.dialect,
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port === '' ? scheme.defaultPort : Number(parsed.port),
    user: decodeURIComponent(parsed.username) || scheme.defaultUser,
    password: decodeURIComponent(parsed.password),
    database,
    ...(tls ? { tls } : {}),
  };
}

/**
 * Parses a database URL: `sqlite:PATH` (also `sqlite://PATH`),
 * `mysql://user:pass@host:port/db` (`mariadb://` is a synonym) or
 * `postgres://user:pass@host:port/db` (`postgresql://` is a synonym), with TLS parameters
 * spelt as each ecosystem does: `?ssl=true&ssl-ca=FILE` for MySQL/MariaDB,
 * `?sslmode=require|verify-ca|verify-full&sslrootcert=FILE` for PostgreSQL.
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
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1];
  const server = scheme ? SERVER_SCHEMES[scheme.toLowerCase()] : undefined;
  if (server) return parseServerUrl(trimmed, server);
  throw new HermesError(
    'DB_URL_INVALID',
    scheme
      ? `database URL scheme "${scheme}:" is not supported: use ${FORMS}`
      : `database URL "${redactDbUrl(trimmed)}" has no scheme: use ${FORMS}`,
  );
}

/** The URL with any password (in the authority or a password= parameter) replaced by "***". */
export function redactDbUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, '$1***@').replace(/([?&]password=)[^&]*/gi, '$1***');
}

/** A short, secret-free name for a target, for messages. */
export function describeTarget(target: DbTarget): string {
  if (target.dialect === 'sqlite') return `sqlite:${target.path}`;
  return `${target.dialect}://${target.user}@${target.host}:${target.port}/${target.database}`;
}

export function dialectOf(url: string): DialectName {
  return parseDbUrl(url).dialect;
}
