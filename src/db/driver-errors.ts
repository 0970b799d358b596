import { HermesError, isHermesError } from '../errors.js';

interface DriverError {
  code?: string;
  message?: string;
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
  const table =
    /no such table: (?:\w+\.)?(\w+)/.exec(message)?.[1] ??
    (code === 'ER_NO_SUCH_TABLE' ? /Table '[^.']*\.?([^']+)' doesn't exist/.exec(message)?.[1] : undefined) ??
    (code === '42P01' ? /relation "(?:\w+\.)?(\w+)" does not exist/.exec(message)?.[1] : undefined);
  if (table) {
    const hint = table.startsWith('hermes_') ? '`hermes init` recreates it' : 'create it with `hermes init --kamailio-schema` (or kamdbctl create)';
    return new HermesError('DB_TABLE_MISSING', `table ${table} is missing in ${where}: ${hint}`, { cause: error });
  }
  return undefined;
}
