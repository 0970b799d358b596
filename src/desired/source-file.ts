import { loadAll, type State } from 'js-yaml';
import type { Diagnostic, DiagnosticCode, Severity } from './diagnostics.js';
import { YAML_CORE_SCHEMA } from './yaml-core.js';
import { yamlErrorMessage } from './yaml-messages.js';
import type { SourceLocation } from './types.js';

/** One path segment: a map key or a sequence index. */
export type Segment = string | number;

/** A growable array of 32-bit integers (offsets in a text of at most 2^31 characters). */
class IntList {
  data: Int32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Int32Array(Math.max(capacity, 16));
  }
  push(v: number): void {
    if (this.length === this.data.length) this.grow();
    this.data[this.length++] = v;
  }
  /** Three values at once (one capacity check: a mapping's pair, millions in a large file). */
  push3(a: number, b: number, c: number): void {
    if (this.length + 3 > this.data.length) this.grow();
    const data = this.data;
    const i = this.length;
    data[i] = a;
    data[i + 1] = b;
    data[i + 2] = c;
    this.length = i + 3;
  }
  private grow(): void {
    const grown = new Int32Array(this.data.length * 2);
    grown.set(this.data);
    this.data = grown;
  }
}

/**
 * Where the children of every mapping and sequence start (offsets in the text), by record: a
 * number given to each mapping and sequence when it is read, and kept with its parent's entry
 * for it, so that a path is followed from the root's record without a lookup by node. A
 * sequence: item i's offset and record. A mapping: its i-th key's name, where that key starts,
 * where its value starts and its value's record. Kept compact (a few integers a child in shared
 * typed arrays, one shared list of key names per shape of mapping), because a large file has
 * hundreds of thousands of mappings and a record of its own for each would outweigh the data.
 */
export class PositionIndex {
  /** Per record: where its offsets start in `offsets`, how many children, its key shape (-1: a sequence). */
  private readonly records: IntList;
  /** Sequences: two an item (offset, record); mappings: three a pair (key, value, the value's record). */
  private readonly offsets: IntList;
  /** The key names of each shape of mapping (mappings with the same keys in the same order share one). */
  private readonly shapes: string[][] = [];
  private readonly shapeIds = new Map<string, number>();
  /** The shape of the last mapping recorded (items of a list usually share theirs). */
  private lastShape = -1;

  /**
   * Sized from the text's length (a pair takes at least a few characters): growing by doubling
   * from small copied and zeroed the lists of a large file a dozen times. Memory reserved past
   * what a file uses is never touched (its pages are not mapped in).
   */
  constructor(textLength = 0) {
    this.records = new IntList(textLength >> 5);
    this.offsets = new IntList(textLength >> 3);
  }

  /** offsets[i] where item i starts, records[i] its own record (-1: a scalar). Returns the node's record. */
  addSequence(offsets: ArrayLike<number>, records: ArrayLike<number>, count: number): number {
    const record = this.add(count, -1);
    for (let i = 0; i < count; i++) {
      this.offsets.push(offsets[i]);
      this.offsets.push(records[i]);
    }
    return record;
  }

  /** Starts a mapping's record: its pairs follow (addPair), then endMapping. */
  beginMapping(): number {
    return this.add(0, -1);
  }

  /** The next pair of the mapping being recorded: where its key and value start, the value's record (-1: a scalar). */
  addPair(key: number, value: number, record: number): void {
    this.offsets.push3(key, value, record);
  }

  /** Ends the mapping's record: its pairs' count and its shape (shapeOf, or lastShapeId when its keys are the last shape's). */
  endMapping(record: number, count: number, shape: number): void {
    this.records.data[3 * record + 1] = count;
    this.records.data[3 * record + 2] = shape;
  }

  private add(count: number, shape: number): number {
    const record = this.records.length / 3;
    this.records.push3(this.offsets.length, count, shape);
    return record;
  }

  /** The key names of the last shape recorded (a mapping with the same keys is given it without a new list). */
  lastKeys(): readonly string[] | undefined {
    return this.lastShape >= 0 ? this.shapes[this.lastShape] : undefined;
  }

  lastShapeId(): number {
    return this.lastShape;
  }

  shapeOf(keys: string[]): number {
    const last = this.lastKeys();
    if (last && last.length === keys.length && last.every((k, i) => k === keys[i])) return this.lastShape;
    const name = keys.join('\u0000');
    let id = this.shapeIds.get(name);
    if (id === undefined) {
      id = this.shapes.length;
      this.shapes.push(keys);
      this.shapeIds.set(name, id);
    }
    return (this.lastShape = id);
  }

  isMapping(record: number): boolean {
    return this.records.data[3 * record + 2] >= 0;
  }

  count(record: number): number {
    return this.records.data[3 * record + 1];
  }

  /** The index of the key `name` in a mapping, or -1. */
  keyIndex(record: number, name: string): number {
    return this.shapes[this.records.data[3 * record + 2]].indexOf(name);
  }

  /** A mapping's i-th key's offset (onKey) or its value's. */
  pairOffset(record: number, i: number, onKey: boolean): number {
    return this.offsets.data[this.records.data[3 * record] + 3 * i + (onKey ? 0 : 1)];
  }

  /** A mapping's i-th value's own record (-1: a scalar). */
  pairRecord(record: number, i: number): number {
    return this.offsets.data[this.records.data[3 * record] + 3 * i + 2];
  }

  /** A sequence's i-th item's offset. */
  itemOffset(record: number, i: number): number {
    return this.offsets.data[this.records.data[3 * record] + 2 * i];
  }

  /** A sequence's i-th item's own record (-1: a scalar). */
  itemRecord(record: number, i: number): number {
    return this.offsets.data[this.records.data[3 * record] + 2 * i + 1];
  }
}

/** A YAML file read once by js-yaml, with the position of every node recorded in the same pass. */
export interface SourceFile {
  file: string;
  text: string;
  /** The plain data; undefined when the YAML could not be read. */
  data: unknown;
  /** Syntax errors, YAML the format does not use, and warnings (tags). */
  diagnostics: Diagnostic[];
  /** Where the document's root node starts. */
  root: number;
  /** The root's record in `children` (-1: a scalar or no document). */
  rootRecord: number;
  /** The children's positions of every mapping and sequence in data, by record. */
  children: PositionIndex;
  /** The offset of the start of each line. */
  lineStarts: number[];
}

/** What locating a path needs of a SourceFile: its positions, not its text. */
export type SourcePositions = Pick<SourceFile, 'file' | 'root' | 'rootRecord' | 'children' | 'lineStarts'>;

/**
 * js-yaml cuts each scalar out of the file's text, and V8 makes a cut of this many characters
 * or more a view into the text (a sliced string), not a copy: a single such value kept in the
 * desired state keeps the whole text alive (24 MB at 100,000 users, beside the state from the
 * load to the end of an apply).
 */
const SLICED_LENGTH = 13;

/**
 * The same text as a string of its own: V8 joins an array's parts into a new flat string, a
 * copy (exact for every string: the parts are its UTF-16 code units, split anywhere). About a
 * third of the cost of a JSON round trip, with the same result in memory.
 */
function ownString(text: string): string {
  return [text.slice(0, 1), text.slice(1)].join('');
}

/** users[3].number */
export function formatPath(path: readonly Segment[]): string {
  let out = '';
  for (const s of path) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out;
}

/** The offset of each line's start (a line ends at \n, \r\n or a lone \r, as YAML reads them). */
function lineStartsOf(text: string): number[] {
  const starts = [0];
  if (!text.includes('\r')) {
    // the common case, a search for each line break (much faster than a loop over the characters)
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    return starts;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) starts.push(i + 1);
  }
  return starts;
}

/** 1-based line and column of an offset. */
export function positionAt(lineStarts: readonly number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - lineStarts[lo] + 1 };
}

/** The first offset from `i` that is not white space, a line break or a comment. */
function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else if (c === 0x23 /* # */ && (i === 0 || isBlank(text.charCodeAt(i - 1)))) while (i < text.length && text.charCodeAt(i) !== 0x0a && text.charCodeAt(i) !== 0x0d) i++;
    else return i;
  }
}

const isBlank = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/** The first offset from `i` that is not a space or tab (an empty value is placed where its line goes on). */
function skipBlanks(text: string, i: number): number {
  while (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09) i++;
  return i;
}

interface Frame {
  /** Where the node starts (its tag or anchor, if any, else its content). */
  at: number;
  /** Where js-yaml started looking for it (after the key's colon, the entry's dash, …). */
  raw: number;
  /** The children so far: offsets, values and records (reused from node to node: see Recorder.frames). */
  count: number;
  offsets: number[];
  results: unknown[];
  records: number[];
}

type Push = (severity: Severity, code: DiagnosticCode, offset: number, message: string) => void;

/** Positions recorded by js-yaml's listener, one frame per open node. */
class Recorder {
  readonly children: PositionIndex;
  /** Where each document's root starts. */
  readonly documents: number[] = [];
  /** Each document's root's record (-1: a scalar). */
  readonly documentRecords: number[] = [];
  /** The open node at each depth (frames are reused: millions of nodes, few depths). */
  private readonly frames: Frame[] = [];
  private depth = 0;
  /** Where a tag or an anchor was reported (js-yaml may open the same node twice). */
  private readonly reported = new Set<number>();
  /**
   * One string per distinct key: js-yaml makes a new string for each occurrence of a key, and
   * the recorded keys of 100,000 items would otherwise keep half a million copies of `user`.
   */
  private readonly keyNames = new Map<string, string>();

  constructor(
    private readonly text: string,
    private readonly push: Push,
  ) {
    this.children = new PositionIndex(text.length);
  }

  readonly listener = (event: 'open' | 'close', state: State): void => {
    if (event === 'open') {
      const raw = state.position;
      const at = skipSpace(this.text, raw);
      const depth = (this.depth = (state as unknown as { depth: number }).depth);
      if (depth === 1) this.documents.push(raw);
      const frame = this.frames[depth];
      if (frame) {
        frame.at = at;
        frame.raw = raw;
        frame.count = 0;
      } else this.frames[depth] = { at, raw, count: 0, offsets: [], results: [], records: [] };
      this.checkStart(at);
    } else this.close(state);
  };

  /** Anchors, aliases and tags, from the node's first character. */
  private checkStart(at: number): void {
    const c = this.text.charCodeAt(at);
    if (c !== 0x26 && c !== 0x2a && c !== 0x21) return;
    if (this.reported.has(at)) return;
    this.reported.add(at);
    if (c === 0x26 /* & */ || c === 0x2a /* * */) this.push('error', 'HERMES_YAML_ANCHOR', at, `${c === 0x26 ? 'an anchor' : 'an alias'} (${this.word(at)}): hermes' format does not use anchors, aliases or merge keys; write the value out`);
    else if (c === 0x21 /* ! */) this.push('warning', 'HERMES_YAML_WARNING', at, `the tag ${this.word(at)} is not part of hermes' format and is ignored: the value is read as written`);
  }

  private word(at: number): string {
    let end = at + 1;
    while (end < this.text.length && end < at + 64 && !isBlank(this.text.charCodeAt(end)) && !',[]{}'.includes(this.text[end])) end++;
    return this.text.slice(at, end);
  }

  private close(state: State): void {
    const frame = this.frames[this.depth];
    let result = state.result;
    let at = frame.at;
    const c = this.text.charCodeAt(at);
    if (c === 0x21 /* ! */ || c === 0x26 /* & */) at = skipSpace(this.text, at + this.word(at).length); // the value, after its tag or anchor
    // js-yaml reads a block node first as a possible mapping key: the same node, one level
    // deeper (one child with the same value) is not a node of its own
    const wrapper = frame.count === 1 && Object.is(frame.results[0], result);
    if (!wrapper && typeof result === 'string' && result.length >= SLICED_LENGTH) state.result = result = ownString(result);
    let record = wrapper ? frame.records[0] : -1;
    if (result === null && state.position <= frame.at) at = skipBlanks(this.text, frame.raw); // empty: where its line goes on
    else if (!wrapper && result !== null && typeof result === 'object') {
      // (the frame's lists are reused and may be longer: only their first `count` entries are this node's)
      if (Array.isArray(result)) {
        const { offsets, records } = this.items(frame, result);
        record = this.children.addSequence(offsets, records, result.length);
      } else record = this.pairs(frame, result as Record<string, unknown>);
    }
    if (this.depth === 1) this.documentRecords.push(record);
    const parent = this.depth > 1 ? this.frames[this.depth - 1] : undefined;
    if (parent) {
      parent.offsets[parent.count] = at;
      parent.records[parent.count] = record;
      parent.results[parent.count++] = result;
    }
    this.depth--;
  }

  /**
   * A sequence's item offsets. An empty entry (`-` alone) has no node of its own: it is placed
   * after its dash (the next dash in the sequence's column).
   */
  private items(frame: Frame, result: unknown[]): { offsets: number[]; records: number[] } {
    if (frame.count === result.length) return frame;
    const column = frame.at - this.lineStart(frame.at);
    const offsets: number[] = [];
    const records: number[] = [];
    let dash = frame.at;
    for (let i = 0, j = 0; i < result.length; i++, dash = this.nextDash(dash + 1, column)) {
      const next = this.nextDash(dash + 1, column);
      if (j < frame.count && Object.is(frame.results[j], result[i]) && frame.offsets[j] < next) {
        records.push(frame.records[j]);
        offsets.push(frame.offsets[j++]);
      } else {
        records.push(-1);
        offsets.push(skipBlanks(this.text, dash + 1));
      }
    }
    return { offsets, records };
  }

  private lineStart(i: number): number {
    return Math.max(this.text.lastIndexOf('\n', i - 1), this.text.lastIndexOf('\r', i - 1)) + 1;
  }

  /** The next block sequence indicator (a dash then a blank, first on its line) in the given column. */
  private nextDash(from: number, column: number): number {
    for (let i = this.text.indexOf('-', from); i !== -1; i = this.text.indexOf('-', i + 1)) {
      const start = this.lineStart(i);
      if (i - start === column && (i + 1 === this.text.length || isBlank(this.text.charCodeAt(i + 1))) && /^[ ]*$/.test(this.text.slice(start, i))) return i;
    }
    return this.text.length;
  }

  /**
   * Records a mapping's keys and offsets, and returns its record; a key that is a list or a
   * mapping, an explicit `?` key or a merge key is refused. A key without a value in a flow
   * mapping (`{ a, b: 1 }`) has no value node: its value is placed at its key.
   */
  private pairs(frame: Frame, result: Record<string, unknown>): number {
    const index = this.children;
    const record = index.beginMapping();
    // Most mappings have the keys of the one before (the items of a list): they are compared
    // with its shape as they come, and a list of key names is built only when they differ.
    const last = index.lastKeys();
    let keys: string[] | undefined;
    let n = 0;
    const { results } = frame;
    const count = frame.count;
    for (let i = 0; i < count; i++) {
      const key = results[i];
      const at = frame.offsets[i];
      this.checkKey(key, at);
      const name = String(key);
      if (keys === undefined && last !== undefined && n < last.length && last[n] === name) n++;
      else {
        keys ??= last === undefined ? [] : last.slice(0, n);
        keys.push(this.keyName(name));
        n++;
      }
      if (i + 1 < count && Object.is(result[name], results[i + 1])) {
        index.addPair(at, frame.offsets[i + 1], frame.records[i + 1]);
        i++;
      } else index.addPair(at, at, -1);
    }
    const sameAsLast = keys === undefined && last !== undefined && n === last.length;
    index.endMapping(record, n, sameAsLast ? index.lastShapeId() : index.shapeOf(keys ?? (last === undefined ? [] : last.slice(0, n))));
    return record;
  }

  private checkKey(key: unknown, at: number): void {
    if (key !== null && typeof key === 'object') this.push('error', 'HERMES_YAML_COMPLEX_KEY', at, `a key that is ${Array.isArray(key) ? 'a list' : 'a mapping'}: hermes' format uses only plain keys (names such as user: or domain:)`);
    else if (key === '<<' && this.text.charCodeAt(at) === 0x3c /* < */) this.push('error', 'HERMES_YAML_ANCHOR', at, "a merge key (<<): hermes' format does not use anchors, aliases or merge keys; write the values out");
    else if (this.explicitKey(at)) this.push('error', 'HERMES_YAML_COMPLEX_KEY', at, "an explicit key ('? '): hermes' format uses only plain keys (name: value)");
  }

  private keyName(name: string): string {
    let shared = this.keyNames.get(name);
    if (shared === undefined) this.keyNames.set(name, (shared = name));
    return shared;
  }

  /**
   * Whether the key at `at` follows the explicit key indicator: a `?` before it (blanks and line
   * breaks between) that opens its line (after indentation and sequence dashes) or follows `{`,
   * `[` or `,`. A `?` that ends the value before it (`displayname: ( ?`) is that value's text.
   */
  private explicitKey(at: number): boolean {
    const text = this.text;
    let i = at - 1;
    while (i >= 0 && isBlank(text.charCodeAt(i))) i--;
    if (text.charCodeAt(i) !== 0x3f /* ? */) return false;
    if (i === 0 || '{,['.includes(text[i - 1])) return true;
    if (!isBlank(text.charCodeAt(i - 1))) return false;
    let j = i - 1;
    while (j >= 0 && ' \t-'.includes(text[j])) j--;
    return j < 0 || '\n\r{,['.includes(text[j]);
  }
}

/**
 * Reads a YAML file with js-yaml, once, recording where every node starts (js-yaml's listener)
 * in the same pass. Syntax errors are placed at js-yaml's error mark; several documents,
 * anchors and aliases, keys that are collections and tags get a message in hermes' words.
 * `text` is the file's text without a byte order mark.
 */
export function parseSourceFile(file: string, text: string): SourceFile {
  const lineStarts = lineStartsOf(text);
  const diagnostics: Diagnostic[] = [];
  const push: Push = (severity, code, offset, message) => diagnostics.push({ severity, code, file, ...positionAt(lineStarts, offset), path: '', message });
  const recorder = new Recorder(text, push);
  const warnings: Diagnostic[] = [];
  let documents: unknown[] = [];
  try {
    const onWarning = (w: { reason: string; mark?: { position: number } }) => warnings.push({ severity: 'warning', code: 'HERMES_YAML_WARNING', file, ...positionAt(lineStarts, w.mark?.position ?? 0), path: '', message: yamlErrorMessage(w.reason) });
    documents = loadAll(text, undefined, { schema: YAML_CORE_SCHEMA, listener: recorder.listener, onWarning }) as unknown[];
  } catch (error) {
    // (js-yaml's warnings before an error are symptoms of it: left out)
    const e = error as { reason?: string; message?: string; mark?: { position: number } };
    const reason = e.reason ?? e.message ?? String(error);
    let offset = Math.min(e.mark?.position ?? 0, text.length);
    if (reason.startsWith('bad indentation')) offset = lineStarts[positionAt(lineStarts, offset).line - 1]; // the indentation is what is wrong
    push('error', reason.startsWith('unidentified alias') ? 'HERMES_YAML_ANCHOR' : 'HERMES_YAML_SYNTAX', offset, yamlErrorMessage(reason));
    return { file, text, data: undefined, diagnostics, root: 0, rootRecord: -1, children: new PositionIndex(), lineStarts };
  }
  diagnostics.push(...warnings);
  if (documents.length > 1) {
    const start = recorder.documents[1] ?? 0;
    const marker = text.lastIndexOf('---', start); // the second document's marker, if it has one
    const second = marker > recorder.documents[0] && (marker === 0 || text[marker - 1] === '\n' || text[marker - 1] === '\r') ? marker : start;
    push('error', 'HERMES_YAML_MULTIPLE_DOCUMENTS', lineStarts[positionAt(lineStarts, second).line - 1], `the file holds ${documents.length} YAML documents (separated by ---); hermes reads one document per file: split it into several files`);
  }
  const failed = diagnostics.some((d) => d.severity === 'error');
  const data = failed ? undefined : (documents[0] ?? null);
  const root = documents.length === 0 ? 0 : recorder.documents[0];
  const rootRecord = data === undefined || data === null ? -1 : (recorder.documentRecords[0] ?? -1);
  return { file, text, data, diagnostics, root: data === null ? skipBlanks(text, 0) : skipSpace(text, root), rootRecord, children: recorder.children, lineStarts };
}

/** Where a node is, while walking a path. */
interface Cursor {
  /** The node's record (-1: a scalar, or not found). */
  record: number;
  /** The offset of the node. */
  value: number;
  /** The offset of its key, when the last step was a map key. */
  key: number | undefined;
  /** Whether every step was found. */
  complete: boolean;
}

function rootCursor(source: SourcePositions): Cursor {
  return { record: source.rootRecord, value: source.root, key: undefined, complete: true };
}

/** Walks path from the cursor: to the value at path, or to the deepest ancestor that exists. */
function walk(source: SourcePositions, cursor: Cursor, path: readonly Segment[]): Cursor {
  const index = source.children;
  for (const seg of path) {
    const record = cursor.record;
    let i = -1;
    if (record >= 0 && index.isMapping(record)) {
      i = index.keyIndex(record, String(seg));
      if (i !== -1) {
        cursor.key = index.pairOffset(record, i, true);
        cursor.value = index.pairOffset(record, i, false);
        cursor.record = index.pairRecord(record, i);
      }
    } else if (record >= 0) {
      i = typeof seg === 'number' ? seg : Number(seg);
      if (i >= 0 && i < index.count(record)) {
        cursor.key = undefined;
        cursor.value = index.itemOffset(record, i);
        cursor.record = index.itemRecord(record, i);
      } else i = -1;
    }
    if (i === -1) {
      cursor.complete = false;
      cursor.key = undefined;
      break;
    }
  }
  return cursor;
}

function locationOf(source: SourcePositions, cursor: Cursor, path: string, onKey: boolean): SourceLocation {
  const { line, column } = positionAt(source.lineStarts, onKey && cursor.key !== undefined ? cursor.key : cursor.value);
  return { file: source.file, line, column, path };
}

/** Where the value at path is (or, with onKey, its key: for unknown properties). */
export function locate(source: SourcePositions, path: readonly Segment[], onKey = false): SourceLocation {
  const cursor = walk(source, rootCursor(source), path);
  return locationOf(source, cursor, formatPath(path), onKey);
}

/** Resolves a path in one file to a SourceLocation. */
export interface Locator {
  readonly file: string;
  locate(path: readonly Segment[], onKey?: boolean): SourceLocation;
  /** The location of parentPath + rest, given the location of parentPath. */
  child(parent: SourceLocation, parentPath: readonly Segment[], rest: readonly Segment[], onKey?: boolean): SourceLocation;
  /**
   * The location of the field `name` of the mapping `node` (at parentPath, located at parent):
   * the most frequent question (a field of an item, for every item of a large file), answered
   * from the node's recorded children without walking from the root; line and column are
   * worked out when first read (most such locations are kept in case of a conflict and never
   * shown).
   */
  field(node: unknown, parent: SourceLocation, parentPath: readonly Segment[], name: string, onKey?: boolean, record?: number): SourceLocation;
  /**
   * The locations of the items of the list `list` at listPath (one per item, in order), and each
   * item's record (a hint for field(), sparing a lookup by node; -1 where there is none).
   */
  items(list: readonly unknown[], listPath: readonly Segment[]): { at: SourceLocation[]; records: number[] };
}

/**
 * A field's location. Its line is found from its item's (a field starts on its item's line or
 * a few lines below), and its path is built only when read: hundreds of thousands of these are
 * kept in case of a conflict and never shown, so each holds five fields and no string of its own.
 */
class FieldLocation implements SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  constructor(
    lineStarts: readonly number[],
    file: string,
    offset: number,
    private readonly parent: SourceLocation,
    private readonly name: string,
  ) {
    let line = parent.line - 1;
    if (line < 0 || line >= lineStarts.length || lineStarts[line] > offset || (line + 8 < lineStarts.length && lineStarts[line + 8] <= offset)) line = positionAt(lineStarts, offset).line - 1;
    else while (line + 1 < lineStarts.length && lineStarts[line + 1] <= offset) line++;
    this.file = file;
    this.line = line + 1;
    this.column = offset - lineStarts[line] + 1;
  }
  get path(): string {
    const parentPath = this.parent.path;
    return parentPath === '' ? this.name : `${parentPath}.${this.name}`;
  }
  toJSON(): SourceLocation {
    return { file: this.file, line: this.line, column: this.column, path: this.path };
  }
}

/** The record of the mapping or sequence at path, or -1. */
function recordAt(source: SourcePositions, path: readonly Segment[]): number {
  const cursor = walk(source, rootCursor(source), path);
  return cursor.complete ? cursor.record : -1;
}

/**
 * Exact positions, from the positions recorded when the file was read. Keeps those positions,
 * not the file's text: the caller may let the text go once the file is parsed (24 MB at
 * 100,000 users, no longer beside the parsed data and the desired state while it is checked).
 */
export function positionedLocator(file: SourcePositions): Locator {
  const source: SourcePositions = { file: file.file, root: file.root, rootRecord: file.rootRecord, children: file.children, lineStarts: file.lineStarts };
  const child = (parent: SourceLocation, parentPath: readonly Segment[], rest: readonly Segment[], onKey = false): SourceLocation => {
    const cursor = walk(source, walk(source, rootCursor(source), parentPath), rest);
    let path = parent.path;
    for (const s of rest) path += typeof s === 'number' ? `[${s}]` : path === '' ? s : `.${s}`;
    return locationOf(source, cursor, path, onKey);
  };
  return {
    file: source.file,
    locate: (path, onKey = false) => locate(source, path, onKey),
    child,
    field: (node, parent, parentPath, name, onKey = false, hint = -1) => {
      const index = source.children;
      const record = hint >= 0 ? hint : recordAt(source, parentPath);
      const i = record >= 0 && index.isMapping(record) ? index.keyIndex(record, name) : -1;
      if (i === -1) return child(parent, parentPath, [name], onKey);
      return new FieldLocation(source.lineStarts, source.file, index.pairOffset(record, i, onKey), parent, name);
    },
    items: (list, listPath) => {
      const index = source.children;
      const record = recordAt(source, listPath);
      if (record < 0 || index.isMapping(record) || index.count(record) !== list.length) return { at: list.map((_, i) => locate(source, [...listPath, i])), records: list.map(() => -1) };
      const base = formatPath(listPath);
      const out: SourceLocation[] = new Array(list.length);
      const records: number[] = new Array(list.length);
      // the items' offsets ascend: the line index moves forward from item to item
      const starts = source.lineStarts;
      let line = 0;
      for (let i = 0; i < list.length; i++) {
        const offset = index.itemOffset(record, i);
        records[i] = index.itemRecord(record, i);
        if (i === 0 || offset < starts[line]) line = positionAt(starts, offset).line - 1;
        while (line + 1 < starts.length && starts[line + 1] <= offset) line++;
        // joined, not a template: one flat string (32 bytes) instead of a tree of cons strings
        // (about 110) once it is 13 characters or more, as aliases[12345] is
        out[i] = { file: source.file, line: line + 1, column: offset - starts[line] + 1, path: [base, '[', i, ']'].join('') };
      }
      return { at: out, records };
    },
  };
}

export function formatLocation(at: SourceLocation): string {
  return `${at.file}:${at.line}:${at.column}`;
}
