/**
 * The tables docs/errors.md and docs/api.md hold between their markers, rendered from the
 * error catalogue (src/errors.ts). scripts/errors-doc.ts writes them; test/errors.test.ts
 * checks that the docs hold exactly these.
 */
import { errorCatalogue, type ErrorDefinition } from '../src/errors.js';

export interface GeneratedTable {
  file: string;
  begin: string;
  end: string;
  table: string;
}

const entries = Object.entries(errorCatalogue) as [string, ErrorDefinition][];

function envelopeText(d: ErrorDefinition): string {
  return d.envelope ? `\`${d.envelope.response}\` / ${d.envelope.cause ? `\`${d.envelope.cause}\`` : '*parameter*'}` : '';
}

/** docs/errors.md: every code, its exit code, HTTP status, API envelope and meaning. */
export function errorsTable(): string {
  const rows = entries.map(([code, d]) => `| \`${code}\` | ${d.exitCode} | ${d.httpStatus} | ${envelopeText(d)} | ${d.summary} |`);
  return ['| code | exit | HTTP | API response / cause | meaning |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

/** docs/api.md: the envelope causes with their HTTP status and code. */
export function causesTable(): string {
  const rows = entries.filter(([, d]) => d.envelope).map(([code, d]) => `| ${envelopeText(d)} | ${d.httpStatus} | \`${code}\` | ${d.summary} |`);
  return ['| response / cause | HTTP | code | when |', '| --- | --- | --- | --- |', '| `ok` | 200 | | success |', ...rows].join('\n');
}

export const GENERATED_TABLES: readonly GeneratedTable[] = [
  { file: 'docs/errors.md', begin: '<!-- errors:begin -->', end: '<!-- errors:end -->', table: errorsTable() },
  { file: 'docs/api.md', begin: '<!-- causes:begin -->', end: '<!-- causes:end -->', table: causesTable() },
];

/** The text between a document's markers (trimmed), or undefined without them. */
export function tableIn(doc: string, t: GeneratedTable): string | undefined {
  const start = doc.indexOf(t.begin);
  const stop = doc.indexOf(t.end);
  return start < 0 || stop < start ? undefined : doc.slice(start + t.begin.length, stop).trim();
}
