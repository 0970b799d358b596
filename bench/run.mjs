#!/usr/bin/env node
// npm run bench: builds hermes, then runs every bench/*.bench.ts (or those named on the
// command line) one after another against MariaDB (HERMES_BENCH_MYSQL_URL, default
// mysql://root@127.0.0.1:3306). Each benchmark creates and drops its own database and
// prints its figures; docs/performance.md records them.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const wanted = process.argv.slice(2);
const benches = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();
if (benches.length === 0) {
  console.error(`bench: no benchmark matches ${wanted.join(' ')}`);
  process.exit(1);
}
const env = { ...process.env, HERMES_BENCH_MYSQL_URL: process.env.HERMES_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306' };
const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
let failed = 0;
for (const bench of benches) {
  console.log(`\n=== ${bench}`);
  const run = spawnSync('npx', ['tsx', `bench/${bench}`], { cwd: root, stdio: 'inherit', env });
  if (run.status !== 0) {
    console.error(`bench: ${bench} failed (exit ${run.status})`);
    failed++;
  }
}
process.exit(failed > 0 ? 1 : 0);
