/**
 * Regenerates the table in docs/errors.md from src/errors.ts (npm run docs:errors).
 * test/errors.test.ts fails when the two disagree.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { errorCatalogue } from '../src/errors.js';

const path = new URL('../docs/errors.md', import.meta.url);
const begin = '<!-- errors:begin -->';
const end = '<!-- errors:end -->';
const rows = Object.entries(errorCatalogue).map(([code, d]) => `| \`${code}\` | ${d.exitCode} | ${d.httpStatus} | ${d.summary} |`);
const table = ['| code | exit | HTTP | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
const doc = readFileSync(path, 'utf8');
const start = doc.indexOf(begin);
const stop = doc.indexOf(end);
if (start < 0 || stop < 0) throw new Error('docs/errors.md lacks the errors:begin/end markers');
writeFileSync(path, doc.slice(0, start + begin.length) + '\n' + table + '\n' + doc.slice(stop));
