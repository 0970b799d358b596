/**
 * Benchmark: user/get over HTTP against MariaDB holding 100,000 users.
 * Target (issue 3): >= 5,000 requests/s with 64 connections, p99 <= 20 ms, on 2 cores.
 *
 * Creates a scratch database, initialises it, bulk-inserts 100,000 local users, creates a read
 * token, starts `node dist/cli/main.js serve` as a separate process and runs autocannon
 * against user/get of random existing users. Drops the database afterwards.
 *
 *   npx tsc -p tsconfig.build.json && npx tsx bench/api-user-get.bench.ts
 *   env: HERMES_BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306), BENCH_SECONDS (10),
 *        BENCH_CONNECTIONS (64), BENCH_USERS (100000), BENCH_POOL_SIZE (server --pool-size),
 *        BENCH_LOG_LEVEL (server --log-level, default warn), BENCH_LISTEN (127.0.0.1:18089),
 *        BENCH_SERVER_NODE_ARGS (node flags for the server, e.g. --cpu-prof --cpu-prof-dir=/tmp/prof),
 *        BENCH_HERMES_BIN (the server's main.js, default dist/cli/main.js: another build for an A/B),
 *        BENCH_PROBES=1 (during the run, GET /healthz, /readyz and /metrics once a second each, as
 *        a load balancer and Prometheus would)
 */
import { readFileSync } from 'node:fs';
import { autocannon, benchDatabase, cpuSeconds, ensureBuilt, mariadbPid, startServe, type LoadResult, type Server } from './lib/http-load.js';
import { initDatabases, openDatabases } from '../src/db/connect.js';
import { computeHa1, computeHa1b } from '../src/ops/canonical.js';
import { createToken } from '../src/ops/tokens.js';

const database = benchDatabase('api');
const dbUrl = database.url;
const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const LISTEN = process.env.BENCH_LISTEN ?? '127.0.0.1:18089';
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'warn';
const DOMAIN = 'bench.example.com';

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

let metricsToken = '';

/** Probes and scrapes once a second while the load runs (BENCH_PROBES=1); returns the stopper. */
function startProbing(): () => void {
  if (process.env.BENCH_PROBES !== '1') return () => undefined;
  const timer = setInterval(() => {
    for (const path of ['/healthz', '/readyz']) void fetch(`http://${LISTEN}${path}`).then((r) => r.arrayBuffer(), () => undefined);
    void fetch(`http://${LISTEN}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } }).then((r) => r.arrayBuffer(), () => undefined);
  }, 1_000);
  return () => clearInterval(timer);
}

async function seed(): Promise<string> {
  await initDatabases({ db: dbUrl, kamailioSchema: true });
  const db = await openDatabases({ db: dbUrl, poolSize: 4 });
  try {
    const started = Date.now();
    const now = new Date().toISOString();
    await db.kamailio.insertInto('domain').values({ domain: DOMAIN, did: null, last_modified: now.slice(0, 19).replace('T', ' ') }).execute();
    const CHUNK = 1000;
    for (let first = 0; first < USERS; first += CHUNK) {
      const subscribers = [];
      const users = [];
      for (let i = first; i < Math.min(first + CHUNK, USERS); i++) {
        const username = `u${i}`;
        const password = `pw${i}x${(i * 7919) % 100_003}`;
        subscribers.push({ username, domain: DOMAIN, password, ha1: computeHa1(username, DOMAIN, password), ha1b: computeHa1b(username, DOMAIN, password) });
        users.push({
          username,
          domain: DOMAIN,
          kind: 'local' as const,
          displayname: `User ${i}`,
          email: `${username}@${DOMAIN}`,
          password: null,
          dialplan: '',
          linetext: username,
          created_at: now,
          updated_at: now,
        });
      }
      await db.kamailio.insertInto('subscriber').values(subscribers).execute();
      await db.provisioning.insertInto('hermes_users').values(users).execute();
    }
    log(`seeded ${USERS} local users in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const token = await createToken(db, { name: 'bench', scope: 'read' }, { actor: 'bench' });
    metricsToken = (await createToken(db, { name: 'prometheus', scope: 'metrics' }, { actor: 'bench' })).token;
    return token.token;
  } finally {
    await db.close();
  }
}

function startServer(): Promise<Server> {
  const args = ['--listen', LISTEN, '--db', dbUrl, '--log-level', LOG_LEVEL];
  if (process.env.BENCH_POOL_SIZE) args.push('--pool-size', process.env.BENCH_POOL_SIZE);
  return startServe(process.env.BENCH_HERMES_BIN ?? 'dist/cli/main.js', args, 'serving the node API');
}

function load(token: string, seconds: number): Promise<LoadResult> {
  return autocannon({
    url: `http://${LISTEN}`,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { authorization: `Bearer ${token}` },
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({
          ...request,
          path: `/user/get?username=u${Math.floor(Math.random() * USERS)}&domain=${DOMAIN}`,
        }),
      },
    ],
  });
}

async function main(): Promise<void> {
  ensureBuilt();
  await database.drop();
  let server: Server | undefined;
  try {
    const token = await seed();
    server = await startServer();
    // Check one answer, then warm up (JIT, pool connections, token cache).
    const probe = await fetch(`http://${LISTEN}/user/get?username=u1&domain=${DOMAIN}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await probe.json()) as { response: string };
    if (probe.status !== 200 || body.response !== 'ok') throw new Error(`user/get answered ${probe.status} ${JSON.stringify(body)}`);
    await load(token, 2);
    const dbPid = mariadbPid();
    const before = { server: cpuSeconds(server.pid), db: cpuSeconds(dbPid), self: process.cpuUsage() };
    const stopProbing = startProbing();
    const result = await load(token, SECONDS);
    stopProbing();
    const selfUsage = process.cpuUsage(before.self);
    const perRequest = (seconds: number) => ((seconds * 1e6) / result.requests.total).toFixed(0);
    const used = {
      server: cpuSeconds(server.pid) - before.server,
      db: cpuSeconds(dbPid) - before.db,
      load: (selfUsage.user + selfUsage.system) / 1e6,
    };
    const non2xx = result.non2xx;
    log(`user/get over HTTP, ${USERS} users on MariaDB, ${CONNECTIONS} connections, ${SECONDS} s (server log level ${LOG_LEVEL}${process.env.BENCH_HERMES_BIN ? `, server ${process.env.BENCH_HERMES_BIN}` : ''}${process.env.BENCH_PROBES === '1' ? ', probed and scraped every second' : ''})`);
    log(`  requests/s: ${result.requests.average.toFixed(0)} (total ${result.requests.total})`);
    log(`  latency ms: p50 ${result.latency.p50}, p90 ${result.latency.p90}, p99 ${result.latency.p99}, max ${result.latency.max}`);
    log(`  CPU µs per request: server ${perRequest(used.server)}, MariaDB ${perRequest(used.db)}, load generator ${perRequest(used.load)}`);
    log(`  machine load average during the run: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
    log(`  errors: ${result.errors}, timeouts: ${result.timeouts}, non-2xx: ${non2xx}`);
    const ok = result.requests.average >= 5000 && result.latency.p99 <= 20 && non2xx === 0 && result.errors === 0;
    log(`  target (>= 5000 req/s, p99 <= 20 ms, no errors): ${ok ? 'met' : 'NOT met'}`);
    const code = await server.stop();
    server = undefined;
    if (code !== 0) throw new Error(`server exited with ${code} on SIGTERM`);
    if (non2xx > 0 || result.errors > 0) process.exitCode = 1;
  } finally {
    if (server) await server.stop();
    await database.drop();
  }
}

await main();
