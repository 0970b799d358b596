import { existsSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';
import type { DialectAdapter } from './dialects/adapter.js';
import { checkKamailioSchema, createMissingKamailioTables, type KamailioTableName } from './kamailio-schema.js';
import { translateDatabaseError } from './driver-errors.js';
import { checkProvisioningSchema, migrateProvisioning, repairProvisioningTables } from './migrations.js';
import { HermesError } from '../errors.js';
import { WriterQueue } from './transaction.js';
import type { Dbs, KamailioTables, KeyCase, ProvisioningTables } from './types.js';
import { adapterFor, DEFAULT_DB_URL, describeTarget, parseDbUrl, type DbTarget } from './url.js';

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
  /** The empty stand-in (in memory) for the default database that does not exist yet. */
  ephemeral?: boolean;
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
  adapter: DialectAdapter;
}

function resolveTargets(urls: DatabaseUrls): { kamailio: DbTarget; provisioning: DbTarget; shared: boolean; isDefault: boolean } {
  const kamailioUrl = urls.db?.trim() || DEFAULT_DB_URL;
  const kamailio = parseDbUrl(kamailioUrl);
  const provisioning = parseDbUrl(urls.provisioningDb?.trim() || kamailioUrl);
  return {
    kamailio,
    provisioning,
    // One database named two ways (sqlite:x.db and sqlite:./x.db) is opened once.
    shared: kamailio.dialect === provisioning.dialect && adapterFor(kamailio).sameDatabase(kamailio, provisioning),
    isDefault: !urls.db?.trim(),
  };
}

/** Only the driver a URL names is loaded (start-up time of every command). */
async function openTarget(target: DbTarget, options: { mustExist: boolean; poolSize?: number; readOnly?: boolean }): Promise<Opened> {
  const adapter = adapterFor(target);
  let db: Kysely<any>;
  try {
    db = await adapter.createKysely(target, { mustExist: options.mustExist, poolSize: options.poolSize, readOnly: options.readOnly });
  } catch (error) {
    throw adapter.translateConnectError(error, target);
  }
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw adapter.translateConnectError(error, target);
  }
  return { db, target, adapter };
}

/** What the Kamailio tables' schema says: whether their address columns fold case (their collations), and whether subscriber joins hermes' tables through its index. */
async function readSchemaFacts(kamailio: Opened, shared: boolean): Promise<{ caseInsensitive: KeyCase; subscriberJoins: boolean }> {
  const caseInsensitive = {
    domain: await kamailio.adapter.caseInsensitive(kamailio.db, 'domain', ['domain']),
    subscriber: await kamailio.adapter.caseInsensitive(kamailio.db, 'subscriber', ['username', 'domain']),
    dbaliases: await kamailio.adapter.caseInsensitive(kamailio.db, 'dbaliases', ['alias_username', 'alias_domain', 'username', 'domain']),
  };
  return { caseInsensitive, subscriberJoins: shared && (await kamailio.adapter.joinsByIndex(kamailio.db, 'subscriber', ['username', 'domain'])) };
}

function toConnection(kamailio: Opened, provisioning: Opened, shared: boolean, { caseInsensitive, subscriberJoins }: { caseInsensitive: KeyCase; subscriberJoins: boolean }): Connection {
  return {
    kamailio: kamailio.db as Kysely<KamailioTables>,
    provisioning: provisioning.db as Kysely<ProvisioningTables>,
    adapters: { kamailio: kamailio.adapter, provisioning: provisioning.adapter },
    caseInsensitive,
    shared,
    subscriberJoins,
    writers: new WriterQueue(),
    readers: new Map(),
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

/** A server URL must name its database (a SQLite URL always names its file). */
function assertNamesDatabase(target: DbTarget): void {
  if ('database' in target && !target.database) {
    throw new HermesError('DB_URL_INVALID', `database URL ${describeTarget(target)} names no database: add it, as in ${adapterFor(target).urlForm}`);
  }
}

/** A read-only command on a missing default database reads an empty platform (in memory), creating no file. */
async function openEmptyDefault(): Promise<Connection> {
  const memory = await openTarget({ dialect: 'sqlite', path: ':memory:' }, { mustExist: false });
  await createMissingKamailioTables(memory.db);
  await migrateProvisioning(memory.db);
  const connection = toConnection(memory, memory, true, await readSchemaFacts(memory, true));
  return { ...connection, ephemeral: true, names: { kamailio: 'sqlite:hermes.db (not created yet)', provisioning: 'sqlite:hermes.db (not created yet)' } };
}

/**
 * Opens the Kamailio and provisioning databases for a command and checks their schemas:
 * Kamailio's `version` rows and the provisioning schema version. The embedded default
 * (sqlite:hermes.db, no --db given) is created and initialised when its file is missing, so a
 * newcomer needs no separate `hermes init`.
 */
export async function openDatabases(options: OpenOptions = {}): Promise<Connection> {
  const targets = resolveTargets(options);
  assertNamesDatabase(targets.kamailio);
  assertNamesDatabase(targets.provisioning);
  if (targets.isDefault && !options.provisioningDb && targets.kamailio.dialect === 'sqlite' && !existsSync(targets.kamailio.path)) {
    if (options.readOnly) return openEmptyDefault();
    await initDatabases({ ...options, kamailioSchema: true });
  }
  const pair = await openPair(options, (t) => !adapterFor(t).isServer);
  const close = async () => {
    await pair.kamailio.db.destroy();
    if (!pair.shared) await pair.provisioning.db.destroy();
  };
  try {
    const names = { kamailio: describeTarget(pair.kamailio.target), provisioning: describeTarget(pair.provisioning.target) };
    const where = pair.shared ? names.kamailio : `${names.kamailio} or ${names.provisioning}`;
    try {
      await checkKamailioSchema(pair.kamailio.db, names.kamailio);
      await checkProvisioningSchema(pair.provisioning.db, names.provisioning);
      return toConnection(pair.kamailio, pair.provisioning, pair.shared, await readSchemaFacts(pair.kamailio, pair.shared));
    } catch (error) {
      throw translateDatabaseError(error, where) ?? error;
    }
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * `hermes init`: creates the MySQL database if missing, Kamailio's missing tables when asked
 * (`kamailioSchema`), and creates or upgrades the provisioning tables. Running it twice
 * changes nothing. Existing Kamailio tables are never altered.
 */
export async function initDatabases(options: OpenOptions & { kamailioSchema?: boolean }): Promise<InitReport> {
  const targets = resolveTargets(options);
  let databaseCreated = await adapterFor(targets.kamailio).createDatabaseIfMissing(targets.kamailio);
  if (!targets.shared) databaseCreated = (await adapterFor(targets.provisioning).createDatabaseIfMissing(targets.provisioning)) || databaseCreated;
  const { kamailio, provisioning, shared } = await openPair(options, () => false);
  try {
    // The embedded default is a whole platform in one file: it always gets Kamailio's tables.
    const kamailioTablesCreated = options.kamailioSchema || targets.isDefault ? await createMissingKamailioTables(kamailio.db) : [];
    const migrationsApplied = await migrateProvisioning(provisioning.db);
    const provisioningTablesRepaired = await repairProvisioningTables(provisioning.db);
    await checkKamailioSchema(kamailio.db, describeTarget(kamailio.target));
    return { kamailioTablesCreated, migrationsApplied, provisioningTablesRepaired, databaseCreated };
  } finally {
    await kamailio.db.destroy();
    if (!shared) await provisioning.db.destroy();
  }
}

/** One database opened by URL with hermes' dialect adapter, without any schema check (tools and tests). */
export async function openUnchecked(url: string): Promise<Kysely<any>> {
  return (await openTarget(parseDbUrl(url), { mustExist: false })).db;
}
