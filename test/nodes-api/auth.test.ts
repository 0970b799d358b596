import { expect, it } from 'vitest';
import { revokeToken, createToken } from '../../src/ops/tokens.js';
import { addDomains } from '../../src/ops/index.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { request, snapshot, startApp, tokens, useApi } from './helpers.js';

describeEachDatabase('node API authentication and scopes', (suite) => {
  const api = useApi(suite, { app: { tokenCache: { ttlMs: 200, negativeTtlMs: 50 } } });

  it('answers 401 unauthenticated with WWW-Authenticate: Bearer without a token', async () => {
    const r = await request(api.t.app, 'user/list', {});
    expect(r.statusCode).toBe(401);
    expect(r.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(r.json()).toMatchObject({ response: 'failed', cause: 'unauthenticated' });
  });

  it('refuses a wrong token, a malformed header and another scheme', async () => {
    for (const authorization of [`Bearer ${api.tok.read}x`, 'Bearer', `Basic ${Buffer.from('a:b').toString('base64')}`, api.tok.read, `Bearer ${api.tok.read} extra`]) {
      const r = await api.t.app.inject({ method: 'GET', url: '/user/list', headers: { authorization } });
      expect(r.statusCode, authorization.slice(0, 20)).toBe(401);
      expect(r.json()).toMatchObject({ response: 'failed', cause: 'unauthenticated' });
    }
  });

  it('refuses unauthenticated requests before saying whether a node exists', async () => {
    expect((await request(api.t.app, 'no/such', {})).statusCode).toBe(401);
    const r = await request(api.t.app, 'no/such', {}, { token: api.tok.read });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ response: 'invalid', cause: 'node' });
  });

  it('lets a read token call read nodes and answers 403 forbidden for mutating ones, changing nothing', async () => {
    expect((await request(api.t.app, 'user/list', {}, { token: api.tok.read })).statusCode).toBe(200);
    const before = await snapshot(suite.db.connection);
    for (const transport of ['get', 'form', 'json'] as const) {
      const r = await request(api.t.app, 'user/add_local', { username: 'mallory', domain: 'example.com' }, { token: api.tok.read, transport });
      expect(r.statusCode).toBe(403);
      expect(r.json()).toMatchObject({ response: 'failed', cause: 'forbidden' });
    }
    expect(await snapshot(suite.db.connection)).toEqual(before);
  });

  it('shows passwords to write tokens only; audits the token name as actor', async () => {
    const added = await request(api.t.app, 'user/add_local', { username: 'alice', domain: 'example.com' }, { token: api.tok.write });
    expect(added.statusCode).toBe(200);
    const password = (await suite.db.connection.kamailio.selectFrom('subscriber').select('password').where('username', '=', 'alice').executeTakeFirstOrThrow()).password;
    expect(added.body).toContain(password);
    const asReader = await request(api.t.app, 'user/get', { user: 'alice@example.com' }, { token: api.tok.read });
    expect(asReader.statusCode).toBe(200);
    expect(asReader.body).not.toContain(password);
    expect(asReader.body).not.toContain('"password"');
    const asWriter = await request(api.t.app, 'user/get', { user: 'alice@example.com' }, { token: api.tok.write });
    expect(asWriter.body).toContain(password);
    const audit = await suite.db.connection.provisioning.selectFrom('hermes_audit').select(['actor', 'node', 'object_key']).where('object_key', '=', 'alice@example.com').execute();
    expect(audit).toEqual([{ actor: 'token:writer', node: 'user/add_local', object_key: 'alice@example.com' }]);
  });

  it('stops accepting a revoked token once its cache entry expires', async () => {
    const temp = await createToken(suite.db.connection, { name: 'temp', scope: 'read' }, { actor: 'test' });
    expect((await request(api.t.app, 'user/list', {}, { token: temp.token })).statusCode).toBe(200);
    await revokeToken(suite.db.connection, 'temp', { actor: 'test' });
    await new Promise((r) => setTimeout(r, 300));
    const r = await request(api.t.app, 'user/list', {}, { token: temp.token });
    expect(r.statusCode).toBe(401);
  });

  it('accepts a freshly created token within the negative-cache time', async () => {
    const token = 'hms_not-yet-created';
    expect((await request(api.t.app, 'user/list', {}, { token })).statusCode).toBe(401);
    const created = await createToken(suite.db.connection, { name: 'fresh', scope: 'read' }, { actor: 'test' });
    expect((await request(api.t.app, 'user/list', {}, { token: created.token })).statusCode).toBe(200);
  });

  it('never logs tokens, the Authorization header or passwords', async () => {
    api.t.logs.length = 0;
    await request(api.t.app, 'user/list', {}, { token: api.tok.read });
    await request(api.t.app, 'user/list', {}, { token: `${api.tok.write}nope` });
    await request(api.t.app, 'user/change_pw', { user: 'alice@example.com', password: 'Sekr1t-Passw0rd' }, { token: api.tok.write });
    await request(api.t.app, 'user/change_pw', { user: 'alice@example.com', password: 'Sekr1t-Form-Pw' }, { token: api.tok.write, transport: 'form' });
    await request(api.t.app, 'user/add_remote', { user: 'bob@example.com', password: 'Remote-Pw-123', registrar: 'sip.example.net' }, { token: api.tok.read, transport: 'json' });
    const text = api.t.logs.join('\n');
    expect(api.t.logs.length).toBeGreaterThanOrEqual(5);
    for (const secret of [api.tok.read, api.tok.write, 'Sekr1t-Passw0rd', 'Sekr1t-Form-Pw', 'Remote-Pw-123', 'Bearer']) expect(text).not.toContain(secret);
    const records = api.t.logRecords().filter((r) => r.msg === 'request completed');
    expect(records.map((r) => r.actor)).toEqual(expect.arrayContaining(['token:reader', 'token:writer']));
    const changePw = records.find((r) => (r.req as { url: string }).url.startsWith('/user/change_pw?'));
    expect(changePw).toMatchObject({ node: 'user/change_pw', res: { statusCode: 200 }, response: 'ok' });
    expect((changePw!.req as { url: string }).url).toContain('password=[REDACTED]');
  });
});

describeEachDatabase('node API without authentication (--no-auth)', (suite) => {
  it('treats every caller as anonymous with write scope', async () => {
    await suite.clear();
    await addDomains(suite.db.connection, ['example.org'], { actor: 'test' });
    const t = await startApp(suite.db.connection, { auth: 'none' });
    try {
      const r = await request(t.app, 'user/add_local', { username: 'carol', domain: 'example.org' });
      expect(r.statusCode).toBe(200);
      const audit = await suite.db.connection.provisioning.selectFrom('hermes_audit').select('actor').where('object_key', '=', 'carol@example.org').execute();
      expect(audit).toEqual([{ actor: 'anonymous' }]);
    } finally {
      await t.close();
    }
  });
});

describeEachDatabase('node API --read-only', (suite) => {
  it('answers failed/readonly (409) for every mutating node and serves read nodes', async () => {
    await suite.clear();
    const tok = await tokens(suite.db.connection);
    await addDomains(suite.db.connection, ['example.com'], { actor: 'test' });
    const t = await startApp(suite.db.connection, { readOnly: true });
    const { NODES } = await import('../../src/ops/index.js');
    try {
      const before = await snapshot(suite.db.connection);
      const mutating = [...NODES.values()].filter((n) => n.mutates);
      expect(mutating.length).toBeGreaterThan(5);
      for (const node of mutating) {
        const r = await request(t.app, node.name, { username: 'dave', domain: 'example.com', number: '+4722000000' }, { token: tok.write });
        expect(r.statusCode, node.name).toBe(409);
        expect(r.json(), node.name).toMatchObject({ response: 'failed', cause: 'readonly' });
      }
      expect(await snapshot(suite.db.connection)).toEqual(before);
      expect((await request(t.app, 'user/list', {}, { token: tok.read })).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});
