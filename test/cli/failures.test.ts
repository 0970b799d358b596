import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { HERMES_BIN, runHermes } from '../helpers/cli.js';

/**
 * Conditions an operator can meet, each one line with its catalogue code and a hint, never
 * `internal error` (issue 12 item 4), and the exit codes scripts rely on (docs/errors.md).
 */
const YAML = 'version: 1\ndomains:\n  - domain: example.com\n';

function folder(yaml: string = YAML): string {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-failures-'));
  chmodSync(dir, 0o777);
  writeFileSync(join(dir, 'hermes.yaml'), yaml);
  chmodSync(join(dir, 'hermes.yaml'), 0o644);
  return dir;
}

async function initialised(cwd: string, name = 'k.db'): Promise<string> {
  const r = await runHermes(['init', '--kamailio-schema', '--db', `sqlite:${name}`], { cwd });
  expect(r.code).toBe(0);
  return join(cwd, name);
}

function expectOneLine(r: { code: number; stderr: string }, code: string, exit = 1): void {
  expect(r.stderr).not.toContain('internal error');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toContain(`[${code}]`);
  expect(r.code).toBe(exit);
}

describe('failures an operator can meet', () => {
  it('plan creates and changes no file: a missing SQLite file, a zero-byte one', async () => {
    const cwd = folder();
    const missing = await runHermes(['plan', '--db', 'sqlite:new.db'], { cwd });
    expectOneLine(missing, 'DB_NOT_FOUND');
    expect(existsSync(join(cwd, 'new.db'))).toBe(false);
    writeFileSync(join(cwd, 'zero.db'), '');
    const zero = await runHermes(['plan', '--db', 'sqlite:zero.db'], { cwd });
    expectOneLine(zero, 'DB_TABLE_MISSING');
    expect(zero.stderr).toContain('hermes init');
    expect(statSync(join(cwd, 'zero.db')).size).toBe(0);
    expect(existsSync(join(cwd, 'zero.db-wal'))).toBe(false);
    // The embedded default is not created by plan either: it plans against an empty platform.
    const fresh = await runHermes(['plan'], { cwd });
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toContain('+ domain example.com');
    expect(existsSync(join(cwd, 'hermes.db'))).toBe(false);
  });

  it('a file that is not a database, and a corrupt one', async () => {
    const cwd = folder();
    writeFileSync(join(cwd, 'text.db'), 'this is a text file, not a database\n'.repeat(100));
    const text = await runHermes(['plan', '--db', 'sqlite:text.db'], { cwd });
    expectOneLine(text, 'DB_NOT_A_DATABASE');
    expect(text.stderr).toContain('check the path');
    const path = await initialised(cwd);
    const bytes = readFileSync(path);
    bytes.fill(0xff, 4096, Math.min(bytes.length, 4096 * 3));
    writeFileSync(path, bytes);
    const corrupt = await runHermes(['plan', '--db', 'sqlite:k.db'], { cwd });
    expectOneLine(corrupt, 'DB_CORRUPT');
    expect(corrupt.stderr).toContain('backup');
  });

  it('a MySQL URL without a database name', async () => {
    const r = await runHermes(['plan', '--db', 'mysql://hermes:secret-pw@127.0.0.1:1/'], { cwd: folder() });
    expectOneLine(r, 'DB_URL_INVALID');
    expect(r.stderr).toContain('names no database');
    expect(r.stderr).not.toContain('secret-pw');
  });

  it('a provisioning table dropped by hand: named, and hermes init recreates it', async () => {
    const cwd = folder();
    const path = await initialised(cwd);
    const sqlite = new Database(path);
    sqlite.exec('drop table hermes_users');
    sqlite.close();
    const plan = await runHermes(['plan', '--db', 'sqlite:k.db'], { cwd });
    expectOneLine(plan, 'DB_TABLE_MISSING');
    expect(plan.stderr).toContain('hermes_users');
    expect(plan.stderr).toContain('hermes init');
    const init = await runHermes(['init', '--db', 'sqlite:k.db'], { cwd });
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('hermes_users');
    expect(init.stdout).not.toContain('Nothing to do');
    expect((await runHermes(['plan', '--db', 'sqlite:k.db'], { cwd })).code).toBe(0);
  });

  it('a read-only SQLite file on apply', async () => {
    const cwd = folder();
    const path = await initialised(cwd);
    chmodSync(path, 0o444);
    const root = process.getuid?.() === 0;
    if (root) chownSync(path, 65534, 65534);
    // root writes any file: run hermes as nobody then.
    const command = root ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath] : [process.execPath];
    const r = spawnSync(command[0], [...command.slice(1), HERMES_BIN, 'apply', '--auto-approve', '--db', 'sqlite:k.db'], { cwd, encoding: 'utf8', env: { ...process.env, HERMES_DB: '' } });
    expectOneLine({ code: r.status ?? -1, stderr: r.stderr }, 'DB_READ_ONLY');
    expect(r.stderr).toContain('write access');
  });

  it('a failed write of export --out or plan --out is named as a write failure', async () => {
    const cwd = folder();
    await initialised(cwd);
    const exported = await runHermes(['export', '--db', 'sqlite:k.db', '--out', join(cwd, 'no', 'such', 'dir.yaml')], { cwd });
    expectOneLine(exported, 'FILE_UNWRITABLE');
    expect(exported.stderr).toContain('cannot write the export');
    const plan = await runHermes(['plan', '--db', 'sqlite:k.db', '--out', cwd], { cwd });
    expectOneLine(plan, 'FILE_UNWRITABLE');
  });

  it('Ctrl-C at the confirmation prompt: "Apply cancelled.", exit 1, nothing changed', async () => {
    const cwd = folder();
    const path = await initialised(cwd);
    // A terminal for hermes: script(1) runs it on a pseudo-terminal.
    const child = spawn('script', ['-qec', `${process.execPath} ${HERMES_BIN} apply --db sqlite:k.db`, '/dev/null'], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!sent && out.includes('Only "yes"')) {
        sent = true;
        child.stdin.write('\x03');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(out).toContain('Apply cancelled.');
    expect(out).toContain('[APPLY_NOT_APPROVED]');
    expect(out).not.toContain('internal error');
    expect(code).toBe(1);
    const sqlite = new Database(path, { readonly: true });
    expect(sqlite.prepare('select count(*) as n from domain').get()).toEqual({ n: 0 });
    sqlite.close();
  });

  it('the safety brake refuses with exit 3', async () => {
    const numbers = 'numbers:\n  ranges:\n    - { start: "+4722334400", end: "+4722334419" }\n';
    const cwd = folder(YAML + numbers);
    await initialised(cwd);
    expect((await runHermes(['apply', '--auto-approve', '--db', 'sqlite:k.db'], { cwd })).code).toBe(0);
    writeFileSync(join(cwd, 'hermes.yaml'), YAML + 'numbers:\n  ranges: []\n');
    const r = await runHermes(['apply', '--auto-approve', '--db', 'sqlite:k.db'], { cwd });
    expect(r.stderr).toContain('[APPLY_UNSAFE]');
    expect(r.code).toBe(3);
  });
});
