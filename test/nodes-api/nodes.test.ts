import { expect, it } from 'vitest';
import { NODES, putProvisioningItems } from '../../src/ops/index.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { TRANSPORTS, request, type Params, type Transport, useApi } from './helpers.js';

/** A call that must answer ok, and what its answer must contain. */
interface Step {
  node: string;
  params: Params;
  expect?: Record<string, unknown>;
}

/** One pass through every node, with names unique to the transport. */
function scenario(t: Transport, digit: string): Step[] {
  const local = `alice-${t}`;
  const remote = `bob-${t}`;
  const mac = `00:11:22:33:44:${digit}${digit}`;
  const plainMac = `0011223344${digit}${digit}`;
  const n = (i: number) => `+47${digit}000000${i}`;
  return [
    { node: 'user/add_local', params: { username: local, domain: 'example.com', displayname: 'Alice Ø', email: `${local}@example.com` }, expect: { user: expect.objectContaining({ address: `${local}@example.com`, kind: 'local', displayname: 'Alice Ø', password: expect.any(String) }) } },
    { node: 'user/add_remote', params: { user: `${remote}@remote.example.net`, password: 'Rem0te-pw', registrar: 'sip.remote.example.net', r_port: '5060' }, expect: { user: expect.objectContaining({ kind: 'remote', registrar: 'sip.remote.example.net', r_port: 5060 }) } },
    { node: 'user/get', params: { username: local, domain: 'example.com' }, expect: { user: expect.objectContaining({ address: `${local}@example.com` }) } },
    { node: 'user/get', params: { address: `${remote}@remote.example.net` }, expect: { user: expect.objectContaining({ kind: 'remote' }) } },
    { node: 'user/list', params: { search: `alice-${t}@*` }, expect: { users: [`${local}@example.com`] } },
    { node: 'user/gen_pw', params: {}, expect: { password: expect.stringMatching(/^.{8,64}$/) } },
    { node: 'user/change_pw', params: { user: `${local}@example.com`, password: 'N3w-passw0rd' } },
    { node: 'user/update', params: { user: `${local}@example.com`, linetext: `line ${t}` }, expect: { user: expect.objectContaining({ linetext: `line ${t}` }) } },
    { node: 'phone/add', params: { mac, user: `${local}@example.com` }, expect: { mac: plainMac } },
    { node: 'phone/get', params: { mac: plainMac }, expect: { users: [`${local}@example.com`] } },
    { node: 'phone/get', params: { user: `${local}@example.com` }, expect: { macs: [plainMac] } },
    { node: 'phone/list', params: { search: `0011223344${digit}*` }, expect: { phones: expect.arrayContaining([plainMac]) } },
    // provisioned by the suite's seed (a model for each transport's MAC)
    { node: 'phone/config', params: { mac, file: `${plainMac}.cfg` }, expect: { mac: plainMac, files: [expect.objectContaining({ name: `${plainMac}.cfg`, content: expect.stringContaining(`account.1.user_name = ${local}`) })] } },
    { node: 'phone/info', params: { mac }, expect: { mac: plainMac, model: 'yealink-t46u', lines: [`${local}@example.com`], files: [`${plainMac}.cfg`, `${plainMac}.boot`].map((file) => ({ file, fetched_at: null, client: null, user_agent: null, current: false })) } },
    { node: 'numbers/add', params: { number: n(1) }, expect: { detail: `Added ${n(1)}` } },
    { node: 'numbers/add_range', params: { start: n(2), end: n(5) }, expect: { added: 4 } },
    { node: 'numbers/inpool', params: { number: n(3) }, expect: { number: n(3) } },
    { node: 'numbers/list', params: { search: `+47${digit}*`, limit: '3' }, expect: { numbers: [n(1), n(2), n(3)] } },
    { node: 'numbers/remove', params: { number: n(5) }, expect: { number: n(5) } },
    { node: 'alias/add', params: { alias_username: n(1), alias_domain: 'example.com', destination: `${local}@example.com` }, expect: { alias: `${n(1)}@example.com`, destination: `${local}@example.com` } },
    { node: 'alias/list', params: { search: `*${digit}0000001@*` }, expect: { aliases: [expect.anything()] } },
    { node: 'alias/user', params: { destination: `${local}@example.com`, e164: 'true' }, expect: { aliases: [expect.anything()] } },
    { node: 'alias/remove', params: { alias_username: n(1), alias_domain: 'example.com' }, expect: { alias: `${n(1)}@example.com` } },
    { node: 'phone/remove', params: { mac: plainMac, username: local, domain: 'example.com' } },
    { node: 'user/remove', params: { username: local, domain: 'example.com' } },
    { node: 'user/remove', params: { user: `${remote}@remote.example.net` } },
  ];
}

describeEachDatabase('every node over HTTP', (suite) => {
  const api = useApi(suite, { seed: (db) => putProvisioningItems(db, TRANSPORTS.map((_, i) => ({ item: `phone:0011223344${i + 1}${i + 1}`, body: '{"model":"yealink-t46u"}' }))) });

  for (const [i, transport] of TRANSPORTS.entries()) {
    it(`answers ok for every node by ${transport === 'get' ? 'GET with a query' : transport === 'form' ? 'POST with a form' : 'POST with JSON'}`, async () => {
      const steps = scenario(transport, String(i + 1));
      expect(new Set(steps.map((s) => s.node))).toEqual(new Set(NODES.keys()));
      for (const step of steps) {
        const r = await request(api.t.app, step.node, step.params, { token: api.tok.write, transport });
        expect({ node: step.node, status: r.statusCode, body: r.json() }).toMatchObject({ status: 200, body: { response: 'ok', ...step.expect } });
        expect(r.headers['content-type']).toMatch(/^application\/json/);
      }
    });
  }

  it('accepts JSON numbers and booleans as parameter text', async () => {
    const r = await api.t.app.inject({
      method: 'POST',
      url: '/numbers/list',
      headers: { authorization: `Bearer ${api.tok.read}`, 'content-type': 'application/json' },
      payload: { random: true, limit: 2 },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ response: 'ok' });
  });

  it('answers 404 invalid/node for unknown nodes, and 405 invalid/method for other methods on a node', async () => {
    for (const [method, url] of [['GET', '/user/nope'], ['GET', '/'], ['POST', '/user'], ['GET', '/user/get/extra'], ['DELETE', '/user/nope'], ['GET', '/User/Get']] as const) {
      const r = await api.t.app.inject({ method, url, headers: { authorization: `Bearer ${api.tok.read}` } });
      expect(r.statusCode, `${method} ${url}`).toBe(404);
      expect(r.json()).toMatchObject({ response: 'invalid', cause: 'node' });
    }
    const r = await api.t.app.inject({ method: 'DELETE', url: '/user/get', headers: { authorization: `Bearer ${api.tok.read}` } });
    expect(r.statusCode).toBe(405);
    expect(r.json()).toMatchObject({ response: 'invalid', cause: 'method' });
  });
});
