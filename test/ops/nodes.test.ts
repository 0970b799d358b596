import { beforeEach, describe, expect, it } from 'vitest';
import { addDomains, callNode, computeHa1, computeHa1b, NODES, type Envelope, type OpContext } from '../../src/ops/index.js';
import type { NodeParams } from '../../src/ops/nodes.js';
import { describeEachDatabase, type DatabaseSuite } from '../helpers/databases.js';

const ctx: OpContext = { actor: 'test:nodes', showSecrets: true };

/** Every row of the data tables, to show that a refused call changed nothing. */
async function snapshot(suite: DatabaseSuite): Promise<Record<string, unknown[]>> {
  const { kamailio, provisioning } = suite.db.connection;
  const out: Record<string, unknown[]> = {};
  for (const t of ['subscriber', 'domain', 'dbaliases'] as const) out[t] = await (kamailio as any).selectFrom(t).selectAll().orderBy('id').execute();
  for (const t of ['hermes_users', 'hermes_phones', 'hermes_audit'] as const) out[t] = await (provisioning as any).selectFrom(t).selectAll().orderBy('id').execute();
  out.hermes_numbers = await provisioning.selectFrom('hermes_numbers').selectAll().orderBy('number').execute();
  return out;
}

describeEachDatabase('API nodes through callNode', (suite) => {
  const call = (name: string, params: NodeParams = {}, c: OpContext = ctx): Promise<Envelope> => callNode(suite.db.connection, name, params, c);
  const expectOk = async (name: string, params: NodeParams = {}, c: OpContext = ctx) => {
    const r = await call(name, params, c);
    expect(r, `${name} ${JSON.stringify(params)}`).toMatchObject({ response: 'ok' });
    return r as Record<string, any>;
  };

  beforeEach(async () => {
    await suite.clear();
    await addDomains(suite.db.connection, ['example.com', 'other.org'], ctx);
  });

  it('declares every seed node with its read/write nature', () => {
    // the seed's nodes, and hermes' phone/config (a provisioned phone's files) and phone/info (its inventory)
    const reads = ['user/get', 'user/list', 'user/gen_pw', 'phone/get', 'phone/list', 'numbers/list', 'numbers/inpool', 'alias/list', 'alias/user', 'phone/config', 'phone/info'];
    const writes = ['user/add_local', 'user/add_remote', 'user/remove', 'user/change_pw', 'user/update', 'phone/add', 'phone/remove', 'numbers/add_range', 'numbers/add', 'numbers/remove', 'alias/add', 'alias/remove'];
    expect([...NODES.keys()].sort()).toEqual([...reads, ...writes].sort());
    for (const n of reads) expect(NODES.get(n)!.mutates).toBe(false);
    for (const n of writes) expect(NODES.get(n)!.mutates).toBe(true);
  });

  it('answers an unknown node invalid, cause node', async () => {
    expect(await call('user/nope')).toMatchObject({ response: 'invalid', cause: 'node' });
  });

  describe('users', () => {
    it('user/add_local creates subscriber (ha1/ha1b as kamctl) and provisioning rows with a generated password', async () => {
      const r = await expectOk('user/add_local', { username: 'alice', domain: 'Example.com', displayname: 'Alice Ø', email: 'alice@example.com' });
      expect(r.user).toMatchObject({ username: 'alice', domain: 'example.com', address: 'alice@example.com', kind: 'local', displayname: 'Alice Ø', email: 'alice@example.com', registrar: null });
      const password: string = r.user.password;
      expect(password).toMatch(/^[A-Za-z0-9]{16}$/);
      const sub = await suite.db.connection.kamailio.selectFrom('subscriber').selectAll().where('username', '=', 'alice').executeTakeFirstOrThrow();
      expect(sub).toMatchObject({ domain: 'example.com', password, ha1: computeHa1('alice', 'example.com', password), ha1b: computeHa1b('alice', 'example.com', password) });
      // As kamctl computes them: md5 of 'user:realm:password' and 'user@domain:realm:password' (md5sum of the strings).
      expect(computeHa1('alice', 'example.com', 'secret')).toBe('b1726872c344b6dc8365b774f8fd6412');
      expect(computeHa1b('alice', 'example.com', 'secret')).toBe('c79656e4f06dbae9fdf6727654273c65');
    });

    it('user/add_local: user= form, exists, nxdomain, invalid', async () => {
      await expectOk('user/add_local', { user: 'bob@example.com' });
      expect(await call('user/add_local', { user: 'bob@example.com' })).toMatchObject({ response: 'failed', cause: 'exists' });
      expect(await call('user/add_local', { username: 'carol', domain: 'nowhere.net' })).toMatchObject({ response: 'failed', cause: 'nxdomain' });
      expect(await call('user/add_local', { domain: 'example.com' })).toMatchObject({ response: 'invalid', cause: 'username' });
      expect(await call('user/add_local', { username: 'carol' })).toMatchObject({ response: 'invalid', cause: 'domain' });
      expect(await call('user/add_local', { user: 'not-an-address' })).toMatchObject({ response: 'invalid', cause: 'user' });
      expect(await call('user/add_local', { user: 'carol@example.com', username: 'carol' })).toMatchObject({ response: 'invalid', cause: 'user' });
      expect(await call('user/add_local', { username: 'carol', domain: 'example.com', email: 'nope' })).toMatchObject({ response: 'invalid', cause: 'email' });
    });

    it('user/get by username&domain, user= and address=, password only with showSecrets', async () => {
      const added = await expectOk('user/add_local', { username: 'alice', domain: 'example.com', displayname: 'Alice' });
      for (const params of [{ username: 'alice', domain: 'example.com' }, { user: 'alice@example.com' }, { address: 'sip:alice@EXAMPLE.com' }]) {
        const r = await expectOk('user/get', params);
        expect(r.user).toEqual(added.user);
      }
      const hidden = await expectOk('user/get', { user: 'alice@example.com' }, { actor: 'reader' });
      expect(hidden.user.password).toBeUndefined();
      expect(hidden.user.displayname).toBe('Alice');
      expect(await call('user/get', { user: 'ghost@example.com' })).toMatchObject({ response: 'failed', cause: 'nonexistant' });
      expect(await call('user/get', { address: 'bad' })).toMatchObject({ response: 'invalid', cause: 'address' });
    });

    it('user/get shows a subscriber that kamctl created (no provisioning row)', async () => {
      await suite.db.connection.kamailio.insertInto('subscriber').values({ username: 'kam', domain: 'example.com', password: 'pw', ha1: 'x', ha1b: 'y' }).execute();
      const r = await expectOk('user/get', { user: 'kam@example.com' });
      expect(r.user).toMatchObject({ address: 'kam@example.com', kind: 'local', password: 'pw', displayname: '' });
      expect((await expectOk('user/list')).users).toEqual(['kam@example.com']);
    });

    it('user/add_remote stores the remote account; invalid without password or registrar', async () => {
      const r = await expectOk('user/add_remote', { username: 'foo', domain: 'remote.net', password: 'S3cr3t', displayname: 'baz', registrar: 'sip.example.com', r_port: '5060', proxy: 'sipproxy.example.com', p_port: '5070', authid: 'realfoo', dialplan: '(.*)', linetext: 'lalala' });
      expect(r.user).toEqual({ username: 'foo', domain: 'remote.net', address: 'foo@remote.net', kind: 'remote', displayname: 'baz', email: '', dialplan: '(.*)', linetext: 'lalala', registrar: 'sip.example.com', r_port: 5060, proxy: 'sipproxy.example.com', p_port: 5070, authid: 'realfoo', password: 'S3cr3t' });
      expect((await expectOk('user/get', { user: 'foo@remote.net' })).user).toEqual(r.user);
      expect(await call('user/add_remote', { user: 'foo@remote.net', password: 'x', registrar: 'r.net' })).toMatchObject({ response: 'failed', cause: 'exists' });
      expect(await call('user/add_remote', { user: 'x@remote.net', registrar: 'r.net' })).toMatchObject({ response: 'invalid', cause: 'password' });
      expect(await call('user/add_remote', { user: 'x@remote.net', password: 'p' })).toMatchObject({ response: 'invalid', cause: 'registrar' });
      expect(await call('user/add_remote', { user: 'x@remote.net', password: 'p', registrar: 'r.net', r_port: '70000' })).toMatchObject({ response: 'invalid', cause: 'r_port' });
    });

    it('user/add_remote takes an IPv6 registrar or proxy in brackets, stored lowercase; a bare one is invalid with the hint', async () => {
      const r = await expectOk('user/add_remote', { user: 'v6@remote.net', password: 'p', registrar: '[2001:DB8::1]', proxy: '[::1]' });
      expect(r.user).toMatchObject({ registrar: '[2001:db8::1]', proxy: '[::1]' });
      const bare = await call('user/add_remote', { user: 'v6b@remote.net', password: 'p', registrar: '2001:db8::1' });
      expect(bare).toMatchObject({ response: 'invalid', cause: 'registrar', detail: expect.stringContaining('in brackets') });
      expect(await call('user/update', { user: 'v6@remote.net', proxy: '::1' })).toMatchObject({ response: 'invalid', cause: 'proxy' });
    });

    it('user/add_remote in a domain Kamailio serves is invalid, cause domain (use user/add_local); nothing is written', async () => {
      const before = await snapshot(suite);
      for (const params of [{ user: 'x@example.com' }, { username: 'x', domain: 'Other.ORG' }]) {
        const r = await call('user/add_remote', { ...params, password: 'p', registrar: 'r.net' });
        expect(r).toMatchObject({ response: 'invalid', cause: 'domain', detail: expect.stringContaining('use user/add_local') });
      }
      expect(await snapshot(suite)).toEqual(before);
    });

    it('user/list with and without a glob', async () => {
      await expectOk('user/add_local', { user: 'alice@example.com' });
      await expectOk('user/add_local', { user: 'albert@other.org' });
      await expectOk('user/add_remote', { user: 'bob@remote.net', password: 'p', registrar: 'r.net' });
      expect((await expectOk('user/list')).users).toEqual(['albert@other.org', 'alice@example.com', 'bob@remote.net']);
      expect((await expectOk('user/list', { search: 'al*' })).users).toEqual(['albert@other.org', 'alice@example.com']);
      expect((await expectOk('user/list', { search: '*@example.com' })).users).toEqual(['alice@example.com']);
      expect((await expectOk('user/list', { search: 'b?b@*' })).users).toEqual(['bob@remote.net']);
      expect((await expectOk('user/list', { search: '%' })).users).toEqual([]);
      expect((await expectOk('user/list', { search: "' OR '1'='1" })).users).toEqual([]);
    });

    it('user/change_pw for local (password, ha1, ha1b) and remote users', async () => {
      await expectOk('user/add_local', { user: 'alice@example.com' });
      await expectOk('user/change_pw', { user: 'alice@example.com', password: 'N3wPass' });
      const sub = await suite.db.connection.kamailio.selectFrom('subscriber').selectAll().executeTakeFirstOrThrow();
      expect(sub).toMatchObject({ password: 'N3wPass', ha1: computeHa1('alice', 'example.com', 'N3wPass'), ha1b: computeHa1b('alice', 'example.com', 'N3wPass') });
      await expectOk('user/add_remote', { user: 'bob@remote.net', password: 'old', registrar: 'r.net' });
      await expectOk('user/change_pw', { username: 'bob', domain: 'remote.net', password: 'new' });
      expect((await expectOk('user/get', { user: 'bob@remote.net' })).user.password).toBe('new');
      expect(await call('user/change_pw', { user: 'ghost@example.com', password: 'x' })).toMatchObject({ response: 'failed', cause: 'nonexistant' });
      expect(await call('user/change_pw', { user: 'alice@example.com' })).toMatchObject({ response: 'invalid', cause: 'password' });
      expect(await call('user/change_pw', { user: 'alice@example.com', password: 'has space' })).toMatchObject({ response: 'invalid', cause: 'password' });
      expect(await call('user/change_pw', { user: 'alice@example.com', password: 'x'.repeat(65) })).toMatchObject({ response: 'invalid', cause: 'password' });
    });

    it('user/update for local and remote users', async () => {
      await expectOk('user/add_local', { user: 'alice@example.com', displayname: 'A' });
      const r = await expectOk('user/update', { user: 'alice@example.com', displayname: 'Alice Liddell', dialplan: '(.*)', linetext: 'Front desk' });
      expect(r.user).toMatchObject({ displayname: 'Alice Liddell', dialplan: '(.*)', linetext: 'Front desk', kind: 'local' });
      expect(await call('user/update', { user: 'alice@example.com', registrar: 'r.net' })).toMatchObject({ response: 'invalid', cause: 'registrar' });
      await expectOk('user/add_remote', { user: 'bob@remote.net', password: 'p', registrar: 'r.net', proxy: 'p.net' });
      const b = await expectOk('user/update', { user: 'bob@remote.net', registrar: 'r2.net', r_port: '5080', proxy: '', displayname: 'Bob' });
      expect(b.user).toMatchObject({ registrar: 'r2.net', r_port: 5080, proxy: null, displayname: 'Bob', password: 'p' });
      expect(await call('user/update', { user: 'ghost@example.com', displayname: 'x' })).toMatchObject({ response: 'failed', cause: 'nonexistant' });
      expect(await call('user/update', { user: 'bob@remote.net', p_port: 'abc' })).toMatchObject({ response: 'invalid', cause: 'p_port' });
    });

    it('user/remove: inuse while phones are associated, then removes both rows', async () => {
      await expectOk('user/add_local', { user: 'alice@example.com' });
      await expectOk('phone/add', { mac: 'f0:0b:a2:ba:5c:00', user: 'alice@example.com' });
      expect(await call('user/remove', { user: 'alice@example.com' })).toMatchObject({ response: 'failed', cause: 'inuse' });
      await expectOk('phone/remove', { mac: 'f00ba2ba5c00', user: 'alice@example.com' });
      await expectOk('user/remove', { username: 'alice', domain: 'example.com' });
      expect(await suite.db.connection.kamailio.selectFrom('subscriber').selectAll().execute()).toEqual([]);
      expect(await suite.db.connection.provisioning.selectFrom('hermes_users').selectAll().execute()).toEqual([]);
      expect(await call('user/remove', { user: 'alice@example.com' })).toMatchObject({ response: 'failed', cause: 'nonexistant' });
    });

    it('user/gen_pw gives fresh 16-character passwords of letters and digits', async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 50; i++) {
        const r = await expectOk('user/gen_pw');
        expect(r.password).toMatch(/^[A-Za-z0-9]{16}$/);
        expect(r.password).not.toMatch(/[0O1lI]/);
        seen.add(r.password);
      }
      expect(seen.size).toBe(50);
    });
  });

  describe('phones', () => {
    beforeEach(async () => {
      await expectOk('user/add_local', { user: 'alice@example.com' });
      await expectOk('user/add_remote', { user: 'foo@remote.net', password: 'p', registrar: 'r.net' });
    });

    it('phone/add normalises the MAC, numbers lines, and returns the mac+user combinations', async () => {
      const r = await expectOk('phone/add', { mac: 'F0-0B-A2-BA-5C-00', username: 'alice', domain: 'example.com' });
      expect(r).toMatchObject({ mac: 'f00ba2ba5c00', user: 'alice@example.com', phones: [{ mac: 'f00ba2ba5c00', user: 'alice@example.com', line: 1 }] });
      const r2 = await expectOk('phone/add', { mac: 'f00ba2ba5c00', user: 'foo@remote.net' });
      expect(r2.phones).toEqual([
        { mac: 'f00ba2ba5c00', user: 'alice@example.com', line: 1 },
        { mac: 'f00ba2ba5c00', user: 'foo@remote.net', line: 2 },
      ]);
      expect(await call('phone/add', { mac: 'f00ba2ba5c00', user: 'alice@example.com' })).toMatchObject({ response: 'failed', cause: 'exists' });
      expect(await call('phone/add', { mac: 'f00ba2ba5c00', user: 'ghost@example.com' })).toMatchObject({ response: 'failed', cause: 'nonexistant' });
      expect(await call('phone/add', { mac: 'f00ba2ba5c0', user: 'alice@example.com' })).toMatchObject({ response: 'invalid', cause: 'mac' });
      expect(await call('phone/add', { user: 'alice@example.com' })).toMatchObject({ response: 'invalid', cause: 'mac' });
      expect(await call('phone/add', { mac: '001122334455', user: 'alice@example.com', line: '0' })).toMatchObject({ response: 'invalid', cause: 'line' });
    });

    it('phone/get by mac and by user (user= or username&domain); phone/list with a search', async () => {
      await expectOk('phone/add', { mac: 'f00ba2ba5c00', user: 'alice@example.com' });
      await expectOk('phone/add', { mac: '001122334455', user: 'alice@example.com' });
      await expectOk('phone/add', { mac: '001122334455', user: 'foo@remote.net' });
      expect(await expectOk('phone/get', { mac: '00:11:22:33:44:55' })).toMatchObject({ mac: '001122334455', users: ['alice@example.com', 'foo@remote.net'] });
      expect(await expectOk('phone/get', { user: 'alice@example.com' })).toMatchObject({ user: 'alice@example.com', macs: ['001122334455', 'f00ba2ba5c00'] });
      expect(await expectOk('phone/get', { username: 'foo', domain: 'remote.net' })).toMatchObject({ macs: ['001122334455'] });
      expect(await call('phone/get', { mac: 'aabbccddeeff' })).toMatchObject({ response: 'failed', cause: 'nonexistant' });
      expect(await call('phone/get', { user: 'ghost@example.com' })).toMatchObject({ response: 'failed', cause: 'nonexistant' });
      expect(await call('phone/get', {})).toMatchObject({ response: 'invalid', cause: 'mac' });
      expect((await expectOk('phone/list')).phones).toEqual(['001122334455', 'f00ba2ba5c00']);
      expect((await expectOk('phone/list', { search: 'f00ba2' })).phones).toEqual(['f00ba2ba5c00']);
      expect((await expectOk('phone/list', { search: '00*44' })).phones).toEqual(['001122334455']);
      expect((await expectOk('phone/list', { search: '_' })).phones).toEqual([]);
    });

    it('phone/remove: nonexistant association, invalid mac', async () => {
      await expectOk('phone/add', { mac: 'f00ba2ba5c00', user: 'alice@example.com' });
      expect(await call('phone/remove', { mac: 'f00ba2ba5c00', user: 'foo@remote.net' })).toMatchObject({ response: 'failed', cause: 'nonexistant' });
      expect(await call('phone/remove', { mac: 'zz', user: 'foo@remote.net' })).toMatchObject({ response: 'invalid', cause: 'mac' });
      expect(await expectOk('phone/remove', { mac: 'F0:0B:A2:BA:5C:00', username: 'alice', domain: 'example.com' })).toMatchObject({ mac: 'f00ba2ba5c00', user: 'alice@example.com' });
      expect((await expectOk('phone/list')).phones).toEqual([]);
    });
  });

  describe('numbers', () => {
    it('numbers/add: "Added <number>", exists when pooled, inuse when an alias, invalid', async () => {
      expect(await expectOk('numbers/add', { number: '+4761123456' })).toMatchObject({ number: '+4761123456', detail: 'Added +4761123456' });
      expect(await call('numbers/add', { number: '+4761123456' })).toMatchObject({ response: 'failed', cause: 'exists' });
      await expectOk('user/add_local', { user: 'alice@example.com' });
      await expectOk('alias/add', { alias_username: '+4761000000', alias_domain: 'example.com', destination: 'alice@example.com' });
      expect(await call('numbers/add', { number: '+4761000000' })).toMatchObject({ response: 'failed', cause: 'inuse' });
      for (const bad of ['4761123456', '+0761123456', '+1234567890123456', '']) expect(await call('numbers/add', { number: bad })).toMatchObject({ response: 'invalid', cause: 'number' });
    });

    it('numbers/remove and numbers/inpool', async () => {
      await expectOk('numbers/add', { number: '+4761123456' });
      expect(await expectOk('numbers/inpool', { number: '+4761123456' })).toMatchObject({ number: '+4761123456' });
      expect(await expectOk('numbers/remove', { number: '+4761123456' })).toEqual({ response: 'ok', number: '+4761123456' });
      expect(await call('numbers/inpool', { number: '+4761123456' })).toMatchObject({ response: 'failed', cause: 'nonexistant' });
      expect(await call('numbers/remove', { number: '+4761123456' })).toMatchObject({ response: 'failed', cause: 'nonexistant' });
      expect(await call('numbers/inpool', { number: 'x' })).toMatchObject({ response: 'invalid', cause: 'number' });
    });

    it('numbers/add_range adds start..end inclusive, skips pooled and aliased numbers, says how many', async () => {
      await expectOk('numbers/add', { number: '+4722000005' });
      await expectOk('user/add_local', { user: 'alice@example.com' });
      await suite.db.connection.kamailio.insertInto('dbaliases').values({ alias_username: '+4722000007', alias_domain: 'example.com', username: 'alice', domain: 'example.com' }).execute();
      const r = await expectOk('numbers/add_range', { start: '+4722000000', end: '+4722000099' });
      expect(r.added).toBe(98);
      expect(r.detail).toMatch(/Added 98 numbers/);
      const numbers = (await expectOk('numbers/list')).numbers as string[];
      expect(numbers).toHaveLength(99);
      expect(numbers[0]).toBe('+4722000000');
      expect(numbers[numbers.length - 1]).toBe('+4722000099');
      expect(numbers).not.toContain('+4722000007');
      expect((await expectOk('numbers/add_range', { start: '+4722000000', end: '+4722000099' })).added).toBe(0);
    });

    it('numbers/add_range limits: range, same length, start < end, at most 1,000,000', async () => {
      expect(await call('numbers/add_range', { start: '+471234', end: '+47123456' })).toMatchObject({ response: 'invalid', cause: 'range' });
      expect(await call('numbers/add_range', { start: '+4722000010', end: '+4722000001' })).toMatchObject({ response: 'invalid', cause: 'range' });
      expect(await call('numbers/add_range', { start: '+4722000001', end: '+4722000001' })).toMatchObject({ response: 'invalid', cause: 'range' });
      expect(await call('numbers/add_range', { start: '+4720000000', end: '+4721000000' })).toMatchObject({ response: 'invalid', cause: 'range' });
      expect(await call('numbers/add_range', { start: '4722', end: '+4723' })).toMatchObject({ response: 'invalid', cause: 'start' });
      expect(await call('numbers/add_range', { start: '+4722' })).toMatchObject({ response: 'invalid', cause: 'end' });
      expect((await expectOk('numbers/list')).numbers).toEqual([]);
    });

    it('numbers/list: sorted, search (pre-post glob), random, limit', async () => {
      await expectOk('numbers/add_range', { start: '+4712340', end: '+4712349' });
      await expectOk('numbers/add', { number: '+4799999' });
      expect((await expectOk('numbers/list')).numbers).toHaveLength(11);
      expect((await expectOk('numbers/list', { search: '1234' })).numbers).toHaveLength(10);
      expect((await expectOk('numbers/list', { search: '99' })).numbers).toEqual(['+4799999']);
      expect((await expectOk('numbers/list', { search: '2?45' })).numbers).toEqual(['+4712345']);
      expect((await expectOk('numbers/list', { limit: '3' })).numbers).toEqual(['+4712340', '+4712341', '+4712342']);
      const random = (await expectOk('numbers/list', { random: 'true', limit: '5' })).numbers as string[];
      expect(random).toHaveLength(5);
      expect(new Set(random).size).toBe(5);
      expect(await call('numbers/list', { limit: '0' })).toMatchObject({ response: 'invalid', cause: 'limit' });
      expect(await call('numbers/list', { limit: 'ten' })).toMatchObject({ response: 'invalid', cause: 'limit' });
      expect(await call('numbers/list', { random: 'maybe' })).toMatchObject({ response: 'invalid', cause: 'random' });
    });
  });

  describe('aliases', () => {
    beforeEach(async () => {
      await expectOk('user/add_local', { user: 'alice@example.com' });
      await expectOk('user/add_local', { user: 'bob@example.com' });
    });

    it('alias/add: ok with alias and destination; E.164 takes the number out of the pool', async () => {
      await expectOk('numbers/add', { number: '+4722334401' });
      expect(await expectOk('alias/add', { alias_username: '+4722334401', alias_domain: 'example.com', destination: 'alice@example.com' })).toEqual({ response: 'ok', alias: '+4722334401@example.com', destination: 'alice@example.com' });
      expect(await call('numbers/inpool', { number: '+4722334401' })).toMatchObject({ response: 'failed', cause: 'nonexistant' });
      expect(await expectOk('alias/add', { alias: 'sales@other.org', user: 'bob@example.com' })).toMatchObject({ alias: 'sales@other.org', destination: 'bob@example.com' });
      // Destination outside the Kamailio domains: anything goes.
      await expectOk('alias/add', { alias_username: 'ext', alias_domain: 'example.com', destination: 'someone@elsewhere.net' });
      const rows = await suite.db.connection.kamailio.selectFrom('dbaliases').select(['alias_username', 'alias_domain', 'username', 'domain']).orderBy('id').execute();
      expect(rows).toEqual([
        { alias_username: '+4722334401', alias_domain: 'example.com', username: 'alice', domain: 'example.com' },
        { alias_username: 'sales', alias_domain: 'other.org', username: 'bob', domain: 'example.com' },
        { alias_username: 'ext', alias_domain: 'example.com', username: 'someone', domain: 'elsewhere.net' },
      ]);
    });

    it('alias/add failures: invalid alias/destination, nxdomain, nonexistant, exists (x3)', async () => {
      const base = { alias_username: 'support', alias_domain: 'example.com', destination: 'alice@example.com' };
      expect(await call('alias/add', { ...base, alias_username: 'bad name' })).toMatchObject({ response: 'invalid', cause: 'alias' });
      expect(await call('alias/add', { ...base, alias_domain: 'bad_domain!' })).toMatchObject({ response: 'invalid', cause: 'alias' });
      expect(await call('alias/add', { ...base, destination: 'nope' })).toMatchObject({ response: 'invalid', cause: 'destination' });
      expect(await call('alias/add', { ...base, alias_domain: 'elsewhere.net' })).toMatchObject({ response: 'failed', cause: 'nxdomain' });
      expect(await call('alias/add', { ...base, destination: 'ghost@example.com' })).toMatchObject({ response: 'failed', cause: 'nonexistant' });
      await expectOk('alias/add', base);
      expect(await call('alias/add', { ...base, destination: 'bob@example.com' })).toMatchObject({ response: 'failed', cause: 'exists' });
      expect(await call('alias/add', { ...base, alias_username: 'bob' })).toMatchObject({ response: 'failed', cause: 'exists' });
      await expectOk('alias/add', { alias_username: '+4722334401', alias_domain: 'example.com', destination: 'alice@example.com' });
      expect(await call('alias/add', { alias_username: '+4722334402', alias_domain: 'other.org', destination: 'alice@example.com' })).toMatchObject({ response: 'failed', cause: 'exists' });
      expect(await call('alias/add', { alias_domain: 'example.com', destination: 'alice@example.com' })).toMatchObject({ response: 'invalid', cause: 'alias_username' });
    });

    it('alias/list, alias/user (e164), alias/remove', async () => {
      await expectOk('alias/add', { alias_username: '+4722334401', alias_domain: 'example.com', destination: 'alice@example.com' });
      await expectOk('alias/add', { alias_username: 'support', alias_domain: 'example.com', destination: 'alice@example.com' });
      await expectOk('alias/add', { alias_username: 'sales', alias_domain: 'other.org', destination: 'bob@example.com' });
      expect((await expectOk('alias/list')).aliases).toEqual([
        { alias: '+4722334401@example.com', destination: 'alice@example.com' },
        { alias: 'sales@other.org', destination: 'bob@example.com' },
        { alias: 'support@example.com', destination: 'alice@example.com' },
      ]);
      expect((await expectOk('alias/list', { search: '*@example.com' })).aliases).toHaveLength(2);
      expect((await expectOk('alias/list', { search: 's*' })).aliases).toHaveLength(2);
      expect(await expectOk('alias/user', { destination: 'alice@example.com' })).toEqual({ response: 'ok', destination: 'alice@example.com', aliases: ['+4722334401@example.com', 'support@example.com'] });
      expect((await expectOk('alias/user', { destination: 'alice@example.com', e164: 'true' })).aliases).toEqual(['+4722334401@example.com']);
      expect((await expectOk('alias/user', { destination: 'carol@example.com' })).aliases).toEqual([]);
      expect(await call('alias/user', { destination: 'x' })).toMatchObject({ response: 'invalid', cause: 'destination' });
      expect(await expectOk('alias/remove', { alias_username: '+4722334401', alias_domain: 'example.com' })).toEqual({ response: 'ok', alias: '+4722334401@example.com' });
      // Removing an E.164 alias does not return the number to the pool.
      expect(await call('numbers/inpool', { number: '+4722334401' })).toMatchObject({ response: 'failed', cause: 'nonexistant' });
      expect(await call('alias/remove', { alias_username: '+4722334401', alias_domain: 'example.com' })).toMatchObject({ response: 'failed', cause: 'nonexistant' });
      expect(await call('alias/remove', { alias_username: 'bad name', alias_domain: 'example.com' })).toMatchObject({ response: 'invalid', cause: 'address' });
      await expectOk('alias/remove', { alias: 'sales@other.org' });
      expect((await expectOk('alias/list')).aliases).toEqual([{ alias: 'support@example.com', destination: 'alice@example.com' }]);
    });
  });

  describe('audit', () => {
    it('writes one row per change with actor, node and key, never a password', async () => {
      const r = await expectOk('user/add_local', { user: 'alice@example.com' }, { actor: 'token:ops', showSecrets: true, now: () => new Date('2030-01-02T03:04:05Z') });
      await expectOk('user/add_remote', { user: 'bob@remote.net', password: 'RemoteS3cret', registrar: 'r.net' }, { actor: 'token:ops' });
      await expectOk('user/change_pw', { user: 'alice@example.com', password: 'ChangedS3cret' }, { actor: 'token:ops' });
      await expectOk('numbers/add_range', { start: '+4722000000', end: '+4722000009' }, { actor: 'token:ops' });
      const rows = await suite.db.connection.provisioning.selectFrom('hermes_audit').selectAll().where('actor', '=', 'token:ops').orderBy('id').execute();
      expect(rows.map((x) => [x.node, x.action, x.kind, x.object_key])).toEqual([
        ['user/add_local', 'create', 'user', 'alice@example.com'],
        ['user/add_remote', 'create', 'user', 'bob@remote.net'],
        ['user/change_pw', 'update', 'user', 'alice@example.com'],
        ['numbers/add_range', 'create', 'number', '+4722000000..+4722000009'],
      ]);
      expect(rows[0].at).toBe('2030-01-02T03:04:05.000Z');
      const all = JSON.stringify(rows);
      for (const secret of [r.user.password, 'RemoteS3cret', 'ChangedS3cret']) expect(all).not.toContain(secret);
    });

    it('records a phone by its MAC: create, update (a line more or less), delete (its last line)', async () => {
      await expectOk('user/add_local', { user: 'alice@example.com' });
      await expectOk('user/add_local', { user: 'bob@example.com' });
      const c = { actor: 'token:phones' };
      await expectOk('phone/add', { mac: '0004f2000001', user: 'alice@example.com' }, c);
      await expectOk('phone/add', { mac: '0004f2000001', user: 'bob@example.com' }, c);
      await expectOk('phone/remove', { mac: '0004f2000001', user: 'alice@example.com' }, c);
      await expectOk('phone/remove', { mac: '0004f2000001', user: 'bob@example.com' }, c);
      const rows = await suite.db.connection.provisioning.selectFrom('hermes_audit').selectAll().where('actor', '=', 'token:phones').orderBy('id').execute();
      expect(rows.map((x) => [x.node, x.action, x.kind, x.object_key, JSON.parse(x.detail)])).toEqual([
        ['phone/add', 'create', 'phone', '0004f2000001', { added: [{ line: 1, user: 'alice@example.com' }] }],
        ['phone/add', 'update', 'phone', '0004f2000001', { added: [{ line: 2, user: 'bob@example.com' }] }],
        ['phone/remove', 'update', 'phone', '0004f2000001', { removed: ['alice@example.com'] }],
        ['phone/remove', 'delete', 'phone', '0004f2000001', { removed: ['bob@example.com'] }],
      ]);
    });

    it('ctx.via names the audit node (the reconciler)', async () => {
      await expectOk('numbers/add', { number: '+4790000000' }, { actor: 'ci:someone', via: 'apply' });
      const rows = await suite.db.connection.provisioning.selectFrom('hermes_audit').selectAll().where('actor', '=', 'ci:someone').execute();
      expect(rows).toMatchObject([{ node: 'apply', object_key: '+4790000000' }]);
    });
  });

  describe('hostile parameters answer invalid and change nothing', () => {
    const hostile: [string, NodeParams, string][] = [
      ['user/add_local', { username: "a'; DROP TABLE subscriber; --", domain: 'example.com' }, 'username'],
      ['user/add_local', { username: 'alice', domain: "example.com' OR 1=1" }, 'domain'],
      ['user/add_local', { username: 'a'.repeat(65), domain: 'example.com' }, 'username'],
      ['user/add_local', { username: 'a'.repeat(5000), domain: 'example.com' }, 'username'],
      ['user/add_local', { username: 'ålice', domain: 'example.com' }, 'username'],
      ['user/add_local', { username: 'alice', domain: 'exämple.com' }, 'domain'],
      ['user/add_local', { username: ['alice', 'bob'], domain: 'example.com' }, 'username'],
      ['user/add_local', { username: 'alice', domain: 'example.com', displayname: 'x'.repeat(129) }, 'displayname'],
      ['user/add_local', { username: 'alice', domain: 'example.com', displayname: 'evil\u0000name' }, 'displayname'],
      ['user/add_local', { username: 'alice', domain: 'example.com', linetext: '\ud800' }, 'linetext'],
      ['user/add_local', { username: 'alice\n', domain: 'example.com' }, 'username'],
      ['user/add_remote', { user: 'x@r.net', password: 'p\u00e6ss', registrar: 'r.net' }, 'password'],
      ['user/add_remote', { user: 'x@r.net', password: 'p', registrar: 'r.net; rm -rf /' }, 'registrar'],
      ['user/remove', { user: "alice@example.com' --" }, 'user'],
      ['user/update', { user: 'alice@example.com', email: 'a@b\r\nBcc: x' }, 'email'],
      ['phone/add', { mac: "f00ba2ba5c00' OR '1", user: 'alice@example.com' }, 'mac'],
      ['phone/add', { mac: ['f00ba2ba5c00', '001122334455'], user: 'alice@example.com' }, 'mac'],
      ['numbers/add', { number: '+47%' }, 'number'],
      ['numbers/add', { number: ['+4711', '+4712'] }, 'number'],
      ['numbers/add_range', { start: '+47;1', end: '+472' }, 'start'],
      ['alias/add', { alias_username: '%', alias_domain: 'example.com', destination: 'alice@example.com' }, 'alias'],
      ['alias/add', { alias_username: 'x', alias_domain: 'example.com', destination: 'alice@example.com\u0000' }, 'destination'],
      ['alias/remove', { alias_username: '%', alias_domain: 'example.com' }, 'address'],
      ['alias/remove', { alias_username: 'x', alias_domain: '*.example.com' }, 'address'],
      ['user/get', { user: ['alice@example.com', 'bob@example.com'] }, 'user'],
      ['numbers/list', { limit: '1; DELETE FROM hermes_numbers' }, 'limit'],
    ];

    it.each(hostile.map(([n, p, c], i) => [i, n, p, c] as const))('#%i %s', async (_i, name, params, cause) => {
      await expectOk('user/add_local', { user: 'alice@example.com' });
      await expectOk('numbers/add', { number: '+4711' });
      const before = await snapshot(suite);
      expect(await call(name, params)).toMatchObject({ response: 'invalid', cause });
      expect(await snapshot(suite)).toEqual(before);
    });

    it('glob searches treat SQL metacharacters as text', async () => {
      await expectOk('user/add_local', { user: 'alice@example.com' });
      for (const search of ["' OR 1=1 --", '%', '_lice@example.com', '!', '\\', '"; DROP TABLE hermes_users; --']) {
        expect((await expectOk('user/list', { search })).users).toEqual([]);
      }
      expect((await expectOk('user/list', { search: '?lice@example.com' })).users).toEqual(['alice@example.com']);
    });
  });

  describe('database failures', () => {
    it('answer error/dbfail without driver text and hand the error to ctx.onError', async () => {
      // A real database error: the provisioning tables looked up in a schema that does not exist.
      const broken = { ...suite.db.connection, provisioning: suite.db.connection.provisioning.withSchema('no_such_schema_here') };
      const errors: unknown[] = [];
      const r = await callNode(broken, 'numbers/list', {}, { actor: 't', onError: (e) => errors.push(e) });
      expect(r).toEqual({ response: 'error', cause: 'dbfail', detail: 'database failure' });
      expect(errors).toHaveLength(1);
      expect(String(errors[0])).toMatch(/no_such_schema_here/);
    });
  });
});
