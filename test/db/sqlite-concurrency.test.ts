import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initDatabases, openDatabases } from '../../src/db/connect.js';
import { APPLY_LOCK } from '../../src/reconcile/apply-lock.js';
import { HERMES_BIN, runHermes } from '../helpers/cli.js';
import { ENV, writePlatform } from '../reconcile/fixtures.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A new SQLite platform file with Kamailio's tables and the domain example.com. */
async function platform(): Promise<{ dir: string; url: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-sqlite-conc-'));
  dirs.push(dir);
  const url = `sqlite:${join(dir, 'hermes.db')}`;
  await initDatabases({ db: url, kamailioSchema: true });
  const c = await openDatabases({ db: url });
  await c.kamailio.insertInto('domain').values({ domain: 'example.com', did: null, last_modified: '2024-01-01 00:00:00' }).execute();
  await c.close();
  return { dir, url };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SQLite: concurrent writers wait for each other', () => {
  it('twenty hermes call processes writing at once all succeed', async () => {
    const { url } = await platform();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => runHermes(['call', 'user/add_local', `user=u${i}@example.com`, '--db', url])),
    );
    for (const r of results) {
      expect(r.stderr).not.toMatch(/locked|busy/i);
      expect(r.code).toBe(0);
    }
    const c = await openDatabases({ db: url });
    try {
      expect(await c.kamailio.selectFrom('subscriber').select('username').execute()).toHaveLength(20);
      expect(await c.provisioning.selectFrom('hermes_users').select('username').execute()).toHaveLength(20);
    } finally {
      await c.close();
    }
  }, 120_000);

  it('API writes during an apply wait for it and succeed, and so does the apply', async () => {
    const { url } = await platform();
    const users = Array.from({ length: 1500 }, (_, i) => `  - { user: a${i}@big.com }`).join('\n');
    const cwd = writePlatform(`version: 1\ndomains:\n  - domain: example.com\n  - domain: big.com\nusers:\n${users}\n`);
    const apply = spawn(process.execPath, [HERMES_BIN, 'apply', '--auto-approve', '--db', url], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let applyErr = '';
    apply.stderr.on('data', (d) => (applyErr += d));
    const applied = new Promise<number | null>((resolve) => apply.on('exit', (code) => resolve(code)));
    const c = await openDatabases({ db: url });
    try {
      for (let i = 0; i < 400 && !(await c.provisioning.selectFrom('hermes_locks').select('name').where('name', '=', APPLY_LOCK).executeTakeFirst()); i++) await sleep(10);
      const calls = await Promise.all(Array.from({ length: 10 }, (_, i) => runHermes(['call', 'numbers/add', `number=+4761000${String(i).padStart(3, '0')}`, '--db', url])));
      for (const r of calls) {
        expect(r.stderr).not.toMatch(/locked|busy/i);
        expect(r.code).toBe(0);
      }
      expect(await applied).toBe(0);
      expect(applyErr).toBe('');
      expect(await c.provisioning.selectFrom('hermes_numbers').select('number').execute()).toHaveLength(10);
      expect(await c.kamailio.selectFrom('subscriber').select('username').execute()).toHaveLength(1500);
    } finally {
      await c.close();
    }
  }, 120_000);

  it('one file named two ways (sqlite:x.db and sqlite:./x.db) is one database with one shared connection', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hermes-sqlite-names-'));
    dirs.push(dir);
    const names = ['--db', 'sqlite:hermes.db', '--provisioning-db', 'sqlite:./hermes.db'];
    expect((await runHermes(['init', '--kamailio-schema', ...names], { cwd: dir })).code).toBe(0);
    const r = await runHermes(['apply', join(writePlatform(), 'hermes.yaml'), '--auto-approve', ...names], { cwd: dir, env: ENV });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const c = await openDatabases({ db: `sqlite:${join(dir, 'hermes.db')}`, provisioningDb: `sqlite:${dir}/./hermes.db` });
    try {
      expect(c.shared).toBe(true);
      expect(await c.provisioning.selectFrom('hermes_users').select('username').execute()).not.toEqual([]);
    } finally {
      await c.close();
    }
  }, 120_000);
});
