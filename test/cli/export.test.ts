import { dirname, join } from 'node:path';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { builtInTemplates } from '../../src/provisioning/index.js';
import { describe, expect, it } from 'vitest';
import { runHermes } from '../helpers/cli.js';
import { ENV, writePlatform } from '../reconcile/fixtures.js';
import { LINE_PASSWORDS, SERVER_YAML } from '../nodes-api/provisioning-fixture.js';

describe('hermes export', () => {
  it('exports the database as valid YAML without passwords that plans to no changes', async () => {
    const cwd = writePlatform();
    expect((await runHermes(['apply', '--auto-approve'], { cwd, env: ENV })).code).toBe(0);
    const r = await runHermes(['export', '--out', 'exported.yaml'], { cwd });
    expect(r.code).toBe(0);
    const yaml = readFileSync(join(cwd, 'exported.yaml'), 'utf8');
    expect(yaml.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=/);
    expect(yaml).not.toMatch(/password:|alice-Secret-1|bob-Remote-pw/);
    expect(yaml).toContain('number: "+4722334401"');
    expect((await runHermes(['validate', 'exported.yaml'], { cwd })).code).toBe(0);
    const plan = await runHermes(['plan', 'exported.yaml', '--detailed-exitcode'], { cwd });
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
  });

  it('shows drift as a unified diff in the YAML terms', async () => {
    const cwd = writePlatform();
    expect((await runHermes(['apply', '--auto-approve'], { cwd, env: ENV })).code).toBe(0);
    const same = await runHermes(['export', '--diff'], { cwd });
    expect(same.code).toBe(0);
    expect(same.stdout).toBe('');
    const Database = (await import('better-sqlite3')).default;
    const sqlite = new Database(join(cwd, 'hermes.db'));
    sqlite.prepare("update hermes_users set displayname = 'Mallory' where username = 'alice'").run();
    sqlite.close();
    const drift = await runHermes(['export', '--diff'], { cwd });
    expect(drift.code).toBe(0);
    expect(drift.stdout).toContain('--- declared');
    expect(drift.stdout).toContain('+++ database');
    expect(drift.stdout).toContain('-    displayname: Alice Liddell');
    expect(drift.stdout).toContain('+    displayname: Mallory');
  });
});

describe('hermes export with provisioning', () => {
  it('writes models, profiles, settings and keys back, secrets as { env } placeholders, and plans no changes', async () => {
    const example = new URL('../../examples/hermes.yaml', import.meta.url).pathname;
    const cwd = writePlatform();
    expect((await runHermes(['apply', example, '--auto-approve'], { cwd })).code).toBe(0);
    expect((await runHermes(['export', '--out', 'exported.yaml'], { cwd })).code).toBe(0);
    const yaml = readFileSync(join(cwd, 'exported.yaml'), 'utf8');
    expect(yaml).toContain('model: yealink-t46u');
    expect(yaml).toContain('model: snom-d785');
    expect(yaml).toContain('profile: reception');
    expect(yaml).toContain('env: PHONE_ADMIN_PASSWORD');
    expect(yaml).toContain('env: PROVISIONING_PASSWORD');
    expect(yaml).toContain('sip_server: sip.example.net:5060');
    expect(yaml).not.toMatch(/example-Phone-admin-1|example-Provisioning-1|scrypt/);
    const env = { PHONE_ADMIN_PASSWORD: readFileSync(new URL('../../examples/secrets/phone-admin.txt', import.meta.url), 'utf8').trim(), PROVISIONING_PASSWORD: readFileSync(new URL('../../examples/secrets/provisioning.txt', import.meta.url), 'utf8').trim() };
    const plan = await runHermes(['plan', 'exported.yaml', '--detailed-exitcode'], { cwd, env });
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
  });

  it('writes provisioning.allow and allow_http back, and plans no changes', async () => {
    const cwd = writePlatform();
    cpSync(dirname(SERVER_YAML), cwd, { recursive: true });
    writeFileSync(join(cwd, 'hermes.yaml'), readFileSync(SERVER_YAML, 'utf8').replace('  allow_http: [192.0.2.0/24]', '  allow_http: [192.0.2.0/24]\n  allow: ["2001:db8::/32", 10.0.0.1]'));
    expect((await runHermes(['apply', 'hermes.yaml', '--auto-approve'], { cwd, env: LINE_PASSWORDS })).code).toBe(0);
    expect((await runHermes(['export', '--out', 'exported.yaml'], { cwd })).code).toBe(0);
    const yaml = readFileSync(join(cwd, 'exported.yaml'), 'utf8');
    expect(yaml).toMatch(/allow:\n\s+- 2001:db8::\/32\n\s+- 10\.0\.0\.1\/32\n/);
    expect(yaml).toMatch(/allow_http:\n\s+- 192\.0\.2\.0\/24\n/);
    const plan = await runHermes(['plan', 'exported.yaml', '--detailed-exitcode'], { cwd, env: { ...LINE_PASSWORDS, PROVISIONING_PASSWORD: 'prov-Secret-1' } });
    expect(plan.stdout + plan.stderr).toContain('No changes.');
    expect(plan.code).toBe(0);
  });
});

describe('hermes export of template overrides, and export --diff of provisioning', () => {
  const example = new URL('../../examples/hermes.yaml', import.meta.url).pathname;
  const secret = (name: string) => readFileSync(new URL(`../../examples/secrets/${name}`, import.meta.url), 'utf8').trim();
  const env = { PHONE_ADMIN_PASSWORD: secret('phone-admin.txt'), PROVISIONING_PASSWORD: secret('provisioning.txt') };
  /** The example with a templates folder holding one Yealink override, in a temp folder. */
  function platformWithTemplates(): string {
    const cwd = writePlatform(readFileSync(example, 'utf8').replace('  auth:', '  templates: templates\n  auth:'));
    mkdirSync(join(cwd, 'secrets'));
    for (const f of ['phone-admin.txt', 'provisioning.txt', 'bob.txt']) copyFileSync(join(dirname(example), 'secrets', f), join(cwd, 'secrets', f));
    mkdirSync(join(cwd, 'templates', 'yealink'), { recursive: true });
    const builtIn = builtInTemplates().find((t) => t.id === 'yealink/phone.cfg')!.text;
    writeFileSync(join(cwd, 'templates', 'yealink', 'phone.cfg.liquid'), `# operator override\n${builtIn}`);
    return cwd;
  }

  it('writes the stored template overrides beside --out and names their folder; the export plans "No changes."', async () => {
    const cwd = platformWithTemplates();
    const applied = await runHermes(['apply', '--auto-approve'], { cwd });
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const r = await runHermes(['export', '--out', 'out/exported.yaml'], { cwd: (mkdirSync(join(cwd, 'out')), cwd) });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const yaml = readFileSync(join(cwd, 'out', 'exported.yaml'), 'utf8');
    expect(yaml).toContain('templates: provisioning/templates');
    expect(readFileSync(join(cwd, 'out', 'provisioning', 'templates', 'yealink', 'phone.cfg.liquid'), 'utf8')).toMatch(/^# operator override\n/);
    const plan = await runHermes(['plan', 'out/exported.yaml', '--detailed-exitcode'], { cwd, env });
    expect(plan.stderr).toBe('');
    expect(plan.stdout).toContain('No changes.');
    expect(plan.code).toBe(0);
    // Without --out the overrides cannot be written: a warning says so.
    const stdout = await runHermes(['export'], { cwd });
    expect(stdout.stderr).toContain('1 template override(s) are stored; export writes them only with --out');
    expect(existsSync(join(cwd, 'provisioning'))).toBe(false);
  });

  it('--diff covers provisioning: settings, profiles, phones, domains and template texts', async () => {
    const cwd = platformWithTemplates();
    expect((await runHermes(['apply', '--auto-approve'], { cwd })).code).toBe(0);
    const same = await runHermes(['export', '--diff'], { cwd });
    expect(same.stderr).toBe('');
    // (The example's E.164 alias shows as carol's number on the database side: export's canonical
    // form of such an alias, not provisioning.) Nothing of provisioning differs.
    expect(same.stdout).not.toMatch(/^[-+](?![-+]).*(model|profile|language|timezone|sip_server|keys|settings|admin_password|auth|templates|liquid)/m);
    const Database = (await import('better-sqlite3')).default;
    const sqlite = new Database(join(cwd, 'hermes.db'));
    const edit = (item: string, fn: (body: Record<string, any>) => void) => {
      const body = JSON.parse((sqlite.prepare('select body from hermes_provisioning where item = ?').get(item) as { body: string }).body) as Record<string, any>;
      fn(body);
      sqlite.prepare('update hermes_provisioning set body = ? where item = ?').run(JSON.stringify(body), item);
    };
    edit('profile:reception', (b) => (b.settings.language = 'de'));
    edit('phone:0004f2abcdef', (b) => (b.model = 'yealink-t54w'));
    edit('domain:example.com', (b) => (b.sip_server = 'other.example.net:5070'));
    edit('template:yealink/phone.cfg', (b) => (b.text = b.text.replace('# operator override', '# changed by hand')));
    sqlite.close();
    const drift = await runHermes(['export', '--diff'], { cwd });
    expect(drift.stderr).toBe('');
    expect(drift.code).toBe(0);
    for (const line of ['-        language: nb', '+        language: de', '-    model: yealink-t46u', '+    model: yealink-t54w', '-    sip_server: sip.example.net:5060', '+    sip_server: other.example.net:5070', '--- declared/provisioning/templates/yealink/phone.cfg.liquid', '-# operator override', '+# changed by hand']) {
      expect(drift.stdout).toContain(line);
    }
    expect(drift.stdout).not.toMatch(/example-Phone-admin-1|example-Provisioning-1|scrypt/);
  });
});
