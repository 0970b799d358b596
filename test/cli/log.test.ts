import { describe, expect, it } from 'vitest';
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
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+ {2}jane {2}apply {2}\S+/);
    const all = await runHermes(['log', '--limit', '1000', '--format', 'json'], { cwd });
    const entries = JSON.parse(all.stdout);
    expect(entries.map((e: { object_key: string }) => e.object_key)).toContain('alice@example.com');
    expect(entries[0].id).toBeGreaterThan(entries[entries.length - 1].id);
    expect(all.stdout).not.toContain('alice-Secret-1');
    const bad = await runHermes(['log', '--limit', 'x'], { cwd });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('[USAGE]');
  });
});
