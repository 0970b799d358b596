import { createPool } from 'mysql2/promise';
import pg from 'pg';

const redact = (url: string) => url.replace(/:[^:@/]*@/, ':***@');

/** Each server the suites can run against: its variable, an example and a connection check. */
const SERVERS = [
  {
    name: 'MySQL',
    variable: 'HERMES_TEST_MYSQL_URL',
    example: 'mysql://root@127.0.0.1:3306',
    engine: 'MySQL/MariaDB',
    async check(url: string) {
      const pool = createPool({ uri: url, connectionLimit: 1, connectTimeout: 5_000 });
      try {
        await pool.query('select 1');
      } finally {
        await pool.end();
      }
    },
  },
  {
    name: 'PostgreSQL',
    variable: 'HERMES_TEST_PG_URL',
    example: 'postgres://postgres@127.0.0.1:5432',
    engine: 'PostgreSQL',
    async check(url: string) {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
      await client.connect();
      try {
        await client.query('select 1');
      } finally {
        await client.end();
      }
    },
  },
];

/**
 * Runs once before all test files. With HERMES_TEST_MYSQL_URL (HERMES_TEST_PG_URL) set, the
 * MySQL (PostgreSQL) suites are required: an unreachable server fails the run here. Without
 * it, they are skipped and the run says so.
 */
export default async function setup(): Promise<void> {
  for (const server of SERVERS) {
    const url = process.env[server.variable];
    if (!url) {
      process.stdout.write(
        `\n[hermes tests] ${server.name} suites SKIPPED: ${server.variable} is not set ` +
          `(set it, e.g. ${server.variable}=${server.example}, to run them against ${server.engine}).\n`,
      );
      continue;
    }
    try {
      await server.check(url);
    } catch (error) {
      throw new Error(`${server.variable} is set but the server cannot be reached: ${(error as Error).message}`);
    }
    process.stdout.write(`\n[hermes tests] ${server.name} suites enabled against ${redact(url)}.\n`);
  }
  process.stdout.write('\n');
}
