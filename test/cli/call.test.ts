import { expect, it } from 'vitest';
import { describeEachDatabase } from '../helpers/databases.js';
import { runHermes } from '../helpers/cli.js';

// Runs the built CLI: `npm test` builds it first (pretest); alone, run `npx tsc -p tsconfig.build.json` first.
describeEachDatabase('hermes call', (suite) => {
  const call = async (...args: string[]) => {
    const r = await runHermes(['call', ...args, '--db', suite.db.url]);
    return { ...r, json: r.stdout ? JSON.parse(r.stdout) : undefined };
  };

  it('runs nodes, prints the pretty envelope, exit 0 for ok and 1 otherwise', async () => {
    await suite.clear();
    await suite.db.connection.kamailio.insertInto('domain').values({ domain: 'example.com', did: null, last_modified: '2024-01-01 00:00:00' }).execute();
    const added = await call('user/add_local', 'user=alice@example.com', 'displayname=Alice Smith');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/^\{\n  "response": "ok",/);
    expect(added.json.user).toMatchObject({ address: 'alice@example.com', displayname: 'Alice Smith', kind: 'local' });
    expect(added.json.user.password).toMatch(/^[A-Za-z0-9]{16}$/);

    const got = await call('user/get', 'user=alice@example.com');
    expect(got.code).toBe(0);
    // hermes call shows the password: the operator has the database anyway.
    expect(got.json.user.password).toBe(added.json.user.password);

    const again = await call('user/add_local', 'username=alice', 'domain=example.com');
    expect(again.code).toBe(1);
    expect(again.json).toMatchObject({ response: 'failed', cause: 'exists' });

    expect((await call('numbers/add', 'number=+4761123456')).json).toEqual({ response: 'ok', number: '+4761123456', detail: 'Added +4761123456' });
    const range = await call('numbers/add_range', 'start=+4722000000', 'end=+4722000009');
    expect(range.code).toBe(0);
    expect(range.json.added).toBe(10);
    expect((await call('numbers/list', 'limit=2')).json.numbers).toEqual(['+4722000000', '+4722000001']);

    const audit = await suite.db.connection.provisioning.selectFrom('hermes_audit').select(['actor', 'node']).execute();
    expect(audit.length).toBeGreaterThan(0);
    for (const row of audit) expect(row.actor).toMatch(/^cli:/);
  });

  it('answers unknown nodes, repeated keys and malformed arguments with invalid and exit 1', async () => {
    const unknown = await call('user/nope');
    expect(unknown.code).toBe(1);
    expect(unknown.json).toMatchObject({ response: 'invalid', cause: 'node' });
    const repeated = await call('user/get', 'user=a@example.com', 'user=b@example.com');
    expect(repeated.code).toBe(1);
    expect(repeated.json).toMatchObject({ response: 'invalid', cause: 'user' });
    const malformed = await call('user/get', 'alice');
    expect(malformed.code).toBe(1);
    expect(malformed.json).toMatchObject({ response: 'invalid', cause: 'alice' });
    const missing = await call('user/get', 'user=ghost@example.com');
    expect(missing.code).toBe(1);
    expect(missing.json).toMatchObject({ response: 'failed', cause: 'nonexistant' });
  });
});
