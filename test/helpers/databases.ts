import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { initDatabases, openDatabases, openUnchecked, type Connection } from '../../src/db/connect.js';
import { adapterNamed } from '../../src/db/dialects/index.js';
import type { DialectName } from '../../src/db/types.js';
import { parseDbUrl } from '../../src/db/url.js';

export const MYSQL_URL = process.env.HERMES_TEST_MYSQL_URL?.replace(/\/+$/, '');
export const PG_URL = process.env.HERMES_TEST_PG_URL?.replace(/\/+$/, '');

export const DIALECTS: readonly DialectName[] = ['sqlite', 'mysql', 'postgres'];

/** The server URL (no database) of a server dialect's suites, from the environment. */
const SERVER_URLS: Record<Exclude<DialectName, 'sqlite'>, { url: string | undefined; variable: string }> = {
  mysql: { url: MYSQL_URL, variable: 'HERMES_TEST_MYSQL_URL' },
  postgres: { url: PG_URL, variable: 'HERMES_TEST_PG_URL' },
};

export function dialectEnabled(dialect: DialectName): boolean {
  return dialect === 'sqlite' || Boolean(SERVER_URLS[dialect].url);
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

/** Creates an empty database: a file in a temp folder, or a new database on the MySQL or PostgreSQL server. */
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
  const server = SERVER_URLS[dialect];
  if (!server.url) throw new Error(`${server.variable} is not set`);
  const name = uniqueName();
  const url = `${server.url}/${name}`;
  await adapterNamed(dialect).createDatabaseIfMissing(parseDbUrl(url) as never);
  return {
    dialect,
    url,
    async drop() {
      // On the server without a database (PostgreSQL: its maintenance database).
      const db = await openUnchecked(server.url!);
      try {
        if (dialect === 'mysql') await sql.raw(`DROP DATABASE IF EXISTS \`${name}\``).execute(db);
        else await dropPostgresDatabase(db, name);
      } finally {
        await db.destroy();
      }
    },
  };
}

/**
 * Drops a PostgreSQL database once the sessions of a closed pool have gone: pg's pool.end()
 * resolves when its clients have sent their goodbye, not when the server has closed them, and
 * a DROP … WITH (FORCE) in that moment terminates a session whose client still listens, which
 * then raises an unhandled 57P01 in the test run. So: a plain DROP while sessions linger
 * (55006, "being accessed by other users"), retried briefly; FORCE only as the last resort.
 */
/** Whether an error, or one it wraps (hermes' safe-error wrapper), has this SQLSTATE. */
function sqlStateIs(error: unknown, state: string): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) if (e.code === state) return true;
  return false;
}

async function dropPostgresDatabase(db: Kysely<any>, name: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      await sql.raw(`DROP DATABASE IF EXISTS "${name}"`).execute(db);
      return;
    } catch (error) {
      if (!sqlStateIs(error, '55006')) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  await sql.raw(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).execute(db);
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

const DATA_TABLES = ['subscriber', 'domain', 'domain_attrs', 'dbaliases', 'hermes_users', 'hermes_phones', 'hermes_numbers', 'hermes_tokens', 'hermes_audit', 'hermes_locks', 'hermes_provisioning', 'hermes_fetches'];

/**
 * Declares `body` once per dialect, each in its own freshly created database that is dropped
 * afterwards. MySQL and PostgreSQL suites are skipped (and say why in their name) without
 * HERMES_TEST_MYSQL_URL / HERMES_TEST_PG_URL.
 */
export function describeEachDatabase(title: string, body: (suite: DatabaseSuite) => void): void {
  for (const dialect of DIALECTS) {
    const enabled = dialectEnabled(dialect);
    const declare = enabled ? describe : describe.skip;
    const name = enabled ? `${title} [${dialect}]` : `${title} [${dialect}: skipped, ${dialect === 'sqlite' ? '' : SERVER_URLS[dialect].variable} not set]`;
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
