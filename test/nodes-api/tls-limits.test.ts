import { readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:https';
import { connect } from 'node:tls';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeCertificates, type Certificates } from '../helpers/tls-servers.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { startApp, type TestApp } from './helpers.js';

describeEachDatabase('HTTPS keeps the header limits', (suite) => {
  let certs: Certificates;
  let t: TestApp;
  beforeAll(async () => {
    certs = makeCertificates();
    t = await startApp(suite.db.connection, { auth: 'none', https: { cert: readFileSync(certs.cert), key: readFileSync(certs.key) }, limits: { headersTimeout: 1_000 } });
  });
  afterAll(async () => {
    await t?.close();
    if (certs) rmSync(certs.dir, { recursive: true, force: true });
  });

  it('cuts off a client that trickles its headers over TLS after the headers timeout', async () => {
    const server = t.app.server as Server;
    expect(server.headersTimeout).toBe(1_000);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = server.address() as { port: number };
    const started = Date.now();
    const closed = await new Promise<number>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: readFileSync(certs.ca) }, () => socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n'));
      socket.on('error', reject);
      socket.on('data', () => undefined);
      socket.on('close', () => resolve(Date.now() - started));
    });
    expect(closed).toBeLessThan(4_000);
  });
});
