import { existsSync } from 'node:fs';
import { Kysely, sql } from 'kysely';
import { HermesError, isHermesError } from '../errors.js';
import { translateConnectError, translateDatabaseError } from './driver-errors.js';
import { withSafeErrors } from './safe-errors.js';
import { checkKamailioSchema, createMissingKamailioTables, type KamailioTableName } from './kamailio-schema.js';
import { checkProvisioningSchema, migrateProvisioning, repairProvisioningTables } from './migrations.js';
import type { DialectName, Dbs, KamailioTables, ProvisioningTables } from './types.js';
import { DEFAULT_DB_URL, describeTarget, parseDbUrl, type DbTarget } from './url.js';

export interface DatabaseUrls {
  /** The Kamailio database; default sqlite:hermes.db. */
  db?: string;
  /** The provisioning database; default: the Kamailio one. */
  provisioningDb?: string;
}

export interface OpenOptions extends DatabaseUrls {
  /** Pool size for MySQL connections (the API server raises it). */
  poolSize?: number;
  /** Read only (hermes plan, export): no file is created or changed; a missing default database reads as empty. */
  readOnly?: boolean;
}

/** Open databases: the Dbs that ops take, and close(). */
export interface Connection extends Dbs {
  close(): Promise<void>;
  /** Secret-free names of the two databases, for messages. */
  names: { kamailio: string; provisioning: string };
}

export interface InitReport {
  kamailioTablesCreated: KamailioTableName[];
  migrationsApplied: number[];
  /** Provisioning tables that were dropped by hand and are recreated (empty). */
  provisioningTablesRepaired: string[];
  databaseCreated: boolean;
}

interface Opened {
  db: Kysely<any>;
  target: DbTarget;
  dialect: DialectName;
}

function resolveTargets(urls: DatabaseUrls): { kamailio: DbTarget; provisioning: DbTarget; shared: boolean; isDefault: boolean } {
  const kamailioUrl = urls.db?.trim() || DEFAULT_DB_URL;
  const provisioningUrl = urls.provisioningDb?.trim() || kamailioUrl;
  return {
    kamailio: parseDbUrl(kamailioUrl),
    provisioning: parseDbUrl(provisioningUrl),
    shared: provisioningUrl === kamailioUrl,
    isDefault: !urls.db?.trim(),
  };
}

/** Only the driver a URL names is loaded (start-up time of every command). */
async function openTarget(target: DbTarget, options: { mustExist: boolean; poolSize?: number; readOnly?: boolean }): Promise<Opened> {
  let db: Kysely<any>;
  try {
    db =
      target.dialect === 'sqlite'
        ? new Kysely({ dialect: withSafeErrors((await import('./dialects/sqlite.js')).createSqliteDialect(target, { mustExist: options.mustExist, readOnly: options.readOnly })) })
        : new Kysely({ dialect: withSafeErrors((await import('./dialects/mysql.js')).createMysqlDialect(target, { connectionLimit: options.poolSize })) });
  } catch (error) {
    throw translateConnectError(error, target);
  }
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw translateConnectError(error, target);
  }
  return { db, target, dialect: target.dialect };
}

function toConnection(kamailio: Opened, provisioning: Opened, shared: boolean): Connection {
  return {
    kamailio: kamailio.db as Kysely<KamailioTables>,
    provisioning: provisioning.db as Kysely<ProvisioningTables>,
    dialects: { kamailio: kamailio.dialect, provisioning: provisioning.dialect },
    shared,
    names: { kamailio: describeTarget(kamailio.target), provisioning: describeTarget(provisioning.target) },
    async close() {
      await kamailio.db.destroy();
      if (!shared) await provisioning.db.destroy();
    },
  };
}

async function openPair(
  urls: OpenOptions,
  mustExist: (target: DbTarget) => boolean,
): Promise<{ kamailio: Opened; provisioning: Opened; shared: boolean }> {
  const targets = resolveTargets(urls);
  const kamailio = await openTarget(targets.kamailio, { mustExist: mustExist(targets.kamailio), poolSize: urls.poolSize, readOnly: urls.readOnly });
  if (targets.shared) return { kamailio, provisioning: kamailio, shared: true };
  try {
    const provisioning = await openTarget(targets.provisioning, { mustExist: mustExist(targets.provisioning), poolSize: urls.poolSize, readOnly: urls.readOnly });
    return { kamailio, provisioning, shared: false };
  } catch (error) {
    await kamailio.db.destroy();
    throw error;
  }
}

/**
 * Runs fn on an open connection; a driver error an operator can meet (read-only or corrupt
 * file, a table dropped by hand) becomes its catalogued error naming the database.
 */
export async function onDatabases<T>(connection: Connection, fn: (connection: Connection) => Promise<T>): Promise<T> {
  try {
    return await fn(connection);
  } catch (error) {
    const { kamailio, provisioning } = connection.names;
    throw translateDatabaseError(error, connection.shared ? kamailio : `${kamailio} or ${provisioning}`) ?? error;
  }
}

/**
 * Opens the Kamailio and provisioning databases for a command and checks their schemas:
 * Kamailio's `version` rows and the provisioning schema version. The embedded default
 * (sqlite:hermes.db, no --db given) is created and initialised when its file is missing, so a
 * newcomer needs no separate `hermes init`.
 */
export async function openDatabases(options: OpenOptions = {}): Promise<Connection> {
  const targets = resolveTargets(options);
  for (const target of [targets.kamailio, targets.provisioning]) {
    if (target.dialect === 'mysql' && !target.database) {
      throw new HermesError('DB_URL_INVALID', `database URL ${describeTarget(target)} names no database: add it, as in mysql://user:password@host:port/kamailio`);
    }
  }
  if (targets.isDefault && !options.provisioningDb && targets.kamailio.dialect === 'sqlite' && !existsSync(targets.kamailio.path)) {
    if (options.readOnly) return openEmptyDefault();
    await initDatabases({ ...options, kamailioSchema: true });
  }
  const pair = await openPair(options, (t) => t.dialect === 'sqlite');
  const connection = toConnection(pair.kamailio, pair.provisioning, pair.shared);
  try {
    await onDatabases(connection, async () => {
      await checkKamailioSchema(connection.kamailio, connection.names.kamailio);
      await checkProvisioningSchema(connection.provisioning, connection.names.provisioning);
    });
  } catch (error) {
    await connection.close();
    throw error;
  }
  return connection;
}

/** A read-only command on a missing default database reads an empty platform (in memory), creating no file. */
async function openEmptyDefault(): Promise<Connection> {
  const memory = await openTarget({ dialect: 'sqlite', path: ':memory:' }, { mustExist: false });
  const connection = toConnection(memory, memory, true);
  await createMissingKamailioTables(connection.kamailio, connection.dialects.kamailio);
  await migrateProvisioning(connection.provisioning, connection.dialects.provisioning);
  return { ...connection, names: { kamailio: 'sqlite:hermes.db (not created yet)', provisioning: 'sqlite:hermes.db (not created yet)' } };
}

async function createMysqlDatabaseIfMissing(target: DbTarget): Promise<boolean> {
  if (target.dialect !== 'mysql') return false;
  if (!target.database) {
    throw new HermesError('DB_URL_INVALID', `database URL ${describeTarget(target)} names no database: use mysql://user:password@host:port/database`);
  }
  try {
    const pool = await openTarget({ ...target, database: '' }, { mustExist: false, poolSize: 1 });
    try {
      const rows = await sql<{ n: number }>`select count(*) as n from information_schema.schemata where schema_name = ${target.database}`.execute(pool.db);
      if (Number(rows.rows[0]?.n ?? 0) > 0) return false;
    } finally {
      await pool.db.destroy();
    }
    const { quoteMysqlIdentifier, runServerStatement } = await import('./dialects/mysql.js');
    await runServerStatement(target, `CREATE DATABASE ${quoteMysqlIdentifier(target.database)}`);
    return true;
  } catch (error) {
    // Name the database the operator asked for, not the server-level connection.
    throw translateConnectError(isHermesError(error) && error.cause ? error.cause : error, target);
  }
}

/**
 * `hermes init`: creates the MySQL database if missing, Kamailio's missing tables when asked
 * (`kamailioSchema`), and creates or upgrades the provisioning tables. Running it twice
 * changes nothing. Existing Kamailio tables are never altered.
 */
export async function initDatabases(options: OpenOptions & { kamailioSchema?: boolean }): Promise<InitReport> {
  const targets = resolveTargets(options);
  let databaseCreated = await createMysqlDatabaseIfMissing(targets.kamailio);
  if (!targets.shared) databaseCreated = (await createMysqlDatabaseIfMissing(targets.provisioning)) || databaseCreated;
  const pair = await openPair(options, () => false);
  const connection = toConnection(pair.kamailio, pair.provisioning, pair.shared);
  try {
    // The embedded default is a whole platform in one file: it always gets Kamailio's tables.
    const kamailioTablesCreated = options.kamailioSchema || targets.isDefault
      ? await createMissingKamailioTables(connection.kamailio, connection.dialects.kamailio)
      : [];
    const migrationsApplied = await migrateProvisioning(connection.provisioning, connection.dialects.provisioning);
    const provisioningTablesRepaired = await repairProvisioningTables(connection.provisioning, connection.dialects.provisioning);
    await checkKamailioSchema(connection.kamailio, connection.names.kamailio);
    return { kamailioTablesCreated, migrationsApplied, provisioningTablesRepaired, databaseCreated };
  } finally {
    await connection.close();
  }
}
