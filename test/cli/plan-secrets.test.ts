/**
 * A saved plan pins each secret it writes by a keyed hash (src/reconcile/secret-pins.ts) and
 * `hermes apply --plan` refuses it (PLAN_SECRET_CHANGED, exit 3) when a secret in the
 * environment of the apply is not the one reviewed, naming the user or item and field only.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runHermes } from '../helpers/cli.js';
import { PLATFORM_YAML, writePlatform } from '../reconcile/fixtures.js';

const YAML = `${PLATFORM_YAML}provisioning:
  settings:
    timezone: Europe/Oslo
    admin_password: { env: PHONE_ADMIN_PASSWORD }
`;

const REVIEWED = { ALICE_SIP_PASSWORD: 'alice-Reviewed-1', PHONE_ADMIN_PASSWORD: 'admin-Reviewed-1' };
const SECRETS = ['alice-Reviewed-1', 'admin-Reviewed-1', 'alice-Swapped-2', 'admin-Swapped-2', 'bob-Remote-pw', 'alice-Next-3', 'alice-Other-4'];

/** Every form in which a secret could leak into a file: itself, its hex and base64, its sha256 and md5. */
function leakForms(secret: string): string[] {
  const b = Buffer.from(secret);
  return [secret, b.toString('hex'), b.toString('base64'), createHash('sha256').update(secret).digest('hex'), createHash('md5').update(secret).digest('hex')];
}

function expectNoSecret(text: string): void {
  for (const s of SECRETS) for (const form of leakForms(s)) expect(text, `leaks ${s}`).not.toContain(form);
}

/** Initialises the default SQLite database (so the plan is keyed by its key) and plans to plan.json. */
async function savedPlan(env: Record<string, string>, cwd = writePlatform(YAML)): Promise<{ cwd: string; text: string }> {
  const plan = await runHermes(['plan', '--out', 'plan.json'], { cwd, env });
  expect(plan.stderr).toBe('');
  expect(plan.code).toBe(0);
  return { cwd, text: readFileSync(join(cwd, 'plan.json'), 'utf8') };
}

describe('saved plans pin the secrets they write', () => {
  it('holds a pin (never the value) per written secret, and refuses a changed secret naming the user and field', async () => {
    const cwd = writePlatform(YAML);
    expect((await runHermes(['init'], { cwd })).code).toBe(0);
    const { text } = await savedPlan(REVIEWED, cwd);
    expectNoSecret(text);
    const doc = JSON.parse(text) as { secrets: { scheme: string; salt: string; pins: { object: string; field: string; pin: string }[] } };
    expect(doc.secrets.scheme).toBe('hmac-sha256');
    expect(doc.secrets.salt).toMatch(/^[0-9a-f]{64}$/);
    expect(doc.secrets.pins.map((p) => `${p.object} ${p.field}`).sort()).toEqual(['provisioning settings admin_password', 'user alice@example.com password', 'user bob@sip.partner.net password']);

    // The user's password swapped between review and apply: refused, nothing written.
    const swapped = await runHermes(['apply', '--plan', 'plan.json'], { cwd, env: { ...REVIEWED, ALICE_SIP_PASSWORD: 'alice-Swapped-2' } });
    expect(swapped.code).toBe(3);
    expect(swapped.stderr).toContain('[PLAN_SECRET_CHANGED]');
    expect(swapped.stderr).toContain('user alice@example.com password');
    expect(swapped.stderr).not.toContain('bob@sip.partner.net');
    expectNoSecret(swapped.stdout + swapped.stderr);
    // The phones' admin password swapped: refused too, naming the provisioning item.
    const admin = await runHermes(['apply', '--plan', 'plan.json'], { cwd, env: { ...REVIEWED, PHONE_ADMIN_PASSWORD: 'admin-Swapped-2' } });
    expect(admin.code).toBe(3);
    expect(admin.stderr).toContain('provisioning settings admin_password');
    expectNoSecret(admin.stdout + admin.stderr);
    // Nothing was applied: the same secrets as reviewed still apply the plan.
    const ok = await runHermes(['apply', '--plan', 'plan.json'], { cwd, env: REVIEWED });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expectNoSecret(ok.stdout);
    expect((await runHermes(['plan'], { cwd, env: REVIEWED })).stdout).toContain('No changes.');
  });

  it('pins a password change too: a changed-to value other than the reviewed one is refused', async () => {
    const cwd = writePlatform(YAML);
    expect((await runHermes(['apply', '--auto-approve'], { cwd, env: REVIEWED })).code).toBe(0);
    // Review a change of alice's password; then the environment holds yet another one.
    const { text } = await savedPlan({ ...REVIEWED, ALICE_SIP_PASSWORD: 'alice-Next-3' }, cwd);
    expectNoSecret(text);
    // The plans agree change for change (both say "password (changed)"): only the pin tells them apart.
    const other = await runHermes(['apply', '--plan', 'plan.json'], { cwd, env: { ...REVIEWED, ALICE_SIP_PASSWORD: 'alice-Other-4' } });
    expect(other.code).toBe(3);
    expect(other.stderr).toContain('[PLAN_SECRET_CHANGED]');
    expect(other.stderr).toContain('user alice@example.com password');
    expectNoSecret(other.stderr);
    const ok = await runHermes(['apply', '--plan', 'plan.json'], { cwd, env: { ...REVIEWED, ALICE_SIP_PASSWORD: 'alice-Next-3' } });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
  });

  it('a plan made before the default database exists pins by scrypt and still verifies', async () => {
    const { cwd, text } = await savedPlan(REVIEWED);
    expectNoSecret(text);
    expect((JSON.parse(text) as { secrets: { scheme: string } }).secrets.scheme).toBe('scrypt');
    const swapped = await runHermes(['apply', '--plan', 'plan.json'], { cwd, env: { ...REVIEWED, ALICE_SIP_PASSWORD: 'alice-Swapped-2' } });
    expect(swapped.code).toBe(3);
    expect(swapped.stderr).toContain('user alice@example.com password');
    const ok = await runHermes(['apply', '--plan', 'plan.json'], { cwd, env: REVIEWED });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
  });

  it('refuses a saved plan whose pins were removed', async () => {
    const cwd = writePlatform(YAML);
    expect((await runHermes(['init'], { cwd })).code).toBe(0);
    const { text } = await savedPlan(REVIEWED, cwd);
    const { secrets: _s, ...stripped } = JSON.parse(text) as Record<string, unknown>;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(cwd, 'bare.json'), JSON.stringify(stripped));
    const r = await runHermes(['apply', '--plan', 'bare.json'], { cwd, env: REVIEWED });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('[PLAN_SECRET_CHANGED]');
  });
});
