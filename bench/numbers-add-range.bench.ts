/**
 * Benchmark: numbers/add_range of 1,000,000 numbers on MariaDB (target: at most 15 s).
 * Creates a scratch database on the server of HERMES_BENCH_MYSQL_URL (default
 * HERMES_TEST_MYSQL_URL, else mysql://root@127.0.0.1:3306), creates the Kamailio and
 * provisioning tables, runs addNumberRange once through callNode (as the API would), checks
 * the pool, prints the seconds, and drops the database.
 *
 *   npx tsx bench/numbers-add-range.bench.ts
 */
import { randomBytes } from 'node:crypto';
import { createPool } from 'mysql2/promise';
import { initDatabases, openDatabases } from '../src/db/connect.js';
import { callNode } from '../src/ops/index.js';

const server = (process.env.HERMES_BENCH_MYSQL_URL ?? process.env.HERMES_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');
const name = `hermes_bench_${randomBytes(4).toString('hex')}`;
const START = '+4720000000';
const END = '+4720999999';
const TARGET_SECONDS = 15;

async function main(): Promise<void> {
  const admin = createPool({ uri: server, connectionLimit: 1 });
  await admin.query(`CREATE DATABASE \`${name}\``);
  try {
    const url = `${server}/${name}`;
    await initDatabases({ db: url, kamailioSchema: true });
    const db = await openDatabases({ db: url });
    try {
      const t0 = performance.now();
      const r = await callNode(db, 'numbers/add_range', { start: START, end: END }, { actor: 'bench' });
      const seconds = (performance.now() - t0) / 1000;
      if (r.response !== 'ok') throw new Error(`numbers/add_range answered ${JSON.stringify(r)}`);
      const count = await db.provisioning.selectFrom('hermes_numbers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      if (Number(count.n) !== 1_000_000 || r.added !== 1_000_000) throw new Error(`expected 1,000,000 numbers, pool holds ${count.n}`);
      const t1 = performance.now();
      const again = await callNode(db, 'numbers/add_range', { start: START, end: END }, { actor: 'bench' });
      const secondsAgain = (performance.now() - t1) / 1000;
      if (again.response !== 'ok' || again.added !== 0) throw new Error(`re-run answered ${JSON.stringify(again)}`);
      console.log(`numbers/add_range 1,000,000 numbers on MariaDB: ${seconds.toFixed(2)} s (target <= ${TARGET_SECONDS} s) ${seconds <= TARGET_SECONDS ? 'PASS' : 'FAIL'}`);
      console.log(`numbers/add_range again (all 1,000,000 already pooled, 0 added): ${secondsAgain.toFixed(2)} s`);
      if (seconds > TARGET_SECONDS) process.exitCode = 1;
    } finally {
      await db.close();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
