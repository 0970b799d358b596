#!/usr/bin/env node
/**
 * An open-loop load at a constant rate (as wrk2 or k6's constant-arrival-rate make it), run as
 * a process of its own (bench/lib/paced-load.ts starts it) so that the bench's own garbage
 * collections cannot stall it: request i is due at start + i / rate, whether or not the earlier
 * ones were answered, and its latency is counted from when it was due, so a server that falls
 * behind is charged for the wait of every request queued behind the slow one (no coordinated
 * omission). Requests go over at most `connections` keep-alive HTTPS connections (undici's Pool,
 * much lighter per request than node:https, so the generator's own CPU and pauses weigh less on
 * a machine it shares with the server; every connection is opened and used once before the
 * timed run); a request due while all of them are busy waits for one, and that wait is part of
 * its latency.
 *
 * stdin: JSON { url, rate, seconds, connections, headers, paths } (a random path each request);
 * stdout: JSON { rate, total, non2xx, errors, latency: { p50, p90, p99, max }, cpuSeconds, stalls, gcMs, gcPauses }.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { Pool } from 'undici';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const options = JSON.parse(Buffer.concat(chunks).toString('utf8'));
// the bench's certificate is self-signed: the load generator does not verify it
const pool = new Pool(options.url, { connections: options.connections, pipelining: 1, connect: { rejectUnauthorized: false } });
const paths = options.paths;
const nextPath = () => paths[Math.floor(Math.random() * paths.length)];

/** One GET; resolves with its status (0: failed) when its answer has ended. */
async function get(path) {
  try {
    const { statusCode, body } = await pool.request({ path, method: 'GET', headers: options.headers });
    await body.dump({ limit: Infinity });
    return statusCode;
  } catch {
    return 0;
  }
}

// every connection opened (TLS handshakes) before the clock starts
await Promise.all(Array.from({ length: options.connections }, () => get(nextPath())));

const total = Math.round(options.rate * options.seconds);
const latencies = new Float64Array(total);
let done = 0;
let non2xx = 0;
let errors = 0;
let lastEnd = 0;
/** Gaps of this process's own event loop over 10 ms (its own stalls would be charged to the server). */
let stalls = 0;
const cpu0 = process.cpuUsage();
let gcPauses = 0;
let gcMs = 0;
const gcs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcMs += e.duration;
    if (e.duration > 5) gcPauses++;
  }
});
gcs.observe({ entryTypes: ['gc'] });
const start = performance.now();
const finished = new Promise((resolve) => {
  const send = (due) =>
    get(nextPath()).then((status) => {
      lastEnd = performance.now();
      if (status === 0) errors++;
      else if (status < 200 || status > 299) non2xx++;
      latencies[done++] = lastEnd - due;
      if (done === total) resolve();
    });
  let sent = 0;
  let lastTick = start;
  const tick = () => {
    const now = performance.now();
    if (now - lastTick > 10) stalls++;
    lastTick = now;
    // every request due by now is sent, each counted from its own due time
    const due = Math.min(total, Math.floor(((now - start) * options.rate) / 1000) + 1);
    while (sent < due) send(start + (sent++ * 1000) / options.rate);
    if (sent < total) setTimeout(tick, 1);
  };
  tick();
});
await finished;
const cpu = process.cpuUsage(cpu0);
await pool.close();
const sorted = latencies.sort();
const at = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const result = { rate: done / ((lastEnd - start) / 1000), total: done, non2xx, errors, latency: { p50: at(50), p90: at(90), p99: at(99), max: sorted[sorted.length - 1] }, cpuSeconds: (cpu.user + cpu.system) / 1e6, stalls, gcPauses, gcMs };
process.stdout.write(JSON.stringify(result));
