import { withSafeErrors } from '../safe-errors.js';
import { checkServerIdentity, type TLSSocket } from 'node:tls';
import { Kysely, MysqlAdapter, MysqlDialect, sql, type Expression, type RawBuilder } from 'kysely';
import type { Pool } from 'mysql2';
import { HermesError } from '../../errors.js';
import type { KamailioTableName } from '../kamailio-schema.js';
import { DATABASE_WAIT_MS, questionMarkTuples, replacedColumns, type DialectAdapter, type InsertOptions, type KyselyOptions } from './adapter.js';
import * as server from './server.js';

export type MysqlTarget = server.ServerTarget<'mysql'>;

const URL_FORM = 'mysql://user:password@host:port/database[?ssl=true&ssl-ca=FILE]';

const URL_SPEC: server.ServerUrlSpec<'mysql'> = {
  dialect: 'mysql',
  defaultPort: 3306,
  defaultUser: 'root',
  form: URL_FORM,
  tls(params, fail) {
    server.onlyParameters(params, ['ssl', 'ssl-ca'], fail, 'MySQL/MariaDB');
    const ssl = params.get('ssl');
    const caFile = params.get('ssl-ca') || undefined;
    if (ssl !== null && ssl !== 'true' && ssl !== 'false') fail(`has ssl=${ssl}: use ssl=true or ssl=false`);
    if (ssl === 'false') {
      if (caFile) fail('has ssl=false with ssl-ca: drop one of them');
      return undefined;
    }
    // As the mysql client's --ssl-verify-server-cert: the chain and the host name are checked.
    return ssl === 'true' || caFile ? { verifyCertificate: true, verifyHostName: true, caFile } : undefined;
  },
};

async function createMysqlPool(target: MysqlTarget, connectionLimit: number): Promise<Pool> {
  const { createPool } = await import('mysql2');
  const pool = createPool({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database || undefined,
    connectionLimit,
    connectTimeout: DATABASE_WAIT_MS,
    // DATETIME columns come back as 'YYYY-MM-DD HH:MM:SS' strings, as Kamailio writes them.
    dateStrings: true,
    charset: 'utf8mb4',
    supportBigNumbers: true,
    ssl: target.tls
      ? { ca: server.readCaFile(target.tls), rejectUnauthorized: target.tls.verifyCertificate, verifyIdentity: target.tls.verifyHostName }
      : undefined,
  });
  if (target.tls?.verifyHostName) checkHostNameOfEachConnection(pool, target.host);
  return pool;
}

/**
 * mysql2 checks the certificate's host name only when the URL names a host by name: given an
 * address (127.0.0.1), Node checks it against "localhost". So each new connection's certificate
 * is checked here against the host of the URL, and a connection that fails is closed and never
 * used.
 */
function checkHostNameOfEachConnection(pool: Pool, host: string): void {
  const checked = new WeakSet<object>();
  const getConnection = pool.getConnection.bind(pool);
  pool.getConnection = (callback) =>
    getConnection((error, connection) => {
      if (error || checked.has(connection)) return callback(error, connection);
      const stream = (connection as unknown as { stream?: TLSSocket }).stream;
      const mismatch = stream?.getPeerCertificate ? checkServerIdentity(host, stream.getPeerCertificate(true)) : new Error('the connection is not encrypted');
      if (mismatch) {
        connection.destroy();
        return callback(mismatch as NodeJS.ErrnoException, connection);
      }
      checked.add(connection);
      callback(null, connection);
    });
}

/** Kysely's MysqlDialect with hermes' adapter (MySQL and MariaDB). */
/** mysql2 keeps its pool's counts in members without a public accessor (stable since mysql2 1.x). */
function mysqlPoolStats(pool: Pool, max: number): server.PoolStats {
  const inner = pool as unknown as Record<'_allConnections' | '_freeConnections' | '_connectionQueue', { length?: number } | undefined>;
  return { open: inner._allConnections?.length ?? 0, idle: inner._freeConnections?.length ?? 0, waiting: inner._connectionQueue?.length ?? 0, max };
}

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

class MysqlHermesAdapter extends server.serverAdapter(MysqlAdapter, URL_SPEC) implements DialectAdapter<MysqlTarget> {
  readonly name = 'mysql' as const;
  readonly schemes = ['mysql', 'mariadb'];
  /** mysql2 binds values in the client: the limit keeps statements well below max_allowed_packet. */
  readonly maxBindParameters = 30_000;

  async createKysely(target: MysqlTarget, options: KyselyOptions): Promise<Kysely<any>> {
    const max = options.poolSize ?? 10;
    const pool = await createMysqlPool(target, max);
    return new server.PooledKysely({ dialect: withSafeErrors(new HermesMysqlDialect({ pool })) }, () => mysqlPoolStats(pool, max));
  }

  createDatabaseIfMissing(target: MysqlTarget): Promise<boolean> {
    return server.createServerDatabaseIfMissing(target, URL_FORM, async (server) => {
      const pool = (await createMysqlPool(server, 1)).promise();
      return {
        async databaseExists(name) {
          const [rows] = await pool.query('select count(*) as n from information_schema.schemata where schema_name = ?', [name]);
          return Number((rows as { n: number }[])[0]?.n ?? 0) > 0;
        },
        createDatabase: async (name) => void (await pool.query(`CREATE DATABASE ${quote(name)}`)),
        close: () => pool.end(),
      };
    }, (error, t) => this.translateConnectError(error, t));
  }

  translateConnectError(error: unknown, target: MysqlTarget): HermesError {
    if (error instanceof HermesError) return error;
    const network = server.networkConnectError(error, target, 'ssl-ca=');
    if (network) return network;
    switch ((error as { code?: string } | undefined)?.code) {
      case 'ER_ACCESS_DENIED_ERROR':
      case 'ER_DBACCESS_DENIED_ERROR':
      case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
        return server.authFailed(error, target);
      case 'ER_BAD_DB_ERROR':
        return server.databaseMissing(error, target);
      default:
        return server.otherConnectError(error, target);
    }
  }

  concat(parts: readonly Expression<unknown>[]): RawBuilder<string> {
    return sql<string>`concat(${sql.join(parts)})`;
  }

  byteOrder(expression: Expression<string>): RawBuilder<string> {
    return sql<string>`cast(${expression} as binary)`;
  }

  randomOrder(): RawBuilder<unknown> {
    return sql`rand()`;
  }

  multiRowInsert(table: string, columns: readonly string[], rows: number, options: InsertOptions): string {
    const verb = options.ignore ? 'insert ignore into' : 'insert into';
    const head = `${verb} ${quote(table)} (${columns.map(quote).join(', ')}) values ${questionMarkTuples(columns.length, rows)}`;
    if (!options.replaceOn) return head;
    // on a duplicate of any unique key: hermes' tables written so have one besides the id
    return `${head} on duplicate key update ${replacedColumns(columns, options.replaceOn).map((c) => `${quote(c)} = values(${quote(c)})`).join(', ')}`;
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
   * Columns in another character set than hermes' tables' (utf8mb4: Kamailio's tables made with
   * latin1 or utf8mb3, say) are converted for a join, which then reads every row instead of
   * their index.
   */
  async joinsByIndex(db: Kysely<any>, table: string, columns: readonly string[]): Promise<boolean> {
    const rows = await sql<{ charset: string | null }>`select character_set_name as charset from information_schema.columns
      where table_schema = database() and table_name = ${table} and column_name in (${sql.join([...columns])})`.execute(db);
    return rows.rows.length === columns.length && rows.rows.every((r) => r.charset?.toLowerCase() === 'utf8mb4');
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
