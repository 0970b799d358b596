import { expect, it } from 'vitest';
import { createToken, hasTokens, hashToken, listTokens, revokeToken, verifyToken } from '../../src/ops/tokens.js';
import { describeEachDatabase } from '../helpers/databases.js';

describeEachDatabase('API token ops', (suite) => {
  it('creates a long random token, stores only its sha256 hash, verifies it', async () => {
    await suite.clear();
    const db = suite.db.connection;
    expect(await hasTokens(db)).toBe(false);
    const created = await createToken(db, { name: 'ci-bot', scope: 'read' }, { actor: 'cli:test' });
    expect(created.token).toMatch(/^hms_[A-Za-z0-9_-]{43}$/);
    const rows = await db.provisioning.selectFrom('hermes_tokens').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toBe(hashToken(created.token));
    expect(JSON.stringify(rows)).not.toContain(created.token);
    expect(await hasTokens(db)).toBe(true);
    expect(await verifyToken(db, created.token)).toEqual({ name: 'ci-bot', scope: 'read' });
    expect(await verifyToken(db, created.token + 'x')).toBeNull();
    expect(await verifyToken(db, '')).toBeNull();
    expect(await verifyToken(db, 'x'.repeat(10_000))).toBeNull();
    const other = await createToken(db, { name: 'deployer', scope: 'write' }, { actor: 'cli:test' });
    expect(other.token).not.toBe(created.token);
    expect(await listTokens(db)).toEqual([
      { name: 'ci-bot', scope: 'read', created: created.created },
      { name: 'deployer', scope: 'write', created: other.created },
    ]);
    const audit = await db.provisioning.selectFrom('hermes_audit').selectAll().orderBy('id').execute();
    expect(audit.map((a) => [a.actor, a.node, a.object_key])).toEqual([
      ['cli:test', 'token/create', 'token:ci-bot'],
      ['cli:test', 'token/create', 'token:deployer'],
    ]);
    expect(JSON.stringify(audit)).not.toContain(created.token);
  });

  it('refuses a taken name, a bad name and a bad scope, writing nothing', async () => {
    await suite.clear();
    const db = suite.db.connection;
    await createToken(db, { name: 'a', scope: 'write' }, { actor: 't' });
    await expect(createToken(db, { name: 'a', scope: 'read' }, { actor: 't' })).rejects.toMatchObject({ response: 'failed', cause: 'exists' });
    await expect(createToken(db, { name: "x' or 1=1 --", scope: 'read' }, { actor: 't' })).rejects.toMatchObject({ response: 'invalid', cause: 'name' });
    await expect(createToken(db, { name: 'n'.repeat(65), scope: 'read' }, { actor: 't' })).rejects.toMatchObject({ cause: 'name' });
    await expect(createToken(db, { name: 'b', scope: 'admin' }, { actor: 't' })).rejects.toMatchObject({ response: 'invalid', cause: 'scope' });
    expect((await listTokens(db)).map((t) => t.name)).toEqual(['a']);
  });

  it('revokes a token at once in the database; unknown names fail as nonexistant', async () => {
    await suite.clear();
    const db = suite.db.connection;
    const created = await createToken(db, { name: 'gone', scope: 'write' }, { actor: 't' });
    await revokeToken(db, 'gone', { actor: 'cli:test' });
    expect(await verifyToken(db, created.token)).toBeNull();
    expect(await hasTokens(db)).toBe(false);
    await expect(revokeToken(db, 'gone', { actor: 't' })).rejects.toMatchObject({ response: 'failed', cause: 'nonexistant' });
    const audit = await db.provisioning.selectFrom('hermes_audit').select(['node', 'object_key']).where('node', '=', 'token/revoke').execute();
    expect(audit).toEqual([{ node: 'token/revoke', object_key: 'token:gone' }]);
  });
});
