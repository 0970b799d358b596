/**
 * What the HTTP benchmarks share (api-user-get, provision-serve): autocannon's API, a scratch
 * MariaDB database, `hermes serve` as a separate process, and CPU seconds from /proc.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createPool } from 'mysql2/promise';

/** The part of autocannon's API used here (the package ships no types). */
export interface LoadResult {
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
export interface LoadRequest {
  method: string;
  path?: string;
  headers?: Record<string, string>;
  setupRequest?: (request: LoadRequest) => LoadRequest;
}
type Autocannon = (options: { url: string; connections: number; duration: number; overallRate?: number; headers: Record<string, string>; requests: LoadRequest[] }) => Promise<LoadResult>;
export const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** The project's root (with a trailing slash). */
export const root = fileURLToPath(new URL('../..', import.meta.url));

/** Builds dist/ when it is missing (the server runs as built). */
export function ensureBuilt(): void {
  if (existsSync(`${root}dist/cli/main.js`)) return;
  const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0 && !existsSync(`${root}dist/cli/main.js`)) throw new Error('build failed');
}

/** A scratch database `hermes_bench_<name>_<pid>` on HERMES_BENCH_MYSQL_URL (default the local MariaDB). */
export function benchDatabase(name: string): { url: string; drop(): Promise<void> } {
  const server = (process.env.HERMES_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');
  const database = `hermes_bench_${name}_${process.pid}`;
  return {
    url: `${server}/${database}`,
    async drop() {
      const pool = createPool({ uri: server, connectionLimit: 1 });
      try {
        await pool.query(`DROP DATABASE IF EXISTS \`${database}\``);
      } finally {
        await pool.end();
      }
    },
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); NaN elsewhere. */
export function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** The local MariaDB server's process, for its CPU seconds. */
export function mariadbPid(): number | undefined {
  const found = spawnSync('pidof', ['mariadbd', 'mysqld'], { encoding: 'utf8' });
  const pid = Number(found.stdout?.trim().split(/\s+/)[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export interface Server {
  pid: number | undefined;
  stop(): Promise<number | null>;
}

/**
 * `node [BENCH_SERVER_NODE_ARGS] MAIN serve ARGS` as a separate process, ready once its stderr
 * says `ready` (its start-up line); refused when it exits first or takes over 20 s.
 */
export function startServe(main: string, args: string[], ready: string): Promise<Server> {
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, main, 'serve', ...args], { cwd: root, stdio: ['ignore', 'inherit', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 20 s: ${stderr}`)), 20_000);
    child.stderr!.on('data', (d) => {
      stderr += d;
      process.stderr.write(d);
      if (stderr.includes(ready)) {
        clearTimeout(timer);
        resolve({ pid: child.pid, stop: async () => (child.kill('SIGTERM'), exited) });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before serving: ${stderr}`));
    });
  });
}
