import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool } from 'mysql2/promise';
import { afterAll, beforeAll, describe } from 'vitest';
import { initDatabases, openDatabases, type Connection } from '../../src/db/connect.js';
import type { DialectName } from '../../src/db/types.js';

export const MYSQL_URL = process.env.HERMES_TEST_MYSQL_URL?.replace(/\/+$/, '');

export const DIALECTS: readonly DialectName[] = ['sqlite', 'mysql'];

export function dialectEnabled(dialect: DialectName): boolean {
  return dialect === 'sqlite' || Boolean(MYSQL_URL);
}

/** A freshly created, empty database of one dialect, dropped by drop(). */
export interface ScratchDatabase {
  dialect: DialectName;
  url: string;
  drop(): Promise<void>;
}

function uniqueName(): string {
  return `hermes_t_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Creates an empty database: a file in a temp folder, or a new MySQL database. */
export async function createScratchDatabase(dialect: DialectName): Promise<ScratchDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'hermes-test-'));
    return {
      dialect,
      url: `sqlite:${join(dir, 'hermes.db')}`,
      async drop() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (!MYSQL_URL) throw new Error('HERMES_TEST_MYSQL_URL is not set');
  const name = uniqueName();
  const server = createPool({ uri: MYSQL_URL, connectionLimit: 1 });
  try {
    await server.query(`CREATE DATABASE \`${name}\``);
  } finally {
    await server.end();
  }
  return {
    dialect,
    url: `${MYSQL_URL}/${name}`,
    async drop() {
      const pool = createPool({ uri: MYSQL_URL, connectionLimit: 1 });
      try {
        await pool.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await pool.end();
      }
    },
  };
}

/** A scratch database with Kamailio's and the provisioning tables, opened. */
export interface TestDatabase extends ScratchDatabase {
  connection: Connection;
}

export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  const scratch = await createScratchDatabase(dialect);
  await initDatabases({ db: scratch.url, kamailioSchema: true });
  const connection = await openDatabases({ db: scratch.url });
  return {
    ...scratch,
    connection,
    async drop() {
      await connection.close();
      await scratch.drop();
    },
  };
}

/** Everything a suite run against one dialect needs; valid inside its tests and hooks. */
export interface DatabaseSuite {
  dialect: DialectName;
  /** The suite's database (created in beforeAll, dropped in afterAll). */
  readonly db: TestDatabase;
  /** Deletes every row of the Kamailio and provisioning tables (keeps `version`). */
  clear(): Promise<void>;
  /** More databases for the suite, dropped with it. */
  scratch(): Promise<ScratchDatabase>;
}

const DATA_TABLES = ['subscriber', 'domain', 'domain_attrs', 'dbaliases', 'hermes_users', 'hermes_phones', 'hermes_numbers', 'hermes_tokens', 'hermes_audit', 'hermes_locks'];

/**
 * Declares `body` once per dialect, each in its own freshly created database that is dropped
 * afterwards. MySQL suites are skipped (and say why in their name) without HERMES_TEST_MYSQL_URL.
 */
export function describeEachDatabase(title: string, body: (suite: DatabaseSuite) => void): void {
  for (const dialect of DIALECTS) {
    const enabled = dialectEnabled(dialect);
    const declare = enabled ? describe : describe.skip;
    const name = enabled ? `${title} [${dialect}]` : `${title} [${dialect}: skipped, HERMES_TEST_MYSQL_URL not set]`;
    declare(name, () => {
      let database: TestDatabase | undefined;
      const extra: ScratchDatabase[] = [];
      const suite: DatabaseSuite = {
        dialect,
        get db() {
          if (!database) throw new Error('the suite database exists only inside tests and hooks');
          return database;
        },
        async clear() {
          const { kamailio, provisioning } = suite.db.connection;
          for (const table of DATA_TABLES) {
            const db = table.startsWith('hermes_') ? provisioning : kamailio;
            await (db as any).deleteFrom(table).execute();
          }
        },
        async scratch() {
          const s = await createScratchDatabase(dialect);
          extra.push(s);
          return s;
        },
      };
      beforeAll(async () => {
        database = await createTestDatabase(dialect);
      });
      afterAll(async () => {
        await database?.drop();
        for (const s of extra) await s.drop();
      });
      body(suite);
    });
  }
}
