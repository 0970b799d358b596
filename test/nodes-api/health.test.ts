import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initDatabases, openDatabases, type Connection } from '../../src/db/connect.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { privateMariadb, type PrivateMariadb } from '../helpers/tls-servers.js';
import { startApp, useApi, type TestApp } from './helpers.js';

describeEachDatabase('GET /healthz and /readyz', (suite) => {
  const api = useApi(suite, { app: { health: { readyCacheMs: 0 } } });

  it('answer without a token, with one word, no-store, and write no request log line', async () => {
    const before = api.t.logs.length;
    const health = await api.t.app.inject({ method: 'GET', url: '/healthz' });
    expect([health.statusCode, health.json(), health.headers['cache-control']]).toEqual([200, { status: 'ok' }, 'no-store']);
    const ready = await api.t.app.inject({ method: 'GET', url: '/readyz' });
    expect([ready.statusCode, ready.json(), ready.headers['cache-control']]).toEqual([200, { status: 'ready' }, 'no-store']);
    expect(api.t.logs.slice(before)).toEqual([]);
    // A node still needs its token.
    expect((await api.t.app.inject({ method: 'GET', url: '/user/list' })).statusCode).toBe(401);
  });

  it('turn unready when a Kamailio version row is wrong, without saying which, and ready when it is right again', async () => {
    const db = suite.db.connection.kamailio;
    await db.updateTable('version').set({ table_version: 6 }).where('table_name', '=', 'subscriber').execute();
    try {
      const ready = await api.t.app.inject({ method: 'GET', url: '/readyz' });
      expect([ready.statusCode, ready.body]).toEqual([503, '{"status":"unready"}']);
    } finally {
      await db.updateTable('version').set({ table_version: 7 }).where('table_name', '=', 'subscriber').execute();
    }
    expect((await api.t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('turn unready when the provisioning schema is not this hermes version', async () => {
    const db = suite.db.connection.provisioning;
    await sql`update hermes_schema_version set version = version + 100`.execute(db);
    try {
      expect((await api.t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
    } finally {
      await sql`update hermes_schema_version set version = version - 100`.execute(db);
    }
    expect((await api.t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });
});

describe('GET /readyz on a database server that goes away and comes back', () => {
  let server: PrivateMariadb;
  let connection: Connection;
  let t: TestApp;
  beforeAll(async () => {
    server = await privateMariadb();
    await server.start();
    const url = `${server.url}/hermes_ready`;
    await initDatabases({ db: url, kamailioSchema: true });
    connection = await openDatabases({ db: url, poolSize: 2 });
    t = await startApp(connection, { health: { readyCacheMs: 0, readyTimeoutMs: 2_000 } });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await connection?.close();
    await server?.remove();
  });

  const readyz = async () => (await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode;
  async function until(status: number): Promise<void> {
    const deadline = Date.now() + 30_000;
    let last = 0;
    while ((last = await readyz()) !== status) {
      if (Date.now() > deadline) throw new Error(`/readyz answered ${last}, not ${status}, for 30 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('is ready, unready while the server is stopped, and ready again after it starts', async () => {
    expect(await readyz()).toBe(200);
    await server.stop();
    await until(503);
    // /healthz is about the process, not the database.
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    await server.start();
    await until(200);
    const logged = t.logRecords().filter((r) => r.msg === 'readiness check failed');
    expect(logged.length).toBeGreaterThan(0);
  }, 120_000);
});
