import { translateDatabaseError } from '../driver-errors.js';
import { withSafeErrors } from '../safe-errors.js';
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  CompiledQuery,
  Kysely,
  sql,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type Expression,
  type RawBuilder,
} from 'kysely';
import { HermesError } from '../../errors.js';
import type { KamailioTableName } from '../kamailio-schema.js';
import { DATABASE_WAIT_MS, onConflictReplace, questionMarkTuples, type DialectAdapter, type InsertOptions, type KyselyOptions } from './adapter.js';

export interface SqliteTarget {
  dialect: 'sqlite';
  /** File path, or ':memory:'. */
  path: string;
}

/**
 * Kysely's SQLite driver with one change: a transaction begins with BEGIN IMMEDIATE, taking
 * the write lock at once (waiting up to the busy timeout for another writer) instead of at its
 * first write, where a deferred transaction that has read already fails at once with
 * "database is locked" when another process wrote meanwhile (SQLite cannot wait there).
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** Kysely's SqliteDialect with hermes' driver and adapter. */
class HermesSqliteDialect extends SqliteDialect {
  readonly #config: ConstructorParameters<typeof SqliteDialect>[0];
  constructor(config: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
  override createAdapter(): SqliteHermesAdapter {
    return sqlite;
  }
}

function quote(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

/** A column definition with COLLATE NOCASE in a CREATE TABLE statement. */
function declaresNocase(createSql: string, column: string): boolean {
  const name = column.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[(,\\s])["\`[]?${name}["\`\\]]?\\s[^,]*?\\bcollate\\s+nocase\\b`, 'i').test(createSql);
}

class SqliteHermesAdapter extends SqliteAdapter implements DialectAdapter<SqliteTarget> {
  readonly name = 'sqlite' as const;
  readonly schemes = ['sqlite'];
  readonly urlForm = 'sqlite:PATH';
  readonly isServer = false;
  readonly maxBindParameters = 30_000; // SQLite allows 32,766

  /** SQLite rolls CREATE/ALTER back with the transaction (Kysely's adapter says false: it never needed it). */
  override get supportsTransactionalDdl(): boolean {
    return true;
  }

  parseUrl(url: string): SqliteTarget {
    let path = url.trim().slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2);
    if (path === '') {
      throw new HermesError('DB_URL_INVALID', `database URL "${url.trim()}" names no file: use sqlite:PATH, e.g. sqlite:hermes.db`);
    }
    return { dialect: 'sqlite', path };
  }

  describe(target: SqliteTarget): string {
    return `sqlite:${target.path}`;
  }

  /** One file however its path is spelled (relative, ./, symbolic links). */
  sameDatabase(a: SqliteTarget, b: SqliteTarget): boolean {
    if (a.path === ':memory:' || b.path === ':memory:') return a.path === b.path;
    const canonical = (path: string) => (existsSync(path) ? realpathSync(path) : resolve(path));
    return canonical(a.path) === canonical(b.path);
  }

  async createKysely(target: SqliteTarget, options: KyselyOptions): Promise<Kysely<any>> {
    const BetterSqlite3 = (await import('better-sqlite3')).default;
    const readonly = Boolean(options.readOnly);
    const database = new BetterSqlite3(target.path, { fileMustExist: options.mustExist || readonly, readonly });
    // Kamailio's db_sqlite opens the same file: WAL lets it read while hermes writes, and a
    // busy timeout waits for its locks instead of failing at once. The timeout comes first: the
    // journal_mode pragma itself reads the file and fails at once with "database is locked"
    // while another connection holds a lock, unless a busy timeout is set (seen with 200
    // `hermes call` processes at once).
    database.pragma(`busy_timeout = ${DATABASE_WAIT_MS}`);
    if (target.path !== ':memory:' && !readonly) database.pragma('journal_mode = WAL');
    database.pragma('foreign_keys = ON');
    return new Kysely({ dialect: withSafeErrors(new HermesSqliteDialect({ database })) });
  }

  async createDatabaseIfMissing(): Promise<boolean> {
    return false; // the file is created when opened
  }

  translateConnectError(error: unknown, target: SqliteTarget): HermesError {
    if (error instanceof HermesError) return error;
    const e = (error ?? {}) as { code?: string; message?: string };
    const where = this.describe(target);
    const known = translateDatabaseError(error, where);
    if (known) return known;
    if (e.code === 'SQLITE_CANTOPEN' || /unable to open|directory does not exist/i.test(e.message ?? '')) {
      return new HermesError('DB_NOT_FOUND', `cannot open SQLite database ${where}: the file does not exist or its folder is not writable`, { cause: error });
    }
    return new HermesError('DB_QUERY_FAILED', `SQLite database ${where} failed: ${e.message ?? e.code}`, { cause: error });
  }

  concat(parts: readonly Expression<unknown>[]): RawBuilder<string> {
    return sql<string>`(${sql.join(parts, sql` || `)})`;
  }

  byteOrder(expression: Expression<string>): RawBuilder<string> {
    return sql<string>`${expression}`; // SQLite compares text with BINARY unless told otherwise
  }

  randomOrder(): RawBuilder<unknown> {
    return sql`random()`;
  }

  multiRowInsert(table: string, columns: readonly string[], rows: number, options: InsertOptions): string {
    const verb = options.ignore ? 'insert or ignore into' : 'insert into';
    const head = `${verb} ${quote(table)} (${columns.map(quote).join(', ')}) values ${questionMarkTuples(columns.length, rows)}`;
    return options.replaceOn ? head + onConflictReplace(columns, options.replaceOn, quote) : head;
  }

  createTable(db: Kysely<any>, name: string) {
    return db.schema.createTable(name);
  }

  kamailioDdl(table: KamailioTableName): readonly string[] {
    return SQLITE_DDL[table];
  }

  /** Nothing to take: a write transaction begins immediate, holding the file's write lock (ImmediateSqliteDriver). */
  async writeLock(): Promise<void> {}

  isUniqueViolation(error: unknown): boolean {
    const code = (error as { code?: unknown } | null)?.code;
    return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  }

  /** A join compares in the looked-up column's collation when it is on the left (as hermes writes them): through its index. */
  async joinsByIndex(): Promise<boolean> {
    return true;
  }

  async caseInsensitive(db: Kysely<any>, table: string, columns: readonly string[]): Promise<boolean> {
    const row = await sql<{ sql: string | null }>`select sql from sqlite_master where type = 'table' and name = ${table}`.execute(db);
    const createSql = row.rows[0]?.sql ?? '';
    return columns.some((c) => declaresNocase(createSql, c));
  }
}

const SQLITE_DDL: Record<KamailioTableName, string[]> = {
  version: [
    `CREATE TABLE version (
    id INTEGER PRIMARY KEY NOT NULL,
    table_name VARCHAR(32) NOT NULL,
    table_version INTEGER DEFAULT 0 NOT NULL,
    CONSTRAINT version_table_name_idx UNIQUE (table_name)
)`,
  ],
  subscriber: [
    `CREATE TABLE subscriber (
    id INTEGER PRIMARY KEY NOT NULL,
    username VARCHAR(64) DEFAULT '' NOT NULL,
    domain VARCHAR(64) DEFAULT '' NOT NULL,
    password VARCHAR(64) DEFAULT '' NOT NULL,
    ha1 VARCHAR(128) DEFAULT '' NOT NULL,
    ha1b VARCHAR(128) DEFAULT '' NOT NULL,
    CONSTRAINT subscriber_account_idx UNIQUE (username, domain)
)`,
    'CREATE INDEX subscriber_username_idx ON subscriber (username)',
  ],
  domain: [
    `CREATE TABLE domain (
    id INTEGER PRIMARY KEY NOT NULL,
    domain VARCHAR(64) NOT NULL,
    did VARCHAR(64) DEFAULT NULL,
    last_modified TIMESTAMP WITHOUT TIME ZONE DEFAULT '2000-01-01 00:00:01' NOT NULL,
    CONSTRAINT domain_domain_idx UNIQUE (domain)
)`,
  ],
  domain_attrs: [
    `CREATE TABLE domain_attrs (
    id INTEGER PRIMARY KEY NOT NULL,
    did VARCHAR(64) NOT NULL,
    name VARCHAR(32) NOT NULL,
    type INTEGER NOT NULL,
    value VARCHAR(255) NOT NULL,
    last_modified TIMESTAMP WITHOUT TIME ZONE DEFAULT '2000-01-01 00:00:01' NOT NULL
)`,
    'CREATE INDEX domain_attrs_domain_attrs_idx ON domain_attrs (did, name)',
  ],
  dbaliases: [
    `CREATE TABLE dbaliases (
    id INTEGER PRIMARY KEY NOT NULL,
    alias_username VARCHAR(64) DEFAULT '' NOT NULL,
    alias_domain VARCHAR(64) DEFAULT '' NOT NULL,
    username VARCHAR(64) DEFAULT '' NOT NULL,
    domain VARCHAR(64) DEFAULT '' NOT NULL
)`,
    'CREATE INDEX dbaliases_alias_user_idx ON dbaliases (alias_username)',
    'CREATE INDEX dbaliases_alias_idx ON dbaliases (alias_username, alias_domain)',
    'CREATE INDEX dbaliases_target_idx ON dbaliases (username, domain)',
  ],
};

export const sqlite = new SqliteHermesAdapter();
