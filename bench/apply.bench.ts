/**
 * Benchmark of `hermes apply` on MariaDB (npx tsx bench/apply.bench.ts): a generated platform of
 * 100,000 local users, each with an E.164 number and an alias, 20,000 phones and a
 * 1,000,000-number pool, in a scratch database that is dropped afterwards.
 *
 *   apply from empty; plan with no changes as the operator runs it — the built CLI
 *   (`node dist/cli/main.js plan FILE --db URL --detailed-exitcode`) spawned, wall clock, median
 *   of 3, with the per-phase breakdown of the same work as library calls (load the YAML, read
 *   the actual state, compute the plan) and the in-memory plan; plan + apply of a change to 1%
 *   of the users; peak RSS (this process and the CLI's); raw multi-row INSERTs of the same
 *   subscriber rows; `kamctl add` for a sample.
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
import { loadDesiredState } from '../src/desired/index.js';
import { initDatabases, openDatabases } from '../src/db/connect.js';
import type { DesiredState, DesiredUser } from '../src/desired/types.js';
import { computeHa1, computeHa1b } from '../src/ops/canonical.js';
import { applyDesiredState } from '../src/reconcile/apply.js';
import { computePlan } from '../src/reconcile/plan.js';
import { readActualState } from '../src/reconcile/read-actual.js';

const SERVER = (process.env.HERMES_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');
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
let cliPeakRss = 0;
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
 * `hermes plan FILE --db URL --detailed-exitcode` as an operator runs it: the built CLI in a
 * process of its own (node start-up, module loading, rendering included), wall clock; exit 0
 * (no changes) is required. Peak RSS of the child from /usr/bin/time when installed.
 */
function cliPlan(yamlFile: string, url: string): number {
  const args = [CLI, 'plan', yamlFile, '--db', url, '--detailed-exitcode'];
  const rssFile = join(dirname(yamlFile), 'rss.txt');
  const start = performance.now();
  const run = TIME ? spawnSync(TIME, ['-f', '%M', '-o', rssFile, process.execPath, ...args], { encoding: 'utf8' }) : spawnSync(process.execPath, args, { encoding: 'utf8' });
  const seconds = (performance.now() - start) / 1000;
  if (run.status !== 0) throw new Error(`hermes plan exited ${run.status} (expected 0, no changes): ${run.stderr.trim().split('\n').slice(0, 3).join(' | ')}`);
  if (!/No changes\./.test(run.stdout)) throw new Error(`hermes plan did not say "No changes.": ${run.stdout.slice(0, 200)}`);
  if (TIME) cliPeakRss = Math.max(cliPeakRss, Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) * 1024);
  return seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function platform(displaySuffix: (i: number) => string): DesiredState {
  const users: DesiredUser[] = [];
  for (let i = 0; i < USERS; i++) {
    const username = `u${String(i).padStart(6, '0')}`;
    users.push({
      username,
      domain: DOMAIN,
      address: `${username}@${DOMAIN}`,
      kind: 'local',
      displayname: `User ${i}${displaySuffix(i)}`,
      email: `${username}@${DOMAIN}`,
      linetext: username,
      dialplan: '',
      number: `+47${20000000 + i}`,
      password: `pw-${i}-bench`,
    });
  }
  return {
    version: 1,
    files: [],
    domains: [{ domain: DOMAIN, state: 'present', unmanaged: [] }],
    numbers: { ranges: [{ start: '+4720000000', end: `+47${20000000 + POOL - 1}` }], numbers: [] },
    users,
    aliases: users.map((u) => ({ alias_username: `a-${u.username}`, alias_domain: DOMAIN, username: u.username, domain: DOMAIN })),
    phones: Array.from({ length: PHONES }, (_, i) => ({ mac: (0x0004f2000000 + i).toString(16).padStart(12, '0'), lines: [users[i].address] })),
  };
}

/**
 * The same platform as YAML (users without a password: "keep the stored one", so the file needs
 * no 100,000 secrets), written once to a temporary file for the end-to-end plan.
 */
function platformYaml(): string {
  const out: string[] = ['version: 1', 'domains:', `  - domain: ${DOMAIN}`, 'numbers:', '  ranges:', `    - { start: "+4720000000", end: "+47${20000000 + POOL - 1}" }`, 'users:'];
  const user = (i: number) => `u${String(i).padStart(6, '0')}`;
  for (let i = 0; i < USERS; i++) {
    const u = user(i);
    out.push(`  - { user: ${u}@${DOMAIN}, displayname: "User ${i}", email: ${u}@${DOMAIN}, linetext: ${u}, number: "+47${20000000 + i}" }`);
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
  const server = createPool({ uri: SERVER, connectionLimit: 1 });
  await server.query(`CREATE DATABASE \`${NAME}\``);
  const url = `${SERVER}/${NAME}`;
  const results: Record<string, number> = {};
  try {
    await initDatabases({ db: url, kamailioSchema: true });
    const db = await openDatabases({ db: url });
    try {
      let desired: DesiredState | undefined = platform(() => '');
      console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
      console.log(`platform: ${USERS} users (+number, +alias), ${PHONES} phones, ${POOL} pool numbers`);
      const approve = { actor: 'bench', confirm: async () => true, force: true };
      results.applyEmpty = (await timed('apply from empty', () => applyDesiredState(db, { desired: desired!, ...approve }))).seconds;
      results.planNoChanges = (
        await timed('plan with no changes (read + compute, in memory)', async () => {
          const plan = computePlan(desired!, await readActualState(db));
          if (plan.changes.length !== 0) throw new Error(`expected no changes, got ${plan.changes.length}`);
        })
      ).seconds;
      desired = undefined; // one platform in memory at a time, as in the CLI
      // As `hermes plan FILE` does it: the built CLI (the headline figure), then the same work
      // as library calls, each phase timed.
      const yamlDir = mkdtempSync(join(tmpdir(), 'hermes-bench-apply-'));
      try {
        const yamlFile = join(yamlDir, 'platform.yaml');
        writeFileSync(yamlFile, platformYaml());
        const runs: number[] = [];
        for (let i = 0; i < CLI_RUNS; i++) runs.push(cliPlan(yamlFile, url));
        results.planCli = median(runs);
        console.log(`${`plan with no changes: hermes plan CLI (median of ${CLI_RUNS})`.padEnd(48)} ${results.planCli.toFixed(2)} s  (runs: ${runs.map((r) => r.toFixed(2)).join(', ')} s)`);
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
        rmSync(yamlDir, { recursive: true, force: true });
      }
      const changed = platform((i) => (i % 100 === 0 ? ' (moved)' : ''));
      results.planApply1pct = (
        await timed('plan + apply of a change to 1% of users', async () => {
          const outcome = await applyDesiredState(db, { desired: changed, ...approve });
          if (outcome.plan.summary.change !== USERS / 100) throw new Error(`expected ${USERS / 100} updates, got ${outcome.plan.summary.change}`);
        })
      ).seconds;
    } finally {
      await db.close();
    }
    // Raw multi-row INSERTs of the same subscriber rows (1000 per statement), in an empty table.
    const raw = createPool({ uri: url, connectionLimit: 1 });
    await raw.query('DELETE FROM subscriber');
    results.rawInsert = (
      await timed('raw multi-row INSERT of the subscriber rows', async () => {
        const conn = await raw.getConnection();
        await conn.beginTransaction();
        for (let start = 0; start < USERS; start += 1000) {
          const rows: string[][] = [];
          for (let i = start; i < Math.min(USERS, start + 1000); i++) {
            const u = `u${String(i).padStart(6, '0')}`;
            const pw = `pw-${i}-bench`;
            rows.push([u, DOMAIN, pw, computeHa1(u, DOMAIN, pw), computeHa1b(u, DOMAIN, pw)]);
          }
          await conn.query('INSERT INTO subscriber (username, domain, password, ha1, ha1b) VALUES ?', [rows]);
        }
        await conn.commit();
        conn.release();
      })
    ).seconds;
    await raw.end();
    // kamctl add, one process per user, for a sample; extrapolated. kamctl always passes -p to
    // the mysql client, so it gets a temporary MySQL user with a password (dropped below).
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
      results.kamctl = perUser * USERS;
      console.log(`${`kamctl add x ${KAMCTL_SAMPLE} (per user ${(perUser * 1000).toFixed(1)} ms)`.padEnd(48)} extrapolated to ${USERS}: ${results.kamctl.toFixed(0)} s`);
      rmSync(home, { recursive: true, force: true });
    } catch (error) {
      console.log(`kamctl add: not measured (${(error as Error).message.split('\n')[0]})`);
    }
  } finally {
    for (const host of ['127.0.0.1', 'localhost']) await server.query(`DROP USER IF EXISTS 'hermes_kamctl_${process.pid}'@'${host}'`).catch(() => undefined);
    await server.query(`DROP DATABASE IF EXISTS \`${NAME}\``);
    await server.end();
    clearInterval(sampler);
  }
  console.log(`load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`peak RSS (this process)                          ${mib(peakRss)}`);
  if (TIME) console.log(`peak RSS (hermes plan CLI)                       ${mib(cliPeakRss)}`);
  console.log(`apply / raw INSERT ratio                         ${(results.applyEmpty / results.rawInsert).toFixed(1)}x`);
  if (results.kamctl) console.log(`apply / kamctl add ratio                         ${(results.applyEmpty / results.kamctl).toFixed(4)} (kamctl ${(results.kamctl / results.applyEmpty).toFixed(0)}x slower)`);
  // Informational, not a target of the issue.
  console.log(`info: read + compute of a plan with no changes (library calls) ${(results.planYamlRead + results.planYamlCompute).toFixed(2)} s`);
  // The issue's targets.
  const targets = [
    ['apply from empty <= 30 s', results.applyEmpty <= 30],
    ['plan with no changes <= 5 s (hermes plan CLI, wall clock, median)', results.planCli <= 5],
    ['plan + apply 1% <= 5 s', results.planApply1pct <= 5],
    ['peak RSS <= 1 GiB (this process and the plan CLI)', Math.max(peakRss, cliPeakRss) <= 1024 ** 3],
  ] as const;
  for (const [label, ok] of targets) console.log(`${ok ? 'PASS' : 'FAIL'} ${label}`);
  if (targets.some(([, ok]) => !ok)) process.exitCode = 1;
}

await main();
