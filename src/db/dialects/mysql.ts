import { checkServerIdentity, type TLSSocket } from 'node:tls';
import { MysqlDialect } from 'kysely';
import { createPool, type Pool } from 'mysql2';
import type { MysqlTarget } from '../url.js';
import { readCaFile } from './tls.js';

export interface MysqlPoolOptions {
  connectionLimit?: number;
}

export function createMysqlPool(target: MysqlTarget, options: MysqlPoolOptions = {}): Pool {
  const pool = createPool({
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
    ssl: target.tls
      ? { ca: readCaFile(target.tls), rejectUnauthorized: target.tls.verifyCertificate, verifyIdentity: target.tls.verifyHostName }
      : undefined,
  });
  if (target.tls?.verifyHostName) checkHostNameOfEachConnection(pool, target.host);
  return pool;
}

/**
 * mysql2 checks the certificate's host name only when the URL names a host by name: given an
 * address (127.0.0.1), Node checks it against "localhost". So each new connection's certificate
 * is checked here against the host of the URL, and a connection that fails is closed and never
 * used.
 */
function checkHostNameOfEachConnection(pool: Pool, host: string): void {
  const checked = new WeakSet<object>();
  const getConnection = pool.getConnection.bind(pool);
  pool.getConnection = (callback) =>
    getConnection((error, connection) => {
      if (error || checked.has(connection)) return callback(error, connection);
      const stream = (connection as unknown as { stream?: TLSSocket }).stream;
      const mismatch = stream?.getPeerCertificate ? checkServerIdentity(host, stream.getPeerCertificate(true)) : new Error('the connection is not encrypted');
      if (mismatch) {
        connection.destroy();
        return callback(mismatch as NodeJS.ErrnoException, connection);
      }
      checked.add(connection);
      callback(null, connection);
    });
}

/** A Kysely dialect over a mysql2 pool (MySQL and MariaDB). */
export function createMysqlDialect(target: MysqlTarget, options: MysqlPoolOptions = {}): MysqlDialect {
  return new MysqlDialect({ pool: createMysqlPool(target, options) });
}

/** Drops the target's database if the server has it (tests and benchmarks clean up with it). */
export async function dropDatabaseIfExists(target: MysqlTarget): Promise<void> {
  const pool = createMysqlPool({ ...target, database: '' }, { connectionLimit: 1 }).promise();
  try {
    await pool.query(`DROP DATABASE IF EXISTS ${quoteMysqlIdentifier(target.database)}`);
  } finally {
    await pool.end();
  }
}

export function quoteMysqlIdentifier(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

/** Creates the target's database unless the server has it; true when created. */
export async function createDatabaseIfMissing(target: MysqlTarget): Promise<boolean> {
  const pool = createMysqlPool({ ...target, database: '' }, { connectionLimit: 1 }).promise();
  try {
    const [rows] = await pool.query('select count(*) as n from information_schema.schemata where schema_name = ?', [target.database]);
    if (Number((rows as { n: number }[])[0]?.n ?? 0) > 0) return false;
    await pool.query(`CREATE DATABASE ${quoteMysqlIdentifier(target.database)}`);
    return true;
  } finally {
    await pool.end();
  }
}
