import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabases } from '../../src/db/connect.js';
import { MYSQL_URL, createScratchDatabase } from '../helpers/databases.js';
import { runHermes } from '../helpers/cli.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'hermes-cli-'));
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('hermes init on the embedded default', () => {
  it('creates hermes.db with the Kamailio and provisioning tables; a second run changes nothing', async () => {
    const cwd = tempDir();
    const first = await runHermes(['init'], { cwd });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Created Kamailio tables: version, subscriber, domain, domain_attrs, dbaliases/);
    expect(existsSync(join(cwd, 'hermes.db'))).toBe(true);
    const second = await runHermes(['init'], { cwd });
    expect(second.code).toBe(0);
    expect(second.stdout).toBe('Nothing to do: the database is up to date.\n');
    const c = await openDatabases({ db: `sqlite:${join(cwd, 'hermes.db')}` });
    await c.close();
  });

  it('refuses a malformed URL with one line and exit 1', async () => {
    const r = await runHermes(['init', '--db', 'oracle://x/y'], { cwd: tempDir() });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/scheme "oracle:" is not supported.*\[DB_URL_INVALID\]/);
  });

  it('refuses a missing SQLite file that is not the default', async () => {
    const cwd = tempDir();
    const r = await runHermes(['init', '--db', `sqlite:${join(cwd, 'nope', 'x.db')}`], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('DB_NOT_FOUND');
  });
});

describe.runIf(MYSQL_URL)('hermes init against MySQL', () => {
  it('gives one line and exit 1 for a wrong password, without the password or a stack', async () => {
    const url = new URL(MYSQL_URL!);
    url.password = 'definitely-wrong';
    url.pathname = '/hermes_nope';
    const r = await runHermes(['init', '--db', url.toString()], { cwd: tempDir() });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/access denied .*\[DB_AUTH_FAILED\]/);
    expect(r.stderr).not.toContain('definitely-wrong');
  });

  it('gives one line for an unreachable server; the stack only with --debug', async () => {
    const r = await runHermes(['init', '--db', 'mysql://root@127.0.0.1:1/x'], { cwd: tempDir() });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('[DB_UNREACHABLE]');
    const debug = await runHermes(['init', '--debug', '--db', 'mysql://root@127.0.0.1:1/x'], { cwd: tempDir() });
    expect(debug.stderr.split('\n').length).toBeGreaterThan(2);
  });

  it('creates the database and Kamailio tables with --kamailio-schema; refuses version 6', async () => {
    const scratch = await createScratchDatabase('mysql');
    try {
      const r = await runHermes(['init', '--kamailio-schema', '--db', scratch.url], { cwd: tempDir() });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Created Kamailio tables');
      const c = await openDatabases({ db: scratch.url });
      await c.kamailio.updateTable('version').set({ table_version: 6 }).where('table_name', '=', 'subscriber').execute();
      await c.close();
      const refused = await runHermes(['init', '--db', scratch.url], { cwd: tempDir() });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/Kamailio table "subscriber" .* is at version 6, hermes expects version 7 \[DB_VERSION_MISMATCH\]/);
    } finally {
      await scratch.drop();
    }
  });
});
