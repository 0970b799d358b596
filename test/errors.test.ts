import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCatalogue } from '../src/errors.js';

const docs = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
/** Rows of the docs' table: | `CODE` | exit | HTTP | summary | */
const documented = new Map(
  [...docs.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(.+?)\s*\|\s*$/gm)].map((m) => [m[1], { exitCode: Number(m[2]), httpStatus: Number(m[3]), summary: m[4] }]),
);

describe('error catalogue and docs/errors.md', () => {
  it('documents every code with its exit code, HTTP status and summary', () => {
    for (const [code, def] of Object.entries(errorCatalogue)) {
      expect(documented.get(code), `docs/errors.md lacks ${code}`).toEqual({ exitCode: def.exitCode, httpStatus: def.httpStatus, summary: def.summary });
    }
  });

  it('documents no code that the catalogue lacks', () => {
    expect([...documented.keys()].filter((c) => !(c in errorCatalogue))).toEqual([]);
  });
});
