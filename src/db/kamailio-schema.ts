import { sql, type Kysely } from 'kysely';
import { HermesError } from '../errors.js';
import { adapterOf } from './dialects/index.js';
import type { KamailioTables } from './types.js';

/**
 * Kamailio's tables that hermes reads or writes, with the `version` row Kamailio expects
 * (Kamailio 5.x and 6.x). The DDL follows Kamailio's own schema files (kamdbctl for MySQL,
 * db_sqlite's for SQLite) column for column, so that Kamailio, kamctl, kamcli or Siremis
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

/** Names of the tables that exist in the database. */
export async function existingTables(db: Kysely<any>): Promise<Set<string>> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: false });
  return new Set(tables.map((t) => t.name));
}

/**
 * Creates whichever of Kamailio's tables are missing, each with its `version` row, as
 * kamdbctl would. Existing tables are never altered. Returns the tables created.
 */
export async function createMissingKamailioTables(db: Kysely<KamailioTables>): Promise<KamailioTableName[]> {
  const adapter = adapterOf(db);
  const existing = await existingTables(db);
  const created: KamailioTableName[] = [];
  for (const table of Object.keys(KAMAILIO_TABLE_VERSIONS) as KamailioTableName[]) {
    if (existing.has(table)) continue;
    for (const statement of adapter.kamailioDdl(table)) await sql.raw(statement).execute(db);
    created.push(table);
  }
  for (const table of created) {
    // A version row may survive a table dropped by hand: replace it.
    await db.deleteFrom('version').where('table_name', '=', table).execute();
    await db.insertInto('version').values({ table_name: table, table_version: KAMAILIO_TABLE_VERSIONS[table] }).execute();
  }
  return created;
}

/** The `version` rows of the tables hermes checks, by table name (one indexed query). */
export async function readKamailioVersions(db: Kysely<KamailioTables>): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('version')
    .select(['table_name', 'table_version'])
    .where('table_name', 'in', [...CHECKED_KAMAILIO_TABLES])
    .execute();
  return new Map(rows.map((r) => [r.table_name, Number(r.table_version)]));
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
  const found = await readKamailioVersions(db);
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
