/**
 * Regenerates the error tables of docs/errors.md and docs/api.md from src/errors.ts
 * (npm run docs:errors). test/errors.test.ts fails when they disagree.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { GENERATED_TABLES } from './errors-tables.js';

for (const t of GENERATED_TABLES) {
  const path = new URL(`../${t.file}`, import.meta.url);
  const doc = readFileSync(path, 'utf8');
  const start = doc.indexOf(t.begin);
  const stop = doc.indexOf(t.end);
  if (start < 0 || stop < start) throw new Error(`${t.file} lacks the ${t.begin} / ${t.end} markers`);
  writeFileSync(path, doc.slice(0, start + t.begin.length) + '\n' + t.table + '\n' + doc.slice(stop));
}
