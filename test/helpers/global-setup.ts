import { createPool } from 'mysql2/promise';

/**
 * Runs once before all test files. With HERMES_TEST_MYSQL_URL set, the MySQL suites are
 * required: an unreachable server fails the run here. Without it, they are skipped and the
 * run says so.
 */
export default async function setup(): Promise<void> {
  const url = process.env.HERMES_TEST_MYSQL_URL;
  if (!url) {
    process.stdout.write(
      '\n[hermes tests] MySQL suites SKIPPED: HERMES_TEST_MYSQL_URL is not set ' +
        '(set it, e.g. HERMES_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306, to run them against MySQL/MariaDB).\n\n',
    );
    return;
  }
  const pool = createPool({ uri: url, connectionLimit: 1, connectTimeout: 5_000 });
  try {
    await pool.query('select 1');
    process.stdout.write(`\n[hermes tests] MySQL suites enabled against ${url.replace(/:[^:@/]*@/, ':***@')}.\n\n`);
  } catch (error) {
    throw new Error(`HERMES_TEST_MYSQL_URL is set but the server cannot be reached: ${(error as Error).message}`);
  } finally {
    await pool.end();
  }
}
