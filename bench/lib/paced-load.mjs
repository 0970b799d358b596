#!/usr/bin/env node
/**
 * An open-loop load at a constant rate (as wrk2 or k6's constant-arrival-rate make it), run as
 * a process of its own (bench/lib/paced-load.ts starts it) so that the bench's own garbage
 * collections cannot stall it: request i is due at start + i / rate, whether or not the earlier
 * ones were answered, and its latency is counted from when it was due, so a server that falls
 * behind is charged for the wait of every request queued behind the slow one (no coordinated
 * omission). Requests go over at most `connections` keep-alive HTTPS connections; a request due
 * while all of them are busy waits for one, and that wait is part of its latency. Every
 * connection is opened and used once before the timed run.
 *
 * The client is a minimal HTTP/1.1 one over node:tls sockets (a request line and headers
 * written as one string, the answer's status and Content-Length or chunked end read from its
 * bytes), because the generator shares the machine's two cores with the server and the
 * database: undici's Pool cost about 150 µs of CPU and a dozen 10 ms event-loop stalls per
 * 20,000 fetches here, each stall charged to the server's latency; this costs a fraction of it.
 *
 * stdin: JSON { url, rate, seconds, connections, headers, paths } (a random path each request);
 * stdout: JSON { rate, total, non2xx, errors, latency: { p50, p90, p99, max }, cpuSeconds, stalls, gcMs, gcPauses }.
 * env PACED_DUMP=FILE: appends each request's due time (ms from the start) and latency, one line
 * each, then this process's garbage collections (`GC start:duration ...`), the start as epoch ms
 * (`EPOCH ms`, to line the run up with other processes' logs) and `---`: where in the run the
 * slow requests fall.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { connect } from 'node:tls';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const options = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const target = new URL(options.url);
const paths = options.paths;
const nextPath = () => paths[Math.floor(Math.random() * paths.length)];
const headerLines = Object.entries({ host: target.host, ...options.headers })
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join('');
const HEADER_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('0\r\n\r\n');

/**
 * Where an answer in `buf` ends and its status, or undefined while it is incomplete: the
 * headers up to the blank line, then Content-Length bytes, or a chunked body up to its last chunk.
 */
function answerEnd(buf) {
  const head = buf.indexOf(HEADER_END);
  if (head < 0) return undefined;
  const text = buf.toString('latin1', 0, head);
  const status = Number(text.slice(9, 12));
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(text);
  if (length) {
    const end = head + 4 + Number(length[1]);
    return buf.length >= end ? { end, status } : undefined;
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(text)) {
    const last = buf.indexOf(CHUNKED_END, head + 4);
    return last < 0 ? undefined : { end: last + CHUNKED_END.length, status };
  }
  return { end: head + 4, status }; // no body (204, 304)
}

/** One keep-alive connection: one request at a time; `onAnswer(status)` when it ends (0: failed). */
class Connection {
  constructor() {
    this.buf = Buffer.alloc(0);
    this.onAnswer = undefined;
    this.open();
  }

  /** Connects (again: the server closed it, an idle time-out or an error); a request waits for it. */
  open() {
    this.closed = false;
    // the bench's certificate is self-signed: the load generator does not verify it
    this.ready = new Promise((resolve, reject) => {
      this.socket = connect({ host: target.hostname, port: Number(target.port || 443), rejectUnauthorized: false }, resolve);
      this.socket.once('error', reject);
    });
    this.ready.catch(() => undefined);
    this.socket.on('data', (data) => this.read(data));
    this.socket.on('close', () => {
      this.closed = true;
      this.socket.removeAllListeners();
      this.socket.on('error', () => undefined);
      this.finish(0);
    });
    this.socket.on('error', () => undefined);
  }

  read(data) {
    this.buf = this.buf.length === 0 ? data : Buffer.concat([this.buf, data]);
    const answer = answerEnd(this.buf);
    if (!answer) return;
    this.buf = this.buf.subarray(answer.end);
    this.finish(answer.status);
  }

  finish(status) {
    const onAnswer = this.onAnswer;
    this.onAnswer = undefined;
    this.buf = Buffer.alloc(0);
    onAnswer?.(status);
  }

  async get(path, onAnswer) {
    this.onAnswer = onAnswer;
    if (this.closed) this.open(); // the next request on a closed connection opens a new one
    try {
      await this.ready;
      this.socket.write(`GET ${path} HTTP/1.1\r\n${headerLines}\r\n`);
    } catch {
      this.finish(0);
    }
  }
}

const connections = Array.from({ length: options.connections }, () => new Connection());
const idle = [...connections];
/** Requests due while every connection was busy, oldest first: [due, onAnswer]. */
const waiting = [];
let waitingHead = 0;

/** Sends a GET over an idle connection, or queues it; `onAnswer(status)` when it ends. */
function get(onAnswer) {
  const connection = idle.pop();
  if (!connection) return void waiting.push(onAnswer);
  connection.get(nextPath(), (status) => {
    idle.push(connection);
    if (waitingHead < waiting.length) {
      const next = waiting[waitingHead];
      waiting[waitingHead++] = undefined;
      get(next);
    }
    onAnswer(status);
  });
}

// every connection opened (TLS handshakes) and used once before the clock starts
await Promise.all(connections.map(() => new Promise((resolve) => get(resolve))));

const total = Math.round(options.rate * options.seconds);
const latencies = new Float64Array(total);
const dues = new Float64Array(total);
let done = 0;
let non2xx = 0;
let errors = 0;
let lastEnd = 0;
/** Gaps of this process's own event loop over 10 ms (its own stalls would be charged to the server). */
let stalls = 0;
const cpu0 = process.cpuUsage();
let gcPauses = 0;
const gcTimes = [];
let gcMs = 0;
const gcs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcMs += e.duration;
    gcTimes.push(`${(e.startTime - start).toFixed(0)}:${e.duration.toFixed(1)}`);
    if (e.duration > 5) gcPauses++;
  }
});
gcs.observe({ entryTypes: ['gc'] });
const start = performance.now();
await new Promise((resolve) => {
  const send = (due) =>
    get((status) => {
      lastEnd = performance.now();
      if (status === 0) errors++;
      else if (status < 200 || status > 299) non2xx++;
      dues[done] = due - start;
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
const cpu = process.cpuUsage(cpu0);
for (const c of connections) {
  c.socket.removeAllListeners('close');
  c.socket.on('error', () => undefined);
  c.socket.destroy();
}
if (process.env.PACED_DUMP) (await import('node:fs')).appendFileSync(process.env.PACED_DUMP, Array.from(dues, (d, i) => `${d.toFixed(2)} ${latencies[i].toFixed(2)}`).join('\n') + '\nGC ' + gcTimes.join(' ') + '\nEPOCH ' + (performance.timeOrigin + start).toFixed(0) + '\n---\n');
const sorted = latencies.slice().sort();
const at = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const result = { rate: done / ((lastEnd - start) / 1000), total: done, non2xx, errors, latency: { p50: at(50), p90: at(90), p99: at(99), max: sorted[sorted.length - 1] }, cpuSeconds: (cpu.user + cpu.system) / 1e6, stalls, gcPauses, gcMs };
process.stdout.write(JSON.stringify(result));
process.exit(0);
