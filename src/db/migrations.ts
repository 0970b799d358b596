import { randomBytes } from 'node:crypto';
import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
import { HermesError } from '../errors.js';
import { existingTables } from './kamailio-schema.js';
import { adapterOf } from './dialects/index.js';
import { waitForSessionLock } from './session-lock.js';
import type { ProvisioningTables } from './types.js';

/**
 * Versioned migrations of hermes' provisioning tables (all named hermes_*). A migration is
 * only ever appended: an older provisioning schema is upgraded in place, in order, without
 * losing rows. `hermes_schema_version` records each applied version.
 */
export interface Migration {
  version: number;
  description: string;
  /** `table(name)` starts a CREATE TABLE with the engine's options for hermes' tables. */
  up(db: Kysely<any>, table: TableFactory): Promise<void>;
}

/** Starts a CREATE TABLE with the engine's options for hermes' tables. */
type TableFactory = (name: string) => CreateTableBuilder<string, never>;

/**
 * How each provisioning table (with its indexes) is created in its latest shape: migration 1
 * creates the first five (hermes_audit in its first shape, which migration 6 extends), and
 * `hermes init` recreates one that was dropped by hand. A migration that alters a table must
 * update its entry here too.
 */
const TABLES: Readonly<Record<string, (db: Kysely<any>, table: TableFactory) => Promise<void>>> = {
  async hermes_users(db, table) {
    await table('hermes_users')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('username', 'varchar(64)', (c) => c.notNull())
      .addColumn('domain', 'varchar(64)', (c) => c.notNull())
      .addColumn('kind', 'varchar(8)', (c) => c.notNull())
      .addColumn('displayname', 'varchar(128)', (c) => c.notNull().defaultTo(''))
      .addColumn('email', 'varchar(128)', (c) => c.notNull().defaultTo(''))
      .addColumn('password', 'varchar(64)')
      .addColumn('registrar', 'varchar(128)')
      .addColumn('r_port', 'integer')
      .addColumn('proxy', 'varchar(128)')
      .addColumn('p_port', 'integer')
      .addColumn('authid', 'varchar(64)')
      .addColumn('dialplan', 'varchar(128)', (c) => c.notNull().defaultTo(''))
      .addColumn('linetext', 'varchar(64)', (c) => c.notNull().defaultTo(''))
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint('hermes_users_address', ['username', 'domain'])
      .execute();
  },
  async hermes_phones(db, table) {
    await table('hermes_phones')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('mac', 'char(12)', (c) => c.notNull())
      .addColumn('username', 'varchar(64)', (c) => c.notNull())
      .addColumn('domain', 'varchar(64)', (c) => c.notNull())
      .addColumn('line', 'integer', (c) => c.notNull())
      .addUniqueConstraint('hermes_phones_line', ['mac', 'line'])
      .addUniqueConstraint('hermes_phones_user', ['mac', 'username', 'domain'])
      .execute();
    await db.schema.createIndex('hermes_phones_address').on('hermes_phones').columns(['username', 'domain']).execute();
  },
  async hermes_numbers(db, table) {
    await table('hermes_numbers')
      .addColumn('number', 'varchar(16)', (c) => c.primaryKey())
      .execute();
  },
  hermes_tokens: (_db, table) => tokensTable(table, 'hermes_tokens'),
  async hermes_audit(db, table) {
    await auditTable(db, table);
    await addAuditAction(db);
  },
  async hermes_writers(db, table) {
    await table('hermes_writers').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
    await db.insertInto('hermes_writers').values({ id: 1 }).execute();
  },
  async hermes_locks(db, table) {
    await table('hermes_locks')
      .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('holder', 'varchar(255)', (c) => c.notNull())
      .addColumn('acquired_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('host', 'varchar(255)')
      .addColumn('pid', 'integer')
      .addColumn('expires_at', 'varchar(32)')
      .execute();
  },
  async hermes_provisioning(_db, table) {
    await table('hermes_provisioning')
      .addColumn('item', 'varchar(255)', (c) => c.primaryKey())
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
  },
  async hermes_keys(db, table) {
    await table('hermes_keys')
      .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('value', 'varchar(128)', (c) => c.notNull())
      .execute();
    // The key of saved plans' secret pins (reconcile/secret-pins.ts): 32 random bytes, made once.
    await db.insertInto('hermes_keys').values({ name: 'plan-pin', value: randomBytes(32).toString('hex') }).execute();
  },
  async hermes_fetches(db, table) {
    await table('hermes_fetches')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('mac', 'char(12)', (c) => c.notNull())
      .addColumn('file', 'varchar(128)', (c) => c.notNull())
      .addColumn('fetched_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('client', 'varchar(64)', (c) => c.notNull())
      .addColumn('user_agent', 'varchar(255)', (c) => c.notNull())
      .addColumn('hash', 'varchar(64)', (c) => c.notNull())
      .addUniqueConstraint('hermes_fetches_file', ['mac', 'file'])
      .execute();
  },
};

/** hermes_tokens under a name (migration 5 rebuilds it with a wider scope: 'provision'). */
async function tokensTable(table: TableFactory, name: string): Promise<void> {
  await table(name)
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('scope', 'varchar(16)', (c) => c.notNull())
    .addColumn('token_hash', 'char(64)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();
}

/**
 * Widens hermes_tokens.scope (varchar(8) cannot hold 'provision') the same way on every
 * engine: a new table, the rows copied (ids renumbered, so no engine's sequence falls behind),
 * the old one dropped and the new one renamed.
 */
async function widenTokenScope(db: Kysely<any>, table: TableFactory): Promise<void> {
  await tokensTable(table, 'hermes_tokens_v5');
  await db.insertInto('hermes_tokens_v5').columns(['name', 'scope', 'token_hash', 'created_at']).expression(db.selectFrom('hermes_tokens').select(['name', 'scope', 'token_hash', 'created_at']).orderBy('id')).execute();
  await db.schema.dropTable('hermes_tokens').execute();
  await db.schema.alterTable('hermes_tokens_v5').renameTo('hermes_tokens').execute();
}

/** hermes_audit as migration 1 made it (migration 6 adds the action and kind). */
async function auditTable(db: Kysely<any>, table: TableFactory): Promise<void> {
  await table('hermes_audit')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('at', 'varchar(32)', (c) => c.notNull())
    .addColumn('actor', 'varchar(128)', (c) => c.notNull())
    .addColumn('node', 'varchar(64)', (c) => c.notNull())
    .addColumn('object_key', 'varchar(255)', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('hermes_audit_at').on('hermes_audit').column('at').execute();
}

/** Each audit row's action and kind of object: rows written before by an API node get theirs from the node. */
const AUDIT_NODES: readonly (readonly [node: string, action: string, kind: string])[] = [
  ['user/add_local', 'create', 'user'],
  ['user/add_remote', 'create', 'user'],
  ['user/update', 'update', 'user'],
  ['user/change_pw', 'update', 'user'],
  ['user/remove', 'delete', 'user'],
  ['domain/add', 'create', 'domain'],
  ['domain/remove', 'delete', 'domain'],
  ['alias/add', 'create', 'alias'],
  ['alias/remove', 'delete', 'alias'],
  ['phone/add', 'create', 'phone'],
  ['phone/remove', 'delete', 'phone'],
  ['numbers/add', 'create', 'number'],
  ['numbers/add_range', 'create', 'number'],
  ['numbers/remove', 'delete', 'number'],
  ['token/create', 'create', 'token'],
  ['token/revoke', 'delete', 'token'],
];

/**
 * Migration 6: hermes_audit gains `action` and `kind` (ADD COLUMN, the same on every engine,
 * with '' as the default so existing rows stay valid). Rows of API nodes get theirs from the
 * node; rows an apply wrote before keep '' (they named no action).
 */
async function addAuditAction(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('hermes_audit').addColumn('action', 'varchar(8)', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('hermes_audit').addColumn('kind', 'varchar(16)', (c) => c.notNull().defaultTo('')).execute();
  for (const [node, action, kind] of AUDIT_NODES) await db.updateTable('hermes_audit').set({ action, kind }).where('node', '=', node).execute();
}

async function createTables(db: Kysely<any>, table: TableFactory, names: readonly string[]): Promise<void> {
  for (const name of names) await TABLES[name](db, table);
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'users, phones, number pool, API tokens, audit log',
    async up(db, table) {
      await createTables(db, table, ['hermes_users', 'hermes_phones', 'hermes_numbers', 'hermes_tokens']);
      await auditTable(db, table);
    },
  },
  {
    version: 2,
    description: 'apply lock',
    async up(db, table) {
      await table('hermes_locks')
        .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('holder', 'varchar(255)', (c) => c.notNull())
        .addColumn('acquired_at', 'varchar(32)', (c) => c.notNull())
        .execute();
    },
  },
  {
    version: 3,
    description: 'apply lock: holder host and pid, lease expiry',
    async up(db) {
      await db.schema.alterTable('hermes_locks').addColumn('host', 'varchar(255)').execute();
      await db.schema.alterTable('hermes_locks').addColumn('pid', 'integer').execute();
      await db.schema.alterTable('hermes_locks').addColumn('expires_at', 'varchar(32)').execute();
    },
  },
  {
    version: 4,
    description: "writers' lock row (engines without a transaction-scoped lock of their own)",
    up: (db, table) => createTables(db, table, ['hermes_writers']),
  },
  {
    version: 5,
    description: "phone provisioning: models, profiles, settings, keys, templates, credentials (hashed); token scope 'provision'",
    async up(db, table) {
      await createTables(db, table, ['hermes_provisioning']);
      await widenTokenScope(db, table);
    },
  },
  {
    version: 6,
    description: 'audit log: the action (create, update, delete) and kind of each change',
    up: (db) => addAuditAction(db),
  },
  {
    version: 7,
    description: "keys hermes makes for itself: the key of saved plans' secret pins",
    up: (db, table) => createTables(db, table, ['hermes_keys']),
  },
  {
    version: 8,
    description: "provisioning inventory: each phone file's last fetch (time, client, User-Agent, content hash)",
    up: (db, table) => createTables(db, table, ['hermes_fetches']),
  },
];

export const PROVISIONING_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** The provisioning schema version of a database, 0 when it has none. */
export async function provisioningSchemaVersion(db: Kysely<ProvisioningTables>): Promise<number> {
  const tables = await existingTables(db);
  if (!tables.has('hermes_schema_version')) return 0;
  const row = await db
    .selectFrom('hermes_schema_version')
    .select((eb) => eb.fn.max('version').as('version'))
    .executeTakeFirst();
  return Number(row?.version ?? 0);
}

/** How long `hermes init` waits for another process's migrations before giving up. */
const MIGRATION_LOCK_TIMEOUT_MS = 60_000;

/**
 * Applies every migration newer than the database's version, in order, under a lock (two
 * `hermes init` at once migrate once) and in one transaction where the engine rolls DDL back
 * with it (SQLite, PostgreSQL; on MySQL each DDL statement commits by itself, so a failed
 * migration leaves the versions before it applied and recorded). Returns the versions applied
 * (empty when the schema was current).
 */
export async function migrateProvisioning(
  db: Kysely<ProvisioningTables>,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  const adapter = adapterOf(db);
  const run = (conn: Kysely<ProvisioningTables>) =>
    adapter.supportsTransactionalDdl ? conn.transaction().execute((trx) => migrateUnlocked(trx, migrations)) : migrateUnlocked(conn, migrations);
  // Without a session lock (SQLite), the write transaction is the lock: it begins immediate.
  if (!adapter.sessionLock) return run(db);
  const held = await waitForSessionLock(db, 'migrate', MIGRATION_LOCK_TIMEOUT_MS);
  if (!held) throw new HermesError('DB_QUERY_FAILED', `another process has been migrating the provisioning schema for ${MIGRATION_LOCK_TIMEOUT_MS / 1000} s: try again later`);
  try {
    return await run(held.conn);
  } finally {
    await held.release();
  }
}

async function migrateUnlocked(db: Kysely<ProvisioningTables>, migrations: readonly Migration[]): Promise<number[]> {
  const adapter = adapterOf(db);
  const table = (name: string) => adapter.createTable(db, name);
  const tables = await existingTables(db);
  if (!tables.has('hermes_schema_version')) {
    await table('hermes_schema_version')
      .addColumn('version', 'integer', (c) => c.primaryKey())
      .addColumn('applied_at', 'varchar(32)', (c) => c.notNull())
      .execute();
  }
  const current = await provisioningSchemaVersion(db);
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  if (current > latest) {
    throw new HermesError(
      'DB_PROVISIONING_NEWER',
      `provisioning schema is at version ${current}, newer than this hermes knows (${latest}): upgrade hermes`,
    );
  }
  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    await migration.up(db, table);
    await db
      .insertInto('hermes_schema_version')
      .values({ version: migration.version, applied_at: new Date().toISOString() })
      .execute();
    applied.push(migration.version);
  }
  return applied;
}

async function missingTables(db: Kysely<ProvisioningTables>): Promise<string[]> {
  const tables = await existingTables(db);
  return Object.keys(TABLES).filter((name) => !tables.has(name));
}

/** `hermes init` on a current schema: recreates provisioning tables dropped by hand (empty); returns their names. */
export async function repairProvisioningTables(db: Kysely<ProvisioningTables>): Promise<string[]> {
  if ((await provisioningSchemaVersion(db)) < PROVISIONING_SCHEMA_VERSION) return [];
  const missing = await missingTables(db);
  const adapter = adapterOf(db);
  await createTables(db, (name) => adapter.createTable(db, name), missing);
  return missing;
}

/** Refuses a provisioning database that is not at the version this hermes expects. */
export async function checkProvisioningSchema(db: Kysely<ProvisioningTables>, where: string): Promise<void> {
  const version = await provisioningSchemaVersion(db);
  if (version === 0) {
    throw new HermesError('DB_TABLE_MISSING', `provisioning tables (hermes_*) are missing in ${where}: create them with \`hermes init\``);
  }
  if (version < PROVISIONING_SCHEMA_VERSION) {
    throw new HermesError(
      'DB_PROVISIONING_OUTDATED',
      `provisioning schema in ${where} is at version ${version}, this hermes needs ${PROVISIONING_SCHEMA_VERSION}: upgrade it with \`hermes init\``,
    );
  }
  if (version > PROVISIONING_SCHEMA_VERSION) {
    throw new HermesError(
      'DB_PROVISIONING_NEWER',
      `provisioning schema in ${where} is at version ${version}, newer than this hermes knows (${PROVISIONING_SCHEMA_VERSION}): upgrade hermes`,
    );
  }
  const missing = await missingTables(db);
  if (missing.length > 0) {
    throw new HermesError('DB_TABLE_MISSING', `provisioning table${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing in ${where} (dropped by hand?): recreate ${missing.length > 1 ? 'them' : 'it'} with \`hermes init\``);
  }
}
