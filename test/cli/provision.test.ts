import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabases } from '../../src/db/connect.js';
import { contentHash, phoneConfig, recordFetch } from '../../src/ops/index.js';
import { runHermes } from '../helpers/cli.js';
import { writePlatform } from '../reconcile/fixtures.js';

const EXAMPLE = new URL('../../examples/hermes.yaml', import.meta.url).pathname;

/** Yealink's key = value lines as an object. */
const keys = (cfg: string) => Object.fromEntries(cfg.split('\n').filter((l) => l.includes(' = ')).map((l) => [l.slice(0, l.indexOf(' = ')), l.slice(l.indexOf(' = ') + 3)]));

describe('hermes provision', () => {
  it("renders a provisioned phone's files from the applied state, masking passwords unless --show-secrets", async () => {
    const cwd = writePlatform();
    expect((await runHermes(['apply', EXAMPLE, '--auto-approve'], { cwd })).code).toBe(0);
    const files = await runHermes(['provision', 'files', '00:04:F2:AB:CD:EF'], { cwd });
    expect(files).toMatchObject({ code: 0, stdout: '0004f2abcdef.cfg\n0004f2abcdef.boot\ny000000000108.cfg\ny000000000000.boot\n' });
    const masked = await runHermes(['provision', 'render', '0004f2abcdef', '0004f2abcdef.cfg'], { cwd });
    expect(masked.code).toBe(0);
    const cfg = keys(masked.stdout);
    expect(cfg).toMatchObject({ 'account.1.user_name': 'alice', 'account.1.password': '********', 'account.2.user_name': 'bob', 'account.2.auth_name': 'bob-auth', 'account.2.password': '********', 'account.1.outbound_proxy.1.address': 'sip.example.net' });
    expect(masked.stdout).not.toContain('bob-Remote-pw');
    expect(masked.stdout).not.toContain('example-Phone-admin-1');
    // The admin password is stored retrievably so that the files carry it; masked like the lines' passwords.
    expect(cfg['static.security.user_password']).toBe('admin:********');
    const shown = await runHermes(['provision', 'render', '0004f2abcdef', '0004f2abcdef.cfg', '--show-secrets'], { cwd });
    expect(keys(shown.stdout)['account.2.password']).not.toBe('********');
    expect(keys(shown.stdout)['static.security.user_password']).toBe('admin:example-Phone-admin-1');
    const snom = await runHermes(['provision', 'render', '0004f2123456', '0004F2123456.xml', '--show-secrets'], { cwd });
    expect(snom.stdout).toContain('<admin_mode_password perm="R">example-Phone-admin-1</admin_mode_password>');
    const all = await runHermes(['provision', 'render', '00-04-f2-12-34-56'], { cwd });
    expect(all.stdout).toContain('==> snomD785-0004F2123456.htm <==');
    expect(all.stdout).toContain('==> 0004F2123456.xml <==');
    const none = await runHermes(['provision', 'render', '0004f2999999'], { cwd });
    expect(none).toMatchObject({ code: 1, stderr: 'hermes: phone 0004f2999999 is not provisioned\n' });
  });

  it('status names the phones that never fetched and those whose files changed since their last fetch', async () => {
    const cwd = writePlatform();
    expect((await runHermes(['apply', EXAMPLE, '--auto-approve'], { cwd })).code).toBe(0);
    const fresh = await runHermes(['provision', 'status'], { cwd });
    expect(fresh).toMatchObject({ code: 0, stdout: 'never fetched  00:04:f2:12:34:56  snom-d785\nnever fetched  00:04:f2:ab:cd:ef  yealink-t46u\n2 never fetched, 0 changed since their last fetch, 0 current\n' });
    const db = await openDatabases({ db: `sqlite:${cwd}/hermes.db` });
    try {
      const [file] = await phoneConfig(db, '0004f2abcdef', '0004f2abcdef.cfg', { actor: 'test', showSecrets: true });
      await recordFetch(db, { mac: '0004f2abcdef', file: file.name, client: '10.0.0.5', userAgent: 'Yealink', hash: contentHash(file.content) });
      await recordFetch(db, { mac: '0004f2123456', file: '0004F2123456.xml', client: '10.0.0.6', userAgent: 'snom', hash: contentHash('what it had before') });
    } finally {
      await db.close();
    }
    const status = await runHermes(['provision', 'status', '--json'], { cwd });
    expect(JSON.parse(status.stdout)).toEqual({ never_fetched: [], changed: [{ mac: '0004f2123456', model: 'snom-d785', files: ['0004F2123456.xml'] }], current: 1 });
  });

  it('plans a changed profile setting as its phones, and nothing for the example as applied', async () => {
    const cwd = writePlatform();
    expect((await runHermes(['apply', EXAMPLE, '--auto-approve'], { cwd })).code).toBe(0);
    const json = await runHermes(['plan', EXAMPLE, '--format', 'json'], { cwd });
    expect(JSON.parse(json.stdout).changes).toEqual([]);
    const text = readFileSync(EXAMPLE, 'utf8').replace('settings: { language: nb }', 'settings: { language: de }');
    // beside the example, so that its secrets/ files resolve
    const file = `${dirname(EXAMPLE)}/.provision-test-${process.pid}.yaml`;
    writeFileSync(file, text);
    try {
      const plan = JSON.parse((await runHermes(['plan', file, '--format', 'json'], { cwd })).stdout) as { changes: { key: string; phones: number; macs: string[]; after: unknown }[] };
      expect(plan.changes).toEqual([{ action: 'update', kind: 'provisioning', key: 'profile:reception', before: { language: 'nb' }, after: { language: 'de' }, phones: 1, macs: ['0004f2123456'] }]);
      // A changed admin password: every provisioned phone's files change; the plan never shows it.
      writeFileSync(file, readFileSync(EXAMPLE, 'utf8').replace('admin_password: { file: secrets/phone-admin.txt }', 'admin_password: { env: NEW_ADMIN }'));
      for (const format of ['json', 'text', 'markdown']) {
        const out = await runHermes(['plan', file, '--format', format], { cwd, env: { NEW_ADMIN: 'new-Phone-admin-2' } });
        expect(out.code, out.stderr).toBe(0);
        expect(out.stdout).not.toContain('Phone-admin');
        if (format === 'json') expect((JSON.parse(out.stdout) as { changes: unknown[] }).changes).toEqual([{ action: 'update', kind: 'provisioning', key: 'settings', before: { admin_password: '(set)' }, after: { admin_password: '(changed)' }, phones: 2, macs: ['0004f2123456', '0004f2abcdef'] }]);
      }
    } finally {
      rmSync(file);
    }
  });
});
