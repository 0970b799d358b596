import { HermesError, isHermesError } from '../errors.js';
import { describeTarget, type DbTarget } from './url.js';

interface DriverError {
  code?: string;
  errno?: number;
  message?: string;
}

/**
 * Turns a driver error (mysql2, node-postgres, better-sqlite3) met while connecting into one catalogued
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
  if (TLS_CODES.has(code) || code === 'HANDSHAKE_SSL_ERROR') {
    // mysql2 replaces Node's code (SELF_SIGNED_CERT_IN_CHAIN, …) by its own; the message stays Node's.
    const what = code === 'HANDSHAKE_SSL_ERROR' ? `the TLS handshake failed (${oneLine(e.message)})` : `the server's TLS certificate is refused (${code}: ${oneLine(e.message)})`;
    return new HermesError('DB_UNREACHABLE', `cannot connect to ${where}: ${what}; check the host name in the URL and the CA file (${target.dialect === 'postgres' ? 'sslrootcert=' : 'ssl-ca='})`, { cause: error });
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
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_DBACCESS_DENIED_ERROR':
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
    case '28P01': // PostgreSQL: invalid_password
    case '28000': // PostgreSQL: invalid_authorization_specification (pg_hba.conf, unknown role)
      return new HermesError('DB_AUTH_FAILED', `cannot connect to ${where}: access denied for user "${target.user}" (check the user name and password in the URL${code === '28000' ? ', and pg_hba.conf' : ''})`, { cause: error });
    case 'ER_BAD_DB_ERROR':
    case '3D000': // PostgreSQL: invalid_catalog_name
      return new HermesError('DB_NOT_FOUND', `database "${target.database}" does not exist on ${target.host}:${target.port}: create it with \`hermes init --kamailio-schema\``, { cause: error });
    default:
      return new HermesError('DB_UNREACHABLE', `cannot connect to ${where}: ${oneLine(e.message) || code || 'unknown error'}`, { cause: error });
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

function oneLine(text: string | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}
