import { HermesError, isHermesError } from '../errors.js';
import { describeTarget, type DbTarget } from './url.js';

interface DriverError {
  code?: string;
  errno?: number;
  message?: string;
}

/**
 * Turns a driver error (mysql2, better-sqlite3) met while connecting into one catalogued
 * error that names the cause and the database, never its password.
 */
export function translateConnectError(error: unknown, target: DbTarget): HermesError {
  if (isHermesError(error)) return error;
  const e = (error ?? {}) as DriverError;
  const where = describeTarget(target);
  const code = e.code ?? '';
  if (target.dialect === 'sqlite') {
    const known = translateDatabaseError(error, where);
    if (known) return known;
    if (code === 'SQLITE_CANTOPEN' || /unable to open|directory does not exist/i.test(e.message ?? '')) {
      return new HermesError('DB_NOT_FOUND', `cannot open SQLite database ${where}: the file does not exist or its folder is not writable`, { cause: error });
    }
    return new HermesError('DB_QUERY_FAILED', `SQLite database ${where} failed: ${e.message ?? code}`, { cause: error });
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
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_DBACCESS_DENIED_ERROR':
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
      return new HermesError('DB_AUTH_FAILED', `cannot connect to ${where}: access denied for user "${target.user}" (check the user name and password in the URL)`, { cause: error });
    case 'ER_BAD_DB_ERROR':
      return new HermesError('DB_NOT_FOUND', `database "${target.dialect === 'mysql' ? target.database : ''}" does not exist on ${target.host}:${target.port}: create it with \`hermes init --kamailio-schema\``, { cause: error });
    default:
      return new HermesError('DB_UNREACHABLE', `cannot connect to ${where}: ${e.message ?? code ?? 'unknown error'}`, { cause: error });
  }
}

/**
 * A driver error an operator can meet while hermes works on a database (a read-only, corrupt
 * or foreign SQLite file; a table dropped by hand) as a catalogued error with a hint, or
 * undefined for any other error. `where` names the database (no password).
 */
export function translateDatabaseError(error: unknown, where: string): HermesError | undefined {
  if (isHermesError(error)) return error;
  const e = (error ?? {}) as DriverError;
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  if (code === 'SQLITE_NOTADB') {
    return new HermesError('DB_NOT_A_DATABASE', `${where} is not a SQLite database file: check the path in --db`, { cause: error });
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    return new HermesError('DB_CORRUPT', `the SQLite database ${where} is corrupt (${message}): restore it from a backup`, { cause: error });
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new HermesError('DB_READ_ONLY', `the SQLite database ${where} is read-only: hermes needs write access to the file and its folder`, { cause: error });
  }
  const table = /no such table: (?:\w+\.)?(\w+)/.exec(message)?.[1] ?? (code === 'ER_NO_SUCH_TABLE' ? /Table '[^.']*\.?([^']+)' doesn't exist/.exec(message)?.[1] : undefined);
  if (table) {
    const hint = table.startsWith('hermes_') ? '`hermes init` recreates it' : 'create it with `hermes init --kamailio-schema` (or kamdbctl create)';
    return new HermesError('DB_TABLE_MISSING', `table ${table} is missing in ${where}: ${hint}`, { cause: error });
  }
  return undefined;
}
