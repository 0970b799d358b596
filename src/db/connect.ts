import { existsSync } from 'node:fs';
import { Kysely, sql, type Dialect } from 'kysely';
import { HermesError, isHermesError } from '../errors.js';
import { translateConnectError } from './driver-errors.js';
import { checkKamailioSchema, createMissingKamailioTables, type KamailioTableName } from './kamailio-schema.js';
import { checkProvisioningSchema, migrateProvisioning } from './migrations.js';
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

async function kyselyDialect(target: DbTarget, options: { mustExist: boolean; poolSize?: number }): Promise<Dialect> {
  switch (target.dialect) {
    case 'sqlite':
      return (await import('./dialects/sqlite.js')).createSqliteDialect(target, { mustExist: options.mustExist });
    case 'mysql':
      return (await import('./dialects/mysql.js')).createMysqlDialect(target, { connectionLimit: options.poolSize });
    case 'postgres':
      return (await import('./dialects/postgres.js')).createPostgresDialect(target, { connectionLimit: options.poolSize });
  }
}

/** Only the driver a URL names is loaded (start-up time of every command). */
async function openTarget(target: DbTarget, options: { mustExist: boolean; poolSize?: number }): Promise<Opened> {
  let db: Kysely<any>;
  try {
    db = new Kysely({ dialect: await kyselyDialect(target, options) });
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
  const kamailio = await openTarget(targets.kamailio, { mustExist: mustExist(targets.kamailio), poolSize: urls.poolSize });
  if (targets.shared) return { kamailio, provisioning: kamailio, shared: true };
  try {
    const provisioning = await openTarget(targets.provisioning, { mustExist: mustExist(targets.provisioning), poolSize: urls.poolSize });
    return { kamailio, provisioning, shared: false };
  } catch (error) {
    await kamailio.db.destroy();
    throw error;
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
  if (targets.isDefault && !options.provisioningDb && targets.kamailio.dialect === 'sqlite' && !existsSync(targets.kamailio.path)) {
    await initDatabases({ ...options, kamailioSchema: true });
  }
  const pair = await openPair(options, (t) => t.dialect === 'sqlite');
  const connection = toConnection(pair.kamailio, pair.provisioning, pair.shared);
  try {
    await checkKamailioSchema(connection.kamailio, connection.names.kamailio);
    await checkProvisioningSchema(connection.provisioning, connection.names.provisioning);
  } catch (error) {
    await connection.close();
    throw error;
  }
  return connection;
}

async function createServerDatabaseIfMissing(target: DbTarget): Promise<boolean> {
  if (target.dialect === 'sqlite') return false;
  if (!target.database) {
    throw new HermesError('DB_URL_INVALID', `database URL ${describeTarget(target)} names no database: use ${target.dialect}://user:password@host:port/database`);
  }
  try {
    const module = target.dialect === 'mysql' ? await import('./dialects/mysql.js') : await import('./dialects/postgres.js');
    return await module.createDatabaseIfMissing(target as never);
  } catch (error) {
    // Name the database the operator asked for, not the server-level connection.
    throw translateConnectError(isHermesError(error) && error.cause ? error.cause : error, target);
  }
}

/**
 * `hermes init`: creates the MySQL or PostgreSQL database if missing, Kamailio's missing tables when asked
 * (`kamailioSchema`), and creates or upgrades the provisioning tables. Running it twice
 * changes nothing. Existing Kamailio tables are never altered.
 */
export async function initDatabases(options: OpenOptions & { kamailioSchema?: boolean }): Promise<InitReport> {
  const targets = resolveTargets(options);
  let databaseCreated = await createServerDatabaseIfMissing(targets.kamailio);
  if (!targets.shared) databaseCreated = (await createServerDatabaseIfMissing(targets.provisioning)) || databaseCreated;
  const pair = await openPair(options, () => false);
  const connection = toConnection(pair.kamailio, pair.provisioning, pair.shared);
  try {
    // The embedded default is a whole platform in one file: it always gets Kamailio's tables.
    const kamailioTablesCreated = options.kamailioSchema || targets.isDefault
      ? await createMissingKamailioTables(connection.kamailio, connection.dialects.kamailio)
      : [];
    const migrationsApplied = await migrateProvisioning(connection.provisioning, connection.dialects.provisioning);
    await checkKamailioSchema(connection.kamailio, connection.names.kamailio);
    return { kamailioTablesCreated, migrationsApplied, databaseCreated };
  } finally {
    await connection.close();
  }
}
