import { describe, expect, it } from 'vitest';
import { duplicateTopLevelKey } from '../../src/nodes-api/json-body.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { TRANSPORTS, request, useApi } from './helpers.js';

describe('duplicateTopLevelKey', () => {
  it('finds a repeated top-level key, also spelled with escapes, and nothing else', () => {
    expect(duplicateTopLevelKey('{"a":"1","a":"2"}')).toBe('a');
    expect(duplicateTopLevelKey('{"user":"x", "\\u0075ser" : "y"}')).toBe('user');
    expect(duplicateTopLevelKey('{"a":"a","b":"a:\\"a\\"","c":["a","a"]}')).toBeUndefined();
    expect(duplicateTopLevelKey('{"a":{"b":1,"b":2},"b":"x"}')).toBeUndefined();
  });
});

describeEachDatabase('invalid causes name the parameter, as the seed says', (suite) => {
  const api = useApi(suite, {
    seed: async (db) => {
      const { addLocalUsers } = await import('../../src/ops/index.js');
      await addLocalUsers(db, [{ username: 'alice', domain: 'example.com' }], { actor: 'test' });
    },
  });
  const call = (node: string, params: Record<string, string>, transport: (typeof TRANSPORTS)[number] = 'get') =>
    request(api.t.app, node, params, { token: api.tok.write, transport });

  it.each(TRANSPORTS)('alias/add and alias/user without a destination: destination (%s)', async (transport) => {
    const add = await call('alias/add', { alias_username: 'sales', alias_domain: 'example.com' }, transport);
    expect([add.statusCode, add.json()]).toMatchObject([400, { response: 'invalid', cause: 'destination' }]);
    const user = await call('alias/user', {}, transport);
    expect([user.statusCode, user.json()]).toMatchObject([400, { response: 'invalid', cause: 'destination' }]);
    const malformed = await call('alias/user', { destination: 'no-at-sign' }, transport);
    expect(malformed.json()).toMatchObject({ response: 'invalid', cause: 'destination' });
  });

  it('alias/add without an alias: alias; a missing half of the pair is still named itself', async () => {
    expect((await call('alias/add', { destination: 'alice@example.com' })).json()).toMatchObject({ response: 'invalid', cause: 'alias' });
    expect((await call('alias/add', { alias: 'nope', destination: 'alice@example.com' })).json()).toMatchObject({ response: 'invalid', cause: 'alias' });
    expect((await call('alias/add', { alias_domain: 'example.com', destination: 'alice@example.com' })).json()).toMatchObject({ response: 'invalid', cause: 'alias_username' });
  });

  it('alias/remove with an invalid or missing alias address: address', async () => {
    const cases: Record<string, string>[] = [{ alias: 'not-an-address' }, { alias: 'a b@example.com' }, {}, { alias_username: 'bad name', alias_domain: 'example.com' }];
    for (const params of cases) {
      const r = await call('alias/remove', params);
      expect([r.statusCode, r.json()], JSON.stringify(params)).toMatchObject([400, { response: 'invalid', cause: 'address' }]);
    }
  });

  it('refuses JSON bodies that are arrays, single values or give a key twice; an object still works', async () => {
    const post = (payload: string) =>
      api.t.app.inject({ method: 'POST', url: '/user/get', headers: { authorization: `Bearer ${api.tok.write}`, 'content-type': 'application/json' }, payload });
    for (const payload of ['["user","alice@example.com"]', '"alice@example.com"', '{"user":"alice@example.com","user":"bob@example.com"}']) {
      const r = await post(payload);
      expect([r.statusCode, r.json()], payload).toMatchObject([400, { response: 'invalid', cause: 'body' }]);
    }
    expect((await post('{"user":"alice@example.com","user":"bob@example.com"}')).json().detail).toContain('"user" more than once');
    const ok = await post('{"user":"alice@example.com"}');
    expect([ok.statusCode, ok.json()]).toMatchObject([200, { response: 'ok' }]);
  });
});
