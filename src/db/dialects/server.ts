/**
 * What the server engines (MySQL/MariaDB, PostgreSQL) share: their URL's shape with its TLS
 * parameters, the CA file, and the translation of connect errors that every network driver
 * meets (refused, unknown host, TLS) into one catalogued line.
 */
import { readFileSync } from 'node:fs';
import { Kysely, type KyselyConfig } from 'kysely';
import { HermesError } from '../../errors.js';
import { redactDbUrl } from '../redact.js';

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

export interface ServerTarget<D extends string> {
  dialect: D;
  host: string;
  port: number;
  user: string;
  password: string;
  /** Empty when the URL names no database (only useful for server-level work in tests). */
  database: string;
  /** Absent: a plain connection. */
  tls?: TlsSettings;
}

export interface ServerUrlSpec<D extends string> {
  dialect: D;
  defaultPort: number;
  defaultUser: string;
  /** The URL's form for messages. */
  form: string;
  /** The TLS settings of the URL's query parameters; refuses unknown ones through fail(). */
  tls(params: URLSearchParams, fail: (why: string) => never): TlsSettings | undefined;
}

/**
 * The members every server engine's adapter shares (URL parsing, naming, comparing targets),
 * on top of the engine's Kysely adapter class `Base`: `class X extends serverAdapter(KyselyAdapter, SPEC)`.
 */
export function serverAdapter<D extends string, B extends abstract new (...args: any[]) => object>(Base: B, spec: ServerUrlSpec<D>) {
  abstract class ServerAdapter extends Base {
    readonly isServer = true;
    readonly urlForm = spec.form;

    parseUrl(url: string): ServerTarget<D> {
      return parseServerUrl(url, spec);
    }

    describe(target: ServerTarget<D>): string {
      return describeServer(target);
    }

    sameDatabase(a: ServerTarget<D>, b: ServerTarget<D>): boolean {
      return sameServerDatabase(a, b);
    }
  }
  return ServerAdapter;
}

/** Parses `scheme://user:password@host:port/database?params` for a server engine. */
export function parseServerUrl<D extends string>(url: string, spec: ServerUrlSpec<D>): ServerTarget<D> {
  const trimmed = url.trim();
  const fail = (why: string): never => {
    throw new HermesError('DB_URL_INVALID', `database URL "${redactDbUrl(trimmed)}" ${why}: use ${spec.form}`);
  };
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    return fail('is malformed');
  }
  if (!parsed.hostname) fail('names no host');
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database.includes('/')) fail("has a database name with a '/'");
  const tls = spec.tls(parsed.searchParams, fail);
  return {
    dialect: spec.dialect,
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port === '' ? spec.defaultPort : Number(parsed.port),
    user: decodeURIComponent(parsed.username) || spec.defaultUser,
    password: decodeURIComponent(parsed.password),
    database,
    ...(tls ? { tls } : {}),
  };
}

/** Refuses any query parameter of the URL but `known`. */
export function onlyParameters(params: URLSearchParams, known: readonly string[], fail: (why: string) => never, engine: string): void {
  for (const key of params.keys()) {
    if (!known.includes(key)) fail(`has an unknown parameter "${key}" (${engine} URLs take ${known.join('=, ')}=)`);
  }
}

export function describeServer(target: ServerTarget<string>): string {
  return `${target.dialect}://${target.user}@${target.host}:${target.port}/${target.database}`;
}

export function sameServerDatabase(a: ServerTarget<string>, b: ServerTarget<string>): boolean {
  return a.host === b.host && a.port === b.port && a.database === b.database && a.user === b.user && a.password === b.password;
}

/** The CA certificates a URL names (ssl-ca=, sslrootcert=), read once when the pool is made. */
export function readCaFile(tls: TlsSettings): string | undefined {
  if (!tls.caFile) return undefined;
  try {
    return readFileSync(tls.caFile, 'utf8');
  } catch (error) {
    throw new HermesError('DB_URL_INVALID', `cannot read the CA certificate file "${tls.caFile}" named in the database URL: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** Node's codes for a server certificate that fails verification (chain, host name, dates). */
const TLS_CODES = new Set([
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/** node-postgres' and mysql2's words for a server without TLS. */
const NO_TLS = /does not support (SSL|secure) connection/i;

const oneLine = (text: string | undefined) => (text ?? '').replace(/\s+/g, ' ').trim();

/**
 * A network or TLS error met while connecting, as one catalogued line naming the database
 * (never its password); undefined for an engine's own error codes, which its adapter names.
 */
export function networkConnectError(error: unknown, target: ServerTarget<string>, caParameter: string): HermesError | undefined {
  const e = (error ?? {}) as { code?: string; message?: string };
  const where = describeServer(target);
  const code = e.code ?? '';
  if (TLS_CODES.has(code) || code === 'HANDSHAKE_SSL_ERROR') {
    // mysql2 replaces Node's code (SELF_SIGNED_CERT_IN_CHAIN, …) by its own; the message stays Node's.
    const what = code === 'HANDSHAKE_SSL_ERROR' ? `the TLS handshake failed (${oneLine(e.message)})` : `the server's TLS certificate is refused (${code}: ${oneLine(e.message)})`;
    return new HermesError('DB_UNREACHABLE', `cannot connect to ${where}: ${what}; check the host name in the URL and the CA file (${caParameter})`, { cause: error });
  }
  if (NO_TLS.test(e.message ?? '') || code === 'HANDSHAKE_NO_SSL_SUPPORT') {
    return new HermesError('DB_UNREACHABLE', `cannot connect to ${where}: the URL asks for TLS but the server does not offer it`, { cause: error });
  }
  switch (code) {
    case 'ECONNREFUSED':
      return new HermesError('DB_UNREACHABLE', `cannot connect to ${where}: connection refused (is the server running and listening on ${target.host}:${target.port}?)`, { cause: error });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new HermesError('DB_UNREACHABLE', `cannot connect to ${where}: unknown host "${target.host}"`, { cause: error });
    case 'ETIMEDOUT':
    case 'ECONNRESET':
    case 'PROTOCOL_CONNECTION_LOST':
      return new HermesError('DB_UNREACHABLE', `cannot connect to ${where}: the server did not answer (${code})`, { cause: error });
    default:
      return undefined;
  }
}

/** The error of a connect failure that neither the network nor the engine named. */
export function otherConnectError(error: unknown, target: ServerTarget<string>): HermesError {
  const e = (error ?? {}) as { code?: string; message?: string };
  return new HermesError('DB_UNREACHABLE', `cannot connect to ${describeServer(target)}: ${oneLine(e.message) || e.code || 'unknown error'}`, { cause: error });
}

export const authFailed = (error: unknown, target: ServerTarget<string>, hint = '') =>
  new HermesError('DB_AUTH_FAILED', `cannot connect to ${describeServer(target)}: access denied for user "${target.user}" (check the user name and password in the URL${hint})`, { cause: error });

export const databaseMissing = (error: unknown, target: ServerTarget<string>) =>
  new HermesError('DB_NOT_FOUND', `database "${target.database}" does not exist on ${target.host}:${target.port}: create it with \`hermes init --kamailio-schema\``, { cause: error });

/** A connection to a server without a database, enough to find and create one (`hermes init`). */
export interface ServerAdmin {
  databaseExists(name: string): Promise<boolean>;
  createDatabase(name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * `hermes init` on a server: creates the URL's database when it is missing; returns whether it
 * did. A URL without a database is refused; a connect error names the target (`translate`).
 */
export async function createServerDatabaseIfMissing<T extends ServerTarget<string>>(
  target: T,
  urlForm: string,
  connect: (target: T) => Promise<ServerAdmin>,
  translate: (error: unknown, target: T) => HermesError,
): Promise<boolean> {
  if (!target.database) {
    throw new HermesError('DB_URL_INVALID', `database URL ${describeServer(target)} names no database: use ${urlForm}`);
  }
  let admin: ServerAdmin | undefined;
  try {
    admin = await connect({ ...target, database: '' });
    if (await admin.databaseExists(target.database)) return false;
    await admin.createDatabase(target.database);
    return true;
  } catch (error) {
    throw translate(error, target);
  } finally {
    await admin?.close();
  }
}

/** A connection pool's use at one moment, for the server's metrics. */
export interface PoolStats {
  /** Connections open (in use or idle). */
  open: number;
  /** Open connections not in use. */
  idle: number;
  /** Requests waiting for a connection. */
  waiting: number;
  /** The pool's size limit. */
  max: number;
}

/** The Kysely instance of a server engine, which can tell how its driver's pool is used. */
export class PooledKysely<DB> extends Kysely<DB> {
  constructor(
    config: KyselyConfig,
    readonly poolStats: () => PoolStats,
  ) {
    super(config);
  }
}

/** The pool use of a database opened by hermes on a server engine; undefined for SQLite. */
export function poolStatsOf(db: Kysely<any>): PoolStats | undefined {
  return db instanceof PooledKysely ? db.poolStats() : undefined;
}
