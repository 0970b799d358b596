/**
 * The database servers a benchmark can run against, behind one small interface: MariaDB/MySQL
 * (HERMES_BENCH_MYSQL_URL, default mysql://root@127.0.0.1:3306) and PostgreSQL
 * (HERMES_BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432). BENCH_ENGINE picks one
 * (mysql by default). Each creates and drops its scratch database, and times raw multi-row
 * INSERTs (1000 rows a statement, one transaction) of given rows: the reference for hermes'
 * own writes.
 */
import { createPool as createMysqlPool } from 'mysql2/promise';
import pg from 'pg';

export interface TableRows {
  name: string;
  columns: string[];
  rows: unknown[][];
}

export interface BenchServer {
  engine: 'mysql' | 'postgres';
  /** The URL of database `name` on this server. */
  url(name: string): string;
  create(name: string): Promise<void>;
  drop(name: string): Promise<void>;
  /** Every row of `table` (then deleted when `empty`). */
  readTable(url: string, table: string, empty: boolean): Promise<TableRows>;
  /** Inserts the rows with multi-row INSERTs in one transaction; per-table seconds. */
  insertAll(url: string, tables: TableRows[]): Promise<number[]>;
}

const ROWS_PER_STATEMENT = 1000;

function mysqlServer(server: string): BenchServer {
  const q = (name: string) => '`' + name.replace(/`/g, '``') + '`';
  const admin = async <T>(fn: (pool: ReturnType<typeof createMysqlPool>) => Promise<T>) => {
    const pool = createMysqlPool({ uri: server, connectionLimit: 1 });
    try {
      return await fn(pool);
    } finally {
      await pool.end();
    }
  };
  return {
    engine: 'mysql',
    url: (name) => `${server}/${name}`,
    create: (name) => admin(async (p) => void (await p.query(`CREATE DATABASE ${q(name)}`))),
    drop: (name) => admin(async (p) => void (await p.query(`DROP DATABASE IF EXISTS ${q(name)}`))),
    async readTable(url, table, empty) {
      const pool = createMysqlPool({ uri: url, connectionLimit: 1, dateStrings: true });
      try {
        const [rows] = (await pool.query(`SELECT * FROM ${q(table)}`)) as unknown as [Record<string, unknown>[]];
        if (empty) await pool.query(`DELETE FROM ${q(table)}`);
        const columns = rows.length > 0 ? Object.keys(rows[0]) : [];
        return { name: table, columns, rows: rows.map((r) => columns.map((c) => r[c])) };
      } finally {
        await pool.end();
      }
    },
    async insertAll(url, tables) {
      const pool = createMysqlPool({ uri: url, connectionLimit: 1 });
      const conn = await pool.getConnection();
      const seconds: number[] = [];
      try {
        await conn.beginTransaction();
        for (const t of tables) {
          const start = performance.now();
          const columns = t.columns.map(q).join(', ');
          for (let i = 0; i < t.rows.length; i += ROWS_PER_STATEMENT) {
            await conn.query(`INSERT INTO ${q(t.name)} (${columns}) VALUES ?`, [t.rows.slice(i, i + ROWS_PER_STATEMENT)]);
          }
          seconds.push((performance.now() - start) / 1000);
        }
        await conn.commit();
      } finally {
        conn.release();
        await pool.end();
      }
      return seconds;
    },
  };
}

function postgresServer(server: string): BenchServer {
  const q = (name: string) => '"' + name.replace(/"/g, '""') + '"';
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: `${server}/postgres` });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  const connect = async (url: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return client;
  };
  return {
    engine: 'postgres',
    url: (name) => `${server}/${name}`,
    create: (name) => admin(`CREATE DATABASE ${q(name)}`),
    drop: (name) => admin(`DROP DATABASE IF EXISTS ${q(name)} WITH (FORCE)`),
    async readTable(url, table, empty) {
      const client = await connect(url);
      try {
        const result = await client.query({ text: `SELECT * FROM ${q(table)}`, rowMode: 'array' });
        if (empty) await client.query(`DELETE FROM ${q(table)}`);
        return { name: table, columns: result.fields.map((f) => f.name), rows: result.rows as unknown[][] };
      } finally {
        await client.end();
      }
    },
    async insertAll(url, tables) {
      const client = await connect(url);
      const seconds: number[] = [];
      try {
        await client.query('BEGIN');
        for (const t of tables) {
          const start = performance.now();
          const columns = t.columns.map(q).join(', ');
          for (let i = 0; i < t.rows.length; i += ROWS_PER_STATEMENT) {
            const chunk = t.rows.slice(i, i + ROWS_PER_STATEMENT);
            const width = t.columns.length;
            const tuples = chunk.map((_, r) => `(${t.columns.map((__, c) => `$${r * width + c + 1}`).join(', ')})`).join(', ');
            await client.query(`INSERT INTO ${q(t.name)} (${columns}) VALUES ${tuples}`, chunk.flat());
          }
          seconds.push((performance.now() - start) / 1000);
        }
        await client.query('COMMIT');
      } finally {
        await client.end();
      }
      return seconds;
    },
  };
}

/** The server BENCH_ENGINE names (mysql by default). */
export function benchServer(): BenchServer {
  const engine = process.env.BENCH_ENGINE ?? 'mysql';
  if (engine === 'postgres') return postgresServer((process.env.HERMES_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, ''));
  if (engine === 'mysql') return mysqlServer((process.env.HERMES_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/+$/, ''));
  throw new Error(`BENCH_ENGINE must be mysql or postgres, not ${engine}`);
}
