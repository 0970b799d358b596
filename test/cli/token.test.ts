import { expect, it } from 'vitest';
import { hashToken } from '../../src/ops/tokens.js';
import { runHermes } from '../helpers/cli.js';
import { describeEachDatabase } from '../helpers/databases.js';

describeEachDatabase('hermes token', (suite) => {
  it('creates a token, printed once alone on the last line, stored only as its hash', async () => {
    await suite.clear();
    const r = await runHermes(['token', 'create', 'ci-bot', '--scope', 'read', '--db', suite.db.url]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const token = lines[lines.length - 1];
    expect(token).toMatch(/^hms_[A-Za-z0-9_-]{43}$/);
    expect(lines.slice(0, -1).join('\n')).toContain('ci-bot');
    const rows = await suite.db.connection.provisioning.selectFrom('hermes_tokens').selectAll().execute();
    expect(rows.map((row) => [row.name, row.scope, row.token_hash])).toEqual([['ci-bot', 'read', hashToken(token)]]);
    const audit = await suite.db.connection.provisioning.selectFrom('hermes_audit').select(['actor', 'node']).execute();
    expect(audit[0].actor).toMatch(/^cli:/);
    expect(audit[0].node).toBe('token/create');
  });

  it('lists name, scope and creation time, never the token or its hash', async () => {
    await suite.clear();
    const created = await runHermes(['token', 'create', 'deployer', '--scope', 'write', '--db', suite.db.url]);
    const token = created.stdout.trimEnd().split('\n').pop()!;
    const r = await runHermes(['token', 'list', '--db', suite.db.url]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME +SCOPE +CREATED\ndeployer +write +\d{4}-\d\d-\d\dT/);
    expect(r.stdout).not.toContain(token);
    expect(r.stdout).not.toContain(hashToken(token));
    const json = await runHermes(['token', 'list', '--json', '--db', suite.db.url]);
    expect(JSON.parse(json.stdout)).toEqual([{ name: 'deployer', scope: 'write', created: expect.any(String) }]);
  });

  it('says so when there are no tokens', async () => {
    await suite.clear();
    const r = await runHermes(['token', 'list', '--db', suite.db.url]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No tokens');
  });

  it('revokes a token; an unknown name fails with one clear line and exit 1', async () => {
    await suite.clear();
    await runHermes(['token', 'create', 'old', '--scope', 'read', '--db', suite.db.url]);
    const r = await runHermes(['token', 'revoke', 'old', '--db', suite.db.url]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Revoked token "old"');
    expect(await suite.db.connection.provisioning.selectFrom('hermes_tokens').selectAll().execute()).toEqual([]);
    const again = await runHermes(['token', 'revoke', 'old', '--db', suite.db.url]);
    expect(again.code).toBe(1);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toMatch(/^hermes: there is no token named "old"/);
  });

  it('refuses a duplicate name, a bad scope and a missing scope with exit 1', async () => {
    await suite.clear();
    await runHermes(['token', 'create', 'dup', '--scope', 'read', '--db', suite.db.url]);
    const dup = await runHermes(['token', 'create', 'dup', '--scope', 'write', '--db', suite.db.url]);
    expect(dup.code).toBe(1);
    expect(dup.stdout).toBe('');
    expect(dup.stderr).toMatch(/^hermes: a token named "dup" exists already/);
    const bad = await runHermes(['token', 'create', 'x', '--scope', 'admin', '--db', suite.db.url]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('admin');
    const missing = await runHermes(['token', 'create', 'y', '--db', suite.db.url]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--scope');
    const badName = await runHermes(['token', 'create', 'a b', '--scope', 'read', '--db', suite.db.url]);
    expect(badName.code).toBe(1);
    expect(badName.stderr).toMatch(/token name "a b" is not valid/);
    expect((await suite.db.connection.provisioning.selectFrom('hermes_tokens').select('name').execute()).map((r) => r.name)).toEqual(['dup']);
  });
});
