import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HERMES_BIN, runHermes } from '../helpers/cli.js';
import { writePlatform } from '../reconcile/fixtures.js';

/** A platform whose text plan is far larger than a pipe's buffer (about 1 MB). */
function bigPlatform(): string {
  const lines = ['version: 1', 'domains:', '  - domain: big.example', 'users:'];
  for (let i = 0; i < 3_000; i++) lines.push(`  - { user: u${i}@big.example, displayname: "User ${i}", linetext: u${i} }`);
  return lines.join('\n') + '\n';
}

/** Runs hermes with its stdout read until the first piece arrives and then closed, as `| head -1` does. */
function runWithReaderGone(args: string[], cwd: string): Promise<{ code: number | null; stderr: string; first: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.HERMES_DB;
    delete env.HERMES_PROVISIONING_DB;
    const child = spawn(process.execPath, [HERMES_BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let first = '';
    child.stdout.once('data', (d) => {
      first = String(d);
      child.stdout.destroy();
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, first }));
  });
}

describe('a plan written to a reader that goes away', () => {
  it('plan and apply stop with OUTPUT_FAILED (no stack trace), and apply changes nothing', async () => {
    const cwd = writePlatform(bigPlatform(), {});
    expect((await runHermes(['init', '--kamailio-schema'], { cwd })).code).toBe(0);
    for (const args of [['plan'], ['apply', '--auto-approve']]) {
      const r = await runWithReaderGone(args, cwd);
      expect(r.first, args[0]).toContain('hermes will make these changes:');
      expect(r.code, args[0]).toBe(1);
      const consequence = args[0] === 'apply' ? 'stopped there, nothing was applied' : 'stopped there';
      expect(r.stderr, args[0]).toBe(`hermes: cannot write the plan to standard output (its reader went away); ${consequence} [OUTPUT_FAILED]\n`);
    }
    // Nothing was applied, and no lock was left behind: the whole plan is still to do, and an apply goes through.
    const after = await runHermes(['plan', '--detailed-exitcode'], { cwd });
    expect(after.code).toBe(2);
    expect(after.stdout).toMatch(/Plan: 3001 to add, 0 to change, 0 to remove\.\n$/);
    const apply = await runHermes(['apply', '--auto-approve'], { cwd });
    expect(apply.stdout).toContain('Apply complete: 3001 added, 0 changed, 0 removed.');
  });
});
