import { expect, it } from 'vitest';
import { addLocalUsers } from '../../src/ops/index.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { request, snapshot, useApi } from './helpers.js';

/** Every method Node's parser accepts other than the two documented ones. */
const OTHER_METHODS = ['HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'MKCOL', 'SEARCH', 'LOCK'] as const;

const WRITES = [
  '/numbers/add?number=%2B4722000001',
  '/numbers/add_range?start=%2B4722000100&end=%2B4722000199',
  '/user/add_local?user=bob%40example.com',
  '/user/remove?user=victim%40example.com',
];

describeEachDatabase('HTTP methods', (suite) => {
  const api = useApi(suite, { seed: (c) => addLocalUsers(c, [{ username: 'victim', domain: 'example.com' }], { actor: 'test' }) });

  it('answers 405 with Allow and the envelope for every undocumented method, and runs nothing', async () => {
    const before = await snapshot(suite.db.connection);
    for (const method of OTHER_METHODS) {
      for (const url of WRITES) {
        const r = await api.t.app.inject({
          method: method as 'GET',
          url,
          headers: { authorization: `Bearer ${api.tok.write}`, 'content-type': 'application/json' },
          ...(method === 'HEAD' || method === 'TRACE' ? {} : { payload: '{"number":"+4722000002"}' }),
        });
        expect(r.statusCode, `${method} ${url}`).toBe(405);
        expect(r.headers.allow, `${method} ${url}`).toBe('GET, POST');
        if (method !== 'HEAD') {
          expect(r.json(), `${method} ${url}`).toMatchObject({ response: 'invalid', cause: 'method' });
          expect(r.json().detail).toContain(method);
        }
      }
    }
    expect(await snapshot(suite.db.connection)).toEqual(before);
  });

  it('asks for a token first: an unauthenticated HEAD is 401 and runs nothing', async () => {
    const before = await snapshot(suite.db.connection);
    const r = await api.t.app.inject({ method: 'HEAD', url: WRITES[0] });
    expect(r.statusCode).toBe(401);
    expect(await snapshot(suite.db.connection)).toEqual(before);
  });

  it('still runs nodes by GET and POST, and answers 404 for an unknown path whatever the method', async () => {
    const get = await request(api.t.app, 'numbers/add', { number: '+4722000003' }, { token: api.tok.write });
    expect(get.json()).toMatchObject({ response: 'ok' });
    const post = await request(api.t.app, 'numbers/inpool', { number: '+4722000003' }, { token: api.tok.write, transport: 'json' });
    expect(post.json()).toMatchObject({ response: 'ok' });
    for (const method of ['GET', 'HEAD', 'DELETE'] as const) {
      const r = await api.t.app.inject({ method, url: '/numbers/nope', headers: { authorization: `Bearer ${api.tok.write}` } });
      expect(r.statusCode, method).toBe(404);
    }
  });
});
