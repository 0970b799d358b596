import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { loadDesiredState } from '../../src/desired/index.js';
import { createToken } from '../../src/ops/tokens.js';
import { applyDesiredState } from '../../src/reconcile/apply.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { request, useApi } from './helpers.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/hermes.yaml', import.meta.url));

describeEachDatabase('node phone/config', (suite) => {
  const api = useApi(suite, {
    domains: [],
    async seed(connection) {
      const { state } = await loadDesiredState([EXAMPLE], { secrets: 'required', env: {} });
      await applyDesiredState(connection, { desired: state!, actor: 'test', force: true, confirm: async () => true });
    },
  });
  const line2 = (content: string) => /account\.2\.password = (.*)/.exec(content)?.[1];

  it("returns a provisioned phone's file; passwords for write and provision tokens, masked for read", async () => {
    const provision = (await createToken(suite.db.connection, { name: 'provd', scope: 'provision' }, { actor: 'test' })).token;
    const get = (token: string) => request(api.t.app, 'phone/config', { mac: '00:04:f2:ab:cd:ef', file: '0004f2abcdef.cfg' }, { token });
    const read = (await get(api.tok.read)).json();
    expect(read).toMatchObject({ response: 'ok', mac: '0004f2abcdef', files: [{ name: '0004f2abcdef.cfg', content_type: 'text/plain; charset=utf-8' }] });
    expect(line2(read.files[0].content)).toBe('********');
    expect(read.files[0].content).toContain('account.2.auth_name = bob-auth');
    const bob = readFileSync(fileURLToPath(new URL('../../examples/secrets/bob.txt', import.meta.url)), 'utf8').trim();
    expect(line2((await get(provision)).json().files[0].content)).toBe(bob);
    expect(line2((await get(api.tok.write)).json().files[0].content)).toBe(bob);
    // a provision token sees no other secret
    const user = (await request(api.t.app, 'user/get', { user: 'bob@sip.partner.net' }, { token: provision })).json();
    expect(user).toMatchObject({ response: 'ok' });
    expect(JSON.stringify(user)).not.toContain('password');
  });

  it('every file of the phone without file=, nonexistant for an unprovisioned phone or unknown file', async () => {
    const all = (await request(api.t.app, 'phone/config', { mac: '0004f2123456' }, { token: api.tok.read })).json();
    expect(all.files.map((f: { name: string }) => f.name)).toEqual(['snomD785-0004F2123456.htm', '0004F2123456.xml']);
    expect((await request(api.t.app, 'phone/config', { mac: '0004f2999999' }, { token: api.tok.read })).json()).toMatchObject({ response: 'failed', cause: 'nonexistant' });
    expect((await request(api.t.app, 'phone/config', { mac: '0004f2abcdef', file: 'nope.cfg' }, { token: api.tok.read })).json()).toMatchObject({ response: 'failed', cause: 'nonexistant' });
  });
});
