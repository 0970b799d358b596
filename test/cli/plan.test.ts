import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runHermes } from '../helpers/cli.js';
import { MYSQL_URL, createScratchDatabase } from '../helpers/databases.js';
import { ENV, writePlatform } from '../reconcile/fixtures.js';

const EXAMPLE = new URL('../../examples/hermes.yaml', import.meta.url).pathname;

describe('hermes plan', () => {
  it('prints a Terraform-like plan with secrets redacted, and exit codes with --detailed-exitcode', async () => {
    const cwd = writePlatform();
    const r = await runHermes(['plan', '--detailed-exitcode'], { cwd, env: ENV });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('+ domain example.com');
    expect(r.stdout).toContain('+ user alice@example.com');
    expect(r.stdout).toContain('password:    (set)');
    expect(r.stdout).toContain('password:    (generated)');
    expect(r.stdout).toMatch(/Plan: \d+ to add, 0 to change, 0 to remove\.\n$/);
    expect(r.stdout).not.toContain('alice-Secret-1');
    expect(r.stdout).not.toContain('bob-Remote-pw');
    expect(r.stdout).not.toContain('\x1b[');
    const plain = await runHermes(['plan'], { cwd, env: ENV });
    expect(plain.code).toBe(0);
  });

  it('writes a versioned JSON plan without secrets; markdown has the marker and collapses long lists', async () => {
    const cwd = writePlatform();
    const r = await runHermes(['plan', 'hermes.yaml', '--format', 'json', '--out', 'plan.json'], { cwd, env: ENV });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.formatVersion).toBe(1);
    expect(doc.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(doc.files).toEqual([{ path: 'hermes.yaml', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(doc.summary.add).toBeGreaterThan(5);
    const saved = readFileSync(join(cwd, 'plan.json'), 'utf8');
    expect(JSON.parse(saved).changes).toEqual(doc.changes);
    expect(saved).not.toContain('alice-Secret-1');
    expect(saved).not.toContain('bob-Remote-pw');
    const md = await runHermes(['plan', '--format', 'markdown'], { cwd, env: ENV });
    expect(md.code).toBe(0);
    expect(md.stdout.startsWith('<!-- hermes-plan -->')).toBe(true);
    expect(md.stdout).toContain('**Plan: ');
    expect(md.stdout).toContain('```diff');
    expect(md.stdout).not.toContain('alice-Secret-1');
  });

  it('prints validation diagnostics like validate and exits 1; a missing secret is an error', async () => {
    const cwd = writePlatform('version: 1\ndomains:\n  - domain: example.com\nusers:\n  - user: alice@example.com\n    number: "12"\n');
    const r = await runHermes(['plan'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/hermes\.yaml:6:\d+: error HERMES_/);
    const secret = await runHermes(['plan'], { cwd: writePlatform() });
    expect(secret.code).toBe(1);
    expect(secret.stderr).toContain('ALICE_SIP_PASSWORD');
  });

  it('names a new remote user without password and where it is declared, in one line', async () => {
    const cwd = writePlatform('version: 1\nusers:\n  - user: bob@sip.partner.net\n    registrar: sip.partner.net\n');
    const r = await runHermes(['plan'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/hermes\.yaml:3:\d+: remote user bob@sip\.partner\.net .*password.*\[PLAN_INVALID\]/);
  });

  it('keeps a 20,000-user markdown plan within a pull-request comment, pointing at the --out plan', async () => {
    const users = Array.from({ length: 20_000 }, (_, i) => `  - { user: user${i}@example.com, displayname: "Employee ${i} of the example corporation" }`).join('\n');
    const cwd = writePlatform(`version: 1\ndomains:\n  - domain: example.com\nusers:\n${users}\n`);
    const r = await runHermes(['plan', '--format', 'markdown', '--out', 'plan.json'], { cwd });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeLessThanOrEqual(65_536);
    expect(r.stdout).toContain('| user | create | 20000 |');
    expect(r.stdout).toMatch(/\*\* \d+ of 20001 changes are listed; the counts above are complete, and the full plan is saved as plan\.json \(hermes plan --out\)\./);
    expect(JSON.parse(readFileSync(join(cwd, 'plan.json'), 'utf8')).changes).toHaveLength(20_001);
    const elsewhere = await runHermes(['plan', '--format', 'markdown', '--full-plan', 'the artifact hermes-plan-abc1234'], { cwd });
    expect(elsewhere.stdout).toContain('and the full plan is the artifact hermes-plan-abc1234.');
  });

  it('uses colour only on a TTY (never when piped)', async () => {
    const cwd = writePlatform();
    const r = await runHermes(['plan'], { cwd, env: { ...ENV, NO_COLOR: undefined } });
    expect(r.stdout).not.toContain('\x1b[');
  });
});

describe.runIf(MYSQL_URL)('the quickstart against MariaDB', () => {
  it('applies examples/hermes.yaml, then plans "No changes."', async () => {
    const scratch = await createScratchDatabase('mysql');
    try {
      const init = await runHermes(['init', '--kamailio-schema', '--db', scratch.url]);
      expect(init.code).toBe(0);
      const apply = await runHermes(['apply', EXAMPLE, '--auto-approve', '--db', scratch.url]);
      expect(apply.stderr).toBe('');
      expect(apply.code).toBe(0);
      const plan = await runHermes(['plan', EXAMPLE, '--db', scratch.url, '--detailed-exitcode']);
      expect(plan.code).toBe(0);
      expect(plan.stdout).toContain('No changes.');
    } finally {
      await scratch.drop();
    }
  });
});
