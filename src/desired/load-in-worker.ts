import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HermesError, type ErrorCode } from '../errors.js';
import { loadDesiredState, resolveFiles, type LoadOptions, type LoadResult } from './load.js';
import type { DesiredState, SourceLocation } from './types.js';

/** Below this many bytes of input, loading in a worker is not worth its start-up (~50 ms). */
export const WORKER_MIN_BYTES = 1024 * 1024;

/** Items of a list per message from the worker: the main thread unpacks one while the worker packs the next. */
const CHUNK_ITEMS = 16384;

export interface WorkerLoadOptions extends LoadOptions {
  /**
   * 'auto' (default): in a worker thread when the input is at least WORKER_MIN_BYTES and the
   * worker script is JavaScript (from dist; under vitest, src/*.ts, it loads in this thread).
   * 'always': in a worker (tests). 'never': in this thread.
   */
  worker?: 'auto' | 'always' | 'never';
  /** The worker script; by default load-worker.js next to this module (tests give dist's). */
  workerFile?: URL;
}

/** What the worker is given (workerData). */
export interface WorkerRequest {
  paths: string[];
  options: LoadOptions;
}

/**
 * What the worker posts: the state's lists in chunks, then the rest of the result (or the
 * HermesError it threw; any other exception is left uncaught, for the Worker's 'error' event).
 */
export type WorkerMessage = { type: 'chunk'; section: string; offset: number; packed: PackedList } | { type: 'done'; result: PackedResult } | { type: 'hermes'; code: ErrorCode; message: string };

/**
 * loadDesiredState in a worker thread, so that this thread is free meanwhile (`hermes plan`
 * decodes the actual state read from MySQL/MariaDB while the YAML loads). The result is
 * exactly loadDesiredState's (state, diagnostics, parse); an exception in the worker is thrown
 * here as it would have been in this thread (a HermesError with its class, code and message;
 * another error as the Worker's 'error' event gives it). The `at` of the state come from the
 * worker's loading, with line 0 for a large input as in this thread: locate() resolves them
 * here as usual (it reads the file itself).
 *
 * The state crosses threads packed (each list as columns, its strings joined into one, its
 * `at` in typed arrays) and in chunks: a structured clone of a 100,000-user state costs the
 * receiving thread ~0.85 s, the packed chunks ~0.25 s, most of it while the worker still packs.
 */
export async function loadDesiredStateInWorker(paths: string[], options: WorkerLoadOptions): Promise<LoadResult> {
  const { worker = 'auto', workerFile = new URL('./load-worker.js', import.meta.url), ...loadOptions } = options;
  const useWorker = worker === 'always' || (worker === 'auto' && workerFile.pathname.endsWith('.js') && (await inputBytes(paths)) >= WORKER_MIN_BYTES);
  if (!useWorker) return loadDesiredState(paths, loadOptions);
  const request: WorkerRequest = { paths, options: loadOptions };
  const lists = new Map<string, Record<string, unknown>[]>();
  return new Promise<LoadResult>((resolve, reject) => {
    const thread = new Worker(fileURLToPath(workerFile), { workerData: request });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      void thread.terminate();
      try {
        fn();
      } catch (error) {
        reject(error);
      }
    };
    thread.on('message', (message: WorkerMessage) => {
      if (settled) return;
      if (message.type === 'chunk') {
        let list = lists.get(message.section);
        if (!list) lists.set(message.section, (list = []));
        unpackList(message.section, message.offset, message.packed, list);
      } else if (message.type === 'done') settle(() => resolve(unpackResult(message.result, lists)));
      else settle(() => reject(new HermesError(message.code, message.message)));
    });
    thread.once('error', (error) => settle(() => reject(error)));
    thread.once('exit', (code) => settle(() => reject(new Error(`the desired-state loader thread exited (code ${code}) without a result`))));
  });
}

/** The size of the files the paths name (directories: their YAML files); missing ones count 0. */
async function inputBytes(paths: string[]): Promise<number> {
  const { files } = await resolveFiles(paths);
  let total = 0;
  for (const file of files) {
    try {
      total += (await stat(file)).size;
    } catch {
      // reported by the loading
    }
  }
  return total;
}

/** A list of flat objects as columns: each item's keys (its shape) and values, `at` apart. */
interface PackedList {
  shapes: string[][];
  shapeOf: Uint32Array;
  /**
   * The values of every item but `at`, item after item, in their keys' order: the strings
   * joined with NUL (one string crosses threads much faster than a million), the others in
   * `others`; `isString` tells which is which. Without `strings` (a value holds a NUL), every
   * value is in `others`.
   */
  strings?: string;
  isString?: Uint8Array;
  others: unknown[];
  /** `at`: its file as an index into atFiles (-1: undefined), line, column, and path (0: `section[offset + i]`). */
  atFiles: string[];
  atFile: Int32Array;
  atLine: Int32Array;
  atColumn: Int32Array;
  atPath: (string | 0)[];
}

/** A LoadResult without its state's lists (sent in chunks before it); every other value as it is. */
export interface PackedResult {
  keys: string[];
  plain: Record<string, unknown>;
  stateKeys?: string[];
  statePlain?: Record<string, unknown>;
  /** The state's keys that are lists sent in chunks. */
  lists?: string[];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;

function packable(list: unknown): list is Record<string, unknown>[] {
  return Array.isArray(list) && list.every((item) => isPlainObject(item) && (item.at === undefined || isLocation(item.at)));
}

function isLocation(at: unknown): at is SourceLocation {
  if (!isPlainObject(at)) return false;
  const keys = Object.keys(at);
  return keys.length === 4 && keys[0] === 'file' && keys[1] === 'line' && keys[2] === 'column' && keys[3] === 'path' && typeof at.file === 'string' && typeof at.path === 'string' && Number.isInteger(at.line) && Number.isInteger(at.column) && Math.abs(at.line as number) < 2 ** 31 && Math.abs(at.column as number) < 2 ** 31;
}

function packList(section: string, offset: number, list: Record<string, unknown>[]): PackedList {
  const shapes: string[][] = [];
  const shapeIndex = new Map<string, number>();
  const shapeOf = new Uint32Array(list.length);
  const strings: string[] = [];
  const others: unknown[] = [];
  let isString = new Uint8Array(list.length * 8);
  let slot = 0;
  let joinable = true;
  const atFiles: string[] = [];
  const fileIndex = new Map<string, number>();
  const atFile = new Int32Array(list.length).fill(-1);
  const atLine = new Int32Array(list.length);
  const atColumn = new Int32Array(list.length);
  const atPath: (string | 0)[] = new Array(list.length).fill(0);
  let last: string[] = [];
  let lastShape = -1;
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    const keys = Object.keys(item);
    let same = lastShape >= 0 && keys.length === last.length;
    for (let j = 0; same && j < keys.length; j++) same = keys[j] === last[j];
    if (!same) {
      const signature = keys.join('\u0000');
      let shape = shapeIndex.get(signature);
      if (shape === undefined) {
        shape = shapes.push(keys) - 1;
        shapeIndex.set(signature, shape);
      }
      last = keys;
      lastShape = shape;
    }
    shapeOf[i] = lastShape;
    if (slot + keys.length > isString.length) {
      const grown = new Uint8Array(Math.max(isString.length * 2, slot + keys.length));
      grown.set(isString);
      isString = grown;
    }
    for (let j = 0; j < keys.length; j++) {
      const key = keys[j];
      if (key === 'at') continue;
      const value = item[key];
      if (typeof value === 'string') {
        if (joinable && value.includes('\u0000')) joinable = false;
        isString[slot] = 1;
        strings.push(value);
      } else others.push(value);
      slot++;
    }
    const at = item.at as SourceLocation | undefined;
    if (at) {
      let f = fileIndex.get(at.file);
      if (f === undefined) fileIndex.set(at.file, (f = atFiles.push(at.file) - 1));
      atFile[i] = f;
      atLine[i] = at.line;
      atColumn[i] = at.column;
      if (at.path !== `${section}[${offset + i}]`) atPath[i] = at.path;
    }
  }
  const values = joinable ? { strings: strings.join('\u0000'), isString: isString.slice(0, slot), others } : { others: mergeValues(strings, isString.subarray(0, slot), others) };
  return { shapes, shapeOf, ...values, atFiles, atFile, atLine, atColumn, atPath };
}

/** The values in their order, from the strings and the others. */
function mergeValues(strings: string[], isString: Uint8Array, others: unknown[]): unknown[] {
  const values = new Array<unknown>(isString.length);
  let s = 0;
  let o = 0;
  for (let i = 0; i < isString.length; i++) values[i] = isString[i] ? strings[s++] : others[o++];
  return values;
}

function unpackValues(packed: PackedList): unknown[] {
  const { strings, isString, others } = packed;
  return strings === undefined || !isString ? others : mergeValues(strings.split('\u0000'), isString, others);
}

type Build = (values: unknown[], v: number, at: SourceLocation | undefined) => Record<string, unknown>;

/** An object literal per shape (keys in their order): much faster than adding keys one by one. */
function builder(keys: string[]): Build {
  if (keys.includes('__proto__')) {
    return (values, v, at) => {
      const item: Record<string, unknown> = {};
      for (const key of keys) Object.defineProperty(item, key, { value: key === 'at' ? at : values[v++], enumerable: true, writable: true, configurable: true });
      return item;
    };
  }
  let v = 0;
  const fields = keys.map((key) => `${JSON.stringify(key)}: ${key === 'at' ? 'at' : `values[v + ${v++}]`}`);
  return new Function('values', 'v', 'at', `return { ${fields.join(', ')} };`) as Build;
}

/** Unpacks a chunk onto the end of `out`. */
function unpackList(section: string, offset: number, packed: PackedList, out: Record<string, unknown>[]): void {
  const { shapes, shapeOf, atFiles, atFile, atLine, atColumn, atPath } = packed;
  const values = unpackValues(packed);
  const builds = shapes.map(builder);
  const widths = shapes.map((keys) => keys.filter((k) => k !== 'at').length);
  let v = 0;
  for (let i = 0; i < shapeOf.length; i++) {
    const f = atFile[i];
    const path = atPath[i];
    const at = f < 0 ? undefined : { file: atFiles[f], line: atLine[i], column: atColumn[i], path: path === 0 ? `${section}[${offset + i}]` : path };
    out.push(builds[shapeOf[i]](values, v, at));
    v += widths[shapeOf[i]];
  }
}

/**
 * Posts the result as the worker sends it: each list of the state in chunks (packed), then
 * the rest. Every other value goes as it is.
 */
export function postResult(result: LoadResult, post: (message: WorkerMessage) => void): void {
  const plain: Record<string, unknown> = { ...result };
  const packed: PackedResult = { keys: Object.keys(result), plain };
  const state = result.state;
  if (isPlainObject(state)) {
    delete plain.state;
    packed.stateKeys = Object.keys(state);
    packed.statePlain = {};
    packed.lists = [];
    for (const key of packed.stateKeys) {
      const value = (state as unknown as Record<string, unknown>)[key];
      if (packable(value)) {
        packed.lists.push(key);
        for (let offset = 0; offset < value.length; offset += CHUNK_ITEMS) post({ type: 'chunk', section: key, offset, packed: packList(key, offset, value.slice(offset, offset + CHUNK_ITEMS)) });
      } else packed.statePlain[key] = value;
    }
  }
  post({ type: 'done', result: packed });
}

/** The result from what postResult posted: the rest, and the lists unpacked from their chunks. */
function unpackResult(packed: PackedResult, lists: Map<string, Record<string, unknown>[]>): LoadResult {
  const result: Record<string, unknown> = {};
  for (const key of packed.keys) {
    if (key === 'state' && packed.stateKeys) {
      const state: Record<string, unknown> = {};
      for (const k of packed.stateKeys) state[k] = packed.lists?.includes(k) ? (lists.get(k) ?? []) : packed.statePlain![k];
      result.state = state as unknown as DesiredState;
    } else result[key] = packed.plain[key];
  }
  return result as unknown as LoadResult;
}
