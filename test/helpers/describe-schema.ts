import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../../src/db/types.js';

/** A dialect's description of a table: columns (in order) and indexes, comparable as JSON. */
export interface TableShape {
  columns: { name: string; type: string; nullable: boolean; default: string | null; extra: string }[];
  indexes: { name: string; unique: boolean; columns: string[] }[];
}

export async function describeTables(db: Kysely<any>, dialect: DialectName, tables: readonly string[]): Promise<Record<string, TableShape>> {
  const out: Record<string, TableShape> = {};
  for (const table of tables) out[table] = dialect === 'mysql' ? await describeMysql(db, table) : await describeSqlite(db, table);
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
