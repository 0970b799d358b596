import BetterSqlite3 from 'better-sqlite3';
import { SqliteDialect } from 'kysely';
import type { SqliteTarget } from '../url.js';

/** Opens a SQLite file (better-sqlite3) as a Kysely dialect. */
export function createSqliteDialect(target: SqliteTarget, options: { mustExist: boolean; readOnly?: boolean }): SqliteDialect {
  const database = new BetterSqlite3(target.path, { fileMustExist: options.mustExist || Boolean(options.readOnly), readonly: Boolean(options.readOnly) });
  // Kamailio's db_sqlite opens the same file: WAL lets it read while hermes writes, and a
  // busy timeout waits for its locks instead of failing at once.
  if (target.path !== ':memory:' && !options.readOnly) database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  return new SqliteDialect({ database });
}
