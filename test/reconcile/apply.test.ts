import { createConnection } from 'mysql2/promise';
import { expect, it } from 'vitest';
import { sql } from 'kysely';
import { openDatabases } from '../../src/db/connect.js';
import { isHermesError } from '../../src/errors.js';
import { computeHa1 } from '../../src/ops/canonical.js';
import { acquireApplyLock } from '../../src/reconcile/apply-lock.js';
import { applyDesiredState } from '../../src/reconcile/apply.js';
import { executePlan, WRITE_BATCH } from '../../src/reconcile/execute-plan.js';
import { exportActualState } from '../../src/reconcile/export-state.js';
import { pinSecrets, readPinKey } from '../../src/reconcile/secret-pins.js';
import { toPlanDocument } from '../../src/reconcile/plan-document.js';
import { computePlan } from '../../src/reconcile/plan.js';
import { readActualState } from '../../src/reconcile/read-actual.js';
import { renderStateYaml } from '../../src/reconcile/render-yaml.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { domain, state, user } from './builders.js';
import { load, snapshot } from './fixtures.js';

const yes = async () => true;

async function errorOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (error) {
    if (isHermesError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a failure');
}

describeEachDatabase('apply', (suite) => {
  it('applies the platform, then plans no changes; generated passwords are kept', async () => {
    await suite.clear();
    const db = suite.db.connection;
    const desired = await load();
    const planned = computePlan(desired, await readActualState(db)).changes;
    const outcome = await applyDesiredState(db, { desired, actor: 'test', confirm: yes });
    expect(outcome.applied).toBe(true);
    expect(outcome.result?.generatedPasswords).toEqual(['carol@example.org']);
    const alice = await db.kamailio.selectFrom('subscriber').selectAll().where('username', '=', 'alice').executeTakeFirstOrThrow();
    expect(alice.ha1).toBe(computeHa1('alice', 'example.com', 'alice-Secret-1'));
    const before = await snapshot(db, { withPasswords: true });
    expect(before.hermes_phones).toHaveLength(3);
    expect(before.hermes_numbers).toHaveLength(99); // +4722334400..99 without the two in use, plus +4761123456
    expect(computePlan(desired, await readActualState(db)).changes).toEqual([]);
    const again = await applyDesiredState(db, { desired, actor: 'test', confirm: yes });
    expect(again.applied).toBe(false);
    expect(await snapshot(db, { withPasswords: true })).toEqual(before);
    // The audit log names the actor and the apply, and has one row per change of the plan, with its action, kind and key.
    const audit = await db.provisioning.selectFrom('hermes_audit').selectAll().orderBy('id').execute();
    expect(audit.every((a) => a.actor === 'test' && a.node === 'apply')).toBe(true);
    expect(audit.map((a) => `${a.action} ${a.kind} ${a.object_key}`)).toEqual(planned.map((c) => `${c.action} ${c.kind} ${c.key}`));
    expect(JSON.parse(audit.find((a) => a.object_key === 'alice@example.com')!.detail)).toMatchObject({ after: { kind: 'local', displayname: 'Alice Liddell', password: '(set)' } });
    expect(JSON.stringify(audit)).not.toContain('alice-Secret-1');
    expect(await db.provisioning.selectFrom('hermes_locks').selectAll().execute()).toEqual([]);
  });

  it('records an update applied as a removal and an addition (phone lines, aliases) once, as an update', async () => {
    await suite.clear();
    const db = suite.db.connection;
    const base = { domains: [domain('example.com')], users: [user('alice@example.com'), user('bob@example.com')] };
    await applyDesiredState(db, { desired: state({ ...base, phones: [{ mac: '0004f2000001', lines: ['alice@example.com'] }] }), actor: 'test', confirm: yes });
    const first = await db.provisioning.selectFrom('hermes_audit').select((eb) => eb.fn.max('id').as('id')).executeTakeFirstOrThrow();
    await applyDesiredState(db, { desired: state({ ...base, phones: [{ mac: '0004f2000001', lines: ['bob@example.com', 'alice@example.com'] }] }), actor: 'second', confirm: yes });
    const rows = await db.provisioning.selectFrom('hermes_audit').selectAll().where('id', '>', Number(first.id)).execute();
    expect(rows.map((a) => [a.actor, a.node, a.action, a.kind, a.object_key])).toEqual([['second', 'apply', 'update', 'phone', '0004f2000001']]);
    expect(JSON.parse(rows[0].detail)).toEqual({ before: { lines: ['alice@example.com'] }, after: { lines: ['bob@example.com', 'alice@example.com'] } });
  });

  it('writes consecutive changes of a kind in batches of at most WRITE_BATCH, reporting progress after each', async () => {
    await suite.clear();
    const db = suite.db.connection;
    const mac = (i: number) => (0x0004f2000000 + i).toString(16).padStart(12, '0');
    const desired = state({
      domains: [domain('example.com')],
      users: [user('alice@example.com'), user('bob@example.com')],
      phones: Array.from({ length: WRITE_BATCH + 1 }, (_, i) => ({ mac: mac(i), lines: ['alice@example.com'] })),
    });
    const plan = computePlan(desired, await readActualState(db));
    const done: number[] = [];
    await executePlan(db, plan, desired, { actor: 'test' }, { onProgress: (n) => done.push(n) });
    expect(done).toEqual([1, 3, WRITE_BATCH + 3, WRITE_BATCH + 4]); // the domain, the two users, the phones in two batches
    expect((await snapshot(db)).hermes_phones).toHaveLength(WRITE_BATCH + 1);
  });

  it('leaves rows written by another tool in unlisted domains alone, and adopts subscribers in listed ones', async () => {
    await suite.clear();
    const db = suite.db.connection;
    await db.kamailio.insertInto('domain').values({ domain: 'kam.net', did: null, last_modified: '2024-01-01 00:00:00' }).execute();
    await db.kamailio.insertInto('subscriber').values({ username: 'k1', domain: 'kam.net', password: 'x', ha1: 'a', ha1b: 'b' }).execute();
    await db.kamailio.insertInto('dbaliases').values({ alias_username: 'k', alias_domain: 'kam.net', username: 'k1', domain: 'kam.net' }).execute();
    await db.kamailio.insertInto('dbaliases').values({ alias_username: '+4722334450', alias_domain: 'kam.net', username: 'k1', domain: 'kam.net' }).execute();
    // In a listed domain: a declared kamctl subscriber (adopted) and an undeclared one (removed), one unmanaged.
    await db.kamailio.insertInto('domain').values({ domain: 'example.org', did: null, last_modified: '2024-01-01 00:00:00' }).execute();
    await db.kamailio.insertInto('subscriber').values({ username: 'carol', domain: 'example.org', password: 'kamctl-pw', ha1: computeHa1('carol', 'example.org', 'kamctl-pw'), ha1b: '' }).execute();
    await db.kamailio.insertInto('subscriber').values({ username: 'stray', domain: 'example.org', password: 'x', ha1: 'x', ha1b: 'x' }).execute();
    await db.kamailio.insertInto('subscriber').values({ username: 'legacy-7', domain: 'example.org', password: 'x', ha1: 'x', ha1b: 'x' }).execute();
    const desired = await load();
    const plan = computePlan(desired, await readActualState(db));
    expect(plan.changes.filter((c) => c.key.includes('kam.net'))).toEqual([]);
    expect(plan.changes).toContainEqual(expect.objectContaining({ action: 'update', kind: 'user', key: 'carol@example.org', after: { displayname: 'Carol' } }));
    expect(plan.changes).toContainEqual(expect.objectContaining({ action: 'delete', kind: 'user', key: 'stray@example.org' }));
    await applyDesiredState(db, { desired, actor: 'test', confirm: yes });
    const s = await snapshot(db, { withPasswords: true });
    expect(s.subscriber.some((r) => r.includes('"k1"') && r.includes('kam.net'))).toBe(true);
    expect(s.dbaliases.filter((r) => r.includes('kam.net'))).toHaveLength(2);
    expect(s.subscriber.some((r) => r.includes('legacy-7'))).toBe(true);
    expect(s.subscriber.some((r) => r.includes('stray'))).toBe(false);
    // The adopted subscriber kept its password (none declared) and got its provisioning row.
    expect(s.subscriber.some((r) => r.includes('"carol"') && r.includes('kamctl-pw'))).toBe(true);
    expect(s.hermes_users.some((r) => r.includes('"carol"') && r.includes('Carol'))).toBe(true);
    // +4722334450 is in use by kam.net (another tool): not offered in the pool.
    expect(s.hermes_numbers.some((r) => r.includes('+4722334450'))).toBe(false);
    expect(computePlan(desired, await readActualState(db)).changes).toEqual([]);
  });

  it('rolls everything back when a change late in the plan fails, naming the change; the lock is released', async () => {
    await suite.clear();
    const db = suite.db.connection;
    const desired = await load();
    const failure = await errorOf(
      applyDesiredState(db, {
        desired,
        actor: 'test',
        async confirm() {
          // Another tool writes the alias the plan is about to create (after the domains, numbers and users).
          await db.kamailio.insertInto('dbaliases').values({ alias_username: 'sales', alias_domain: 'example.com', username: 'x', domain: 'example.com' }).execute();
          return true;
        },
      }),
    );
    expect(failure.code).toBe('APPLY_FAILED');
    expect(failure.message).toMatch(/rolled back/);
    expect(failure.message).toMatch(/alias/);
    const s = await snapshot(db);
    expect(s.domain).toEqual([]);
    expect(s.subscriber).toEqual([]);
    expect(s.hermes_users).toEqual([]);
    expect(s.hermes_numbers).toEqual([]);
    expect(s.hermes_phones).toEqual([]);
    expect(s.dbaliases).toHaveLength(1); // only the other tool's row
    expect(await db.provisioning.selectFrom('hermes_locks').selectAll().execute()).toEqual([]);
    expect(await db.provisioning.selectFrom('hermes_audit').selectAll().execute()).toEqual([]);
  });

  it('fails a second apply at once naming the holder, or waits with a lock timeout', async () => {
    await suite.clear();
    const db = suite.db.connection;
    const desired = await load();
    const lock = await acquireApplyLock(db.provisioning, 'ci:octocat');
    const failure = await errorOf(applyDesiredState(db, { desired, actor: 'test', confirm: yes }));
    expect(failure.code).toBe('APPLY_LOCKED');
    expect(failure.message).toContain('ci:octocat');
    expect((await snapshot(db)).domain).toEqual([]);
    setTimeout(() => void lock.release(), 300);
    const outcome = await applyDesiredState(db, { desired, actor: 'test', confirm: yes, lockTimeoutSeconds: 10 });
    expect(outcome.applied).toBe(true);
  });

  it('runs two concurrent applies from two processes-worth of connections: one wins, the other names it', async () => {
    await suite.clear();
    const other = await openDatabases({ db: suite.db.url });
    try {
      const desired = await load();
      const results = await Promise.allSettled([
        applyDesiredState(suite.db.connection, { desired, actor: 'first', confirm: async () => (await new Promise((r) => setTimeout(r, 300)), true) }),
        new Promise((r) => setTimeout(r, 100)).then(() => applyDesiredState(other, { desired, actor: 'second', confirm: yes })),
      ]);
      expect(results[0].status).toBe('fulfilled');
      expect(results[1].status).toBe('rejected');
      const reason = (results[1] as PromiseRejectedResult).reason;
      expect(reason.code).toBe('APPLY_LOCKED');
      expect(reason.message).toContain('first on ');
    } finally {
      await other.close();
    }
  });

  it('refuses a stale saved plan', async () => {
    await suite.clear();
    const db = suite.db.connection;
    const desired = await load();
    const plan = computePlan(desired, await readActualState(db));
    const saved = toPlanDocument(plan, [], { hermesVersion: 'test', createdAt: new Date().toISOString() });
    await db.kamailio.insertInto('domain').values({ domain: 'sneaky.net', did: null, last_modified: '2024-01-01 00:00:00' }).execute();
    const failure = await errorOf(applyDesiredState(db, { desired, saved, actor: 'test', confirm: yes }));
    expect(failure.code).toBe('PLAN_STALE');
    expect((await snapshot(db)).subscriber).toEqual([]);
    // A fresh plan applies (with the pins of the secrets it writes: without them it is refused).
    const next = computePlan(desired, await readActualState(db));
    const bare = toPlanDocument(next, [], { hermesVersion: 'test', createdAt: '' });
    expect((await errorOf(applyDesiredState(db, { desired, saved: bare, actor: 'test', confirm: yes }))).code).toBe('PLAN_SECRET_CHANGED');
    const fresh = toPlanDocument(next, [], { hermesVersion: 'test', createdAt: '' }, pinSecrets(next, desired, await readPinKey(db)));
    expect((await applyDesiredState(db, { desired, saved: fresh, actor: 'test', confirm: yes })).applied).toBe(true);
  });

  it('has a safety brake for large removals and emptied domains, overridden by force', async () => {
    await suite.clear();
    const db = suite.db.connection;
    const users = Array.from({ length: 12 }, (_, i) => `  - user: u${i}@brake.com`).join('\n');
    await applyDesiredState(db, { desired: await load(`version: 1\ndomains:\n  - domain: brake.com\nusers:\n${users}\n`), actor: 't', confirm: yes });
    const fewer = await load(`version: 1\ndomains:\n  - domain: brake.com\nusers:\n${users.split('\n').slice(0, 7).join('\n')}\n`);
    const refused = await errorOf(applyDesiredState(db, { desired: fewer, actor: 't', confirm: yes }));
    expect(refused.code).toBe('APPLY_UNSAFE');
    expect(refused.message).toContain('5 of 12 users (41.7% > 30%; --max-change-percent 42 or --force allows it)');
    expect((await snapshot(db)).subscriber).toHaveLength(12);
    expect((await applyDesiredState(db, { desired: fewer, actor: 't', confirm: yes, maxChangePercent: 50 })).applied).toBe(true);
    const none = await load(`version: 1\ndomains:\n  - domain: brake.com\nusers: []\n`);
    const emptied = (await errorOf(applyDesiredState(db, { desired: none, actor: 't', confirm: yes, maxChangePercent: 100 }))).message;
    // The message names the flag that allows it (--force), not the one that does not.
    expect(emptied).toMatch(/every user of domain brake\.com \(only --force allows that, whatever --max-change-percent says/);
    expect(emptied).not.toMatch(/raise --max-change-percent|--max-change-percent \d/);
    expect((await applyDesiredState(db, { desired: none, actor: 't', confirm: yes, force: true })).applied).toBe(true);
    expect((await snapshot(db)).subscriber).toHaveLength(0);
  });

  it('exports a state that plans to no changes (adoption by export)', async () => {
    await suite.clear();
    const db = suite.db.connection;
    await applyDesiredState(db, { desired: await load(), actor: 'test', confirm: yes });
    await db.kamailio.insertInto('subscriber').values({ username: 'kamctl-user', domain: 'example.com', password: 'x', ha1: 'x', ha1b: 'x' }).execute();
    const exported = exportActualState(await readActualState(db));
    expect(exported.warnings).toEqual([]);
    const yaml = renderStateYaml(exported.document);
    expect(yaml.startsWith('# yaml-language-server: $schema=')).toBe(true);
    expect(yaml).not.toMatch(/password/);
    const desired = await load(yaml, {});
    expect(desired.users?.find((u) => u.address === 'kamctl-user@example.com')).toBeTruthy();
    const plan = computePlan(desired, await readActualState(db));
    expect(plan.problems).toEqual([]);
    expect(plan.changes).toEqual([]);
  });

  it('removes an absent domain with everything in it', async () => {
    await suite.clear();
    const db = suite.db.connection;
    await applyDesiredState(db, { desired: await load(), actor: 'test', confirm: yes });
    const yaml = `version: 1\ndomains:\n  - domain: example.org\n    state: absent\n`;
    await applyDesiredState(db, { desired: await load(yaml), actor: 'test', confirm: yes });
    const s = await snapshot(db);
    expect(s.domain.join()).not.toContain('example.org');
    expect(s.subscriber.join()).not.toContain('example.org');
    expect(s.hermes_users.join()).not.toContain('example.org');
    expect(s.dbaliases.join()).not.toContain('example.org');
    expect(s.hermes_phones.join()).not.toContain('carol');
    expect(s.subscriber.join()).toContain('alice');
  });

  if (suite.dialect === 'mysql') {
    it('leaves nothing half-applied when the connection is killed in the middle of a large apply', async () => {
      await suite.clear();
      const db = suite.db.connection;
      const users = Array.from({ length: 6000 }, (_, i) => `  - { user: u${i}@big.com, number: "+47${String(30000000 + i)}" }`).join('\n');
      const desired = await load(`version: 1\ndomains:\n  - domain: big.com\nnumbers:\n  ranges:\n    - { start: "+4730000000", end: "+4730099999" }\nusers:\n${users}\n`);
      const name = new URL(suite.db.url).pathname.slice(1);
      const killer = await createConnection({ uri: suite.db.url.replace(/\/[^/]*$/, '') });
      let killed = false;
      const watch = (async () => {
        for (let i = 0; i < 20000 && !killed; i++) {
          const [rows] = await killer.query<any[]>(
            "select id, info from information_schema.processlist where db = ? and lower(info) like 'insert into%subscriber%' and id <> connection_id()",
            [name],
          );
          if (rows.length > 0) {
            await killer.query(`KILL ${Number(rows[0].id)}`).catch(() => undefined);
            killed = true;
            break;
          }
        }
      })();
      const outcome = await applyDesiredState(db, { desired, actor: 'test', confirm: yes }).then(
        () => 'applied',
        (e) => e,
      );
      await watch;
      await killer.end();
      expect(killed).toBe(true);
      expect(outcome).not.toBe('applied');
      const fresh = await openDatabases({ db: suite.db.url });
      try {
        const s = await snapshot(fresh);
        expect(s.domain).toEqual([]);
        expect(s.subscriber).toEqual([]);
        expect(s.hermes_users).toEqual([]);
        expect(s.hermes_numbers).toEqual([]);
        expect(s.dbaliases).toEqual([]);
        expect((await sql<{ n: number }>`select count(*) as n from hermes_audit`.execute(fresh.provisioning)).rows[0].n).toBe(0);
      } finally {
        await fresh.close();
      }
    });
  }
});
