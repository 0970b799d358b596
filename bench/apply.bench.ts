/**
 * Benchmark of `hermes apply` and `hermes plan` on MariaDB (npx tsx bench/apply.bench.ts): a
 * generated platform of 100,000 local users, each with an E.164 number and an alias, 20,000
 * phones and a 1,000,000-number pool, written as YAML, in a scratch database that is dropped
 * afterwards.
 *
 * Every headline figure is the built CLI as an operator runs it, in a process of its own
 * (node start-up, module loading, the YAML, the database, rendering), wall clock, with its peak
 * RSS from /usr/bin/time where installed:
 *   apply from empty (`hermes apply FILE --auto-approve`); plan with no changes (`hermes plan
 *   FILE --detailed-exitcode`, median of BENCH_CLI_RUNS), with the per-phase breakdown of the
 *   same work as library calls (load the YAML, read the actual state, compute the plan); plan +
 *   apply of a change to 1% of the users (`hermes apply FILE2 --auto-approve`).
 * Then raw multi-row INSERTs of the same rows the apply wrote (every table), and `kamctl add`
 * for a sample.
 *
 * The bench builds dist/ first (tsc -p tsconfig.build.json). PASS/FAIL lines are the issue's
 * targets only; the other figures are informational.
 *
 * Env: HERMES_BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306), BENCH_USERS (100000),
 * BENCH_KAMCTL_SAMPLE (200), BENCH_CLI_RUNS (3).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPool } from 'mysql2/promise';
import { benchServer, type TableRows } from './lib/servers.js';
import { loadDesiredState } from '../src/desired/index.js';
import { initDatabases, openDatabases } from '../src/db/connect.js';
import { computePlan } from '../src/reconcile/plan.js';
import { readActualState } from '../src/reconcile/read-actual.js';

const SERVER = benchServer();
const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const PHONES = Math.round(USERS / 5);
const POOL = 1_000_000;
const KAMCTL_SAMPLE = Number(process.env.BENCH_KAMCTL_SAMPLE ?? 200);
const CLI_RUNS = Number(process.env.BENCH_CLI_RUNS ?? 3);
const DOMAIN = 'bench.example.com';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const NAME = `hermes_bench_${process.pid}`;

let peakRss = 0;
/** Peak RSS of each CLI measured, by label. */
const cliRss = new Map<string, number>();
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
async function timed<T>(label: string, fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const start = performance.now();
  const value = await fn();
  const seconds = (performance.now() - start) / 1000;
  console.log(`${label.padEnd(48)} ${seconds.toFixed(2)} s`);
  return { value, seconds };
}

/**
 * The built CLI in a process of its own, wall clock; it must exit 0 and print `expect`. Its
 * peak RSS (from /usr/bin/time when installed) is kept under `label`.
 */
function cli(label: string, args: string[], expect: RegExp, workDir: string): number {
  const argv = [CLI, ...args];
  const rssFile = join(workDir, 'rss.txt');
  const start = performance.now();
  const run = TIME ? spawnSync(TIME, ['-f', '%M', '-o', rssFile, process.execPath, ...argv], { encoding: 'utf8', maxBuffer: 1 << 28 }) : spawnSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = (performance.now() - start) / 1000;
  if (run.status !== 0) throw new Error(`hermes ${args[0]} exited ${run.status}: ${run.stderr.trim().split('\n').slice(0, 3).join(' | ')}`);
  if (!expect.test(run.stdout)) throw new Error(`hermes ${args[0]} did not print ${expect}: ${run.stdout.slice(-300)}`);
  if (TIME) cliRss.set(label, Math.max(cliRss.get(label) ?? 0, Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) * 1024));
  return seconds;
}

/** Wall clock of a node process that reads `file` and parses it with js-yaml, nothing else. */
function parserAlone(file: string): number {
  const script = `const { load } = await import(${JSON.stringify(join(ROOT, 'node_modules/js-yaml/dist/js-yaml.mjs'))}); const doc = load((await import('node:fs')).readFileSync(process.argv[1], 'utf8')); if (!doc.users) process.exit(1);`;
  const start = performance.now();
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script, file], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (run.status !== 0) throw new Error(`js-yaml alone failed: ${run.stderr}`);
  return (performance.now() - start) / 1000;
}

/** The tables an apply from empty writes (the `version` and lock rows are not its work). */
const APPLIED_TABLES = ['domain', 'subscriber', 'dbaliases', 'hermes_users', 'hermes_phones', 'hermes_numbers', 'hermes_audit'];

/**
 * Reads back every row the apply wrote, empties those tables, and times raw multi-row INSERTs
 * of the same rows (1000 per statement, one transaction): what the apply would cost with no
 * YAML, no checks and no plan.
 */
async function rawInsertOfAppliedRows(url: string): Promise<number> {
  const tables: TableRows[] = [];
  for (const name of APPLIED_TABLES) tables.push(await SERVER.readTable(url, name, true));
  const total = tables.reduce((n, t) => n + t.rows.length, 0);
  let perTable: number[] = [];
  const { seconds } = await timed(`raw multi-row INSERT of the same ${total} rows`, async () => {
    perTable = await SERVER.insertAll(url, tables);
  });
  console.log(`  (${tables.map((t, i) => `${t.name} ${t.rows.length} rows ${perTable[i].toFixed(2)} s`).join('; ')})`);
  return seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The platform as YAML. Users have no password ("keep the stored one"; generated on creation),
 * so the file needs no 100,000 secrets; displaySuffix makes the 1% change.
 */
function platformYaml(displaySuffix: (i: number) => string): string {
  const out: string[] = ['version: 1', 'domains:', `  - domain: ${DOMAIN}`, 'numbers:', '  ranges:', `    - { start: "+4720000000", end: "+47${20000000 + POOL - 1}" }`, 'users:'];
  const user = (i: number) => `u${String(i).padStart(6, '0')}`;
  for (let i = 0; i < USERS; i++) {
    const u = user(i);
    out.push(`  - { user: ${u}@${DOMAIN}, displayname: "User ${i}${displaySuffix(i)}", email: ${u}@${DOMAIN}, linetext: ${u}, number: "+47${20000000 + i}" }`);
  }
  out.push('aliases:');
  for (let i = 0; i < USERS; i++) out.push(`  - { alias: a-${user(i)}@${DOMAIN}, destination: ${user(i)}@${DOMAIN} }`);
  out.push('phones:');
  for (let i = 0; i < PHONES; i++) out.push(`  - { mac: "${(0x0004f2000000 + i).toString(16).padStart(12, '0')}", users: [${user(i)}@${DOMAIN}] }`);
  return out.join('\n') + '\n';
}

async function main(): Promise<void> {
  // The CLI is measured as built: build it (tsc emits even when files outside this path have type errors).
  spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'ignore' });
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build with npx tsc -p tsconfig.build.json`);
  await SERVER.create(NAME);
  const url = SERVER.url(NAME);
  console.log(`engine: ${SERVER.engine}`);
  const results: Record<string, number> = {};
  const workDir = mkdtempSync(join(tmpdir(), 'hermes-bench-apply-'));
  try {
    await initDatabases({ db: url, kamailioSchema: true });
    const yamlFile = join(workDir, 'platform.yaml');
    const changedFile = join(workDir, 'platform-1pct.yaml');
    writeFileSync(yamlFile, platformYaml(() => ''));
    writeFileSync(changedFile, platformYaml((i) => (i % 100 === 0 ? ' (moved)' : '')));
    console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(`platform: ${USERS} users (+number, +alias), ${PHONES} phones, ${POOL} pool numbers`);
    const created = 1 + USERS + USERS * 2 + PHONES + (POOL - USERS); // domain, users, aliases (number + alias), phones, the pool's available numbers
    results.applyEmpty = cli('apply', ['apply', yamlFile, '--db', url, '--auto-approve'], new RegExp(`Apply complete: ${created} added, 0 changed, 0 removed`), workDir);
    console.log(`${'apply from empty: hermes apply CLI'.padEnd(48)} ${results.applyEmpty.toFixed(2)} s`);
    // The reference for the apply: raw multi-row INSERTs (1000 rows per statement, one transaction) of the
    // same rows hermes' apply from empty wrote (right after it), read back from every table it writes and
    // re-inserted into the emptied tables.
    results.rawInsert = await rawInsertOfAppliedRows(url);
    // Loading the YAML as the CLI does it: `hermes validate FILE` (node start-up, the parse, the
    // checks), median of CLI_RUNS.
    const loads: number[] = [];
    for (let i = 0; i < CLI_RUNS; i++) loads.push(cli('validate', ['validate', yamlFile], /\bvalid\b/, workDir));
    results.loadCli = median(loads);
    console.log(`${`load the YAML: hermes validate CLI (median of ${CLI_RUNS})`.padEnd(48)} ${results.loadCli.toFixed(2)} s  (runs: ${loads.map((r) => r.toFixed(2)).join(', ')} s)`);
    // The floor under any YAML load built on js-yaml: a node process that only reads the file and
    // parses it with js-yaml (no positions, no schema, no checks, no desired state).
    const parses: number[] = [];
    for (let i = 0; i < CLI_RUNS; i++) parses.push(parserAlone(yamlFile));
    results.parserAlone = median(parses);
    console.log(`${`  reference: js-yaml alone in a node process`.padEnd(48)} ${results.parserAlone.toFixed(2)} s  (runs: ${parses.map((r) => r.toFixed(2)).join(', ')} s)`);
    const runs: number[] = [];
    for (let i = 0; i < CLI_RUNS; i++) runs.push(cli('plan', ['plan', yamlFile, '--db', url, '--detailed-exitcode'], /No changes\./, workDir));
    results.planCli = median(runs);
    console.log(`${`plan with no changes: hermes plan CLI (median of ${CLI_RUNS})`.padEnd(48)} ${results.planCli.toFixed(2)} s  (runs: ${runs.map((r) => r.toFixed(2)).join(', ')} s)`);
    // The same work as library calls in this process, each phase timed (one after the other:
    // the CLI overlaps the first two on MySQL).
    const db = await openDatabases({ db: url });
    try {
      const start = performance.now();
      const loaded = await timed('  load the YAML (loadDesiredState)', () => loadDesiredState([yamlFile], { secrets: 'required' }));
      if (!loaded.value.state) throw new Error(`the generated YAML does not load: ${loaded.value.diagnostics.slice(0, 3).map((d) => d.message).join('; ')}`);
      const actual = await timed('  read the actual state (readActualState)', () => readActualState(db));
      const computed = await timed('  compute the plan (computePlan)', async () => computePlan(loaded.value.state!, actual.value));
      if (computed.value.changes.length !== 0) throw new Error(`expected no changes from the YAML, got ${computed.value.changes.length}`);
      results.planYamlLoad = loaded.seconds;
      results.planYamlRead = actual.seconds;
      results.planYamlCompute = computed.seconds;
      results.planYaml = (performance.now() - start) / 1000;
      console.log(`${'  library calls, total (one after the other)'.padEnd(48)} ${results.planYaml.toFixed(2)} s`);
    } finally {
      await db.close();
    }
    results.planApply1pct = cli('apply 1%', ['apply', changedFile, '--db', url, '--auto-approve'], new RegExp(`Apply complete: 0 added, ${USERS / 100} changed, 0 removed`), workDir);
    console.log(`${'plan + apply of a change to 1% of users: CLI'.padEnd(48)} ${results.planApply1pct.toFixed(2)} s`);
    const kamctl = SERVER.engine === 'mysql' ? await kamctlAdd(url) : undefined;
    if (kamctl !== undefined) results.kamctl = kamctl;
  } finally {
    await SERVER.drop(NAME);
    clearInterval(sampler);
    rmSync(workDir, { recursive: true, force: true });
  }
  report(results);
}

/**
 * kamctl add, one process per user, for a sample; extrapolated to USERS. kamctl always passes
 * -p to the mysql client, so it gets a temporary MySQL user with a password (dropped after).
 */
async function kamctlAdd(url: string): Promise<number | undefined> {
  const server = createPool({ uri: url, connectionLimit: 1 });
  try {
    const KAMCTL_USER = `hermes_kamctl_${process.pid}`;
    const KAMCTL_PW = `kamctl-${process.pid}-bench`;
    try {
      for (const host of ['127.0.0.1', 'localhost']) {
        await server.query(`CREATE USER '${KAMCTL_USER}'@'${host}' IDENTIFIED BY '${KAMCTL_PW}'`);
        await server.query(`GRANT ALL ON \`${NAME}\`.* TO '${KAMCTL_USER}'@'${host}'`);
      }
      const home = mkdtempSync(join(tmpdir(), 'hermes-kamctl-'));
      const u = new URL(url);
      u.username = KAMCTL_USER;
      u.password = KAMCTL_PW;
      writeFileSync(
        join(home, '.kamctlrc'),
        [`DBENGINE=MYSQL`, `DBHOST=${u.hostname}`, `DBPORT=${u.port || 3306}`, `DBNAME=${NAME}`, `DBRWUSER=${decodeURIComponent(u.username) || 'root'}`, `DBRWPW="${decodeURIComponent(u.password)}"`, `DBROUSER=${decodeURIComponent(u.username) || 'root'}`, `DBROPW="${decodeURIComponent(u.password)}"`, `SIP_DOMAIN=${DOMAIN}`, 'STORE_PLAINTEXT_PW=1', 'VERIFY_ACL=0', 'CTLENGINE=RPCFIFO'].join('\n') + '\n',
      );
      const start = performance.now();
      for (let i = 0; i < KAMCTL_SAMPLE; i++) {
        execFileSync('kamctl', ['add', `k${i}@${DOMAIN}`, `pw-k${i}`], { env: { ...process.env, HOME: home }, stdio: ['ignore', 'ignore', 'pipe'] });
      }
      const perUser = (performance.now() - start) / 1000 / KAMCTL_SAMPLE;
      console.log(`${`kamctl add x ${KAMCTL_SAMPLE} (per user ${(perUser * 1000).toFixed(1)} ms)`.padEnd(48)} extrapolated to ${USERS}: ${(perUser * USERS).toFixed(0)} s`);
      rmSync(home, { recursive: true, force: true });
      return perUser * USERS;
    } catch (error) {
      console.log(`kamctl add: not measured (${(error as Error).message.split('\n')[0]})`);
      return undefined;
    }
  } finally {
    for (const host of ['127.0.0.1', 'localhost']) await server.query(`DROP USER IF EXISTS 'hermes_kamctl_${process.pid}'@'${host}'`).catch(() => undefined);
    await server.end();
  }
}

/** The figures, and PASS/FAIL for the issues' targets (exit 1 when one fails). */
function report(results: Record<string, number>): void {
  console.log(`load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const [label, rss] of cliRss) console.log(`${`peak RSS (hermes ${label} CLI)`.padEnd(48)} ${mib(rss)}`);
  console.log(`${'peak RSS (this bench process: library phases)'.padEnd(48)} ${mib(peakRss)}`);
  console.log(`apply / raw INSERT ratio                         ${(results.applyEmpty / results.rawInsert).toFixed(1)}x`);
  if (results.kamctl) console.log(`apply / kamctl add ratio                         ${(results.applyEmpty / results.kamctl).toFixed(4)} (kamctl ${(results.kamctl / results.applyEmpty).toFixed(0)}x slower)`);
  // Informational, not a target of the issue.
  console.log(`info: read + compute of a plan with no changes (library calls) ${(results.planYamlRead + results.planYamlCompute).toFixed(2)} s`);
  // The issue's targets.
  const targets = [
    ['apply from empty <= 30 s (hermes apply CLI, wall clock)', results.applyEmpty <= 30],
    ['plan with no changes <= 2 s (hermes plan CLI, wall clock, median)', results.planCli <= 2],
    ['loading the YAML <= 1 s (hermes validate CLI, wall clock, median)', results.loadCli <= 1],
    ['apply from empty <= 10x the raw multi-row INSERT of the same rows', results.applyEmpty <= 10 * results.rawInsert],
    ['plan + apply 1% <= 5 s (hermes apply CLI, wall clock)', results.planApply1pct <= 5],
    [TIME ? 'peak RSS <= 1 GiB (every hermes CLI run)' : 'peak RSS <= 1 GiB: not measured (/usr/bin/time is not installed)', TIME !== undefined && Math.max(...cliRss.values()) <= 1024 ** 3],
  ] as const;
  for (const [label, ok] of targets) console.log(`${ok ? 'PASS' : 'FAIL'} ${label}`);
  if (targets.some(([, ok]) => !ok)) process.exitCode = 1;
}

await main();
