import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES } from '../../src/desired/index.js';

describe('docs/desired-state.md', () => {
  it('documents exactly the diagnostic codes of src/desired/diagnostics.ts, with their summaries', () => {
    const doc = readFileSync('docs/desired-state.md', 'utf8');
    const rows = [...doc.matchAll(/^\| `(HERMES_\w+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2].replace(/\\\|/g, '|')]);
    expect(Object.fromEntries(rows)).toEqual(DIAGNOSTIC_CODES);
  });
});
