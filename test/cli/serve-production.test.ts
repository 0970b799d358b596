import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest, Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type PeerCertificate, type TLSSocket } from 'node:tls';
import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initDatabases, openDatabases } from '../../src/db/connect.js';
import { addDomains } from '../../src/ops/index.js';
import { createToken } from '../../src/ops/tokens.js';
import { createScratchDatabase, dialectEnabled, type ScratchDatabase } from '../helpers/databases.js';
import { runHermes } from '../helpers/cli.js';
import { startServer, type ServeProcess } from '../helpers/serve-process.js';
import { freePort, makeCertificates, type Certificates } from '../helpers/tls-servers.js';

const waitFor = async (check: () => boolean, what: string, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('hermes serve in production: --metrics-listen, SIGHUP', () => {
  let scratch: ScratchDatabase;
  let token: string;
  beforeAll(async () => {
    scratch = await createScratchDatabase('sqlite');
    await initDatabases({ db: scratch.url, kamailioSchema: true });
    const connection = await openDatabases({ db: scratch.url });
    token = (await createToken(connection, { name: 'ops', scope: 'write' }, { actor: 'test' })).token;
    await connection.close();
  });
  afterAll(async () => scratch?.drop());

  it('serves /metrics without a token on --metrics-listen only, counting the main listener', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const server = await startServer(['--listen', `127.0.0.1:${port}`, '--metrics-listen', `127.0.0.1:${metricsPort}`, '--db', scratch.url]);
    try {
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/user/list`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
      const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(metrics.status).toBe(200);
      const text = await metrics.text();
      expect(text).toContain('hermes_http_requests_total{node="healthz",method="GET",status="200"} 1\n');
      expect(text).toContain('hermes_http_requests_total{node="user/list",method="GET",status="200"} 1\n');
      expect((await fetch(`http://127.0.0.1:${metricsPort}/user/list`)).status).toBe(404);
      // SIGHUP without TLS is harmless.
      server.child.kill('SIGHUP');
      await waitFor(() => server.stderr.includes('SIGHUP: no TLS certificate to reload'), 'the SIGHUP line');
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  it('refuses half a TLS pair, an unreadable or unusable file, a bad --metrics-listen or --shutdown-timeout with one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hermes-serve-bad-'));
    writeFileSync(join(dir, 'junk.pem'), 'not a certificate');
    try {
      const cases: [string[], RegExp][] = [
        [['--tls-cert', join(dir, 'junk.pem')], /--tls-cert needs --tls-key too/],
        [['--tls-cert', join(dir, 'missing.pem'), '--tls-key', join(dir, 'junk.pem')], /--tls-cert .*missing\.pem cannot be read \(ENOENT\)/],
        [['--tls-cert', join(dir, 'junk.pem'), '--tls-key', join(dir, 'junk.pem')], /are not a usable PEM certificate and key/],
        [['--metrics-listen', '9464'], /--metrics-listen "9464" has no port/],
        [['--shutdown-timeout', '0'], /--shutdown-timeout "0" is not a whole number from 1/],
      ];
      for (const [args, message] of cases) {
        const r = await runHermes(['serve', '--no-auth', '--listen', '127.0.0.1:1', ...args, '--db', scratch.url]);
        expect([args, r.code, r.stderr.trim().split('\n').length]).toEqual([args, 1, 1]);
        expect(r.stderr).toMatch(message);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('with --tls-cert/--tls-key', () => {
    let a: Certificates;
    let b: Certificates;
    let dir: string;
    beforeAll(() => {
      [a, b] = [makeCertificates(), makeCertificates()];
      dir = mkdtempSync(join(tmpdir(), 'hermes-serve-tls-'));
    });
    afterAll(() => {
      for (const d of [a?.dir, b?.dir, dir]) if (d) rmSync(d, { recursive: true, force: true });
    });

    const install = (c: Certificates) => {
      copyFileSync(c.cert, join(dir, 'cert.pem'));
      copyFileSync(c.key, join(dir, 'key.pem'));
    };
    const fingerprintOf = (port: number) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false }, () => {
          resolve(socket.getPeerCertificate().fingerprint256);
          socket.end();
        });
        socket.once('error', reject);
      });
    const get = (agent: Agent, port: number) =>
      new Promise<{ status: number; reused: boolean; peer: PeerCertificate }>((resolve, reject) => {
        const req = httpsRequest({ host: '127.0.0.1', port, path: '/healthz', servername: 'localhost', agent, ca: [readFileSync(a.ca), readFileSync(b.ca)] }, (res) => {
          const peer = (res.socket as TLSSocket).getPeerCertificate();
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, reused: req.reusedSocket, peer }));
        });
        req.once('error', reject);
        req.end();
      });

    it('re-reads the certificate on SIGHUP without dropping open connections, and keeps it when the new files are bad', async () => {
      install(a);
      const port = await freePort();
      const server = await startServer(['--no-auth', '--listen', `127.0.0.1:${port}`, '--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem'), '--db', scratch.url]);
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        expect(server.stderr).toContain(`serving the node API on https://127.0.0.1:${port}`);
        const first = await get(agent, port);
        expect(first.status).toBe(200);
        const fingerprintA = first.peer.fingerprint256;
        install(b);
        server.child.kill('SIGHUP');
        await waitFor(() => server.stderr.includes('SIGHUP: reloaded the TLS certificate and key'), 'the reload');
        // The open connection goes on, with its certificate; a new one gets the new certificate.
        const second = await get(agent, port);
        expect([second.status, second.reused, second.peer.fingerprint256]).toEqual([200, true, fingerprintA]);
        const fingerprintB = await fingerprintOf(port);
        expect(fingerprintB).not.toBe(fingerprintA);
        writeFileSync(join(dir, 'cert.pem'), 'not a certificate');
        server.child.kill('SIGHUP');
        await waitFor(() => server.stderr.includes('SIGHUP: kept the old TLS certificate'), 'the refusal');
        expect(await fingerprintOf(port)).toBe(fingerprintB);
        expect((await get(agent, port)).status).toBe(200);
      } finally {
        agent.destroy();
        server.child.kill('SIGTERM');
      }
      expect(await server.exited).toEqual({ code: 0, signal: null });
    });
  });
});

(dialectEnabled('mysql') ? describe : describe.skip)(`hermes serve drains on SIGTERM [mysql${dialectEnabled('mysql') ? '' : ': skipped, HERMES_TEST_MYSQL_URL not set'}]`, () => {
  let scratch: ScratchDatabase;
  let token: string;
  beforeAll(async () => {
    scratch = await createScratchDatabase('mysql');
    await initDatabases({ db: scratch.url, kamailioSchema: true });
    const connection = await openDatabases({ db: scratch.url });
    token = (await createToken(connection, { name: 'ops', scope: 'write' }, { actor: 'test' })).token;
    await addDomains(connection, ['example.com'], { actor: 'test' });
    await connection.close();
  });
  afterAll(async () => scratch?.drop());

  /** Holds every writer of the scratch database at its audit row until release(). */
  async function holdWriters() {
    const { hostname, port, pathname } = new URL(scratch.url);
    const lock = await createConnection({ host: hostname, port: Number(port), user: 'root', database: pathname.slice(1) });
    await lock.query('LOCK TABLES hermes_audit WRITE');
    return async () => {
      await lock.query('UNLOCK TABLES');
      await lock.end();
    };
  }

  const addUser = (port: number, name: string) =>
    fetch(`http://127.0.0.1:${port}/user/add_local`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ user: `${name}@example.com` }) });

  it('lets a request in flight finish, refuses new ones, and exits 0', async () => {
    const port = await freePort();
    const server: ServeProcess = await startServer(['--listen', `127.0.0.1:${port}`, '--db', scratch.url]);
    const release = await holdWriters();
    let answered = false;
    const inFlight = addUser(port, 'drain').then(async (r) => {
      answered = true;
      return [r.status, await r.json()];
    });
    try {
      await new Promise((r) => setTimeout(r, 500));
      expect(answered).toBe(false);
      server.child.kill('SIGTERM');
      await waitFor(() => server.stderr.includes('SIGTERM: stopping'), 'the stopping line');
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 500));
      expect(answered).toBe(false);
    } finally {
      await release();
    }
    expect(await inFlight).toEqual([200, expect.objectContaining({ response: 'ok' })]);
    expect(await server.exited).toEqual({ code: 0, signal: null });
  }, 30_000);

  it('cuts off what is still running after --shutdown-timeout and exits 1 within the bound', async () => {
    const port = await freePort();
    const server = await startServer(['--listen', `127.0.0.1:${port}`, '--shutdown-timeout', '1', '--db', scratch.url]);
    const release = await holdWriters();
    try {
      const inFlight = addUser(port, 'cutoff').then((r) => r.status, () => 'cut off');
      await new Promise((r) => setTimeout(r, 500));
      const stopping = Date.now();
      server.child.kill('SIGTERM');
      expect(await server.exited).toEqual({ code: 1, signal: null });
      expect(Date.now() - stopping).toBeLessThan(4_000);
      expect(await inFlight).toBe('cut off');
      expect(server.stderr).toContain('requests still running after 1 s were cut off');
    } finally {
      await release();
    }
  }, 30_000);
});
