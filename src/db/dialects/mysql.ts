import { Kysely, MysqlAdapter, MysqlDialect, sql, type Expression, type RawBuilder } from 'kysely';
import type { Pool } from 'mysql2';
import { HermesError } from '../../errors.js';
import type { KamailioTableName } from '../kamailio-schema.js';
import { redactDbUrl } from '../redact.js';
import { questionMarkTuples, type DialectAdapter, type KyselyOptions } from './adapter.js';

export interface MysqlTarget {
  dialect: 'mysql';
  host: string;
  port: number;
  user: string;
  password: string;
  /** Empty when the URL names no database (only useful for server-level work in tests). */
  database: string;
}

const URL_FORM = 'mysql://user:password@host:port/database';

async function createMysqlPool(target: MysqlTarget, connectionLimit: number): Promise<Pool> {
  const { createPool } = await import('mysql2');
  return createPool({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database || undefined,
    connectionLimit,
    connectTimeout: 10_000,
    // DATETIME columns come back as 'YYYY-MM-DD HH:MM:SS' strings, as Kamailio writes them.
    dateStrings: true,
    charset: 'utf8mb4',
    supportBigNumbers: true,
  });
}

/** Kysely's MysqlDialect with hermes' adapter (MySQL and MariaDB). */
class HermesMysqlDialect extends MysqlDialect {
  override createAdapter(): MysqlHermesAdapter {
    return mysql;
  }
}

function quote(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

/** The server-wide GET_LOCK name of `key` in the current database (at most 64 characters). */
const lockName = (key: string) => sql`concat('hermes:', sha1(concat(database(), ':', ${key})))`;

class MysqlHermesAdapter extends MysqlAdapter implements DialectAdapter<MysqlTarget> {
  readonly name = 'mysql' as const;
  readonly schemes = ['mysql', 'mariadb'];
  readonly urlForm = URL_FORM;
  readonly isServer = true;
  /** mysql2 binds values in the client: the limit keeps statements well below max_allowed_packet. */
  readonly maxBindParameters = 30_000;

  parseUrl(url: string): MysqlTarget {
    const trimmed = url.trim();
    const invalid = (what: string) => new HermesError('DB_URL_INVALID', `database URL "${redactDbUrl(trimmed)}" ${what}: use ${URL_FORM}`);
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch {
      throw invalid('is malformed');
    }
    if (!parsed.hostname) throw invalid('names no host');
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    if (database.includes('/')) throw invalid("has a database name with a '/'");
    return {
      dialect: 'mysql',
      host: parsed.hostname.replace(/^\[|\]$/g, ''),
      port: parsed.port === '' ? 3306 : Number(parsed.port),
      user: decodeURIComponent(parsed.username) || 'root',
      password: decodeURIComponent(parsed.password),
      database,
    };
  }

  describe(target: MysqlTarget): string {
    return `mysql://${target.user}@${target.host}:${target.port}/${target.database}`;
  }

  sameDatabase(a: MysqlTarget, b: MysqlTarget): boolean {
    return a.host === b.host && a.port === b.port && a.database === b.database && a.user === b.user && a.password === b.password;
  }

  async createKysely(target: MysqlTarget, options: KyselyOptions): Promise<Kysely<any>> {
    return new Kysely({ dialect: new HermesMysqlDialect({ pool: await createMysqlPool(target, options.poolSize ?? 10) }) });
  }

  async createDatabaseIfMissing(target: MysqlTarget): Promise<boolean> {
    if (!target.database) {
      throw new HermesError('DB_URL_INVALID', `database URL ${this.describe(target)} names no database: use ${URL_FORM}`);
    }
    const pool = (await createMysqlPool({ ...target, database: '' }, 1)).promise();
    try {
      const [rows] = await pool.query('select count(*) as n from information_schema.schemata where schema_name = ?', [target.database]);
      if (Number((rows as { n: number }[])[0]?.n ?? 0) > 0) return false;
      await pool.query(`CREATE DATABASE ${quote(target.database)}`);
      return true;
    } catch (error) {
      throw this.translateConnectError(error, target);
    } finally {
      await pool.end();
    }
  }

  translateConnectError(error: unknown, target: MysqlTarget): HermesError {
    if (error instanceof HermesError) return error;
    const e = (error ?? {}) as { code?: string; message?: string };
    const where = this.describe(target);
    const code = e.code ?? '';
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
        return new HermesError('DB_NOT_FOUND', `database "${target.database}" does not exist on ${target.host}:${target.port}: create it with \`hermes init --kamailio-schema\``, { cause: error });
      default:
        return new HermesError('DB_UNREACHABLE', `cannot connect to ${where}: ${e.message ?? code ?? 'unknown error'}`, { cause: error });
    }
  }

  concat(parts: readonly Expression<unknown>[]): RawBuilder<string> {
    return sql<string>`concat(${sql.join(parts)})`;
  }

  randomOrder(): RawBuilder<unknown> {
    return sql`rand()`;
  }

  multiRowInsert(table: string, columns: readonly string[], rows: number, options: { ignore: boolean }): string {
    const verb = options.ignore ? 'insert ignore into' : 'insert into';
    return `${verb} ${quote(table)} (${columns.map(quote).join(', ')}) values ${questionMarkTuples(columns.length, rows)}`;
  }

  /** hermes' tables get a binary utf8mb4 collation, so matching is exact, as on SQLite. */
  createTable(db: Kysely<any>, name: string) {
    return db.schema.createTable(name).modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  kamailioDdl(table: KamailioTableName): readonly string[] {
    return MYSQL_DDL[table];
  }

  /** From the columns' collations: *_ci folds case (Kamailio's tables take the server's default). */
  async caseInsensitive(db: Kysely<any>, table: string, columns: readonly string[]): Promise<boolean> {
    const rows = await sql<{ collation: string | null }>`select collation_name as collation from information_schema.columns
      where table_schema = database() and table_name = ${table} and column_name in (${sql.join([...columns])})`.execute(db);
    return rows.rows.some((r) => /_ci$/i.test(r.collation ?? ''));
  }

  /**
   * An exclusive lock on hermes_writers' row, held by InnoDB until the transaction ends. The
   * upsert locks the row whether or not it is there (one was deleted by hand: it is made
   * again), and it reads nothing, so the transaction's snapshot is taken after the lock.
   */
  async writeLock(trx: Kysely<any>): Promise<void> {
    await sql`insert into hermes_writers (id) values (1) on duplicate key update id = id`.execute(trx);
  }

  isUniqueViolation(error: unknown): boolean {
    return (error as { code?: unknown } | null)?.code === 'ER_DUP_ENTRY';
  }

  /** GET_LOCK: the server releases it when the connection ends, e.g. when its process dies. */
  readonly sessionLock = {
    async tryAcquire(conn: Kysely<any>, key: string): Promise<boolean> {
      const row = await sql<{ got: number | null }>`select get_lock(${lockName(key)}, 0) as got`.execute(conn);
      return Number(row.rows[0]?.got ?? 0) === 1;
    },
    async release(conn: Kysely<any>, key: string): Promise<void> {
      await sql`select release_lock(${lockName(key)})`.execute(conn);
    },
  };
}

const MYSQL_DDL: Record<KamailioTableName, string[]> = {
  version: [
    `CREATE TABLE \`version\` (
    \`id\` INT(10) UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL,
    \`table_name\` VARCHAR(32) NOT NULL,
    \`table_version\` INT UNSIGNED DEFAULT 0 NOT NULL,
    CONSTRAINT table_name_idx UNIQUE (\`table_name\`)
)`,
  ],
  subscriber: [
    `CREATE TABLE \`subscriber\` (
    \`id\` INT(10) UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL,
    \`username\` VARCHAR(64) DEFAULT '' NOT NULL,
    \`domain\` VARCHAR(64) DEFAULT '' NOT NULL,
    \`password\` VARCHAR(64) DEFAULT '' NOT NULL,
    \`ha1\` VARCHAR(128) DEFAULT '' NOT NULL,
    \`ha1b\` VARCHAR(128) DEFAULT '' NOT NULL,
    CONSTRAINT account_idx UNIQUE (\`username\`, \`domain\`)
)`,
    'CREATE INDEX username_idx ON subscriber (`username`)',
  ],
  domain: [
    `CREATE TABLE \`domain\` (
    \`id\` INT(10) UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL,
    \`domain\` VARCHAR(64) NOT NULL,
    \`did\` VARCHAR(64) DEFAULT NULL,
    \`last_modified\` DATETIME DEFAULT '2000-01-01 00:00:01' NOT NULL,
    CONSTRAINT domain_idx UNIQUE (\`domain\`)
)`,
  ],
  domain_attrs: [
    `CREATE TABLE \`domain_attrs\` (
    \`id\` INT(10) UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL,
    \`did\` VARCHAR(64) NOT NULL,
    \`name\` VARCHAR(32) NOT NULL,
    \`type\` INT UNSIGNED NOT NULL,
    \`value\` VARCHAR(255) NOT NULL,
    \`last_modified\` DATETIME DEFAULT '2000-01-01 00:00:01' NOT NULL
)`,
    'CREATE INDEX domain_attrs_idx ON domain_attrs (`did`, `name`)',
  ],
  dbaliases: [
    `CREATE TABLE \`dbaliases\` (
    \`id\` INT(10) UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL,
    \`alias_username\` VARCHAR(64) DEFAULT '' NOT NULL,
    \`alias_domain\` VARCHAR(64) DEFAULT '' NOT NULL,
    \`username\` VARCHAR(64) DEFAULT '' NOT NULL,
    \`domain\` VARCHAR(64) DEFAULT '' NOT NULL
)`,
    'CREATE INDEX alias_user_idx ON dbaliases (`alias_username`)',
    'CREATE INDEX alias_idx ON dbaliases (`alias_username`, `alias_domain`)',
    'CREATE INDEX target_idx ON dbaliases (`username`, `domain`)',
  ],
};

export const mysql = new MysqlHermesAdapter();
