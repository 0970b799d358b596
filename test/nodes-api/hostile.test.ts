import { expect, it } from 'vitest';
import { addLocalUsers, addNumbers } from '../../src/ops/index.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { TRANSPORTS, request, snapshot, type Params, useApi } from './helpers.js';

const SQL = ["x' OR '1'='1", "'; DROP TABLE subscriber; --", '" OR ""="', 'x%', 'a_b*', '\\', "alice@example.com' --"];
const LONG = 'a'.repeat(5000);
const UNICODE = ['ålice', 'аlice' /* Cyrillic a */, '😀', 'a\u0000b', 'a\nb', '\u202eevil'];

/** Hostile values for each parameter of the mutating and reading nodes: all must answer invalid. */
function hostileCalls(): { node: string; params: Params }[] {
  const calls: { node: string; params: Params }[] = [];
  for (const bad of [...SQL.filter((s) => /[ "\\%]/.test(s)), LONG, ...UNICODE]) {
    calls.push({ node: 'user/add_local', params: { username: bad, domain: 'example.com' } });
    calls.push({ node: 'user/add_local', params: { username: 'ok', domain: bad } });
    calls.push({ node: 'user/get', params: { user: bad } });
    calls.push({ node: 'user/remove', params: { username: bad, domain: 'example.com' } });
    calls.push({ node: 'user/change_pw', params: { user: bad, password: 'x' } });
    calls.push({ node: 'phone/add', params: { mac: bad, user: 'victim@example.com' } });
    calls.push({ node: 'numbers/add', params: { number: bad } });
    calls.push({ node: 'numbers/remove', params: { number: bad } });
    calls.push({ node: 'numbers/add_range', params: { start: bad, end: '+4799' } });
    calls.push({ node: 'alias/add', params: { alias_username: bad, alias_domain: 'example.com', destination: 'victim@example.com' } });
    calls.push({ node: 'alias/remove', params: { alias_username: 'x', alias_domain: bad } });
  }
  // Repeated parameters.
  calls.push({ node: 'user/remove', params: { username: ['victim', 'other'], domain: 'example.com' } });
  calls.push({ node: 'user/change_pw', params: { user: 'victim@example.com', password: ['a', 'b'] } });
  calls.push({ node: 'numbers/remove', params: { number: ['+4722000000', '+4722000001'] } });
  calls.push({ node: 'user/get', params: { user: ['victim@example.com', 'victim@example.com'] } });
  // Both address forms at once, missing parameters.
  calls.push({ node: 'user/remove', params: { user: 'victim@example.com', username: 'victim', domain: 'example.com' } });
  calls.push({ node: 'user/remove', params: {} });
  calls.push({ node: 'numbers/add', params: {} });
  return calls;
}

describeEachDatabase('hostile parameters over HTTP', (suite) => {
  const api = useApi(suite, {
    seed: async (c) => {
      await addLocalUsers(c, [{ username: 'victim', domain: 'example.com' }], { actor: 'test' });
      await addNumbers(c, ['+4722000000'], { actor: 'test' });
    },
  });

  it('answers invalid (400) and changes nothing, by every transport', async () => {
    const before = await snapshot(suite.db.connection);
    for (const transport of TRANSPORTS) {
      for (const { node, params } of hostileCalls()) {
        const r = await request(api.t.app, node, params, { token: api.tok.write, transport });
        const label = `${transport} ${node} ${JSON.stringify(params).slice(0, 80)}`;
        expect(r.statusCode, label).toBe(400);
        expect(r.json().response, label).toBe('invalid');
      }
    }
    expect(await snapshot(suite.db.connection)).toEqual(before);
  });

  it('treats SQL metacharacters in valid-looking values as plain text', async () => {
    const before = await snapshot(suite.db.connection);
    for (const bad of SQL) {
      const r = await request(api.t.app, 'user/get', { username: bad.replace(/[ "\\]/g, ''), domain: 'example.com' }, { token: api.tok.read });
      expect([400, 404], bad).toContain(r.statusCode);
      expect(r.body).not.toContain('victim');
    }
    const list = await request(api.t.app, 'user/list', { search: "%' OR 1=1 --" }, { token: api.tok.read });
    expect(list.json()).toMatchObject({ response: 'ok', users: [] });
    const underscore = await request(api.t.app, 'user/list', { search: 'v_ctim@*' }, { token: api.tok.read });
    expect(underscore.json()).toMatchObject({ response: 'ok', users: [] });
    expect(await snapshot(suite.db.connection)).toEqual(before);
  });

  it('stores unicode display names as given', async () => {
    const r = await request(api.t.app, 'user/add_local', { user: 'zoë@example.com'.replace('ë', 'e'), displayname: 'Zoë 😀 Ωmega' }, { token: api.tok.write, transport: 'json' });
    expect(r.statusCode).toBe(200);
    const got = await request(api.t.app, 'user/get', { user: 'zoe@example.com' }, { token: api.tok.read });
    expect(got.json()).toMatchObject({ user: { displayname: 'Zoë 😀 Ωmega' } });
  });
});
