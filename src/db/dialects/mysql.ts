import { MysqlDialect } from 'kysely';
import { createPool, type Pool } from 'mysql2';
import type { MysqlTarget } from '../url.js';

export interface MysqlPoolOptions {
  connectionLimit?: number;
}

export function createMysqlPool(target: MysqlTarget, options: MysqlPoolOptions = {}): Pool {
  return createPool({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database || undefined,
    connectionLimit: options.connectionLimit ?? 10,
    connectTimeout: 10_000,
    // DATETIME columns come back as 'YYYY-MM-DD HH:MM:SS' strings, as Kamailio writes them.
    dateStrings: true,
    charset: 'utf8mb4',
    supportBigNumbers: true,
  });
}

/** A Kysely dialect over a mysql2 pool (MySQL and MariaDB). */
export function createMysqlDialect(target: MysqlTarget, options: MysqlPoolOptions = {}): MysqlDialect {
  return new MysqlDialect({ pool: createMysqlPool(target, options) });
}

/** Runs one statement on a short-lived connection without a database (CREATE/DROP DATABASE). */
export async function runServerStatement(target: MysqlTarget, statement: string): Promise<void> {
  const pool = createMysqlPool({ ...target, database: '' }, { connectionLimit: 1 });
  try {
    await pool.promise().query(statement);
  } finally {
    await pool.promise().end();
  }
}

export function quoteMysqlIdentifier(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}
