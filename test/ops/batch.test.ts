import { beforeEach, expect, it } from 'vitest';
import { inTransaction } from '../../src/db/transaction.js';
import {
  addAliases,
  addDomains,
  addLocalUsers,
  addNumberRange,
  addNumbers,
  addPhones,
  addRemoteUsers,
  computeHa1,
  computeHa1b,
  generatePassword,
  getUser,
  listUsers,
  OpFailure,
  removeAliases,
  removeDomains,
  removeNumbers,
  removePhones,
  removeUsers,
  updateUsers,
  type OpContext,
} from '../../src/ops/index.js';
import { describeEachDatabase } from '../helpers/databases.js';

const ctx: OpContext = { actor: 'test:batch', via: 'apply' };
const N = 2_000;

async function failure(promise: Promise<unknown>): Promise<{ response: string; cause: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OpFailure) return { response: error.response, cause: error.cause };
    throw error;
  }
  throw new Error('expected an OpFailure');
}

describeEachDatabase('batch ops', (suite) => {
  const db = () => suite.db.connection;
  const count = async (table: string) => Number(((await (db().kamailio as any).selectFrom(table).select((eb: any) => eb.fn.countAll().as('n')).executeTakeFirst()) as any).n);

  beforeEach(async () => {
    await suite.clear();
    await addDomains(db(), ['example.com'], ctx);
  });

  it('domains: add and remove; exists, nonexistant, invalid', async () => {
    await addDomains(db(), ['a.example', 'B.example'], ctx);
    const rows = await db().kamailio.selectFrom('domain').select(['domain', 'did']).orderBy('domain').execute();
    expect(rows).toEqual([
      { domain: 'a.example', did: null },
      { domain: 'b.example', did: null },
      { domain: 'example.com', did: null },
    ]);
    expect(await failure(addDomains(db(), ['c.example', 'a.example'], ctx))).toEqual({ response: 'failed', cause: 'exists' });
    expect(await count('domain')).toBe(3);
    expect(await failure(addDomains(db(), ['bad domain'], ctx))).toEqual({ response: 'invalid', cause: 'domain' });
    expect(await failure(removeDomains(db(), ['a.example', 'nope.example'], ctx))).toEqual({ response: 'failed', cause: 'nonexistant' });
    await removeDomains(db(), ['a.example', 'b.example'], ctx);
    expect(await count('domain')).toBe(1);
  });

  it(`adds, updates and removes ${N} local users in bulk, with ha1/ha1b`, async () => {
    const users = Array.from({ length: N }, (_, i) => ({ username: `u${i}`, domain: 'example.com', displayname: `User ${i}`, password: i % 2 ? `pw${i}` : undefined }));
    const added = await addLocalUsers(db(), users, ctx);
    expect(added).toHaveLength(N);
    expect(added[1].password).toBe('pw1');
    expect(added[0].password).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(await count('subscriber')).toBe(N);
    const sub = await db().kamailio.selectFrom('subscriber').selectAll().where('username', '=', 'u7').executeTakeFirstOrThrow();
    expect(sub).toMatchObject({ password: 'pw7', ha1: computeHa1('u7', 'example.com', 'pw7'), ha1b: computeHa1b('u7', 'example.com', 'pw7') });
    expect((await listUsers(db(), 'u1??@*', ctx)).length).toBe(100);

    await updateUsers(db(), users.map((u) => ({ username: u.username, domain: u.domain, fields: { linetext: `L ${u.username}` }, password: `new-${u.username}` })), ctx);
    const u9 = await getUser(db(), { username: 'u9', domain: 'example.com' }, { ...ctx, showSecrets: true });
    expect(u9).toMatchObject({ linetext: 'L u9', displayname: 'User 9', password: 'new-u9' });
    const sub9 = await db().kamailio.selectFrom('subscriber').selectAll().where('username', '=', 'u9').executeTakeFirstOrThrow();
    expect(sub9.ha1).toBe(computeHa1('u9', 'example.com', 'new-u9'));

    const audit = await db().provisioning.selectFrom('hermes_audit').select(['node', 'detail']).execute();
    expect(audit.filter((a) => a.node === 'apply')).toHaveLength(2 * N + 1);
    expect(JSON.stringify(audit)).not.toMatch(/pw7|new-u9/);

    await removeUsers(db(), users.map((u) => ({ username: u.username, domain: u.domain })), ctx);
    expect(await count('subscriber')).toBe(0);
    expect(await listUsers(db(), undefined, ctx)).toEqual([]);
  });

  it('a batch with one bad item writes nothing', async () => {
    const users = Array.from({ length: 600 }, (_, i) => ({ username: `u${i}`, domain: 'example.com' }));
    await addLocalUsers(db(), [{ username: 'u599', domain: 'example.com' }], ctx);
    expect(await failure(addLocalUsers(db(), users, ctx))).toEqual({ response: 'failed', cause: 'exists' });
    expect(await failure(addLocalUsers(db(), [...users.slice(0, 10), { username: 'x', domain: 'elsewhere.net' }], ctx))).toEqual({ response: 'failed', cause: 'nxdomain' });
    expect(await failure(addLocalUsers(db(), [{ username: 'a', domain: 'example.com' }, { username: 'a', domain: 'example.com' }], ctx))).toEqual({ response: 'failed', cause: 'exists' });
    expect(await count('subscriber')).toBe(1);
    expect(await failure(removeUsers(db(), [{ username: 'u599', domain: 'example.com' }, { username: 'ghost', domain: 'example.com' }], ctx))).toEqual({ response: 'failed', cause: 'nonexistant' });
    expect(await count('subscriber')).toBe(1);
  });

  it('joins the caller\'s transaction: an outer failure rolls the op back', async () => {
    await expect(
      inTransaction(db(), async (trx) => {
        await addLocalUsers(trx, [{ username: 'inner', domain: 'example.com' }], ctx);
        await addNumbers(trx, ['+4711'], ctx);
        throw new Error('outer failure');
      }),
    ).rejects.toThrow('outer failure');
    expect(await count('subscriber')).toBe(0);
    expect(await db().provisioning.selectFrom('hermes_numbers').selectAll().execute()).toEqual([]);
  });

  it('remote users in bulk; update refuses remote fields on local users', async () => {
    await addRemoteUsers(db(), Array.from({ length: 700 }, (_, i) => ({ username: `r${i}`, domain: 'remote.net', password: `p${i}`, registrar: 'sip.remote.net', r_port: 5060 })), ctx);
    expect(await getUser(db(), { username: 'r5', domain: 'remote.net' }, { ...ctx, showSecrets: true })).toMatchObject({ kind: 'remote', password: 'p5', registrar: 'sip.remote.net', r_port: 5060 });
    expect(await count('subscriber')).toBe(0);
    await addLocalUsers(db(), [{ username: 'loc', domain: 'example.com' }], ctx);
    expect(await failure(updateUsers(db(), [{ username: 'loc', domain: 'example.com', fields: { proxy: 'p.net' } }], ctx))).toEqual({ response: 'invalid', cause: 'proxy' });
    expect(await failure(updateUsers(db(), [{ username: 'r1', domain: 'remote.net', fields: { registrar: null } }], ctx))).toEqual({ response: 'invalid', cause: 'registrar' });
  });

  it('update adopts a subscriber made by kamctl (creates its provisioning row)', async () => {
    await db().kamailio.insertInto('subscriber').values({ username: 'kam', domain: 'example.com', password: 'old', ha1: '', ha1b: '' }).execute();
    await updateUsers(db(), [{ username: 'kam', domain: 'example.com', fields: { displayname: 'Kam' }, password: 'fresh' }], ctx);
    expect(await getUser(db(), { username: 'kam', domain: 'example.com' }, { ...ctx, showSecrets: true })).toMatchObject({ displayname: 'Kam', kind: 'local', password: 'fresh' });
    const sub = await db().kamailio.selectFrom('subscriber').selectAll().executeTakeFirstOrThrow();
    expect(sub.ha1b).toBe(computeHa1b('kam', 'example.com', 'fresh'));
  });

  it(`phones: ${N} lines in bulk, next free line, removal`, async () => {
    await addLocalUsers(db(), Array.from({ length: 10 }, (_, i) => ({ username: `u${i}`, domain: 'example.com' })), ctx);
    const lines = Array.from({ length: N }, (_, i) => ({ mac: (0x001122000000 + Math.floor(i / 10)).toString(16).padStart(12, '0'), username: `u${i % 10}`, domain: 'example.com' }));
    await addPhones(db(), lines, ctx);
    const rows = await db().provisioning.selectFrom('hermes_phones').selectAll().where('mac', '=', '001122000000').orderBy('line').execute();
    expect(rows.map((r) => [r.username, r.line])).toEqual(Array.from({ length: 10 }, (_, i) => [`u${i}`, i + 1]));
    expect(await failure(addPhones(db(), [{ mac: '00:11:22:00:00:00', username: 'u0', domain: 'example.com' }], ctx))).toEqual({ response: 'failed', cause: 'exists' });
    expect(await failure(addPhones(db(), [{ mac: 'aabbccddeeff', username: 'u0', domain: 'example.com', line: 2 }, { mac: 'aabbccddeeff', username: 'u1', domain: 'example.com', line: 2 }], ctx))).toEqual({ response: 'failed', cause: 'exists' });
    expect(await failure(removeUsers(db(), [{ username: 'u3', domain: 'example.com' }], ctx))).toEqual({ response: 'failed', cause: 'inuse' });
    await removePhones(db(), lines, ctx);
    expect(await db().provisioning.selectFrom('hermes_phones').selectAll().execute()).toEqual([]);
    await addPhones(db(), [{ mac: 'aabbccddeeff', username: 'u0', domain: 'example.com', line: 2 }, { mac: 'aabbccddeeff', username: 'u1', domain: 'example.com' }], ctx);
    const placed = await db().provisioning.selectFrom('hermes_phones').select(['username', 'line']).orderBy('line').execute();
    expect(placed).toEqual([{ username: 'u1', line: 1 }, { username: 'u0', line: 2 }]);
  });

  it('numbers: 10,000 in bulk, skips pooled, refuses in-use, removal', async () => {
    const numbers = Array.from({ length: 10_000 }, (_, i) => `+4790${String(i).padStart(6, '0')}`);
    expect(await addNumbers(db(), numbers.slice(0, 100), ctx)).toBe(100);
    expect(await addNumbers(db(), numbers, ctx)).toBe(9_900);
    await addLocalUsers(db(), [{ username: 'alice', domain: 'example.com' }], ctx);
    await addAliases(db(), [{ alias_username: '+4780000000', alias_domain: 'example.com', username: 'alice', domain: 'example.com' }], ctx);
    expect(await failure(addNumbers(db(), ['+4780000001', '+4780000000'], ctx))).toEqual({ response: 'failed', cause: 'inuse' });
    expect(await failure(removeNumbers(db(), ['+4790000000', '+4711'], ctx))).toEqual({ response: 'failed', cause: 'nonexistant' });
    await removeNumbers(db(), numbers, ctx);
    expect(await db().provisioning.selectFrom('hermes_numbers').selectAll().execute()).toEqual([]);
  });

  it('addNumberRange: 100,000 numbers; the limit of 1,000,000', async () => {
    expect(await addNumberRange(db(), '+4721000000', '+4721099999', ctx)).toBe(100_000);
    expect(await addNumberRange(db(), '+4721099990', '+4721100009', ctx)).toBe(10);
    expect(await failure(addNumberRange(db(), '+4721000000', '+4722000000', ctx))).toEqual({ response: 'invalid', cause: 'range' });
    expect(await failure(addNumberRange(db(), '+47210', '+472100', ctx))).toEqual({ response: 'invalid', cause: 'range' });
  });

  it('aliases: 1,000 E.164 aliases take their numbers from the pool; removal does not return them', async () => {
    const users = Array.from({ length: 1000 }, (_, i) => ({ username: `u${i}`, domain: 'example.com' }));
    await addLocalUsers(db(), users, ctx);
    await addNumberRange(db(), '+4722330000', '+4722331999', ctx);
    const aliases = users.map((u, i) => ({ alias_username: `+4722330${String(i).padStart(3, '0')}`, alias_domain: 'example.com', ...u }));
    await addAliases(db(), aliases, ctx);
    expect(await count('dbaliases')).toBe(1000);
    const pool = await db().provisioning.selectFrom('hermes_numbers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(pool.n)).toBe(1000);
    // A second E.164 alias for a destination is refused, also within one batch.
    expect(await failure(addAliases(db(), [{ alias_username: '+4722331500', alias_domain: 'example.com', username: 'u1', domain: 'example.com' }], ctx))).toEqual({ response: 'failed', cause: 'exists' });
    expect(
      await failure(
        addAliases(db(), [
          { alias_username: '+4722331600', alias_domain: 'example.com', username: 'x', domain: 'remote.net' },
          { alias_username: '+4722331601', alias_domain: 'example.com', username: 'x', domain: 'remote.net' },
        ], ctx),
      ),
    ).toEqual({ response: 'failed', cause: 'exists' });
    await removeAliases(db(), aliases, ctx);
    expect(await count('dbaliases')).toBe(0);
    expect(Number((await db().provisioning.selectFrom('hermes_numbers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(1000);
  });

  it('generatePassword: 16 characters, crypto-random, phone-friendly alphabet', () => {
    const all = new Set(Array.from({ length: 1000 }, generatePassword));
    expect(all.size).toBe(1000);
    for (const p of all) expect(p).toMatch(/^[a-km-np-zA-HJ-NP-RT-Y346-9]{16}$/);
  });
});
