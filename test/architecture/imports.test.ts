/**
 * The house's import rules (docs/architecture.md): each folder of src/ imports only the folders
 * below it, `reconcile` and `nodes-api` never each other, and no file outside src/db/ tests
 * which database engine it talks to. Read from the sources, so a new import that breaks a rule
 * fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** What each top-level folder (or file) of src/ may import, besides itself. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  model: [],
  errors: [],
  db: ['model', 'errors'],
  desired: ['model', 'errors', 'provisioning'],
  ops: ['db', 'model', 'errors', 'provisioning'],
  provisioning: ['model', 'errors', 'desired'],
  reconcile: ['desired', 'ops', 'db', 'model', 'errors', 'provisioning'],
  'nodes-api': ['ops', 'db', 'model', 'errors'],
  cli: ['model', 'errors', 'db', 'desired', 'ops', 'provisioning', 'reconcile', 'nodes-api'],
};

/** The kinds' checks are the one part of reconcile that desired runs: they import only what desired may. */
const isKindChecks = (path: string) => /^reconcile\/kinds\/(checks|[a-z-]+\/checks)\.ts$/.test(path);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const top = (path: string) => path.split('/')[0].replace(/\.ts$/, '');

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) out.push(relative(SRC, resolve(dirname(file), m[1])).replace(/\.js$/, '.ts'));
  return out;
}

describe('import rules of src/', () => {
  const files = sources(SRC).map((f) => relative(SRC, f));

  it('finds the sources', () => {
    expect(files.length).toBeGreaterThan(50);
    for (const folder of Object.keys(MAY_IMPORT)) expect(files.some((f) => top(f) === folder)).toBe(true);
  });

  it('each folder imports only the folders below it', () => {
    const broken: string[] = [];
    for (const file of files) {
      const from = top(file);
      const allowed = isKindChecks(file) ? MAY_IMPORT.desired.concat('desired') : MAY_IMPORT[from];
      expect(allowed, `${file}: a folder the rules do not list`).toBeDefined();
      for (const target of importsOf(join(SRC, file))) {
        const to = top(target);
        if (to === from && !isKindChecks(file)) continue;
        if (from === 'desired' && isKindChecks(target)) continue; // desired runs the kinds' checks
        if (isKindChecks(file) && isKindChecks(target)) continue;
        if (!allowed.includes(to)) broken.push(`${file} imports ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('no file outside src/db/ tests the database engine', () => {
    const offenders = files.filter((f) => top(f) !== 'db').filter((f) => /dialect\s*[!=]==?\s*'|\.name\s*[!=]==?\s*'(mysql|postgres|sqlite)'/.test(readFileSync(join(SRC, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
