import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Diagnostic, DiagnosticCode, Severity } from './diagnostics.js';
import type { SourceLocation } from './types.js';

/** One path segment: a map key or a sequence index. */
export type Segment = string | number;

/** A parsed YAML file with source positions, able to point at any node by path. */
export interface SourceFile {
  file: string;
  text: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** The plain data (toJS), undefined when the YAML could not be parsed. */
  data: unknown;
  /** Syntax errors and parser warnings. */
  diagnostics: Diagnostic[];
}

/** users[3].number */
export function formatPath(path: readonly Segment[]): string {
  let out = '';
  for (const s of path) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out;
}

/** The first line of a yaml error message, without its " at line L, column C" suffix. */
function yamlMessage(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?\s*$/, '').trim();
}

/**
 * Parses a file with yaml's parseDocument, with positions. withData false skips the plain
 * data (toJS), for a file that is parsed only to locate paths in it.
 */
export function parseSourceFile(file: string, text: string, withData = true): SourceFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true, keepSourceTokens: false });
  const diagnostics: Diagnostic[] = [];
  const push = (severity: Severity, code: DiagnosticCode, e: { message: string; linePos?: [{ line: number; col: number }, ...unknown[]]; pos: [number, number] }) => {
    const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
    diagnostics.push({ severity, code, file, line: pos.line, column: pos.col, path: '', message: `YAML: ${yamlMessage(e.message)}` });
  };
  for (const e of doc.errors) push('error', 'HERMES_YAML_SYNTAX', e as never);
  for (const w of doc.warnings) push('warning', 'HERMES_YAML_WARNING', w as never);
  let data: unknown;
  if (doc.errors.length === 0 && withData) {
    try {
      data = doc.toJS({ maxAliasCount: 1000 });
    } catch (error) {
      // e.g. an excessive alias count (a "billion laughs" document)
      diagnostics.push({ severity: 'error', code: 'HERMES_YAML_SYNTAX', file, line: 1, column: 1, path: '', message: `YAML: ${yamlMessage(error instanceof Error ? error.message : String(error))}` });
    }
  }
  return { file, text, doc, lineCounter, data, diagnostics };
}

function resolve(doc: Document.Parsed, node: unknown): unknown {
  let n = node;
  for (let i = 0; i < 100 && isAlias(n); i++) n = n.resolve(doc);
  return n;
}

/** The node at path (or the deepest ancestor that exists), and the key node when the last segment is a map key. */
export function findNode(source: SourceFile, path: readonly Segment[]): { node: Node | null; key: Node | null } {
  let node: unknown = source.doc.contents;
  let key: Node | null = null;
  for (const seg of path) {
    node = resolve(source.doc, node);
    key = null;
    if (isSeq(node)) {
      const next = node.items[typeof seg === 'number' ? seg : Number(seg)];
      if (next === undefined) break;
      node = next;
    } else if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
      if (!pair) break;
      key = (pair.key as Node) ?? null;
      node = pair.value ?? pair.key;
    } else break;
  }
  return { node: (node as Node | null) ?? null, key };
}

function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

function positionOf(source: SourceFile, node: Node | null): { line: number; column: number } {
  const offset = node?.range?.[0];
  if (offset === undefined) return { line: 1, column: 1 };
  const { line, col } = source.lineCounter.linePos(offset);
  return { line, column: col };
}

/** Where the value at path is (or, with onKey, its key: for unknown properties). */
export function locate(source: SourceFile, path: readonly Segment[], onKey = false): SourceLocation {
  const { node, key } = findNode(source, path);
  const { line, column } = positionOf(source, onKey && key ? key : node);
  return { file: source.file, line, column, path: formatPath(path) };
}

/** Resolves a path in one file to a SourceLocation. */
export interface Locator {
  readonly file: string;
  locate(path: readonly Segment[], onKey?: boolean): SourceLocation;
  /** The location of parentPath + rest, given the location of parentPath (cheap in the fast path). */
  child(parent: SourceLocation, parentPath: readonly Segment[], rest: readonly Segment[], onKey?: boolean): SourceLocation;
}

/** Exact positions, from yaml's parsed document. */
export function positionedLocator(source: SourceFile): Locator {
  return { file: source.file, locate: (path, onKey = false) => locate(source, path, onKey), child: (_, parentPath, rest, onKey = false) => locate(source, [...parentPath, ...rest], onKey) };
}

/**
 * No positions (line and column 0), for the fast path: nothing is parsed twice; a position
 * is resolved later, only if someone asks (locate() in src/desired/locate.ts).
 */
export function unpositionedLocator(file: string): Locator {
  return {
    file,
    locate: (path) => ({ file, line: 0, column: 0, path: formatPath(path) }),
    child: (parent, _, rest) => {
      let path = parent.path;
      for (const s of rest) path += typeof s === 'number' ? `[${s}]` : path === '' ? s : `.${s}`;
      return { file, line: 0, column: 0, path };
    },
  };
}

export function formatLocation(at: SourceLocation): string {
  return `${at.file}:${at.line}:${at.column}`;
}
