import { dirname, join } from 'node:path';
import { cpSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { runHermes } from '../helpers/cli.js';
import { ENV, PLATFORM_YAML, writePlatform } from '../reconcile/fixtures.js';
import { LINE_PASSWORDS, SERVER_YAML } from '../nodes-api/provisioning-fixture.js';

const EXAMPLE = new URL('../../examples/hermes.yaml', import.meta.url).pathname;

describe('hermes apply', () => {
  it('applies the quickstart example on the SQLite default; plan then says "No changes."', async () => {
    const cwd = writePlatform();
    const r = await runHermes(['apply', EXAMPLE, '--auto-approve'], { cwd });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Apply complete: \d+ added, 0 changed, 0 removed\./);
    expect(r.stdout).toContain('generated password');
    expect(r.stdout).toContain('hermes call user/get');
    const plan = await runHermes(['plan', EXAMPLE], { cwd });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('No changes.');
  });

  it('refuses without --auto-approve when stdin is not a terminal, in one line', async () => {
    const cwd = writePlatform();
    const r = await runHermes(['apply'], { cwd, env: ENV });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--auto-approve.*\[APPLY_NOT_APPROVED\]/);
    const plan = await runHermes(['plan', '--detailed-exitcode'], { cwd, env: ENV });
    expect(plan.code).toBe(2);
  });

  it('reports a broken file as such, not as a missing approval', async () => {
    const cwd = writePlatform();
    writeFileSync(join(cwd, 'broken.yaml'), 'version: 1\nusers:\n  - user: bad\n');
    const r = await runHermes(['apply', 'broken.yaml'], { cwd, env: ENV });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^broken\.yaml:3:11: error HERMES_INVALID_ADDRESS/);
    expect(r.stderr).not.toContain('APPLY_NOT_APPROVED');
  });

  it('applies a saved plan without asking, and refuses it once stale (database or file changed)', async () => {
    const cwd = writePlatform();
    expect((await runHermes(['plan', '--out', 'plan.json'], { cwd, env: ENV })).code).toBe(0);
    const ok = await runHermes(['apply', '--plan', 'plan.json'], { cwd, env: ENV });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Apply complete:');
    // The same plan again: the database moved on.
    const stale = await runHermes(['apply', '--plan', 'plan.json'], { cwd, env: ENV });
    expect(stale.code).toBe(3);
    expect(stale.stderr.trim().split('\n')).toHaveLength(1);
    expect(stale.stderr).toContain('[PLAN_STALE]');
    // A changed YAML file makes a saved plan stale too.
    writeFileSync(join(cwd, 'hermes.yaml'), PLATFORM_YAML.replace('Carol', 'Caroline'));
    expect((await runHermes(['plan', '--out', 'p2.json'], { cwd, env: ENV })).code).toBe(0);
    writeFileSync(join(cwd, 'hermes.yaml'), PLATFORM_YAML);
    const changed = await runHermes(['apply', '--plan', 'p2.json'], { cwd, env: ENV });
    expect(changed.code).toBe(3);
    expect(changed.stderr).toMatch(/hermes\.yaml changed since the plan was made.*\[PLAN_STALE\]/);
    // A saved plan that cannot be read: named, one line, its code.
    const missing = await runHermes(['apply', '--plan', 'no-such-plan.json'], { cwd, env: ENV });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^hermes: cannot read the plan no-such-plan\.json: ENOENT \[FILE_UNREADABLE\]\n$/);
  });

  it('writes the actor to the audit log from --actor or the CI environment', async () => {
    const cwd = writePlatform();
    const r = await runHermes(['apply', '--auto-approve'], { cwd, env: { ...ENV, GITHUB_ACTOR: 'octocat', GITHUB_SHA: 'abcdef0123456789' } });
    expect(r.code).toBe(0);
    const log = await runHermes(['log', '--limit', '3', '--format', 'json'], { cwd });
    const entries = JSON.parse(log.stdout);
    expect(entries).toHaveLength(3);
    expect(entries[0].actor).toBe('ci:octocat@abcdef012345');
    expect(entries[0].node).toBe('apply');
  });

  it('calls domain.reload after a domain change; a failed reload exits 1 with the data applied', async () => {
    const calls: string[] = [];
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        calls.push(body);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ jsonrpc: '2.0', result: null, id: 1 }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const cwd = writePlatform();
      const r = await runHermes(['apply', '--auto-approve', '--kamailio-rpc', `http://127.0.0.1:${port}/RPC`], { cwd, env: ENV });
      expect(r.code).toBe(0);
      expect(JSON.parse(calls[0])).toEqual({ jsonrpc: '2.0', method: 'domain.reload', id: 1 });
      const cwd2 = writePlatform();
      const failed = await runHermes(['apply', '--auto-approve'], { cwd: cwd2, env: { ...ENV, HERMES_KAMAILIO_RPC: 'http://127.0.0.1:1/RPC' } });
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/domain\.reload failed.*\[KAMAILIO_RELOAD_FAILED\]/);
      expect(failed.stdout).toContain('Apply complete:');
      const plan = await runHermes(['plan'], { cwd: cwd2, env: ENV });
      expect(plan.stdout).toContain('No changes.');
    } finally {
      server.close();
    }
  });

  it('--notify-phones needs --kamailio-rpc, and is refused before anything is applied', async () => {
    const cwd = writePlatform();
    const r = await runHermes(['apply', '--auto-approve', '--notify-phones'], { cwd, env: { ...ENV, HERMES_KAMAILIO_RPC: undefined } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('--notify-phones needs --kamailio-rpc URL');
    expect((await runHermes(['plan', '--detailed-exitcode'], { cwd, env: ENV })).code).toBe(2);
  });

  it('--notify-phones with Kamailio unreachable: the data applied, exit 1 with KAMAILIO_NOTIFY_FAILED', async () => {
    const cwd = writePlatform();
    cpSync(dirname(SERVER_YAML), cwd, { recursive: true });
    expect((await runHermes(['apply', 'hermes.yaml', '--auto-approve'], { cwd, env: { ...LINE_PASSWORDS, HERMES_KAMAILIO_RPC: undefined } })).code).toBe(0);
    // a line's password changes: that phone's file changes (no domain change, so no domain.reload)
    const env = { ...LINE_PASSWORDS, YEALINK1_PASSWORD: 'yealink-Pass-9' };
    const r = await runHermes(['apply', 'hermes.yaml', '--auto-approve', '--notify-phones', '--kamailio-rpc', 'http://127.0.0.1:1/RPC'], { cwd, env: { ...env, HERMES_KAMAILIO_RPC: undefined } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Apply complete:');
    expect(r.stderr).toMatch(/the phones could not be notified: cannot reach .*\[KAMAILIO_NOTIFY_FAILED\]/);
    expect((await runHermes(['plan', 'hermes.yaml', '--detailed-exitcode'], { cwd, env })).code).toBe(0);
  });

  it('fails at once when the lock is held, naming the holder; --force-unlock clears it', async () => {
    const cwd = writePlatform();
    expect((await runHermes(['init'], { cwd })).code).toBe(0);
    const Database = (await import('better-sqlite3')).default;
    const sqlite = new Database(join(cwd, 'hermes.db'));
    sqlite.prepare("insert into hermes_locks (name, holder, acquired_at) values ('apply', 'ci:someone on runner pid 42', '2024-01-01')").run();
    sqlite.close();
    const r = await runHermes(['apply', '--auto-approve'], { cwd, env: ENV });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/ci:someone on runner pid 42.*\[APPLY_LOCKED\]/);
    const unlock = await runHermes(['apply', '--force-unlock'], { cwd });
    expect(unlock.stdout).toContain('ci:someone on runner pid 42');
    expect((await runHermes(['apply', '--auto-approve'], { cwd, env: ENV })).code).toBe(0);
  });
});
