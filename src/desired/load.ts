import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sortDiagnostics, type Diagnostic, type DiagnosticCode } from './diagnostics.js';
import { parseFast } from './fast-parse.js';
import { locatePaths, parsePath, PositionResolver } from './locate.js';
import { schemaAccepts, validateSchema } from './schema.js';
import type { SecretsMode } from './secrets.js';
import { SemanticChecker, type ValidatedPart } from './semantics.js';
import { parseSourceFile, positionedLocator, unpositionedLocator } from './source-file.js';
import type { DesiredState, SourceLocation } from './types.js';

export interface LoadOptions {
  /** 'required' (plan, apply, validate --secrets): an unresolvable secret is an error. 'warn': a warning, and the password is left undefined. */
  secrets: SecretsMode;
  /** Where { env: NAME } secrets are read; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /**
   * 'auto' (default): the fast path first (js-yaml, no positions), and the positioned
   * pipeline (yaml's parseDocument) only when there is a diagnostic. 'positioned': the
   * positioned pipeline only (the reference; tests compare the two).
   */
  parser?: 'auto' | 'positioned';
  /**
   * The line and column of the state's `at` after the fast path: 'eager' resolves them all
   * (parsing the files with positions), 'lazy' leaves line and column 0 (resolve one with
   * locate()), 'auto' (default) is eager when the input is at most EAGER_POSITIONS_MAX_BYTES.
   */
  positions?: 'auto' | 'eager' | 'lazy';
}

export interface LoadResult {
  /** Present only when there is no error. */
  state?: DesiredState;
  /** Errors and warnings, ordered by file, line and column. */
  diagnostics: Diagnostic[];
  /**
   * 'fast': read by the fast path (js-yaml): the input had no diagnostic, or only secrets'
   * diagnostics (placed exactly by a js-yaml pass); the `at` of the state have line 0 unless
   * positions were resolved (see LoadOptions.positions). 'positioned': read by yaml's
   * parseDocument (any other diagnostic, or a file the fast parse declines). Diagnostics always
   * have exact positions.
   */
  parse: 'fast' | 'positioned';
}

/** Up to this many bytes of input, the fast path resolves `at` positions eagerly (parseDocument: ~0.2 s at 256 KiB). */
export const EAGER_POSITIONS_MAX_BYTES = 256 * 1024;

const YAML_FILE = /\.ya?ml$/i;

/** The YAML files of a directory, recursively, sorted; hidden entries are skipped. */
async function yamlFilesIn(dir: string): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => !e.name.startsWith('.')).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await yamlFilesIn(path)));
    else if (e.isFile() && YAML_FILE.test(e.name)) out.push(path);
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
      const found = await yamlFilesIn(path);
      if (found.length === 0) diagnostics.push(wholeFile(path, 'HERMES_NO_FILES', 'the directory holds no *.yaml or *.yml file'));
      files.push(...found);
    } else files.push(path);
  }
  return { files: [...new Set(files)], diagnostics };
}

interface Source {
  file: string;
  text: string;
}

/** Reads every file; an unreadable one becomes a diagnostic. */
async function readSources(files: string[], diagnostics: Diagnostic[]): Promise<Source[]> {
  const sources: Source[] = [];
  for (const file of files) {
    try {
      sources.push({ file, text: await readFile(file, 'utf8') });
    } catch (error) {
      diagnostics.push(wholeFile(file, 'HERMES_FILE_NOT_FOUND', `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`));
    }
  }
  return sources;
}

/**
 * The fast path: js-yaml, the schema and the semantic checks on plain values, no positions.
 * Undefined when a file does not fast-parse or the schema rejects it; otherwise the state and
 * the diagnostics, with line 0. Both paths run the same schema and SemanticChecker, so they
 * cannot disagree on the values they are given.
 */
async function loadFast(sources: Source[], options: LoadOptions): Promise<{ state: DesiredState; diagnostics: Diagnostic[] } | undefined> {
  const parts: ValidatedPart[] = [];
  for (const { file, text } of sources) {
    const parsed = parseFast(file, text);
    if (!parsed || !schemaAccepts(parsed.data)) return undefined;
    parts.push({ file, locator: unpositionedLocator(file), data: parsed.data as ValidatedPart['data'], invalidPointers: [] });
  }
  const checker = new SemanticChecker(parts, options.secrets, options.env ?? process.env);
  const state = await checker.check();
  return { state, diagnostics: checker.diagnostics };
}

/**
 * Diagnostics whose message holds no position but their own (the secrets': a password in
 * plain text, an unset variable, an unreadable file, an empty secret). When the fast path finds
 * only these (`hermes validate` without the production secrets, on a large platform), their
 * positions come from locatePaths, without the positioned pipeline.
 */
const SELF_CONTAINED: ReadonlySet<DiagnosticCode> = new Set(['HERMES_PLAINTEXT_SECRET', 'HERMES_SECRET_ENV_UNSET', 'HERMES_SECRET_FILE_UNREADABLE', 'HERMES_SECRET_EMPTY']);

/** The diagnostics with their positions, or undefined when one of them cannot be placed. */
function positionDiagnostics(diagnostics: Diagnostic[], sources: Source[]): Diagnostic[] | undefined {
  if (!diagnostics.every((d) => SELF_CONTAINED.has(d.code))) return undefined;
  const out = diagnostics.map((d) => ({ ...d }));
  for (const { file, text } of sources) {
    const mine = out.filter((d) => d.file === file);
    if (mine.length === 0) continue;
    const found = locatePaths(text, mine.map((d) => parsePath(d.path)));
    for (let i = 0; i < mine.length; i++) {
      const at = found[i];
      if (!at) return undefined;
      mine[i].line = at.line;
      mine[i].column = at.column;
    }
  }
  return out.every((d) => d.line > 0) ? out : undefined;
}

/** The positioned pipeline: yaml's parseDocument, every diagnostic with file, line and column. */
async function loadPositioned(sources: Source[], diagnostics: Diagnostic[], options: LoadOptions): Promise<DesiredState> {
  const parts: ValidatedPart[] = [];
  for (const { file, text } of sources) {
    const source = parseSourceFile(file, text);
    diagnostics.push(...source.diagnostics);
    if (source.diagnostics.some((d) => d.severity === 'error')) continue;
    const schema = validateSchema(source);
    diagnostics.push(...schema.diagnostics);
    const data = source.data;
    if (data === null || typeof data !== 'object' || Array.isArray(data)) continue;
    parts.push({ file, locator: positionedLocator(source), data: data as ValidatedPart['data'], invalidPointers: schema.invalidPointers });
  }
  const checker = new SemanticChecker(parts, options.secrets, options.env ?? process.env);
  const state = await checker.check();
  diagnostics.push(...checker.diagnostics);
  return state;
}

/** Every `at` of a state. */
function* locations(state: DesiredState): Generator<{ at?: SourceLocation }> {
  if (state.numbers) yield state.numbers;
  for (const list of [state.domains, state.users, state.aliases, state.phones]) if (list) yield* list;
}

/**
 * Loads the desired state from YAML files and directories (every *.yaml and *.yml in them,
 * recursively, sorted), merged: list sections are concatenated, `numbers` merges its ranges
 * and numbers. Every problem (YAML syntax, schema, semantics, secrets) is reported at once as
 * a diagnostic; `state` is returned only when there is no error. Never throws on bad input.
 *
 * A valid input is read by the fast path (LoadResult.parse 'fast'); any diagnostic other than
 * a secret's, or a file the fast parser declines, runs the positioned pipeline over the whole
 * input, so that every diagnostic (and cross-reference between files) has its exact position.
 */
export async function loadDesiredState(paths: string[], options: LoadOptions): Promise<LoadResult> {
  const { files, diagnostics } = await resolveFiles(paths);
  const sources = await readSources(files, diagnostics);
  const order = [...paths, ...files];
  if (diagnostics.length === 0 && files.length > 0 && options.parser !== 'positioned') {
    // in a function of its own: when it gives up, its values are garbage before yaml parses
    const result = await tryFast(sources, order, options);
    if (result) return result;
  }
  const state = await loadPositioned(sources, diagnostics, options);
  const sorted = sortDiagnostics(diagnostics, order);
  const failed = sorted.some((d) => d.severity === 'error') || files.length === 0;
  return failed ? { diagnostics: sorted, parse: 'positioned' } : { state, diagnostics: sorted, parse: 'positioned' };
}

/** The fast path's result, or undefined when the positioned pipeline must run. */
async function tryFast(sources: Source[], order: string[], options: LoadOptions): Promise<LoadResult | undefined> {
  const fast = await loadFast(sources, options);
  const positioned = fast && (fast.diagnostics.length === 0 ? [] : positionDiagnostics(fast.diagnostics, sources));
  if (!fast || !positioned) return undefined;
  const sorted = sortDiagnostics(positioned, order);
  if (sorted.some((d) => d.severity === 'error')) return { diagnostics: sorted, parse: 'fast' };
  const { state } = fast;
  const bytes = sources.reduce((n, s) => n + s.text.length, 0);
  const positions = options.positions ?? 'auto';
  if (positions === 'eager' || (positions === 'auto' && bytes <= EAGER_POSITIONS_MAX_BYTES)) {
    const texts = new Map(sources.map((s) => [s.file, s.text]));
    const resolver = new PositionResolver((file) => texts.get(file), Infinity, false); // small: yaml's own positions
    for (const o of locations(state)) if (o.at) o.at = resolver.resolve(o.at);
  }
  return { state, diagnostics: sorted, parse: 'fast' };
}
