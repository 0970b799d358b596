import { checkServerIdentity, type ConnectionOptions } from 'node:tls';
import { PostgresDialect } from 'kysely';
import pg from 'pg';
import type { PostgresTarget } from '../url.js';
import { readCaFile } from './tls.js';

export interface PostgresPoolOptions {
  connectionLimit?: number;
}

const TIMESTAMP_OID = 1114;
const INT8_OID = 20;

/**
 * Values as the other drivers give them: TIMESTAMP WITHOUT TIME ZONE as the
 * 'YYYY-MM-DD HH:MM:SS' text Kamailio writes (no time zone guessed), and count(*)'s BIGINT
 * as a number.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === TIMESTAMP_OID) return (value: string) => value;
    if (oid === INT8_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

function tlsOptions(target: PostgresTarget): ConnectionOptions | false {
  const tls = target.tls;
  if (!tls) return false;
  return {
    ca: readCaFile(tls),
    rejectUnauthorized: tls.verifyCertificate,
    checkServerIdentity: tls.verifyHostName ? checkServerIdentity : () => undefined,
  };
}

export function createPostgresPool(target: PostgresTarget, options: PostgresPoolOptions = {}): pg.Pool {
  return new pg.Pool({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    // Without a database, the server's maintenance database (server-level work).
    database: target.database || 'postgres',
    max: options.connectionLimit ?? 10,
    connectionTimeoutMillis: 10_000,
    ssl: tlsOptions(target),
    types,
    application_name: 'hermes',
  });
}

/** A Kysely dialect over a node-postgres pool. */
export function createPostgresDialect(target: PostgresTarget, options: PostgresPoolOptions = {}): PostgresDialect {
  return new PostgresDialect({ pool: createPostgresPool(target, options) });
}

/** Drops the target's database if the server has it, ending its other sessions (tests and benchmarks clean up with it). */
export async function dropDatabaseIfExists(target: PostgresTarget): Promise<void> {
  const pool = createPostgresPool({ ...target, database: '' }, { connectionLimit: 1 });
  try {
    await pool.query(`DROP DATABASE IF EXISTS ${quotePostgresIdentifier(target.database)} WITH (FORCE)`);
  } finally {
    await pool.end();
  }
}

export function quotePostgresIdentifier(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

/** Creates the target's database unless the server has it; true when created. */
export async function createDatabaseIfMissing(target: PostgresTarget): Promise<boolean> {
  const pool = createPostgresPool({ ...target, database: '' }, { connectionLimit: 1 });
  try {
    const found = await pool.query('select 1 from pg_database where datname = $1', [target.database]);
    if (found.rowCount) return false;
    await pool.query(`CREATE DATABASE ${quotePostgresIdentifier(target.database)}`);
    return true;
  } finally {
    await pool.end();
  }
}
