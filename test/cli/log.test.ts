import { describe, expect, it } from 'vitest';
import { auditLine } from '../../src/reconcile/audit-log.js';
import { runHermes } from '../helpers/cli.js';
import { ENV, writePlatform } from '../reconcile/fixtures.js';

describe('hermes log', () => {
  it('shows the audit history newest first, as text or JSON, without secrets', async () => {
    const cwd = writePlatform();
    const empty = await runHermes(['log'], { cwd });
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe('The audit log is empty.\n');
    expect((await runHermes(['apply', '--auto-approve', '--actor', 'jane'], { cwd, env: ENV })).code).toBe(0);
    const text = await runHermes(['log', '--limit', '5'], { cwd });
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+ {2}jane {2}apply {2}(create|update|delete) (domain|number|user|alias|phone|provisioning) \S+/);
    expect(text.stdout).toMatch(/ {2}create phone 0004f2abcdef {2}\{"after":\{"lines":\["alice@example\.com","bob@sip\.partner\.net"\]\}\}\n/);
    const all = await runHermes(['log', '--limit', '1000', '--format', 'json'], { cwd });
    const entries = JSON.parse(all.stdout);
    expect(entries).toContainEqual(expect.objectContaining({ node: 'apply', action: 'create', kind: 'user', object_key: 'alice@example.com' }));
    expect(entries[0].id).toBeGreaterThan(entries[entries.length - 1].id);
    expect(all.stdout).not.toContain('alice-Secret-1');
    const bad = await runHermes(['log', '--limit', 'x'], { cwd });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('[USAGE]');
  });
});

describe('hermes log of rows from before the audit recorded actions', () => {
  it('says the action was not recorded instead of guessing', () => {
    const base = { id: 1, at: '2026-01-01T00:00:00.000Z', actor: 'old', node: 'apply', object_key: 'example.com', detail: '' };
    expect(auditLine({ ...base, action: null, kind: null })).toBe('2026-01-01T00:00:00.000Z  old  apply  change example.com (action not recorded)');
    expect(auditLine({ ...base, action: 'delete', kind: 'domain' })).toBe('2026-01-01T00:00:00.000Z  old  apply  delete domain example.com');
    expect(auditLine({ ...base, action: 'create', kind: 'user', object_key: 'a\nb@x', actor: 'x\u001b[31m' })).toBe('2026-01-01T00:00:00.000Z  "x\\u001b[31m"  apply  create user "a\\nb@x"');
  });
});
