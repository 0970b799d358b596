import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runHermes } from '../helpers/cli.js';

// Runs the BUILT CLI: `npx tsc -p tsconfig.build.json` (npm test's pretest) first.
const ROOT = resolve(import.meta.dirname, '../..');
const run = (args: string[], env: Record<string, string | undefined> = {}) => runHermes(args, { cwd: ROOT, env });
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function temp(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'hermes-validate-'));
  dirs.push(d);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

describe('hermes validate', () => {
  it('examples/hermes.yaml is valid: exit 0, summary on stdout, nothing on stderr', async () => {
    const r = await run(['validate', 'examples/hermes.yaml']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('examples/hermes.yaml is valid.\n');
    expect(r.code).toBe(0);
  });

  it('the example is valid with --secrets --strict and no environment', async () => {
    const r = await run(['validate', '--secrets', '--strict', 'examples/hermes.yaml']);
    expect(r.code).toBe(0);
  });

  it.each([
    ['duplicate-user.yaml', 7, 11, 'HERMES_DUPLICATE_USER', 'users[1].user'],
    ['number-not-in-pool.yaml', 8, 13, 'HERMES_NUMBER_NOT_IN_POOL', 'users[0].number'],
    ['alias-undeclared-destination.yaml', 7, 46, 'HERMES_ALIAS_UNDECLARED_DESTINATION', 'aliases[0].destination'],
    ['invalid-mac.yaml', 7, 10, 'HERMES_INVALID_MAC', 'phones[0].mac'],
    ['schema-unknown-property.yaml', 6, 5, 'HERMES_SCHEMA', 'users[0].pasword'],
    ['yaml-syntax.yaml', 6, 1, 'HERMES_YAML_SYNTAX', ''],
    ['range-too-large.yaml', 6, 36, 'HERMES_RANGE_TOO_LARGE', 'numbers.ranges[0].end'],
  ])('%s exits 1 with its diagnostic at %i:%i', async (name, line, column, code, path) => {
    const file = `test/fixtures/desired/${name}`;
    const r = await run(['validate', file]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${file.replace(/[.]/g, '\\.')}:${line}:${column}: error ${code}: .+${path ? ` \\(${path.replace(/[[\].]/g, '\\$&')}\\)` : ''}$`));
    expect(r.stdout).toBe('1 error.\n');
  });

  it('reports every problem at once, counting errors and warnings', async () => {
    const d = temp({
      'hermes.yaml': 'version: 1\ndomains:\n  - domain: example.com\nusers:\n  - user: alice@example.com\n    password: plain-example\n  - user: alice@example.com\nphones:\n  - mac: "xx"\n    users: [alice@example.com]\n',
    });
    const r = await runHermes(['validate'], { cwd: d });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').map((l) => l.split(': ')[0] + ' ' + l.split(' ')[2])).toEqual(['hermes.yaml:6:15 HERMES_PLAINTEXT_SECRET:', 'hermes.yaml:7:11 HERMES_DUPLICATE_USER:', 'hermes.yaml:9:10 HERMES_INVALID_MAC:']);
    expect(r.stderr).toContain('hermes.yaml:6:15: warning HERMES_PLAINTEXT_SECRET');
    expect(r.stdout).toBe('2 errors, 1 warning.\n');
  });

  it('warnings keep exit 0; --strict makes them errors', async () => {
    const file = 'test/fixtures/desired/plaintext-secret.yaml';
    const r = await run(['validate', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${file} is valid (1 warning).\n`);
    expect(r.stderr).toMatch(/^test\/fixtures\/desired\/plaintext-secret\.yaml:6:15: warning HERMES_PLAINTEXT_SECRET: /);
    expect(r.stderr).not.toContain('hunter2');
    const strict = await run(['validate', '--strict', file]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/:6:15: error HERMES_PLAINTEXT_SECRET: /);
    expect(strict.stdout).toBe('1 error.\n');
  });

  it('an unset env secret is a warning, and an error with --secrets', async () => {
    const file = 'test/fixtures/desired/secret-env-unset.yaml';
    const warn = await run(['validate', file]);
    expect(warn.code).toBe(0);
    expect(warn.stderr).toMatch(/:6:15: warning HERMES_SECRET_ENV_UNSET: /);
    const strict = await run(['validate', '--secrets', file]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/:6:15: error HERMES_SECRET_ENV_UNSET: /);
    const set = await run(['validate', '--secrets', file], { HERMES_FIXTURE_UNSET_VARIABLE: 'now-set' });
    expect(set.code).toBe(0);
  });

  it('--format json prints {valid, diagnostics} on stdout', async () => {
    const bad = await run(['validate', '--format', 'json', 'test/fixtures/desired/duplicate-phone.yaml']);
    expect(bad.code).toBe(1);
    const doc = JSON.parse(bad.stdout);
    expect(doc.valid).toBe(false);
    expect(doc.diagnostics).toEqual([
      expect.objectContaining({ severity: 'error', code: 'HERMES_DUPLICATE_PHONE', file: 'test/fixtures/desired/duplicate-phone.yaml', line: 9, column: 10, path: 'phones[1].mac' }),
    ]);
    const good = await run(['validate', '--format', 'json', 'examples/hermes.yaml']);
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout)).toEqual({ valid: true, diagnostics: [] });
  });

  it('a directory is merged; a duplicate across files names both places', async () => {
    const r = await run(['validate', 'test/fixtures/desired/split']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^test\/fixtures\/desired\/split\/b-users\.yaml:7:11: error HERMES_DUPLICATE_USER: .*test\/fixtures\/desired\/split\/a-domains\.yaml:8:11/);
  });

  it('a missing file is one line and exit 1; the default is ./hermes.yaml', async () => {
    const r = await run(['validate', 'nope/hermes.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('nope/hermes.yaml: error HERMES_FILE_NOT_FOUND: no such file or directory\n');
    expect(r.stdout).toBe('');
    const d = temp({});
    const def = await runHermes(['validate'], { cwd: d });
    expect(def.code).toBe(1);
    expect(def.stderr).toBe('hermes.yaml: error HERMES_FILE_NOT_FOUND: no such file or directory\n');
  });

  it('an unknown --format is refused', async () => {
    const r = await run(['validate', '--format', 'xml', 'examples/hermes.yaml']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/xml/);
  });
});
