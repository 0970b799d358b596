import { expect, it } from 'vitest';
import { addLocalUsers, addRemoteUsers } from '../../src/ops/index.js';
import { coalescedRead } from '../../src/ops/user-batch.js';
import type { Address } from '../../src/ops/types.js';
import { inTransaction } from '../../src/db/transaction.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { request, useApi } from './helpers.js';

describeEachDatabase('concurrent user/get requests share bulk reads', (suite) => {
  const api = useApi(suite, {
    domains: ['a.example', 'b.example'],
    seed: async (c) => {
      await addLocalUsers(c, Array.from({ length: 60 }, (_, i) => ({ username: `u${i}`, domain: i % 2 ? 'a.example' : 'b.example', displayname: `User ${i}` })), { actor: 'test' });
      await addRemoteUsers(c, [{ username: 'far', domain: 'remote.example', password: 'Remote-1', registrar: 'sip.remote.example' }], { actor: 'test' });
    },
    app: { log: false },
  });

  it('answers each request with its own user, or nonexistant', async () => {
    const asks = [...Array.from({ length: 60 }, (_, i) => `u${i}@${i % 2 ? 'a.example' : 'b.example'}`), 'u1@b.example', 'nobody@a.example', 'far@remote.example'];
    const answers = await Promise.all(asks.map((user) => request(api.t.app, 'user/get', { user }, { token: api.tok.write })));
    answers.forEach((r, i) => {
      const user = asks[i];
      if (user === 'u1@b.example' || user === 'nobody@a.example') {
        expect([user, r.statusCode, r.json().cause]).toEqual([user, 404, 'nonexistant']);
      } else {
        expect(r.statusCode, user).toBe(200);
        expect(r.json().user.address).toBe(user);
        expect(r.json().user.password, user).toEqual(expect.any(String));
      }
    });
    expect(answers[0].json().user.displayname).toBe('User 0');
    expect(answers[62].json().user).toMatchObject({ kind: 'remote', password: 'Remote-1' });
  });

  it('reads once for calls in the same turn, and never coalesces inside a transaction', async () => {
    const seen: Address[][] = [];
    const read = async (_db: unknown, addresses: readonly Address[]) => {
      seen.push([...addresses]);
      return addresses.length;
    };
    const db = suite.db.connection;
    const counts = await Promise.all([1, 2, 3].map((i) => coalescedRead(db, { username: `x${i}`, domain: 'a.example' }, read)));
    expect(counts).toEqual([3, 3, 3]);
    expect(seen).toHaveLength(1);
    await inTransaction(db, async (trx) => {
      await Promise.all([1, 2].map((i) => coalescedRead(trx, { username: `y${i}`, domain: 'a.example' }, read)));
    });
    expect(seen.slice(1)).toEqual([[{ username: 'y1', domain: 'a.example' }], [{ username: 'y2', domain: 'a.example' }]]);
  });

  it('runs at most 4 bulk reads at once, of at most 500 addresses; a waiting batch keeps collecting calls', async () => {
    const sizes: number[] = [];
    let running = 0;
    let most = 0;
    const releases: (() => void)[] = [];
    const read = async (_db: unknown, addresses: readonly Address[]) => {
      sizes.push(addresses.length);
      most = Math.max(most, ++running);
      await new Promise<void>((resolve) => releases.push(resolve));
      running--;
      return addresses.length;
    };
    const db = suite.db.connection;
    const call = (i: number) => coalescedRead(db, { username: `z${i}`, domain: 'a.example' }, read);
    const first = Array.from({ length: 2010 }, (_, i) => call(i));
    await new Promise((resolve) => setImmediate(resolve));
    expect(sizes).toEqual([500, 500, 500, 500]); // the fifth batch (10 calls) waits for a slot
    const later = Array.from({ length: 5 }, (_, i) => call(3000 + i)); // join the waiting batch
    await new Promise((resolve) => setImmediate(resolve));
    expect(sizes).toHaveLength(4);
    releases.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(sizes).toEqual([500, 500, 500, 500, 15]);
    while (releases.length > 0) releases.shift()!();
    const counts = await Promise.all([...first, ...later]);
    expect(counts.slice(0, 2000).every((n) => n === 500)).toBe(true);
    expect(counts.slice(2000)).toEqual(Array(15).fill(15));
    expect(most).toBe(4);
  });
});
