import { writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { isHermesError } from '../../src/errors.js';
import { addAliases, addLocalUsers, aliasesOfUser, callNode, getUser, listAliases, listUsers, updateUsers } from '../../src/ops/index.js';
import { applyDesiredState } from '../../src/reconcile/apply.js';
import { computePlan } from '../../src/reconcile/plan.js';
import { readActualState } from '../../src/reconcile/read-actual.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { domain, state, user } from './builders.js';

const yes = async () => true;
const ctx = { actor: 'test' };

async function causeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    if (isHermesError(error)) return error.code;
    const e = error as { response?: string; cause?: string };
    if (e.response) return `${e.response}:${e.cause ?? ''}`;
    throw error;
  }
  return 'ok';
}

/**
 * Rows another tool wrote in mixed case, by SQL: hermes' case rule (an address is one key
 * whatever the case of its ASCII letters) gives the same plans and the same node answers on
 * SQLite, MariaDB and PostgreSQL, whatever each engine's collation.
 */
describeEachDatabase('mixed-case rows', (suite) => {
  async function writeMixedCase(): Promise<void> {
    await suite.clear();
    const { kamailio, provisioning } = suite.db.connection;
    await kamailio.insertInto('domain').values({ domain: 'Corp.Example', last_modified: '2000-01-01 00:00:01' } as never).execute();
    await kamailio.insertInto('domain').values({ domain: 'Old.Example', last_modified: '2000-01-01 00:00:01' } as never).execute();
    for (const [username, d] of [['Alice', 'Corp.Example'], ['bob', 'corp.example'], ['Carol', 'CORP.example'], ['Gone', 'Corp.Example']]) {
      await kamailio.insertInto('subscriber').values({ username, domain: d, password: 'secret-1', ha1: '', ha1b: '' } as never).execute();
    }
    await provisioning
      .insertInto('hermes_users')
      .values({ username: 'alice', domain: 'corp.example', kind: 'local', displayname: 'Alice A', email: '', dialplan: '', linetext: '', created_at: '2000-01-01T00:00:00Z', updated_at: '2000-01-01T00:00:00Z' } as never)
      .execute();
    const aliases = [
      ['Sales', 'Corp.Example', 'Alice', 'Corp.Example'],
      ['+4722000001', 'corp.EXAMPLE', 'BOB', 'corp.example'],
      ['Stale', 'Corp.Example', 'alice', 'corp.example'],
    ];
    for (const [alias_username, alias_domain, username, d] of aliases) {
      await kamailio.insertInto('dbaliases').values({ alias_username, alias_domain, username, domain: d } as never).execute();
    }
  }

  const desired = state({
    domains: [domain('corp.example'), domain('old.example', { state: 'absent' })],
    users: [user('alice@corp.example', { displayname: 'Alice A' }), user('bob@corp.example', { number: '+4722000001' }), user('Carol@corp.example', { password: 'secret-2' })],
    aliases: [{ alias_username: 'sales', alias_domain: 'corp.example', username: 'alice', domain: 'corp.example' }],
  });

  it('plans case variants as the declared users and aliases, applies, then plans no changes', async () => {
    await writeMixedCase();
    const db = suite.db.connection;
    const plan = computePlan(desired, await readActualState(db));
    expect(plan.problems).toEqual([]);
    expect(plan.changes.map((c) => `${c.action} ${c.kind} ${c.key}`).sort()).toEqual([
      'delete alias Stale@corp.example',
      'delete domain old.example',
      'delete user Gone@corp.example',
      'update user Carol@corp.example',
    ]);
    const outcome = await applyDesiredState(db, { desired, actor: 'test', confirm: yes, force: true });
    expect(outcome.applied).toBe(true);
    expect(computePlan(desired, await readActualState(db)).changes).toEqual([]);
    expect(await db.kamailio.selectFrom('domain').select('domain').execute()).toEqual([{ domain: 'Corp.Example' }]);
    expect((await db.kamailio.selectFrom('dbaliases').select('alias_username').orderBy('alias_username').execute()).map((r) => r.alias_username)).toEqual(['+4722000001', 'Sales']);
  });

  it('answers the node API alike on every engine', async () => {
    await writeMixedCase();
    const db = suite.db.connection;
    const alice = { username: 'Alice', domain: 'corp.example', address: 'Alice@corp.example', kind: 'local', displayname: 'Alice A', email: '', dialplan: '', linetext: '', registrar: null, r_port: null, proxy: null, p_port: null, authid: null };
    expect(await getUser(db, { username: 'alice', domain: 'corp.example' }, ctx)).toEqual(alice);
    expect(await getUser(db, { username: 'ALICE', domain: 'CORP.EXAMPLE' }, ctx)).toEqual(alice);
    expect((await getUser(db, { username: 'carol', domain: 'Corp.Example' }, ctx)).address).toBe('Carol@corp.example');
    expect(await causeOf(getUser(db, { username: 'alicia', domain: 'corp.example' }, ctx))).toBe('failed:nonexistant');
    expect(await listUsers(db, '*ALICE*', ctx)).toEqual(['Alice@corp.example']);
    expect(await listUsers(db, '*@corp.example', ctx)).toEqual(['Alice@corp.example', 'Carol@corp.example', 'Gone@corp.example', 'bob@corp.example']);
    expect(await listAliases(db, 'sales@*', ctx)).toEqual([{ alias: 'Sales@corp.example', destination: 'Alice@corp.example' }]);
    expect(await aliasesOfUser(db, { username: 'Bob', domain: 'corp.example' }, { e164: true }, ctx)).toEqual(['+4722000001@corp.example']);
    // A case variant is the same key: refused as a duplicate, found for updates.
    expect(await causeOf(addLocalUsers(db, [{ username: 'ALICE', domain: 'corp.example' }], ctx))).toBe('failed:exists');
    expect(await causeOf(addLocalUsers(db, [{ username: 'sales', domain: 'CORP.EXAMPLE' }], ctx))).toBe('failed:exists');
    expect(await causeOf(addAliases(db, [{ alias_username: 'SALES', alias_domain: 'corp.example', username: 'bob', domain: 'corp.example' }], ctx))).toBe('failed:exists');
    expect(await causeOf(addAliases(db, [{ alias_username: '+4722000002', alias_domain: 'corp.example', username: 'Bob', domain: 'corp.example' }], ctx))).toBe('failed:exists');
    expect(await causeOf(updateUsers(db, [{ username: 'CAROL', domain: 'corp.example', fields: { displayname: 'Carol C' } }], ctx))).toBe('ok');
    expect((await getUser(db, { username: 'carol', domain: 'corp.example' }, ctx)).displayname).toBe('Carol C');
    // A name with many letters is looked up by lower() rather than by its case variants.
    await db.kamailio.insertInto('subscriber').values({ username: 'Frederick.Longname', domain: 'Corp.Example', password: 'secret-1', ha1: '', ha1b: '' } as never).execute();
    expect((await getUser(db, { username: 'FREDERICK.longname', domain: 'corp.example' }, ctx)).address).toBe('Frederick.Longname@corp.example');
    expect(await causeOf(addLocalUsers(db, [{ username: 'frederick.longname', domain: 'corp.example' }], ctx))).toBe('failed:exists');
    expect((await getUser(db, { username: 'Frederick.Longname', domain: 'corp.example' }, ctx)).address).toBe('Frederick.Longname@corp.example');
  });

  it('gives the same node envelopes on every engine', async () => {
    await writeMixedCase();
    const answers: Record<string, unknown> = {};
    for (const [name, params] of NODE_CALLS) {
      const r = (await callNode(suite.db.connection, name, params, { actor: 'test' })) as Record<string, unknown>;
      answers[`${name} ${JSON.stringify(params)}`] = { ...r, detail: undefined };
    }
    if (process.env.HERMES_WRITE_CASE_ANSWERS) writeFileSync(process.env.HERMES_WRITE_CASE_ANSWERS, JSON.stringify(answers, null, 2));
    expect(answers).toEqual(NODE_ANSWERS);
  });
});

const NODE_CALLS: [string, Record<string, string>][] = [
  ['user/get', { user: 'alice@corp.example' }],
  ['user/get', { user: 'ALICE@Corp.Example' }],
  ['user/get', { username: 'carol', domain: 'corp.example' }],
  ['user/get', { user: 'nobody@corp.example' }],
  ['user/list', { search: '*a*' }],
  ['user/list', { search: 'BOB@*' }],
  ['alias/list', { search: '*@CORP.EXAMPLE' }],
  ['alias/user', { destination: 'alice@corp.example' }],
  ['alias/user', { destination: 'bob@CORP.example', e164: 'true' }],
  ['user/add_local', { user: 'CAROL@corp.example', password: 'Secret-pw-1' }],
  ['alias/add', { alias: 'STALE@corp.example', destination: 'bob@corp.example' }],
  ['alias/remove', { alias: 'stale@CORP.EXAMPLE' }],
  ['alias/list', { search: 'stale*' }],
  ['user/remove', { user: 'GONE@corp.example' }],
  ['user/get', { user: 'gone@corp.example' }],
];

/** user/get's answer for Alice, however her address is spelt. */
const ALICE_FOUND = { response: 'ok', user: { username: 'Alice', domain: 'corp.example', address: 'Alice@corp.example', kind: 'local', displayname: 'Alice A', email: '', dialplan: '', linetext: '', registrar: null, r_port: null, proxy: null, p_port: null, authid: null } };

/** The answers every engine gives (written from SQLite with HERMES_WRITE_CASE_ANSWERS=FILE, checked on all three). */
const NODE_ANSWERS: Record<string, unknown> = {
  "user/get {\"user\":\"alice@corp.example\"}": ALICE_FOUND,
  "user/get {\"user\":\"ALICE@Corp.Example\"}": ALICE_FOUND,
  "user/get {\"username\":\"carol\",\"domain\":\"corp.example\"}": {
    "response": "ok",
    "user": {
      "username": "Carol",
      "domain": "corp.example",
      "address": "Carol@corp.example",
      "kind": "local",
      "displayname": "",
      "email": "",
      "dialplan": "",
      "linetext": "",
      "registrar": null,
      "r_port": null,
      "proxy": null,
      "p_port": null,
      "authid": null
    }
  },
  "user/get {\"user\":\"nobody@corp.example\"}": {
    "response": "failed",
    "cause": "nonexistant"
  },
  "user/list {\"search\":\"*a*\"}": {
    "response": "ok",
    "users": [
      "Alice@corp.example",
      "Carol@corp.example",
      "Gone@corp.example",
      "bob@corp.example"
    ]
  },
  "user/list {\"search\":\"BOB@*\"}": {
    "response": "ok",
    "users": [
      "bob@corp.example"
    ]
  },
  "alias/list {\"search\":\"*@CORP.EXAMPLE\"}": {
    "response": "ok",
    "aliases": [
      {
        "alias": "+4722000001@corp.example",
        "destination": "BOB@corp.example"
      },
      {
        "alias": "Sales@corp.example",
        "destination": "Alice@corp.example"
      },
      {
        "alias": "Stale@corp.example",
        "destination": "alice@corp.example"
      }
    ]
  },
  "alias/user {\"destination\":\"alice@corp.example\"}": {
    "response": "ok",
    "destination": "alice@corp.example",
    "aliases": [
      "Stale@corp.example"
    ]
  },
  "alias/user {\"destination\":\"bob@CORP.example\",\"e164\":\"true\"}": {
    "response": "ok",
    "destination": "bob@corp.example",
    "aliases": [
      "+4722000001@corp.example"
    ]
  },
  "user/add_local {\"user\":\"CAROL@corp.example\",\"password\":\"Secret-pw-1\"}": {
    "response": "failed",
    "cause": "exists"
  },
  "alias/add {\"alias\":\"STALE@corp.example\",\"destination\":\"bob@corp.example\"}": {
    "response": "failed",
    "cause": "exists"
  },
  "alias/remove {\"alias\":\"stale@CORP.EXAMPLE\"}": {
    "response": "ok",
    "alias": "stale@corp.example"
  },
  "alias/list {\"search\":\"stale*\"}": {
    "response": "ok",
    "aliases": []
  },
  "user/remove {\"user\":\"GONE@corp.example\"}": {
    "response": "ok"
  },
  "user/get {\"user\":\"gone@corp.example\"}": {
    "response": "failed",
    "cause": "nonexistant"
  }
};
