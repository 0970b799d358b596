import { readFileSync, statSync } from 'node:fs';
import { load, type LoadOptions } from 'js-yaml';
import { hasEmptyItem, isSuspicious, YAML_CORE_SCHEMA } from './fast-parse.js';
import { locate as locatePath, parseSourceFile, type Segment, type SourceFile } from './source-file.js';
import { RAW_KEYS } from './raw-types.js';
import type { SourceLocation } from './types.js';

const ROOT_KEYS: ReadonlySet<string> = new Set(RAW_KEYS.root);

/**
 * js-yaml's reading of `text` (yaml's core scalars), calling `listener` on every node, for the
 * position passes below. Undefined when the text is one the fast parse leaves to yaml, does not
 * parse, or has a list with an empty item (js-yaml may have misread its structure: hasEmptyItem).
 */
function trustedLoad(text: string, listener: NonNullable<LoadOptions['listener']>): { data: unknown } | undefined {
  if (isSuspicious(text)) return undefined;
  let data: unknown;
  try {
    data = load(text, { schema: YAML_CORE_SCHEMA, listener });
  } catch {
    return undefined;
  }
  return hasEmptyItem(data) ? undefined : { data };
}

/** users[3].number -> ['users', 3, 'number'] (the inverse of formatPath). */
export function parsePath(path: string): Segment[] {
  const out: Segment[] = [];
  for (const m of path.matchAll(/\[(\d+)\]|([^.[\]]+)/g)) out.push(m[1] !== undefined ? Number(m[1]) : m[2]);
  return out;
}

interface Position {
  line: number;
  column: number;
}

/** Where each top-level section's value starts, and each item of a list section. */
type SectionIndex = Map<string, { at: Position; items?: Position[] }>;

/**
 * The positions of the top-level sections and of their list items, from one js-yaml pass
 * (seconds on a 16 MB file, where yaml's parseDocument takes tens of seconds and over a GB):
 * exactly what the `at` of a DesiredState point at (numbers, users[3], …). Undefined when the
 * text is one the fast parse leaves to yaml (anchors, tags, …), does not parse, or is not a
 * mapping; a list with an empty item leaves that section out. test/desired/fast-path.test.ts
 * checks these positions against parseDocument's.
 */
export function indexSections(text: string): SectionIndex | undefined {
  const index: SectionIndex = new Map();
  let key: string | undefined;
  let child = 0; // children of the root so far: keys and values alternate
  let items: Position[] = [];
  /** The value of each item, to check that each position is that of its item. */
  const itemValues = new Map<Position[], unknown[]>();
  const loaded = trustedLoad(text, (event, state) => {
    const depth = (state as unknown as { depth: number }).depth;
    if (depth === 2) {
      if (event === 'open' && child % 2 === 1 && key !== undefined) {
        const { line, column } = skipSpace(text, state.position, state.line, state.lineStart);
        index.set(key, { at: { line, column } });
        items = [];
      } else if (event === 'close') {
        if (child % 2 === 0) key = typeof state.result === 'string' ? state.result : undefined;
        else if (key !== undefined && state.kind === 'sequence') index.get(key)!.items = items;
        child++;
      }
    } else if (depth === 3 && child % 2 === 1) {
      if (event === 'open') items.push({ line: state.line + 1, column: state.position - state.lineStart + 1 });
      else {
        let values = itemValues.get(items);
        if (!values) itemValues.set(items, (values = []));
        values.push(state.result);
      }
    }
  });
  if (!loaded) return undefined;
  const { data } = loaded;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  // A key that is no section means js-yaml read the text otherwise than yaml may have (e.g. a
  // quoted scalar running over lines): place nothing from this pass; yaml places it instead.
  if (Object.keys(data).some((k) => !ROOT_KEYS.has(k))) return undefined;
  for (const [name, section] of index) {
    const value = (data as Record<string, unknown>)[name];
    if (value === null || value === undefined) {
      index.delete(name); // an empty value is placed by yaml where the line ends: left to yaml
      continue;
    }
    const values = section.items && itemValues.get(section.items);
    if (section.items && (!Array.isArray(value) || value.length !== section.items.length || !values || values.length !== value.length || values.some((v, i) => !Object.is(v, value[i])))) delete section.items;
  }
  return index;
}

interface Frame {
  /** The node's path, as pathKey() spells it; undefined: not followed (or a map key). */
  key?: string;
  kind?: 'seq' | 'map';
  children: number;
  /** In a map: the key whose value comes next. */
  pendingKey?: string;
  keyCandidate?: boolean;
  /** Where the node starts. */
  offset?: number;
  /** Indices of the wanted paths this node is at. */
  wanted?: number[];
}

const pathKey = (path: readonly Segment[]) => path.map((s) => (typeof s === 'number' ? `\u0001${s}` : `\u0000${s}`)).join('');

/**
 * The positions of the values at the given paths (users[3].password), from one js-yaml pass;
 * undefined for a path it cannot place with certainty (the text is one the fast parse leaves
 * to yaml, the path does not exist, a flow collection on the line after its key, …): each
 * position found is checked against the parsed value at that path. Used for the diagnostics
 * of the fast path whose messages hold no other position (secrets); test/desired/fast-path.test.ts
 * checks them against yaml's.
 */
export function locatePaths(text: string, paths: readonly (readonly Segment[])[]): (Position | undefined)[] {
  const found: (Position | undefined)[] = paths.map(() => undefined);
  const wanted = new Map<string, number[]>();
  const prefixes = new Set<string>();
  paths.forEach((path, i) => {
    const k = pathKey(path);
    wanted.set(k, [...(wanted.get(k) ?? []), i]);
    for (let n = 0; n < path.length; n++) prefixes.add(pathKey(path.slice(0, n)));
  });
  /** The value of each node followed, by path. */
  const results = new Map<string, unknown>();
  const frames: Frame[] = [];
  const loaded = trustedLoad(text, (event, state) => {
    const depth = (state as unknown as { depth: number }).depth;
    if (event === 'open') {
      const parent = frames[depth - 1];
      let key: string | undefined;
      const frame: Frame = { children: 0 };
      frames[depth] = frame;
      if (depth === 1) key = '';
      else if (parent?.key === undefined || !prefixes.has(parent.key)) return;
      const at = skipSpace(text, state.position, state.line, state.lineStart);
      const c = text.charCodeAt(at.offset);
      frame.offset = at.offset;
      if (depth > 1 && parent.offset === at.offset && parent.children === 0 && parent.pendingKey === undefined && (c === 0x7b /* { */ || c === 0x5b) /* [ */) {
        // js-yaml reads a flow collection in block context first as a possible key: the
        // same node, one level deeper
        Object.assign(frame, { key: parent.key, kind: parent.kind });
        return;
      }
      if (depth === 1) key = '';
      else if (parent.kind === 'seq') key = `${parent.key}\u0001${parent.children++}`;
      else if (parent.pendingKey !== undefined) {
        key = `${parent.key}\u0000${parent.pendingKey}`;
        parent.pendingKey = undefined;
      } else {
        frame.keyCandidate = true;
        return;
      }
      frame.key = key;
      const next = text.charCodeAt(at.offset + 1);
      frame.kind = c === 0x5b /* [ */ || (c === 0x2d /* - */ && (Number.isNaN(next) || next === 0x20 || next === 0x0a || next === 0x0d)) ? 'seq' : 'map';
      frame.wanted = wanted.get(key);
      for (const i of frame.wanted ?? []) found[i] = { line: at.line, column: at.column };
    } else {
      const frame = frames[depth];
      if (frame?.keyCandidate) {
        let i = state.position;
        while (text.charCodeAt(i) === 0x20) i++;
        const r = state.result;
        if (text.charCodeAt(i) === 0x3a /* : */ && (typeof r === 'string' || typeof r === 'number' || typeof r === 'boolean')) frames[depth - 1].pendingKey = String(r);
      }
      if (frame?.key !== undefined) results.set(frame.key, state.result);
      frames.length = depth;
    }
  });
  if (!loaded) return paths.map(() => undefined);
  const { data } = loaded;
  // every position must be that of the value at its path: the node and each of its ancestors
  // (objects, compared by identity) are the parsed values at their paths
  paths.forEach((path, i) => {
    let value: unknown = data;
    for (let n = 0; n <= path.length && found[i]; n++) {
      if (n > 0) value = value !== null && typeof value === 'object' ? (value as Record<string | number, unknown>)[path[n - 1]] : undefined;
      const k = pathKey(path.slice(0, n));
      if (!results.has(k) || !Object.is(results.get(k), value)) found[i] = undefined;
    }
    // (an empty value, null, is placed by yaml where the line ends: left to yaml)
    if (value === null || value === undefined) found[i] = undefined;
  });
  return found;
}

/** The first position from offset that is not white space, a line break or a comment. */
function skipSpace(text: string, offset: number, line: number, lineStart: number): Position & { offset: number } {
  let i = offset;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20) i++;
    else if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) {
      line++;
      lineStart = ++i;
    } else if (c === 0x0d) i++;
    else if (c === 0x23 /* # */) while (i < text.length && text.charCodeAt(i) !== 0x0a && text.charCodeAt(i) !== 0x0d) i++;
    else break;
  }
  return { line: line + 1, column: i - lineStart + 1, offset: i };
}

interface FileEntry {
  /** mtime and size when read from disk. */
  stamp: string;
  /** Until parsed by parseDocument. */
  text?: string;
  index?: SectionIndex | null;
  source?: SourceFile | null;
}

/**
 * Resolves SourceLocations with line 0 (from the fast path) by parsing their file with yaml's
 * parseDocument, once per file. `textOf` gives a file's text (by default it is read from
 * disk); a file that cannot be read or parsed leaves the location as it is.
 */
export class PositionResolver {
  private readonly files = new Map<string, FileEntry>();

  constructor(
    private readonly textOf?: (file: string) => string | undefined,
    /** How many files are kept. */
    private readonly capacity = Infinity,
    /** Sections and list items from indexSections (js-yaml) rather than parseDocument. */
    private readonly indexFirst = true,
  ) {}

  resolve(at: SourceLocation): SourceLocation {
    if (at.line > 0) return at;
    const entry = this.entry(at.file);
    if (!entry) return at;
    const path = parsePath(at.path);
    // a section or a list item: from the js-yaml index (large files)
    if (this.indexFirst && (path.length === 1 || (path.length === 2 && typeof path[1] === 'number')) && typeof path[0] === 'string') {
      if (entry.index === undefined) entry.index = entry.text === undefined ? null : (indexSections(entry.text) ?? null);
      const section = entry.index?.get(path[0]);
      const found = path.length === 1 ? section?.at : section?.items?.[path[1] as number];
      if (found) return { file: at.file, line: found.line, column: found.column, path: at.path };
    }
    // anything else: yaml's parseDocument
    if (entry.source === undefined) entry.source = entry.text === undefined ? null : parseSourceFile(at.file, entry.text, false);
    entry.text = undefined; // parsed: the document holds what is needed
    const source = entry.source;
    if (!source || source.diagnostics.some((d) => d.severity === 'error')) return at;
    const found = locatePath(source, path);
    return { file: at.file, line: found.line, column: found.column, path: at.path };
  }

  clear(): void {
    this.files.clear();
  }

  private entry(file: string): FileEntry | undefined {
    let stamp = '';
    if (!this.textOf) {
      try {
        const info = statSync(file);
        stamp = `${info.mtimeMs}:${info.size}`;
      } catch {
        return undefined;
      }
    }
    const cached = this.files.get(file);
    if (cached && cached.stamp === stamp) return cached;
    let text: string | undefined;
    try {
      text = this.textOf ? this.textOf(file) : readFileSync(file, 'utf8');
    } catch {
      text = undefined;
    }
    this.files.delete(file);
    while (this.files.size >= this.capacity) this.files.delete(this.files.keys().next().value!);
    const entry: FileEntry = { stamp, text };
    this.files.set(file, entry);
    return entry;
  }
}

const shared = new PositionResolver(undefined, 2);

/**
 * The exact line and column of a SourceLocation. A DesiredState loaded by the fast path (a
 * large valid input, LoadResult.parse 'fast') carries `at` with line and column 0, so that
 * its files are never parsed with positions when nothing needs pointing at. Call locate(at)
 * before printing one. The first call for a file reads it once: the `at` of a state (a
 * section, or an item of a list: users[3]) come from one js-yaml pass over the file (a few
 * seconds and a few hundred MB on a 16 MB file); any other path, or a file the fast parse
 * declines, from yaml's parseDocument (exact, but tens of seconds and over a GB on such a
 * file). The two most recently used files are kept, and read again when they change on disk.
 * A location that has a line already, or in a file that can no longer be read or parsed, is
 * returned as it is. clearLocateCache() frees what is kept.
 */
export function locate(at: SourceLocation): SourceLocation {
  return shared.resolve(at);
}

export function clearLocateCache(): void {
  shared.clear();
}
