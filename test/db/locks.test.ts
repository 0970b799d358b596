import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { expect, it } from 'vitest';
import { adapterNamed } from '../../src/db/dialects/index.js';
import { acquireApplyLock, APPLY_LOCK, LEASE_MS } from '../../src/reconcile/apply-lock.js';
import { HERMES_BIN, runHermes } from '../helpers/cli.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { ENV, writePlatform } from '../reconcile/fixtures.js';

/** A platform whose apply holds the lock for a few seconds. */
function largePlatform(users: number): string {
  const lines = Array.from({ length: users }, (_, i) => `  - { user: u${i}@big.com, number: "+47${String(30000000 + i)}" }`).join('\n');
  return `version: 1\ndomains:\n  - domain: big.com\nnumbers:\n  ranges:\n    - { start: "+4730000000", end: "+4730099999" }\nusers:\n${lines}\n`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeEachDatabase('apply lock', (suite) => {
  const lockRow = async () => suite.db.connection.provisioning.selectFrom('hermes_locks').selectAll().where('name', '=', APPLY_LOCK).executeTakeFirst();

  it('a hermes apply killed with SIGKILL while holding the lock leaves none that a later apply must break', async () => {
    await suite.clear();
    const cwd = writePlatform(largePlatform(6000));
    const env = { ...process.env, ...ENV, HERMES_DB: suite.db.url, NO_COLOR: '1' };
    const child = spawn(process.execPath, [HERMES_BIN, 'apply', '--auto-approve'], { cwd, env, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let row = await lockRow();
    for (let i = 0; i < 600 && Number(row?.pid) !== child.pid; i++) {
      await sleep(25);
      row = await lockRow();
    }
    expect(row?.holder).toContain(`pid ${child.pid}`);
    await sleep(300); // into the apply's work
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // It died holding the lock: its row is still there, naming it.
    expect((await lockRow())?.holder).toContain(`pid ${child.pid}`);
    const again = await runHermes(['apply', '--auto-approve'], { cwd: writePlatform(), env: { ...ENV, HERMES_DB: suite.db.url } });
    expect(again.stderr).not.toContain('APPLY_LOCKED');
    expect(again.code).toBe(0);
    expect(await lockRow()).toBeUndefined();
  }, 60_000);

  it('names the holder to an apply from elsewhere, and keeps a row written by hand until --force-unlock', async () => {
    await suite.clear();
    const db = suite.db.connection;
    const held = await acquireApplyLock(db.provisioning, 'ci:octocat');
    await expect(acquireApplyLock(db.provisioning, 'ci:other')).rejects.toMatchObject({ code: 'APPLY_LOCKED', message: expect.stringContaining(`ci:octocat on ${hostname()} pid ${process.pid}`) });
    await held.release();
    await db.provisioning.insertInto('hermes_locks').values({ name: APPLY_LOCK, holder: 'ops by hand', acquired_at: '2024-01-01' }).execute();
    await expect(acquireApplyLock(db.provisioning, 'ci:other')).rejects.toMatchObject({ code: 'APPLY_LOCKED', message: expect.stringContaining('ops by hand') });
    await db.provisioning.deleteFrom('hermes_locks').execute();
  });

  // Engines without a session lock (SQLite) hold a lease row instead.
  if (!adapterNamed(suite.dialect).sessionLock) {
    it('lease: excludes a live holder on another host until its lease expires; takes over a dead pid on this host', async () => {
      await suite.clear();
      const p = suite.db.connection.provisioning;
      const now = Date.now();
      const lease = (host: string, pid: number, expires: number) => ({ name: APPLY_LOCK, holder: `ci:x on ${host} pid ${pid}`, acquired_at: new Date(now).toISOString(), host, pid, expires_at: new Date(expires).toISOString() });
      await p.insertInto('hermes_locks').values(lease('other-host', process.pid + 1, now + LEASE_MS)).execute();
      await expect(acquireApplyLock(p, 'ci:me')).rejects.toMatchObject({ code: 'APPLY_LOCKED', message: expect.stringContaining('ci:x on other-host') });
      await p.updateTable('hermes_locks').set({ expires_at: new Date(now - 1000).toISOString() }).execute();
      await (await acquireApplyLock(p, 'ci:me')).release();
      // A process that ended on this host, its lease still running.
      const dead = spawn(process.execPath, ['-e', '']);
      await new Promise((r) => dead.on('exit', r));
      await p.insertInto('hermes_locks').values(lease(hostname(), dead.pid!, now + LEASE_MS)).execute();
      const taken = await acquireApplyLock(p, 'ci:me');
      expect((await lockRow())?.holder).toBe(taken.holder);
      await taken.release();
      // A live process on this host keeps it.
      await p.insertInto('hermes_locks').values(lease(hostname(), process.pid, now + LEASE_MS)).execute();
      await expect(acquireApplyLock(p, 'ci:me')).rejects.toMatchObject({ code: 'APPLY_LOCKED' });
      await p.deleteFrom('hermes_locks').execute();
    });
  }
});
