import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES, loadDesiredState, type Diagnostic } from '../../src/desired/index.js';

/**
 * Every fixture under test/fixtures/desired declares its exact diagnostics in trailing
 * comments: `# expect: CODE LINE:COL [warning]`. The loader must report exactly those
 * (code, line, column, severity), no more, no fewer.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = join(ROOT, 'test/fixtures/desired');
const rel = (p: string) => relative(ROOT, p);

interface Expected {
  code: string;
  line: number;
  column: number;
  severity: 'error' | 'warning';
}

function expectations(text: string): Expected[] {
  return [...text.matchAll(/^# expect: (HERMES_\w+) (\d+):(\d+)( warning)?/gm)].map((m) => ({ code: m[1], line: Number(m[2]), column: Number(m[3]), severity: m[4] ? 'warning' : 'error' }));
}

const simplify = (d: Diagnostic) => ({ code: d.code, line: d.line, column: d.column, severity: d.severity });
const fixtures = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();
const seenCodes = new Set<string>();

describe('desired-state fixtures: exact diagnostics', () => {
  const env = { ...process.env, HERMES_FIXTURE_UNSET_VARIABLE: undefined };
  it.each(fixtures)('%s', async (name) => {
    const file = join(DIR, name);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^# expect: /m);
    const expected = expectations(text);
    const result = await loadDesiredState([rel(file)], { secrets: 'warn', env });
    expect(result.diagnostics.map(simplify)).toEqual(expected);
    for (const d of result.diagnostics) {
      seenCodes.add(d.code);
      expect(d.file).toBe(rel(file));
      expect(d.message.length).toBeGreaterThan(20);
    }
    expect(result.state !== undefined).toBe(expected.every((e) => e.severity === 'warning'));
  });

  it('a split directory merges its files and names both places of a duplicate', async () => {
    const dir = join(DIR, 'split');
    const result = await loadDesiredState([rel(dir)], { secrets: 'warn' });
    expect(result.diagnostics.map(simplify)).toEqual(expectations(readFileSync(join(dir, 'b-users.yaml'), 'utf8')));
    const [d] = result.diagnostics;
    expect(d.file).toBe('test/fixtures/desired/split/b-users.yaml');
    expect(d.path).toBe('users[1].user');
    expect(d.message).toContain('test/fixtures/desired/split/a-domains.yaml:8:11');
    seenCodes.add(d.code);
  });

  it('a duplicate user says when the two differ only in case, and not otherwise', async () => {
    const load = async (name: string) => (await loadDesiredState([rel(join(DIR, name))], { secrets: 'warn' })).diagnostics[0].message;
    expect(await load('duplicate-user-case.yaml')).toContain('differ only in case');
    expect(await load('duplicate-user.yaml')).not.toContain('differ only in case');
  });

  it('secrets that cannot be resolved are errors when secrets are required', async () => {
    for (const name of ['secret-env-unset.yaml', 'secret-file-unreadable.yaml', 'secret-empty.yaml']) {
      const result = await loadDesiredState([rel(join(DIR, name))], { secrets: 'required', env: {} });
      expect(result.state).toBeUndefined();
      expect(result.diagnostics.map((d) => d.severity)).toEqual(['error']);
    }
  });

  it('a missing file and an empty directory are one diagnostic each, without a position', async () => {
    const missing = await loadDesiredState(['test/fixtures/desired/no-such-file.yaml'], { secrets: 'warn' });
    expect(missing.diagnostics.map(simplify)).toEqual([{ code: 'HERMES_FILE_NOT_FOUND', line: 0, column: 0, severity: 'error' }]);
    const empty = await loadDesiredState([join(DIR, 'secrets')], { secrets: 'warn' });
    expect(empty.diagnostics.map(simplify)).toEqual([{ code: 'HERMES_NO_FILES', line: 0, column: 0, severity: 'error' }]);
    expect(empty.state).toBeUndefined();
    seenCodes.add('HERMES_FILE_NOT_FOUND').add('HERMES_NO_FILES');
  });

  it('a template override that reads a file is reported at its own file and line; provisioning in two files is refused', async () => {
    const result = await loadDesiredState([rel(join(DIR, 'provisioning-split'))], { secrets: 'warn' });
    expect(result.diagnostics.map((d) => ({ ...simplify(d), file: d.file }))).toEqual([
      { code: 'HERMES_TEMPLATE', line: 5, column: 1, severity: 'error', file: 'test/fixtures/desired/provisioning-templates/yealink/phone.cfg.liquid' },
      { code: 'HERMES_DUPLICATE_PROVISIONING', line: 2, column: 1, severity: 'error', file: 'test/fixtures/desired/provisioning-split/b.yaml' },
    ]);
    expect(result.diagnostics[0].message).toContain('cannot read files');
    for (const d of result.diagnostics) seenCodes.add(d.code);
  });

  it('a file with 100,000 errors: the first 100 and a count of the rest, in bounded time and memory', async () => {
    const users = Array.from({ length: 100_000 }, (_, i) => `  - user: bad-address-${i}\n`).join('');
    const file = join(mkdtempSync(join(tmpdir(), 'hermes-many-')), 'many.yaml');
    writeFileSync(file, `version: 1\ndomains:\n  - domain: example.com\nusers:\n${users}`);
    const heap = process.memoryUsage().heapUsed;
    const started = performance.now();
    const result = await loadDesiredState([file], { secrets: 'warn' });
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(process.memoryUsage().heapUsed - heap).toBeLessThan(512 * 1024 * 1024);
    expect(result.state).toBeUndefined();
    expect(result.diagnostics).toHaveLength(101);
    expect(result.diagnostics.slice(0, 100).map((d) => `${d.code} ${d.line}`)).toEqual(Array.from({ length: 100 }, (_, i) => `HERMES_INVALID_ADDRESS ${5 + i}`));
    const more = result.diagnostics[100];
    expect(more).toMatchObject({ code: 'HERMES_MORE_DIAGNOSTICS', severity: 'error', file, line: 0 });
    expect(more.message).toContain('99,900 more problems not shown (99,900 errors, 0 warnings), the first at');
    expect(more.message).toContain(`${file}:105:11`);
    expect(result.omitted).toEqual({ errors: 99_900, warnings: 0 });
    seenCodes.add(more.code);
    rmSync(file);
  }, 60_000);

  it('symbolic links in a directory are followed, never skipped silently; loops and dangling links are errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hermes-links-'));
    const outside = mkdtempSync(join(tmpdir(), 'hermes-outside-'));
    try {
      writeFileSync(join(dir, 'a-domains.yaml'), 'version: 1\ndomains:\n  - domain: example.com\n');
      writeFileSync(join(outside, 'users.yaml'), 'version: 1\nusers:\n  - user: alice@example.com\n');
      mkdirSync(join(outside, 'more'));
      writeFileSync(join(outside, 'more', 'aliases.yaml'), 'version: 1\naliases:\n  - { alias: a@example.com, destination: alice@example.com }\n');
      symlinkSync(join(outside, 'users.yaml'), join(dir, 'b-users.yaml'));
      symlinkSync(join(outside, 'more'), join(dir, 'c-more'));
      const ok = await loadDesiredState([dir], { secrets: 'warn' });
      expect(ok.diagnostics).toEqual([]);
      expect(ok.files).toEqual([join(dir, 'a-domains.yaml'), join(dir, 'b-users.yaml'), join(dir, 'c-more', 'aliases.yaml')]);
      expect(ok.state!.users!.map((u) => u.address)).toEqual(['alice@example.com']);
      expect(ok.state!.aliases).toHaveLength(1);
      // a loop: a link to the directory itself, and a link to itself
      symlinkSync(dir, join(dir, 'd-loop'));
      symlinkSync(join(dir, 'e-self.yaml'), join(dir, 'e-self.yaml'));
      symlinkSync(join(dir, 'missing.yaml'), join(dir, 'f-dangling.yaml'));
      const bad = await loadDesiredState([dir], { secrets: 'warn' });
      expect(bad.state).toBeUndefined();
      expect(bad.diagnostics.map((d) => [d.code, d.file])).toEqual([
        ['HERMES_FILE_LOOP', join(dir, 'd-loop')],
        ['HERMES_FILE_LOOP', join(dir, 'e-self.yaml')],
        ['HERMES_FILE_NOT_FOUND', join(dir, 'f-dangling.yaml')],
      ]);
      for (const d of bad.diagnostics) seenCodes.add(d.code);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('every diagnostic code is exercised by a fixture', () => {
    expect([...seenCodes].sort()).toEqual(Object.keys(DIAGNOSTIC_CODES).sort());
  });
});
