import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../../src/db/types.js';

/** A dialect's description of a table: columns (in order) and indexes, comparable as JSON. */
export interface TableShape {
  columns: { name: string; type: string; nullable: boolean; default: string | null; extra: string }[];
  indexes: { name: string; unique: boolean; columns: string[] }[];
}

export async function describeTables(db: Kysely<any>, dialect: DialectName, tables: readonly string[]): Promise<Record<string, TableShape>> {
  const out: Record<string, TableShape> = {};
  const describeOne = { mysql: describeMysql, sqlite: describeSqlite, postgres: describePostgres }[dialect];
  for (const table of tables) out[table] = await describeOne(db, table);
  return out;
}

async function describeMysql(db: Kysely<any>, table: string): Promise<TableShape> {
  const columns = await sql<any>`
    SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA FROM information_schema.COLUMNS
    WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ${table} ORDER BY ORDINAL_POSITION`.execute(db);
  const stats = await sql<any>`
    SELECT INDEX_NAME, NON_UNIQUE, COLUMN_NAME FROM information_schema.STATISTICS
    WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ${table} ORDER BY INDEX_NAME, SEQ_IN_INDEX`.execute(db);
  const indexes = new Map<string, { name: string; unique: boolean; columns: string[] }>();
  for (const s of stats.rows) {
    const entry = indexes.get(s.INDEX_NAME) ?? { name: String(s.INDEX_NAME), unique: Number(s.NON_UNIQUE) === 0, columns: [] as string[] };
    entry.columns.push(s.COLUMN_NAME);
    indexes.set(s.INDEX_NAME, entry);
  }
  return {
    columns: columns.rows.map((c) => ({
      name: c.COLUMN_NAME,
      type: String(c.COLUMN_TYPE).toLowerCase(),
      nullable: c.IS_NULLABLE === 'YES',
      default: c.COLUMN_DEFAULT === null ? null : String(c.COLUMN_DEFAULT),
      extra: String(c.EXTRA).toLowerCase(),
    })),
    indexes: [...indexes.values()].sort((a, b) => a.name.localeCompare(b.name)),
  };
}

async function describeSqlite(db: Kysely<any>, table: string): Promise<TableShape> {
  const columns = await sql<any>`SELECT * FROM pragma_table_info(${table}) ORDER BY cid`.execute(db);
  const list = await sql<any>`SELECT * FROM pragma_index_list(${table})`.execute(db);
  const indexes = [];
  for (const index of list.rows) {
    const cols = await sql<any>`SELECT name FROM pragma_index_info(${index.name}) ORDER BY seqno`.execute(db);
    indexes.push({ name: String(index.name), unique: Number(index.unique) === 1, columns: cols.rows.map((c) => String(c.name)) });
  }
  return {
    columns: columns.rows.map((c) => ({
      name: c.name,
      type: String(c.type).toLowerCase(),
      nullable: Number(c.notnull) === 0,
      default: c.dflt_value === null ? null : String(c.dflt_value),
      extra: Number(c.pk) === 1 ? 'primary key' : '',
    })),
    indexes: indexes.sort((a, b) => a.name.localeCompare(b.name)),
  };
}

async function describePostgres(db: Kysely<any>, table: string): Promise<TableShape> {
  const columns = await sql<any>`
    SELECT column_name, data_type, character_maximum_length, is_nullable, column_default FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = ${table} ORDER BY ordinal_position`.execute(db);
  const indexes = await sql<any>`
    SELECT i.relname AS name, x.indisunique AS unique, x.indisprimary AS primary,
      array(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)
            JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS columns
    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
    WHERE t.relname = ${table} AND t.relnamespace = current_schema()::regnamespace`.execute(db);
  return {
    columns: columns.rows.map((c) => ({
      name: c.column_name,
      type: c.character_maximum_length === null ? String(c.data_type) : `${c.data_type}(${c.character_maximum_length})`,
      nullable: c.is_nullable === 'YES',
      default: c.column_default === null ? null : String(c.column_default),
      extra: '',
    })),
    indexes: indexes.rows
      .map((i) => ({ name: i.primary ? 'PRIMARY' : String(i.name), unique: Boolean(i.unique), columns: i.columns as string[] }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}
