import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_TABLES, tableIn } from '../scripts/errors-tables.js';
import { errorCatalogue, httpStatusOfCause, HermesError } from '../src/errors.js';
import { httpStatusOf } from '../src/nodes-api/status.js';

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
const docs = read('docs/errors.md');
/** Rows of the docs' table: | `CODE` | exit | HTTP | envelope | summary | */
const documented = new Map(
  [...docs.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|[^|\n]*\|\s*(.+?)\s*\|\s*$/gm)].map((m) => [m[1], { exitCode: Number(m[2]), httpStatus: Number(m[3]), summary: m[4] }]),
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

  it.each(GENERATED_TABLES.map((t) => [t.file, t] as const))('%s holds the table generated from the catalogue (npm run docs:errors)', (file, t) => {
    expect(tableIn(read(file), t)).toBe(t.table);
  });

  it('uses the documented exit codes: 3 for the safety brake, a stale plan and a changed pinned secret, 4 for the lock, 1 otherwise', () => {
    const special: Record<string, number> = { APPLY_UNSAFE: 3, PLAN_STALE: 3, PLAN_SECRET_CHANGED: 3, APPLY_LOCKED: 4 };
    for (const [code, def] of Object.entries(errorCatalogue)) expect(def.exitCode, code).toBe(special[code] ?? 1);
    expect(new HermesError('APPLY_LOCKED', 'x').exitCode).toBe(4);
    expect(new HermesError('NONEXISTANT', 'x').httpStatus).toBe(404);
  });

  it('gives every envelope cause its status from the catalogue', () => {
    for (const def of Object.values(errorCatalogue) as { httpStatus: number; envelope?: { response: 'invalid' | 'failed' | 'error'; cause?: string } }[]) {
      if (!def.envelope?.cause || def.envelope.cause === 'body') continue;
      expect(httpStatusOf({ response: def.envelope.response, cause: def.envelope.cause }), def.envelope.cause).toBe(def.httpStatus);
    }
    expect(httpStatusOfCause('invalid', 'destination')).toBe(400);
    expect(httpStatusOfCause('invalid', 'body')).toBe(400);
  });
});
