/**
 * Benchmark: loading a large desired state (issue 4's loader, for plan's target of a no-change
 * plan in <= 5 s end to end and <= 1 GiB). Generates a platform of 100,000 local users (each
 * with an E.164 number from one declared 1,000,000-number range, one in ten with a password
 * from the environment), 100 remote users, 100,000 aliases and 20,000 phones with 1-3 lines
 * (about 18 MB of YAML) into a temporary file, then loads it with loadDesiredState (secrets
 * 'required') as built in dist/ (the code `hermes plan` runs; the bench builds first), in a
 * fresh Node process per run, three times, and prints the median seconds, CPU seconds and
 * peak RSS; checks that every user, alias and phone is in the state with its line and column
 * (the one parser records every position in the same pass). Also one load as `hermes
 * validate` does it without the secrets (10,100 warnings).
 *
 *   npx tsx bench/load-desired.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const USERS = 100_000;
const REMOTES = 100;
const ALIASES = 100_000;
const PHONES = 20_000;
const DOMAINS = ['example.com', 'example.org', 'example.net', 'example.no'];
const RANGE_START = 4720000000;
const TARGET_SECONDS = 1;
const TARGET_RSS_MB = 1024;
const RUNS = 3;
const PASSWORD_ENV = 'HERMES_BENCH_PASSWORD';

function platform(): string {
  const out: string[] = ['# yaml-language-server: $schema=../schema/hermes.schema.json', 'version: 1', '', 'domains:'];
  for (const d of DOMAINS) out.push(`  - domain: ${d}`, `    unmanaged: ["legacy-*"]`);
  out.push('', 'numbers:', '  ranges:', `    - { start: "+${RANGE_START}", end: "+${RANGE_START + 999_999}" }`, '  numbers: ["+4761123456"]', '', 'users:');
  const address = (i: number) => `user${i}@${DOMAINS[i % DOMAINS.length]}`;
  for (let i = 0; i < USERS; i++) {
    out.push(`  - user: ${address(i)}`, `    displayname: User ${i}`, `    number: "+${RANGE_START + i * 7}"`);
    if (i % 10 === 0) out.push(`    email: user${i}@mail.example.com`);
    if (i % 10 === 0) out.push(`    password: { env: ${PASSWORD_ENV} }`);
  }
  for (let i = 0; i < REMOTES; i++) out.push(`  - user: remote${i}@sip.partner.net`, `    displayname: Remote ${i}`, `    password: { env: ${PASSWORD_ENV} }`, '    registrar: sip.partner.net', '    r_port: 5060');
  out.push('', 'aliases:');
  for (let i = 0; i < ALIASES; i++) out.push(`  - { alias: "alias-${i}@${DOMAINS[(i * 3) % DOMAINS.length]}", destination: ${address((i * 13) % USERS)} }`);
  out.push('', 'phones:');
  for (let i = 0; i < PHONES; i++) {
    const mac = (0x0004f2000000 + i).toString(16).padStart(12, '0').replace(/(..)(?!$)/g, '$1:');
    const lines = Array.from({ length: 1 + (i % 3) }, (_, k) => address((i * 5 + k) % USERS));
    out.push(`  - mac: "${mac}"`, `    users: [${lines.join(', ')}]`);
  }
  out.push('');
  return out.join('\n');
}

interface ChildResult {
  seconds: number;
  /** CPU time of the process (all threads, including GC helpers) during the load. */
  cpuSeconds: number;
  rssMb: number;
  diagnostics: number;
  users: number;
  aliases: number;
  phones: number;
}

/** One load in this (fresh) process; prints a ChildResult as JSON. */
async function child(file: string, mode: 'load' | 'validate'): Promise<void> {
  // the built code, which `hermes plan` runs (main() builds it first)
  const { loadDesiredState } = (await import(new URL('../dist/desired/index.js', import.meta.url).href)) as typeof import('../src/desired/index.js');
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  // 'validate': `hermes validate` without the production secrets: every { env } is a warning
  const result = mode === 'validate' ? await loadDesiredState([file], { secrets: 'warn', env: {} }) : await loadDesiredState([file], { secrets: 'required', env: { [PASSWORD_ENV]: 'bench-secret-example' } });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  if (!result.state) throw new Error(`the generated platform is invalid: ${JSON.stringify(result.diagnostics.slice(0, 3))}`);
  const s = result.state;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  for (const o of [...s.users!, ...s.aliases!, ...s.phones!]) if (!(o.at && o.at.line > 0 && o.at.column > 0)) throw new Error(`no position: ${JSON.stringify(o.at)}`);
  const out: ChildResult = { seconds, cpuSeconds, rssMb, diagnostics: result.diagnostics.length, users: s.users!.length, aliases: s.aliases!.length, phones: s.phones!.length };
  process.stdout.write(JSON.stringify(out) + '\n');
}

function run(file: string, mode: 'load' | 'validate'): ChildResult {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', file, mode], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1], args[2] as 'load' | 'validate');
  // build src -> dist (it still emits when files outside src/desired have type errors)
  spawnSync(process.execPath, [fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)), '-p', fileURLToPath(new URL('../tsconfig.build.json', import.meta.url))], { stdio: 'ignore' });
  const dir = mkdtempSync(join(tmpdir(), 'hermes-bench-load-'));
  try {
    const file = join(dir, 'hermes.yaml');
    writeFileSync(file, platform());
    const mb = statSync(file).size / 1024 / 1024;
    console.log(`platform: ${USERS.toLocaleString('en-US')} local + ${REMOTES} remote users, ${ALIASES.toLocaleString('en-US')} aliases, ${PHONES.toLocaleString('en-US')} phones: ${mb.toFixed(1)} MB of YAML`);
    const runs: ChildResult[] = [];
    for (let i = 0; i < RUNS; i++) {
      const before = load();
      const r = run(file, 'load');
      runs.push(r);
      console.log(`  run ${i + 1}: ${r.seconds.toFixed(2)} s (CPU ${r.cpuSeconds.toFixed(2)} s), peak RSS ${r.rssMb.toFixed(0)} MB (load average before: ${before})`);
      if (r.users !== USERS + REMOTES || r.aliases !== ALIASES || r.phones !== PHONES) throw new Error(`unexpected result ${JSON.stringify(r)}`);
    }
    const seconds = median(runs.map((r) => r.seconds));
    const rss = Math.max(...runs.map((r) => r.rssMb));
    const ok = seconds <= TARGET_SECONDS && rss <= TARGET_RSS_MB;
    console.log(`loadDesiredState, median of ${RUNS}: ${seconds.toFixed(2)} s (target <= ${TARGET_SECONDS} s), peak RSS ${rss.toFixed(0)} MB (target <= ${TARGET_RSS_MB} MB) ${ok ? 'PASS' : 'FAIL'}; load average ${load()}`);
    {
      const before = load();
      const r = run(file, 'validate');
      console.log(`validate without the secrets (secrets 'warn', ${r.diagnostics.toLocaleString('en-US')} warnings), one run: ${r.seconds.toFixed(2)} s (CPU ${r.cpuSeconds.toFixed(2)} s), peak RSS ${r.rssMb.toFixed(0)} MB (load average before: ${before})`);
    }
    if (!ok) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
