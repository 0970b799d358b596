import { describe, expect, it } from 'vitest';
import { openDatabases } from '../../src/db/connect.js';
import { httpStatusOf } from '../../src/nodes-api/status.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { request, startApp, useApi } from './helpers.js';

describe('httpStatusOf', () => {
  it('mirrors the envelope', () => {
    expect(httpStatusOf({ response: 'ok' })).toBe(200);
    expect(httpStatusOf({ response: 'invalid', cause: 'username' })).toBe(400);
    expect(httpStatusOf({ response: 'failed', cause: 'unauthenticated' })).toBe(401);
    expect(httpStatusOf({ response: 'failed', cause: 'forbidden' })).toBe(403);
    expect(httpStatusOf({ response: 'failed', cause: 'nonexistant' })).toBe(404);
    for (const cause of ['exists', 'inuse', 'nxdomain', 'readonly']) expect(httpStatusOf({ response: 'failed', cause })).toBe(409);
    expect(httpStatusOf({ response: 'error', cause: 'dbfail' })).toBe(500);
  });
});

describeEachDatabase('node API status codes', (suite) => {
  const api = useApi(suite);

  const call = (node: string, params: Record<string, string>) => request(api.t.app, node, params, { token: api.tok.write });

  it('answers 400 for invalid, 404 for nonexistant, 409 for other failures', async () => {
    const invalid = await call('user/get', { username: 'a b', domain: 'example.com' });
    expect([invalid.statusCode, invalid.json()]).toMatchObject([400, { response: 'invalid', cause: 'username' }]);
    const missing = await call('user/get', { user: 'nobody@example.com' });
    expect([missing.statusCode, missing.json()]).toMatchObject([404, { response: 'failed', cause: 'nonexistant' }]);
    expect((await call('user/add_local', { user: 'erin@example.com' })).statusCode).toBe(200);
    const exists = await call('user/add_local', { user: 'erin@example.com' });
    expect([exists.statusCode, exists.json()]).toMatchObject([409, { response: 'failed', cause: 'exists' }]);
    expect((await call('phone/add', { mac: 'aabbccddeeff', user: 'erin@example.com' })).statusCode).toBe(200);
    const inuse = await call('user/remove', { user: 'erin@example.com' });
    expect([inuse.statusCode, inuse.json()]).toMatchObject([409, { response: 'failed', cause: 'inuse' }]);
    const nxdomain = await call('alias/add', { alias_username: 'x', alias_domain: 'elsewhere.example', destination: 'erin@example.com' });
    expect([nxdomain.statusCode, nxdomain.json()]).toMatchObject([409, { response: 'failed', cause: 'nxdomain' }]);
    const notInPool = await request(api.t.app, 'numbers/inpool', { number: '+4799999999' }, { token: api.tok.read });
    expect([notInPool.statusCode, notInPool.json()]).toMatchObject([404, { response: 'failed', cause: 'nonexistant' }]);
  });

  it('answers invalid/body for bodies it cannot read', async () => {
    const headers = { authorization: `Bearer ${api.tok.read}` };
    const bad = await api.t.app.inject({ method: 'POST', url: '/user/list', headers: { ...headers, 'content-type': 'application/json' }, payload: '{"search":' });
    expect([bad.statusCode, bad.json()]).toMatchObject([400, { response: 'invalid', cause: 'body' }]);
    const array = await api.t.app.inject({ method: 'POST', url: '/user/list', headers: { ...headers, 'content-type': 'application/json' }, payload: '["x"]' });
    expect([array.statusCode, array.json()]).toMatchObject([400, { response: 'invalid', cause: 'body' }]);
    const nested = await api.t.app.inject({ method: 'POST', url: '/user/list', headers: { ...headers, 'content-type': 'application/json' }, payload: '{"search":{"$ne":1}}' });
    expect([nested.statusCode, nested.json()]).toMatchObject([400, { response: 'invalid', cause: 'search' }]);
    const text = await api.t.app.inject({ method: 'POST', url: '/user/list', headers: { ...headers, 'content-type': 'text/plain' }, payload: 'search=x' });
    expect([text.statusCode, text.json()]).toMatchObject([400, { response: 'invalid', cause: 'body' }]);
    const xml = await api.t.app.inject({ method: 'POST', url: '/user/list', headers: { ...headers, 'content-type': 'application/xml' }, payload: '<search/>' });
    expect([xml.statusCode, xml.json()]).toMatchObject([415, { response: 'invalid', cause: 'body' }]);
    const huge = await api.t.app.inject({ method: 'POST', url: '/user/list', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, payload: `search=${'x'.repeat(200_000)}` });
    expect([huge.statusCode, huge.json()]).toMatchObject([413, { response: 'invalid', cause: 'body' }]);
  });

  it('answers 500 error/dbfail on a database failure, logs it, and sends no driver text', async () => {
    const broken = await openDatabases({ db: suite.db.url });
    const b = await startApp(broken, { auth: 'none' });
    try {
      await broken.close();
      const r = await request(b.app, 'user/get', { user: 'erin@example.com' });
      expect(r.statusCode).toBe(500);
      expect(r.json()).toEqual({ response: 'error', cause: 'dbfail', detail: 'database failure' });
      const logged = b.logRecords().find((l) => l.msg === 'node failed with an error');
      expect(logged).toMatchObject({ level: 50, node: 'user/get', err: expect.objectContaining({ message: expect.any(String) }) });
      expect(r.body).not.toContain((logged!.err as { message: string }).message);
    } finally {
      await b.close();
    }
  });
});
