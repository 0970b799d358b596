import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Connection } from '../../src/db/connect.js';
import { expect, it } from 'vitest';
import { addLocalUsers, addNumberRange } from '../../src/ops/index.js';
import { runHermes } from '../helpers/cli.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { request, useApi, type Params } from './helpers.js';
import { expectInvariants, tally, type Envelope } from './invariants.js';

/** Parallel writes per burst through the API. */
const BURST = 200;
/**
 * Parallel `hermes call` processes per burst: 200, each a Node process of its own with its own
 * connection (about 0.35 s of CPU each, so some 70 s of CPU a burst). On a database server
 * each process holds a connection while it runs, and 200 at once can exceed the server's
 * max_connections (PostgreSQL's default is 100, MariaDB's 151, and other suites share the
 * server): there the burst is half the server's limit, at most 200. `.ci/run` raises both
 * servers' max_connections to 500 and sets HERMES_TEST_FULL_BURST, which makes a smaller burst a
 * failure: in CI every engine gets the full 200 processes. SQLite always does.
 */
const MAX_PROCESSES = 200;

async function processBurstSize(c: Connection, dialect: string): Promise<number> {
  if (dialect === 'sqlite') return MAX_PROCESSES;
  const query = dialect === 'mysql' ? sql<{ n: number }>`select @@max_connections as n` : sql<{ n: number }>`select current_setting('max_connections')::int as n`;
  const { rows } = await query.execute(c.kamailio);
  const size = Math.min(MAX_PROCESSES, Math.floor(Number(rows[0].n) / 2));
  if (process.env.HERMES_TEST_FULL_BURST && size < MAX_PROCESSES) throw new Error(`max_connections is ${rows[0].n}: the burst of ${MAX_PROCESSES} processes needs at least ${2 * MAX_PROCESSES} (HERMES_TEST_FULL_BURST is set)`);
  return size;
}

describeEachDatabase('concurrent writers keep every invariant and answer losers with the cause', (suite) => {
  const api = useApi(suite, {
    domains: ['example.com'],
    seed: async (c) => {
      const names = ['alice', 'bob', 'dave', 'erin', ...Array.from({ length: 20 }, (_, i) => `p${i}`)];
      await addLocalUsers(c, names.map((username) => ({ username, domain: 'example.com' })), { actor: 'test' });
      await addNumberRange(c, '+4790000000', '+4790000999', { actor: 'test' });
    },
    app: { log: false },
  });
  const call = async (node: string, params: Params): Promise<Envelope> =>
    (await request(api.t.app, node, params, { token: api.tok.write })).json() as Envelope;
  const burst = (make: (i: number) => [string, Params]) => Promise.all(Array.from({ length: BURST }, (_, i) => call(...make(i))));
  const count = async (table: 'dbaliases' | 'subscriber', column: 'alias_username' | 'username', value: string) =>
    (await suite.db.connection.kamailio.selectFrom(table).select('id').where(column, '=', value).execute()).length;

  it(`${BURST} identical alias/add: one row, one ok, every other failed/exists`, async () => {
    const answers = await burst(() => ['alias/add', { alias: 'same@example.com', destination: 'alice@example.com' }]);
    expect(tally(answers)).toEqual({ ok: 1, 'failed/exists': BURST - 1 });
    expect(await count('dbaliases', 'alias_username', 'same')).toBe(1);
    await expectInvariants(suite.db.connection);
  });

  it(`${BURST} different E.164 aliases for one destination: one is kept, its number leaves the pool`, async () => {
    const number = (i: number) => `+4790000${String(i).padStart(3, '0')}`;
    const answers = await burst((i) => ['alias/add', { alias: `${number(i)}@example.com`, destination: 'bob@example.com' }]);
    expect(tally(answers)).toEqual({ ok: 1, 'failed/exists': BURST - 1 });
    const rows = await suite.db.connection.kamailio.selectFrom('dbaliases').select('alias_username').where('username', '=', 'bob').execute();
    expect(rows).toHaveLength(1);
    const winner = answers.findIndex((a) => a.response === 'ok');
    expect(rows[0].alias_username).toBe(number(winner));
    await expectInvariants(suite.db.connection);
  });

  it(`${BURST} user/add_local and alias/add of one address: a user or an alias, never both`, async () => {
    const answers = await burst((i) =>
      i % 2 === 1 ? ['user/add_local', { user: 'carol@example.com' }] : ['alias/add', { alias: 'carol@example.com', destination: 'alice@example.com' }],
    );
    expect(tally(answers)).toEqual({ ok: 1, 'failed/exists': BURST - 1 });
    expect((await count('subscriber', 'username', 'carol')) + (await count('dbaliases', 'alias_username', 'carol'))).toBe(1);
    await expectInvariants(suite.db.connection);
  });

  it(`${BURST} numbers/add and alias/add of one number: pooled or in use, never both`, async () => {
    const number = '+4791000000';
    const answers = await burst((i) =>
      i % 2 === 0 ? ['numbers/add', { number }] : ['alias/add', { alias: `${number}@example.com`, destination: 'dave@example.com' }],
    );
    const aliasAnswers = tally(answers.filter((_, i) => i % 2 === 1));
    const numberAnswers = tally(answers.filter((_, i) => i % 2 === 0));
    expect(aliasAnswers).toEqual({ ok: 1, 'failed/exists': BURST / 2 - 1 });
    // Added before the alias took it (then ok once), or refused: in the pool already, or in use.
    expect(numberAnswers.ok ?? 0).toBeLessThanOrEqual(1);
    expect(Object.keys(numberAnswers).filter((k) => !['ok', 'failed/exists', 'failed/inuse'].includes(k))).toEqual([]);
    expect(await count('dbaliases', 'alias_username', number)).toBe(1);
    await expectInvariants(suite.db.connection);
  });

  it(`${BURST} identical user/add_local, user/add_remote and numbers/add: one ok each, every loser failed/exists`, async () => {
    const locals = await burst(() => ['user/add_local', { user: 'frank@example.com' }]);
    expect(tally(locals)).toEqual({ ok: 1, 'failed/exists': BURST - 1 });
    const mixed = await burst((i) =>
      i % 2 === 0 ? ['user/add_remote', { user: 'gina@remote.example', password: 'Rem0te-pw', registrar: 'sip.remote.example' }] : ['user/add_local', { user: 'gina@example.com' }],
    );
    expect(tally(mixed.filter((_, i) => i % 2 === 0))).toEqual({ ok: 1, 'failed/exists': BURST / 2 - 1 });
    expect(tally(mixed.filter((_, i) => i % 2 === 1))).toEqual({ ok: 1, 'failed/exists': BURST / 2 - 1 });
    const numbers = await burst(() => ['numbers/add', { number: '+4792000000' }]);
    expect(tally(numbers)).toEqual({ ok: 1, 'failed/exists': BURST - 1 });
    const c = suite.db.connection;
    expect(await count('subscriber', 'username', 'frank')).toBe(1);
    expect(await c.provisioning.selectFrom('hermes_users').select('id').where('username', 'in', ['frank', 'gina']).execute()).toHaveLength(3);
    expect(await c.provisioning.selectFrom('hermes_numbers').select('number').where('number', '=', '+4792000000').execute()).toHaveLength(1);
  });

  it(`${BURST} phone/add of one MAC, identical and on one line: one association per line, losers failed/exists`, async () => {
    const identical = await burst(() => ['phone/add', { mac: '001122334455', user: 'alice@example.com' }]);
    expect(tally(identical)).toEqual({ ok: 1, 'failed/exists': BURST - 1 });
    const line = await burst((i) => ['phone/add', { mac: '001122334466', user: `p${i % 20}@example.com`, line: '1' }]);
    expect(tally(line)).toEqual({ ok: 1, 'failed/exists': BURST - 1 });
    const rows = await suite.db.connection.provisioning.selectFrom('hermes_phones').select(['mac', 'line']).execute();
    expect(rows.map((r) => `${r.mac}/${r.line}`).sort()).toEqual(['001122334455/1', '001122334466/1']);
  });

  it('a row written by another tool between the checks and the insert: failed/exists, nothing written', async () => {
    const c = suite.db.connection;
    // The "other tool": a trigger that adds ivan's hermes_users row when his subscriber row goes in.
    const insert = "INSERT INTO hermes_users (username, domain, kind, created_at, updated_at) VALUES ('ivan', NEW.domain, 'local', '', '')";
    const triggers: Record<typeof suite.dialect, string[]> = {
      mysql: [`CREATE TRIGGER hermes_test_race AFTER INSERT ON subscriber FOR EACH ROW BEGIN IF NEW.username = 'ivan' THEN ${insert}; END IF; END`],
      sqlite: [`CREATE TRIGGER hermes_test_race AFTER INSERT ON subscriber WHEN NEW.username = 'ivan' BEGIN ${insert}; END`],
      postgres: [
        `CREATE FUNCTION hermes_test_race() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.username = 'ivan' THEN ${insert}; END IF; RETURN NEW; END $$`,
        'CREATE TRIGGER hermes_test_race AFTER INSERT ON subscriber FOR EACH ROW EXECUTE FUNCTION hermes_test_race()',
      ],
    };
    for (const statement of triggers[suite.dialect]) await sql.raw(statement).execute(c.kamailio);
    try {
      expect(await call('user/add_local', { user: 'ivan@example.com' })).toMatchObject({ response: 'failed', cause: 'exists' });
    } finally {
      await sql.raw(suite.dialect === 'postgres' ? 'DROP TRIGGER hermes_test_race ON subscriber' : 'DROP TRIGGER hermes_test_race').execute(c.kamailio);
    }
    expect(await count('subscriber', 'username', 'ivan')).toBe(0);
    expect(await c.provisioning.selectFrom('hermes_users').select('id').where('username', '=', 'ivan').execute()).toEqual([]);
  });

  it('reads are not serialised behind a burst of writes: user/get answers before the burst ends', async () => {
    let writesDone = 0;
    const writes = Array.from({ length: BURST }, (_, i) => call('alias/add', { alias: `r${i}@example.com`, destination: 'alice@example.com' }).then((a) => (writesDone++, a)));
    const read = await call('user/get', { user: 'alice@example.com' });
    const doneWhenRead = writesDone;
    expect(read.response).toBe('ok');
    expect(tally(await Promise.all(writes))).toEqual({ ok: BURST });
    expect(doneWhenRead).toBeLessThan(BURST / 2);
  });

  it(`up to ${MAX_PROCESSES} parallel hermes call processes: identical and conflicting writes, one winner each`, async () => {
    const url = suite.db.url;
    const PROCESSES = await processBurstSize(suite.db.connection, suite.dialect);
    const started = Date.now();
    const kinds: [string, (i: number) => string[]][] = [
      ['alias/add', () => ['alias=proc@example.com', 'destination=alice@example.com']],
      ['alias/add', (i) => [`alias=+4793000${String(i).padStart(3, '0')}@example.com`, 'destination=erin@example.com']],
      ['user/add_local', () => ['user=henry@example.com']],
    ];
    const runs = Array.from({ length: PROCESSES }, (_, i) => {
      const [node, params] = kinds[i % kinds.length];
      return runHermes(['call', node, ...params(i), '--db', url]).then((r) => {
        expect(r.stdout, r.stderr).toMatch(/^\{/);
        const answer = JSON.parse(r.stdout) as Envelope;
        // An answer other than ok or failed says why on stderr (the driver's message): keep it for the failure's message.
        if (answer.response !== 'ok' && answer.response !== 'failed') unexpected.push(`${node} ${JSON.stringify(answer)} ${r.stderr.trim()}`);
        return answer;
      });
    });
    const unexpected: string[] = [];
    const answers = await Promise.all(runs);
    console.log(`concurrency: ${PROCESSES} hermes call processes on ${suite.dialect} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    for (const k of kinds.keys()) {
      const sent = answers.filter((_, i) => i % kinds.length === k).length;
      expect(tally(answers.filter((_, i) => i % kinds.length === k)), `${k}: ${unexpected.join('\n')}`).toEqual({ ok: 1, 'failed/exists': sent - 1 });
    }
    expect(await count('dbaliases', 'alias_username', 'proc')).toBe(1);
    expect(await count('subscriber', 'username', 'henry')).toBe(1);
    await expectInvariants(suite.db.connection);
  }, 600_000);
});

describeEachDatabase('an apply racing API writes', (suite) => {
  const api = useApi(suite, {
    domains: ['example.com'],
    seed: (c) => addLocalUsers(c, ['alice', 'bob'].map((username) => ({ username, domain: 'example.com' })), { actor: 'test' }),
    app: { log: false },
  });

  it('keeps every invariant; the apply succeeds or rolls back, API losers get failed/exists', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hermes-conc-'));
    try {
      const file = join(dir, 'platform.yaml');
      writeFileSync(
        file,
        [
          'version: 1',
          'domains:',
          '  - domain: example.com',
          'users:',
          '  - user: alice@example.com',
          '  - user: bob@example.com',
          'aliases:',
          '  - { alias: sales@example.com, destination: alice@example.com }',
          '  - { alias: info@example.com, destination: bob@example.com }',
          '',
        ].join('\n'),
      );
      const apply = runHermes(['apply', file, '--auto-approve', '--db', suite.db.url]);
      const answers: Envelope[] = [];
      // Waves of writes while the apply process starts, plans and applies.
      for (let wave = 0; wave < 8; wave++) {
        const calls = Array.from({ length: BURST / 8 }, (_, i) =>
          i % 2 === 0
            ? ['alias/add', { alias: 'sales@example.com', destination: 'bob@example.com' }]
            : ['alias/add', { alias: `+479400${String(wave * 100 + i).padStart(4, '0')}@example.com`, destination: 'bob@example.com' }],
        ) as [string, Params][];
        answers.push(...(await Promise.all(calls.map(([node, params]) => request(api.t.app, node, params, { token: api.tok.write }).then((r) => r.json() as Envelope)))));
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      const applied = await apply;
      if (applied.code !== 0) expect(applied.stderr).toMatch(/APPLY_FAILED|PLAN_STALE/);
      expect(Object.keys(tally(answers)).filter((k) => k !== 'ok' && k !== 'failed/exists')).toEqual([]);
      await expectInvariants(suite.db.connection);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
