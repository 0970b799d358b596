/**
 * The constant-rate (open-loop) load of bench/lib/paced-load.mjs, in a process of its own: see
 * there. autocannon's overallRate is not this: each connection sends its share of the second's
 * requests back to back when the second starts, then idles until the next one, so every second
 * begins with a burst at full speed and its latencies are those of saturation.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface PacedOptions {
  /** https://host:port */
  url: string;
  /** Requests per second, evenly spaced. */
  rate: number;
  seconds: number;
  connections: number;
  headers: Record<string, string>;
  /** Each request asks for one of these, at random. */
  paths: string[];
}

export interface PacedResult {
  /** Requests answered per second over the run (until the last answer). */
  rate: number;
  total: number;
  non2xx: number;
  errors: number;
  /** Milliseconds from each request's due time to its answer's end. */
  latency: { p50: number; p90: number; p99: number; max: number };
  /** The load generator's CPU seconds over the run. */
  cpuSeconds: number;
  /** Gaps over 10 ms in the load generator's own event loop during the run. */
  stalls: number;
  /** The load generator's garbage collection over the run: milliseconds in all, pauses over 5 ms. */
  gcMs: number;
  gcPauses: number;
}

export function pacedLoad(options: PacedOptions): Promise<PacedResult> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./paced-load.mjs', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stdin.end(JSON.stringify(options));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as PacedResult) : reject(new Error(`the paced load generator exited with ${code}`))));
  });
}
