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
    if (code === 'SQLITE_CANTOPEN' || /unable to open|directory does not exist/i.test(e.message ?? '')) {
      return new HermesError('DB_NOT_FOUND', `cannot open SQLite database ${where}: the file does not exist or its folder is not writable`, { cause: error });
    }
    if (code === 'SQLITE_NOTADB') {
      return new HermesError('DB_NOT_FOUND', `${where} is not a SQLite database file`, { cause: error });
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
