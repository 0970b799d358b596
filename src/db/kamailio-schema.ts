import { sql, type Kysely } from 'kysely';
import { HermesError } from '../errors.js';
import type { DialectName, KamailioTables } from './types.js';

/**
 * Kamailio's tables that hermes reads or writes, with the `version` row Kamailio expects
 * (Kamailio 5.x and 6.x). The DDL follows Kamailio's own schema files (kamdbctl for MySQL and
 * PostgreSQL, db_sqlite's for SQLite) column for column, so that Kamailio, kamctl, kamcli or Siremis
 * can share the tables.
 */
export const KAMAILIO_TABLE_VERSIONS = {
  version: 1,
  subscriber: 7,
  domain: 2,
  domain_attrs: 1,
  dbaliases: 1,
} as const;

export type KamailioTableName = keyof typeof KAMAILIO_TABLE_VERSIONS;

/** The tables whose version hermes checks on connecting: the ones it uses. */
export const CHECKED_KAMAILIO_TABLES: readonly KamailioTableName[] = ['version', 'subscriber', 'domain', 'dbaliases'];

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

/**
 * Kamailio's PostgreSQL schema (share/kamailio/postgres/*-create.sql) is its SQLite one with
 * SERIAL ids: the same columns, types, defaults and table-prefixed index names.
 */
const POSTGRES_DDL = Object.fromEntries(
  Object.entries(SQLITE_DDL).map(([table, statements]) => [table, statements.map((s) => s.replace('id INTEGER PRIMARY KEY NOT NULL', 'id SERIAL PRIMARY KEY NOT NULL'))]),
) as Record<KamailioTableName, string[]>;

const DDL: Record<DialectName, Record<KamailioTableName, string[]>> = { sqlite: SQLITE_DDL, mysql: MYSQL_DDL, postgres: POSTGRES_DDL };

export function kamailioDdl(dialect: DialectName, table: KamailioTableName): readonly string[] {
  return DDL[dialect][table];
}

/** Names of the tables that exist in the database. */
export async function existingTables(db: Kysely<any>): Promise<Set<string>> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: false });
  return new Set(tables.map((t) => t.name));
}

/**
 * Creates whichever of Kamailio's tables are missing, each with its `version` row, as
 * kamdbctl would. Existing tables are never altered. Returns the tables created.
 */
export async function createMissingKamailioTables(db: Kysely<KamailioTables>, dialect: DialectName): Promise<KamailioTableName[]> {
  const existing = await existingTables(db);
  const created: KamailioTableName[] = [];
  for (const table of Object.keys(KAMAILIO_TABLE_VERSIONS) as KamailioTableName[]) {
    if (existing.has(table)) continue;
    for (const statement of kamailioDdl(dialect, table)) await sql.raw(statement).execute(db);
    created.push(table);
  }
  for (const table of created) {
    // A version row may survive a table dropped by hand: replace it.
    await db.deleteFrom('version').where('table_name', '=', table).execute();
    await db.insertInto('version').values({ table_name: table, table_version: KAMAILIO_TABLE_VERSIONS[table] }).execute();
  }
  return created;
}

/**
 * Refuses a database whose Kamailio tables are missing or at another version than the one
 * hermes supports, as Kamailio itself refuses to start on such a mismatch.
 */
export async function checkKamailioSchema(db: Kysely<KamailioTables>, where: string): Promise<void> {
  const existing = await existingTables(db);
  for (const table of CHECKED_KAMAILIO_TABLES) {
    if (!existing.has(table)) {
      throw new HermesError(
        'DB_TABLE_MISSING',
        `Kamailio table "${table}" is missing in ${where}: create it with \`hermes init --kamailio-schema\` (or kamdbctl create)`,
      );
    }
  }
  const rows = await db
    .selectFrom('version')
    .select(['table_name', 'table_version'])
    .where('table_name', 'in', [...CHECKED_KAMAILIO_TABLES])
    .execute();
  const found = new Map(rows.map((r) => [r.table_name, Number(r.table_version)]));
  for (const table of CHECKED_KAMAILIO_TABLES) {
    const expected = KAMAILIO_TABLE_VERSIONS[table];
    const version = found.get(table);
    if (version === undefined) {
      throw new HermesError(
        'DB_VERSION_MISMATCH',
        `Kamailio table "${table}" in ${where} has no row in the version table (expected version ${expected})`,
      );
    }
    if (version !== expected) {
      throw new HermesError(
        'DB_VERSION_MISMATCH',
        `Kamailio table "${table}" in ${where} is at version ${version}, hermes expects version ${expected}`,
      );
    }
  }
}
