import { readFileSync } from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic } from './diagnostics.js';
import { validate as generatedValidate } from './schema-validator.generated.js';
import { formatPath, locate, type Segment, type SourceFile } from './source-file.js';

/** schema/hermes.schema.json, the one source of the YAML's shape (shipped with the package). */
export const SCHEMA_URL = new URL('../../schema/hermes.schema.json', import.meta.url);

/**
 * The schema compiled by ajv (allErrors, verbose, strict), its `pattern` keywords left out:
 * generated from SCHEMA_URL at development time (npm run schema:validator), since compiling it
 * at every start cost the CLI about 0.2 s; a test keeps the two in step. Pattern errors are not
 * reported from the schema (the semantic checks test the same values and report them with
 * specific codes), and ajv gathers errors by concatenating arrays for each item: 100,000 bad
 * addresses took minutes.
 */
const validate = generatedValidate as unknown as ValidateFunction;

/** The schema document (read when asked for: the validator does not need it). */
export function desiredStateSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as Record<string, unknown>;
}

/** JSON pointer (/users/3/number) to path segments. */
function pointerSegments(pointer: string): Segment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

function describeValue(data: unknown): string {
  if (data === null || data === undefined) return 'nothing (null)';
  if (Array.isArray(data)) return 'a list';
  if (typeof data === 'object') return 'a mapping';
  if (typeof data === 'string') return `the string ${JSON.stringify(data.length > 40 ? data.slice(0, 40) + '…' : data)}`;
  return `the ${typeof data} ${String(data)}`;
}

const TYPE_NAMES: Record<string, string> = { string: 'a string', integer: 'an integer', number: 'a number', object: 'a mapping', array: 'a list', boolean: 'true or false', null: 'null' };

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

function quoteHint(e: ErrorObject, source: SourceFile, path: Segment[]): string {
  if (e.params.type !== 'string' || (typeof e.data !== 'number' && typeof e.data !== 'boolean')) return '';
  const node = locateSource(source, path);
  return node ? `; quote it: "${node}" (YAML reads an unquoted ${node} as a ${typeof e.data})` : '; quote it';
}

function locateSource(source: SourceFile, path: Segment[]): string | undefined {
  const at = locate(source, path);
  const start = source.lineStarts[at.line - 1] + at.column - 1;
  const m = /^[^\s,#\]}]+/.exec(source.text.slice(start, start + 256));
  return m?.[0];
}

function message(e: ErrorObject, source: SourceFile, path: Segment[]): string {
  const label = path.length ? formatPath(path) : 'the document';
  const parent = e.parentSchema as { properties?: Record<string, { description?: string }>; description?: string } | undefined;
  switch (e.keyword) {
    case 'type':
      return `${label} must be ${TYPE_NAMES[String(e.params.type)] ?? e.params.type}, not ${describeValue(e.data)}${quoteHint(e, source, path)}`;
    case 'required': {
      const missing = String(e.params.missingProperty);
      const help = parent?.properties?.[missing]?.description;
      return `${label} is missing the required property "${missing}"${help ? `: ${help}` : ''}`;
    }
    case 'additionalProperties': {
      const extra = String(e.params.additionalProperty);
      const allowed = Object.keys(parent?.properties ?? {});
      const close = allowed.filter((k) => distance(k, extra) <= 2).sort((a, b) => distance(a, extra) - distance(b, extra))[0];
      return `unknown property "${extra}" in ${label}${close ? ` (did you mean "${close}"?)` : ''}; allowed: ${allowed.join(', ')}`;
    }
    case 'const':
      if (path.length === 1 && path[0] === 'version') return `unsupported version ${describeValue(e.data)}; this hermes reads version 1 (version: 1)`;
      return `${label} must be ${JSON.stringify(e.params.allowedValue)}`;
    case 'enum':
      return `${label} must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, not ${describeValue(e.data)}`;
    case 'minimum':
    case 'maximum': {
      const s = e.parentSchema as { minimum?: number; maximum?: number };
      return `${label} must be between ${s.minimum ?? '-∞'} and ${s.maximum ?? '∞'}, not ${describeValue(e.data)}`;
    }
    case 'minItems':
      return `${label} must have at least ${e.params.limit} item${e.params.limit === 1 ? '' : 's'}`;
    case 'minLength':
      return `${label} must not be ${e.params.limit === 1 ? 'empty' : `shorter than ${e.params.limit} characters`}`;
    case 'oneOf':
    case 'anyOf':
      if (path[path.length - 1] === 'password') {
        const env = (e.data as { env?: unknown } | null)?.env;
        if (typeof env === 'string' && Object.keys(e.data as object).length === 1) return `${label}: ${JSON.stringify(env)} is not an environment variable name (letters, digits and _, not starting with a digit)`;
        return `${label} must be { env: NAME }, { file: PATH } or a plain string, not ${describeValue(e.data)}`;
      }
      return `${label} does not match any allowed form: ${parent?.description ?? ''}`;
    default:
      return `${label} ${e.message ?? 'is not allowed'}`;
  }
}

export interface SchemaResult {
  valid: boolean;
  diagnostics: Diagnostic[];
  /** Instance paths (JSON pointers) that have schema errors; their items are skipped by the semantic checks. */
  invalidPointers: string[];
}

/**
 * Validates one file's data against the schema. Patterns are left out (see validate): the
 * semantic checks test the same values with src/ops/canonical.ts and report them with specific codes.
 */
export function validateSchema(source: SourceFile): SchemaResult {
  if (validate(source.data)) return { valid: true, diagnostics: [], invalidPointers: [] };
  let errors = validate.errors ?? [];
  // A oneOf error stands for its branches: keep one message per alternative set.
  const alternatives = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf');
  errors = errors.filter((e) => !alternatives.some((a) => a !== e && e.schemaPath.startsWith(a.schemaPath + '/') && (e.instancePath === a.instancePath || e.instancePath.startsWith(a.instancePath + '/'))));
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const path = pointerSegments(e.instancePath);
    const onKey = e.keyword === 'additionalProperties';
    const at = onKey ? locate(source, [...path, String(e.params.additionalProperty)], true) : locate(source, path);
    const text = message(e, source, path);
    const key = `${at.line}:${at.column}:${text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    diagnostics.push({ severity: 'error', code: 'HERMES_SCHEMA', file: source.file, line: at.line, column: at.column, path: onKey ? formatPath([...path, String(e.params.additionalProperty)]) : at.path, message: text });
  }
  return { valid: diagnostics.length === 0, diagnostics, invalidPointers: errors.map((e) => (e.keyword === 'additionalProperties' ? `${e.instancePath}/${String(e.params.additionalProperty).replace(/~/g, '~0').replace(/\//g, '~1')}` : e.instancePath)) };
}

