import { CompiledQuery, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow } from 'kysely';
import { expect, it } from 'vitest';
import type { Dbs } from '../../src/db/types.js';
import { addAliases, addLocalUsers, addNumberRange, addPhones, listNumbers } from '../../src/ops/index.js';
import { MAX_LIST_LIMIT } from '../../src/ops/list-limit.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { request, useApi } from './helpers.js';

const ctx = { actor: 'test' };
const BIG = 1_000_000;

/** Counts the rows every query returns and keeps its SQL, to show what a call read. */
class Recorder implements KyselyPlugin {
  rows = 0;
  readonly queries: CompiledQuery[] = [];
  constructor(private readonly compile: (node: RootOperationNode, id: PluginTransformQueryArgs['queryId']) => CompiledQuery) {}
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.queries.push(this.compile(args.node, args.queryId));
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.rows += args.result.rows.length;
    return args.result;
  }
}

describeEachDatabase('list limits', (suite) => {
  const api = useApi(suite, {
    seed: async (c) => {
      await addLocalUsers(c, ['alice', 'Bob', 'carol', 'dave'].map((username) => ({ username, domain: 'example.com' })), ctx);
      await addPhones(c, ['f00ba2ba5c01', 'f00ba2ba5c02', 'f00ba2ba5c03'].map((mac) => ({ mac, username: 'alice', domain: 'example.com' })), ctx);
      await addAliases(c, ['a1', 'a2', 'A3'].map((alias_username) => ({ alias_username, alias_domain: 'example.com', username: 'alice', domain: 'example.com' })), ctx);
      await addNumberRange(c, '+4722000000', `+47220${String(MAX_LIST_LIMIT + 49).padStart(5, '0')}`, ctx);
    },
  });
  const list = async (node: string, params: Record<string, string>) => (await request(api.t.app, node, params, { token: api.tok.read })).json();

  it('every list node takes a limit, in the answer order, and says when a list was cut', async () => {
    expect(await list('user/list', { limit: '2' })).toEqual({ response: 'ok', users: ['Bob@example.com', 'alice@example.com'], truncated: true });
    expect(await list('user/list', {})).toEqual({ response: 'ok', users: ['Bob@example.com', 'alice@example.com', 'carol@example.com', 'dave@example.com'] });
    expect(await list('phone/list', { limit: '1' })).toEqual({ response: 'ok', phones: ['f00ba2ba5c01'], truncated: true });
    expect(await list('phone/list', { limit: '3' })).toEqual({ response: 'ok', phones: ['f00ba2ba5c01', 'f00ba2ba5c02', 'f00ba2ba5c03'] });
    const aliases = await list('alias/list', { limit: '2' });
    expect(aliases).toMatchObject({ response: 'ok', truncated: true });
    expect(aliases.aliases.map((a: { alias: string }) => a.alias)).toEqual(['A3@example.com', 'a1@example.com']);
    expect(await list('numbers/list', { limit: '2', search: '220001' })).toEqual({ response: 'ok', numbers: ['+4722000100', '+4722000101'], truncated: true });
    for (const node of ['user/list', 'phone/list', 'alias/list', 'numbers/list']) {
      expect(await list(node, { limit: '0' }), node).toMatchObject({ response: 'invalid', cause: 'limit' });
      expect(await list(node, { limit: 'all' }), node).toMatchObject({ response: 'invalid', cause: 'limit' });
    }
  });

  it(`answers at most ${MAX_LIST_LIMIT} entries by default and for a larger limit`, async () => {
    for (const params of [{}, { limit: '50000000' }, { random: 'true' }, { random: 'true', limit: '999999999' }] as Record<string, string>[]) {
      const r = await list('numbers/list', params);
      expect(r.numbers, JSON.stringify(params)).toHaveLength(MAX_LIST_LIMIT);
      expect(new Set(r.numbers).size).toBe(MAX_LIST_LIMIT);
      expect(r.truncated).toBe(true);
    }
  });
});

describeEachDatabase('numbers/list?random=true on a big pool', (suite) => {
  useApi(suite);
  it('numbers/list?random=true reads O(limit) rows of a pool of a million, uniformly for a dense pool', { timeout: 600_000 }, async () => {
    const c = suite.db.connection;
    await addNumberRange(c, '+4790000000', `+479${String(BIG - 1).padStart(7, '0')}`, ctx);
    const recorder = new Recorder((node, id) => c.provisioning.getExecutor().compileQuery(node, id));
    const dbs: Dbs = { ...c, provisioning: c.provisioning.withPlugin(recorder) } as Dbs;
    const started = Date.now();
    const picked = await listNumbers(dbs, { random: true, limit: 1000 }, ctx);
    for (let i = 0; i < 9; i++) await listNumbers(dbs, { random: true, limit: 1000 }, ctx);
    const elapsed = Date.now() - started;
    expect(new Set(picked).size).toBe(1000);
    // Ten calls of 1,000: a few thousand rows read, not a million (ORDER BY random() read all).
    expect(recorder.rows).toBeLessThanOrEqual(10 * 3 * 1000);
    expect(recorder.queries.length).toBeLessThan(10 * 40);
    for (const q of recorder.queries) {
      expect(q.sql, q.sql).not.toMatch(/random\(\)|rand\(\)/i);
      const plan = JSON.stringify((await c.provisioning.executeQuery(CompiledQuery.raw(`${suite.dialect === 'sqlite' ? 'explain query plan' : 'explain'} ${q.sql}`, [...q.parameters]))).rows);
      expect(plan, q.sql).not.toMatch(/TEMP B-TREE|filesort|\bSort\b/i);
    }
    // Spread over the whole pool, not a window: the 1,000 numbers fall in over half of 1,000 buckets (~632 expected).
    const all = await listNumbers(c, { random: true, limit: 1000 }, ctx);
    const buckets = new Set(all.filter((n) => n.startsWith('+479')).map((n) => n.slice(0, 8)));
    expect(buckets.size).toBeGreaterThan(500);
    // Generous for a slow, shared machine; ORDER BY random() took ~10 s per call on MariaDB.
    expect(elapsed).toBeLessThan(30_000);
  });
});
