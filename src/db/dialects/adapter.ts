/**
 * The dialect adapter: everything hermes does differently per database engine, in one object
 * per engine (the only place outside which no code asks "which engine is this?"). As Kysely
 * does, each engine is a Kysely `Dialect` whose `createAdapter()` returns this object, so any
 * Kysely handle, a transaction included, finds its engine with `adapterOf(db)` (index.ts).
 *
 * Adding an engine (e.g. PostgreSQL): one file here that exports an object implementing
 * `DialectAdapter<YourTarget>` (extend Kysely's own adapter class, e.g. `PostgresAdapter`,
 * for `supportsTransactionalDdl`, `supportsReturning` and Kysely's migration lock), and one
 * line in index.ts's ADAPTERS list. Nothing outside src/db/ changes.
 *
 * What each member does:
 * - `name`            the engine's name in messages and test titles ('sqlite', 'mysql', ...).
 * - `schemes`         URL schemes it owns, without the colon (['mysql', 'mariadb']).
 * - `urlForm`         the URL's shape for messages ('sqlite:PATH').
 * - `parseUrl(url)`   the URL (whose scheme is one of `schemes`) as a target object with
 *                     `dialect: name`; throws HermesError('DB_URL_INVALID', ...) naming the
 *                     problem, with any password redacted (redactDbUrl in ../url.ts).
 * - `describe(t)`     a short, secret-free name of the target for messages (no password).
 * - `sameDatabase(a, b)` whether two targets name one database (SQLite: one file however the
 *                     path is spelled), so hermes opens it once and shares the connection.
 * - `isServer`        true for a database server (reads can overlap other work), false for
 *                     a file read in this process (SQLite).
 * - `createKysely(t, {mustExist, poolSize})` a Kysely instance over the engine's driver,
 *                     loaded with `await import(...)` here so that a command loads only the
 *                     driver its URL names. Write transactions must take the engine's write
 *                     lock when they begin (SQLite: BEGIN IMMEDIATE), so that concurrent
 *                     writers wait for each other instead of failing mid-transaction.
 * - `createDatabaseIfMissing(t)` for servers: create the named database when absent
 *                     (`hermes init`); returns whether it did. Embedded engines return false.
 * - `translateConnectError(error, t)` a driver error met while connecting, as one catalogued
 *                     HermesError (DB_UNREACHABLE, DB_AUTH_FAILED, DB_NOT_FOUND, ...) that
 *                     names the database (describe) and never its password.
 * - `concat(parts)`   SQL string concatenation of expressions (`a || b`, `concat(a, b)`).
 * - `randomOrder()`   an ORDER BY expression for random order (`random()`, `rand()`).
 * - `byteOrder(e)`    an ORDER BY key comparing e's bytes, not by the column's collation.
 * - `multiRowInsert(table, columns, rows, {ignore, replaceOn})` the SQL text of one INSERT of
 *                     `rows` rows, every value a placeholder in the driver's style (`?` or
 *                     `$1`), bound row by row; `ignore` skips rows whose key exists already
 *                     (`insert or ignore`, `insert ignore`, `on conflict do nothing`);
 *                     `replaceOn` (the columns of a unique key) makes a row whose key exists
 *                     replace the stored row's other columns (`on conflict (key) do update`,
 *                     MySQL's `on duplicate key update`).
 *                     Identifiers are hermes' constants; quote them for the engine.
 * - `maxBindParameters` bound values per statement at most (bulk writes are chunked by it).
 * - `createTable(db, name)` a CREATE TABLE builder for hermes' own tables, with the engine's
 *                     table options: keys in hermes' tables compare exactly (binary/`C`
 *                     collation) on every engine.
 * - `kamailioDdl(table)` Kamailio's own CREATE statements for `table`, as kamdbctl makes them.
 * - `caseInsensitive(db, table, columns)` read from the schema at connect time: whether
 *                     comparing these columns folds case (MySQL: the columns' COLLATION in
 *                     information_schema ends in _ci; SQLite: COLLATE NOCASE; PostgreSQL:
 *                     a nondeterministic or citext column). Never assumed from the engine.
 * - `joinsByIndex(db, table, columns)` read from the schema at connect time: whether an
 *                     equality join from hermes' tables' text columns to these columns can
 *                     look them up through their index (MySQL: the columns are in hermes'
 *                     character set, utf8mb4, else the engine converts them and scans;
 *                     PostgreSQL, SQLite: always).
 * - `sessionLock`     present when the engine has a lock that the server releases when the
 *                     session (connection) that holds it ends, e.g. because its process was
 *                     killed: MySQL GET_LOCK, PostgreSQL pg_try_advisory_lock. Both calls
 *                     run on one dedicated connection (`conn`) that stays open while the
 *                     lock is held. `tryAcquire` must not wait (the caller polls up to its
 *                     timeout) and returns whether the lock was taken; `key` is a text of up
 *                     to 64 characters, unique per database (hash it if the engine wants a
 *                     number). Absent (SQLite): the apply lock is a lease row instead.
 * - `writeLock(trx)`  takes hermes' writers' lock inside `trx`, an open transaction on the
 *                     provisioning database, before its first read; the engine releases it
 *                     when that transaction ends (commit, rollback, or its session dying).
 *                     Every writing transaction takes it first (inTransaction, ../transaction.ts),
 *                     so writers run one at a time and each one's checks see every row the
 *                     writers before it committed: the invariants the database cannot
 *                     enforce (an alias once, one E.164 alias per user, an alias is no user,
 *                     a number pooled or in use) hold under any concurrency. Readers never
 *                     take it. SQLite: nothing to do (its transactions BEGIN IMMEDIATE, which
 *                     holds the file's write lock); MySQL: an exclusive row lock on the row
 *                     of hermes_writers (InnoDB releases it at commit; lock before reading,
 *                     as REPEATABLE READ takes its snapshot at the first read); PostgreSQL:
 *                     pg_advisory_xact_lock.
 * - `isUniqueViolation(error)` whether a driver error is a unique or primary key violation
 *                     (a row written by someone else between a check and an insert): the ops
 *                     answer it with failed/exists instead of a database failure.
 * - `supportsTransactionalDdl` (Kysely's) whether CREATE/ALTER roll back with a transaction:
 *                     migrations then run in one (SQLite, PostgreSQL yes; MySQL no).
 */
import type { CreateTableBuilder, DialectAdapter as KyselyDialectAdapter, Expression, Kysely, RawBuilder } from 'kysely';
import type { HermesError } from '../../errors.js';
import type { KamailioTableName } from '../kamailio-schema.js';

/** How multiRowInsert treats a row whose key exists: see DialectAdapter. */
export interface InsertOptions {
  ignore: boolean;
  replaceOn?: readonly string[];
}

/** The columns an insert with `replaceOn: key` replaces in a stored row: all but the key's. */
export function replacedColumns(columns: readonly string[], key: readonly string[]): string[] {
  return columns.filter((c) => !key.includes(c));
}

/** ` on conflict (key) do update set c = excluded.c, …`: the non-key columns replaced (PostgreSQL, SQLite). */
export function onConflictReplace(columns: readonly string[], key: readonly string[], quote: (name: string) => string): string {
  return ` on conflict (${key.map(quote).join(', ')}) do update set ${replacedColumns(columns, key).map((c) => `${quote(c)} = excluded.${quote(c)}`).join(', ')}`;
}

/** What every engine's parsed URL has; each engine adds its own fields. */
/**
 * How long hermes waits for a database before it gives up: a server's answer to a new
 * connection, and SQLite's file lock held by another writer. Generous, because a CI runner or a
 * busy host can leave a process without CPU for seconds at a time: a timer that fires while the
 * answer already waits unread is a false failure (seen with 200 `hermes call` processes on two
 * cores and a 10 s connect timeout). A server that is really down refuses at once.
 */
export const DATABASE_WAIT_MS = 30_000;

export interface TargetBase {
  dialect: string;
}

export interface KyselyOptions {
  /** SQLite: refuse to create a missing file. */
  mustExist: boolean;
  /** Pool size for server engines (the API server raises it). */
  poolSize?: number;
  /** SQLite: open the file read-only (plan, export): nothing is created or changed. */
  readOnly?: boolean;
}

export interface SessionLock {
  tryAcquire(conn: Kysely<any>, key: string): Promise<boolean>;
  release(conn: Kysely<any>, key: string): Promise<void>;
}

export interface DialectAdapter<T extends TargetBase = any> extends KyselyDialectAdapter {
  readonly name: T['dialect'];
  readonly schemes: readonly string[];
  /** The URL's form for messages, e.g. 'mysql://user:password@host:port/database'. */
  readonly urlForm: string;
  parseUrl(url: string): T;
  describe(target: T): string;
  sameDatabase(a: T, b: T): boolean;
  readonly isServer: boolean;
  createKysely(target: T, options: KyselyOptions): Promise<Kysely<any>>;
  createDatabaseIfMissing(target: T): Promise<boolean>;
  translateConnectError(error: unknown, target: T): HermesError;

  concat(parts: readonly Expression<unknown>[]): RawBuilder<string>;
  randomOrder(): RawBuilder<unknown>;
  /** An ORDER BY key comparing the text's bytes, whatever the column's collation (SQLite: as is; MySQL: cast as binary; PostgreSQL: collate "C"). */
  byteOrder(expression: Expression<string>): RawBuilder<string>;
  multiRowInsert(table: string, columns: readonly string[], rows: number, options: InsertOptions): string;
  readonly maxBindParameters: number;

  createTable(db: Kysely<any>, name: string): CreateTableBuilder<string, never>;
  kamailioDdl(table: KamailioTableName): readonly string[];
  caseInsensitive(db: Kysely<any>, table: string, columns: readonly string[]): Promise<boolean>;
  joinsByIndex(db: Kysely<any>, table: string, columns: readonly string[]): Promise<boolean>;

  readonly sessionLock?: SessionLock;
  writeLock(trx: Kysely<any>): Promise<void>;
  isUniqueViolation(error: unknown): boolean;
}

/** `(?, ?), (?, ?)`: `rows` tuples of `columns` question-mark placeholders. */
export function questionMarkTuples(columns: number, rows: number): string {
  const tuple = `(${new Array<string>(columns).fill('?').join(', ')})`;
  return new Array<string>(rows).fill(tuple).join(', ');
}
