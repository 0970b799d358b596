import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sortDiagnostics, type Diagnostic } from './diagnostics.js';
import { decodeUtf8 } from './encoding.js';
import { validateSchema } from './schema.js';
import type { SecretsMode } from './secrets.js';
import { SemanticChecker, type ValidatedPart } from './semantics.js';
import { parseSourceFile, positionedLocator } from './source-file.js';
import type { DesiredState } from './types.js';

export interface LoadOptions {
  /** 'required' (plan, apply, validate --secrets): an unresolvable secret is an error. 'warn': a warning, and the password is left undefined. */
  secrets: SecretsMode;
  /** Where { env: NAME } secrets are read; process.env by default. */
  env?: NodeJS.ProcessEnv;
}

export interface LoadResult {
  /** Present only when there is no error. */
  state?: DesiredState;
  /**
   * Errors and warnings, ordered by file, line and column: the first MAX_DIAGNOSTICS, then,
   * when there are more, one HERMES_MORE_DIAGNOSTICS that counts the rest.
   */
  diagnostics: Diagnostic[];
  /** Every YAML file read, in order (after expanding directories). */
  files: string[];
  /** How many errors and warnings the diagnostics leave out (none: 0 and 0). */
  omitted: { errors: number; warnings: number };
}

/** At most this many diagnostics are returned (a file with 100,000 errors prints the first ones and a count). */
export const MAX_DIAGNOSTICS = 100;

/** The first MAX_DIAGNOSTICS of sorted diagnostics, and a count of the rest. */
function firstDiagnostics(sorted: Diagnostic[]): Pick<LoadResult, 'diagnostics' | 'omitted'> {
  if (sorted.length <= MAX_DIAGNOSTICS) return { diagnostics: sorted, omitted: { errors: 0, warnings: 0 } };
  const rest = sorted.slice(MAX_DIAGNOSTICS);
  const errors = rest.filter((d) => d.severity === 'error').length;
  const omitted = { errors, warnings: rest.length - errors };
  const count = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
  const message = `${count(rest.length, 'more problem')} not shown (${count(errors, 'error')}, ${count(omitted.warnings, 'warning')}), the first at ${rest[0].line > 0 ? `${rest[0].file}:${rest[0].line}:${rest[0].column}` : rest[0].file}; fix the ones above and run again`;
  const more: Diagnostic = { severity: errors > 0 ? 'error' : 'warning', code: 'HERMES_MORE_DIAGNOSTICS', file: rest[0].file, line: 0, column: 0, path: '', message };
  return { diagnostics: [...sorted.slice(0, MAX_DIAGNOSTICS), more], omitted };
}

const YAML_FILE = /\.ya?ml$/i;

/**
 * The YAML files of a directory, recursively, sorted; hidden entries are skipped. Symbolic
 * links are followed (to a file or a directory); a link that leads nowhere, or back into a
 * directory being read (a loop), is a diagnostic: no file is skipped silently.
 */
async function yamlFilesIn(dir: string, diagnostics: Diagnostic[], ancestors: ReadonlySet<string> = new Set()): Promise<string[]> {
  const real = await realpath(dir);
  const inside = new Set(ancestors).add(real);
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => !e.name.startsWith('.')).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const e of entries) {
    const path = join(dir, e.name);
    let kind: 'dir' | 'file' | 'other' = e.isDirectory() ? 'dir' : e.isFile() ? 'file' : 'other';
    if (e.isSymbolicLink()) {
      try {
        const target = await stat(path);
        kind = target.isDirectory() ? 'dir' : target.isFile() ? 'file' : 'other';
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ELOOP') diagnostics.push(wholeFile(path, 'HERMES_FILE_LOOP', 'a symbolic link that leads back to itself (a loop)'));
        else if (YAML_FILE.test(e.name) || code !== 'ENOENT') diagnostics.push(wholeFile(path, 'HERMES_FILE_NOT_FOUND', code === 'ENOENT' ? 'a symbolic link to a file that does not exist' : `cannot be read (${code ?? String(error)})`));
        continue;
      }
    }
    if (kind === 'dir') {
      if (inside.has(await realpath(path))) diagnostics.push(wholeFile(path, 'HERMES_FILE_LOOP', 'a symbolic link to a directory that holds it (a loop): it is not read twice'));
      else out.push(...(await yamlFilesIn(path, diagnostics, inside)));
    } else if (kind === 'file' && YAML_FILE.test(e.name)) out.push(path);
  }
  return out;
}

function wholeFile(file: string, code: Diagnostic['code'], message: string): Diagnostic {
  return { severity: 'error', code, file, line: 0, column: 0, path: '', message };
}

/** Expands files and directories into the list of YAML files, reporting those that are missing. */
export async function resolveFiles(paths: string[]): Promise<{ files: string[]; diagnostics: Diagnostic[] }> {
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      diagnostics.push(wholeFile(path, 'HERMES_FILE_NOT_FOUND', code === 'ENOENT' ? 'no such file or directory' : `cannot be read (${code ?? String(error)})`));
      continue;
    }
    if (info.isDirectory()) {
      const found = await yamlFilesIn(path, diagnostics);
      if (found.length === 0) diagnostics.push(wholeFile(path, 'HERMES_NO_FILES', 'the directory holds no *.yaml or *.yml file'));
      files.push(...found);
    } else files.push(path);
  }
  // the same file reached twice (through a link, or named twice) is read once
  const seen = new Set<string>();
  const unique: string[] = [];
  for (const f of files) {
    const real = await realpath(f).catch(() => f);
    if (!seen.has(real)) unique.push(f);
    seen.add(real);
  }
  return { files: unique, diagnostics };
}

/** A file's text; an unreadable file becomes a diagnostic. */
async function readText(file: string, diagnostics: Diagnostic[]): Promise<string | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    diagnostics.push(wholeFile(file, 'HERMES_FILE_NOT_FOUND', `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`));
    return undefined;
  }
  return decodeUtf8(file, bytes, diagnostics);
}

/**
 * Reads and parses one file with positions, and checks it against the schema: its part, or
 * undefined. The text is garbage once this returns (the part's locator keeps positions only),
 * so files are not kept as text while the state is checked.
 */
async function readPart(file: string, diagnostics: Diagnostic[]): Promise<ValidatedPart | undefined> {
  const text = await readText(file, diagnostics);
  if (text === undefined) return undefined;
  const source = parseSourceFile(file, text);
  diagnostics.push(...source.diagnostics);
  if (source.diagnostics.some((d) => d.severity === 'error')) return undefined;
  const schema = validateSchema(source);
  diagnostics.push(...schema.diagnostics);
  const data = source.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  return { file, locator: positionedLocator(source), data: data as ValidatedPart['data'], invalidPointers: schema.invalidPointers };
}

/** Reads each file with positions, then the schema and the semantic checks over all of them. */
async function check(files: string[], diagnostics: Diagnostic[], options: LoadOptions): Promise<DesiredState> {
  const parts: ValidatedPart[] = [];
  for (const file of files) {
    const part = await readPart(file, diagnostics);
    if (part) parts.push(part);
  }
  const checker = new SemanticChecker(parts, options.secrets, options.env ?? process.env);
  const state = await checker.check();
  diagnostics.push(...checker.diagnostics);
  return state;
}

/**
 * Loads the desired state from YAML files and directories (every *.yaml and *.yml in them,
 * recursively, sorted), merged: list sections are concatenated, `numbers` merges its ranges
 * and numbers. Each file is read once by js-yaml, which records the position of every node in
 * the same pass, so every diagnostic and every `at` of the state has its exact file, line and
 * column. Every problem (encoding, YAML, schema, semantics, secrets) is reported at once as a
 * diagnostic; `state` is returned only when there is no error. Never throws on bad input.
 */
export async function loadDesiredState(paths: string[], options: LoadOptions): Promise<LoadResult> {
  const { files, diagnostics } = await resolveFiles(paths);
  const state = await check(files, diagnostics, options);
  const sorted = sortDiagnostics(diagnostics, [...paths, ...files]);
  const failed = sorted.some((d) => d.severity === 'error') || files.length === 0;
  const shown = { files, ...firstDiagnostics(sorted) };
  return failed ? shown : { state, ...shown };
}
