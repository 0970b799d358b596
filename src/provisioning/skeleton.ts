/**
 * The fast path of rendering. Phones of one model with the same structure (number of lines,
 * key types, which optional fields are set, the numbers: ports, indexes) render to the
 * same text except for their free-text values (users, passwords, names, hosts, MACs). So a
 * template is rendered once per such shape with a sentinel in place of every free-text
 * value, and each phone's file is that skeleton with the phone's values, escaped for the
 * file format, put in the sentinels' places: exactly what LiquidJS would have written, at a
 * fraction of the cost.
 *
 * That holds only when free-text values flow to the output unchanged and steer nothing, so
 * a template takes the fast path only if it passes eligibleForSkeleton(): every free-text
 * field it names appears in a plain output ({{ a.b }}, no filter) or in an emptiness test
 * (x == "" / x != ""), and its tags are only if/elsif/else/unless/for/comment. Anything else
 * (assign, capture, case, filters on such a field, comparisons with other strings) renders
 * every phone with LiquidJS. Empty strings stay empty (not sentinels), so emptiness tests
 * and Liquid's truthiness decide the same way for the skeleton and for the phone.
 */

const OPEN = '\ue000';
const CLOSE = '\ue001';
const SENTINEL = /\ue000(\d+)\ue001/g;

/** String fields that are structure (in the shape key, compared by templates), not free text. */
const STRUCTURAL = new Set(['type', 'category', 'transport', 'transport_code', 'type_code', 'key', 'id', 'vendor', 'family', 'name']);

export interface Masked {
  /** The data with every non-empty free-text string replaced by a numbered sentinel. */
  data: unknown;
  /** The replaced values, by sentinel number. */
  values: string[];
  /** The names of the replaced fields. */
  names: Set<string>;
}

function maskValue(value: unknown, name: string, out: Masked): unknown {
  if (typeof value === 'string') {
    if (value === '' || STRUCTURAL.has(name)) return value;
    out.names.add(name);
    out.values.push(value);
    return `${OPEN}${out.values.length - 1}${CLOSE}`;
  }
  if (Array.isArray(value)) return value.map((v) => maskValue(v, name, out));
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) copy[k] = maskValue(v, k, out);
    return copy;
  }
  return value;
}

/** The shape of template data (its structure and structural values) and its free-text values in order. */
export interface Shape {
  key: string;
  values: string[];
  names: Set<string>;
}

/**
 * Property names and structural strings as one character each (a private-use code point from
 * U+E100 on), so that a shape's key is short: the data of one file names the same few hundred
 * strings for every phone, and most of a key made of the strings themselves would be spent
 * spelling them out again (and hashing them in the cache lookup). The caller owns the table
 * (the renderer: no module state) and drops it with the shapes it keyed.
 */
export class Interner {
  private readonly ids = new Map<string, string>();

  get size(): number {
    return this.ids.size;
  }

  of(text: string): string {
    let id = this.ids.get(text);
    if (id === undefined) {
      const n = this.ids.size;
      // Two characters once the first 0x1f00 are taken, so ids stay unambiguous.
      id = n < 0x1f00 ? String.fromCharCode(0xe100 + n) : String.fromCharCode(0xe000 + Math.floor(n / 0x1f00) + 0x20) + String.fromCharCode(0xe100 + (n % 0x1f00));
      this.ids.set(text, id);
    }
    return id;
  }
}

function shapeValue(value: unknown, name: string, out: Shape, interner: Interner): void {
  if (typeof value === 'string') {
    if (value === '' || STRUCTURAL.has(name)) out.key += interner.of(value);
    else {
      out.values.push(value);
      out.names.add(name);
      out.key += '$';
    }
  } else if (Array.isArray(value)) {
    out.key += '[';
    for (const v of value) shapeValue(v, name, out, interner);
    out.key += ']';
  } else if (value !== null && typeof value === 'object') {
    out.key += '{';
    const record = value as Record<string, unknown>;
    for (const k in record) {
      out.key += interner.of(k);
      shapeValue(record[k], k, out, interner);
    }
    out.key += '}';
  } else out.key += `${typeof value}:${String(value)};`;
}

/** The data's shape: equal keys render to the same skeleton (same traversal order as mask()). */
export function shapeOf(data: object, interner: Interner = new Interner()): Shape {
  const out: Shape = { key: '', values: [], names: new Set() };
  shapeValue(data, '', out, interner);
  return out;
}

/** Template data with its free text replaced by sentinels. */
export function mask(data: object): Masked {
  const out: Masked = { data: undefined, values: [], names: new Set() };
  out.data = maskValue(data, '', out);
  return out;
}

/** A rendered skeleton: literal text and sentinel numbers, alternating. */
export type Skeleton = (string | number)[];

/** Splits a rendering of masked data; undefined when a sentinel did not survive intact. */
export function toSkeleton(text: string): Skeleton | undefined {
  const parts: Skeleton = [];
  let last = 0;
  for (const m of text.matchAll(SENTINEL)) {
    parts.push(text.slice(last, m.index), Number(m[1]));
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return parts.some((p) => typeof p === 'string' && (p.includes(OPEN) || p.includes(CLOSE))) ? undefined : parts;
}

/** The skeleton filled with `values`, each escaped. */
export function fill(skeleton: Skeleton, values: readonly string[], escape: (v: unknown) => string): string {
  let out = '';
  for (const p of skeleton) out += typeof p === 'number' ? escape(values[p]) : p;
  return out;
}

const ALLOWED_TAGS = new Set(['if', 'elsif', 'else', 'endif', 'unless', 'endunless', 'for', 'endfor', 'break', 'continue', 'comment', 'endcomment', '#']);
const PLAIN_OUTPUT = /^[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*|\[\d+\])*$/;
const EMPTINESS = /[A-Za-z_][\w.]*\s*(?:==|!=)\s*(?:""|'')/g;

function mentions(text: string, names: ReadonlySet<string>): boolean {
  const words = text.replace(/"[^"]*"|'[^']*'/g, '""').match(/[A-Za-z_][\w]*/g) ?? [];
  return words.some((w) => names.has(w));
}

/**
 * Whether a template's output is its masked rendering with the values put back, for data
 * whose free-text fields are `names` (see the file comment).
 */
export function eligibleForSkeleton(source: string, names: ReadonlySet<string>): boolean {
  if (source.includes(OPEN) || source.includes(CLOSE)) return false;
  for (const m of source.matchAll(/\{%-?\s*([#\w]+)([\s\S]*?)-?%\}|\{\{-?([\s\S]*?)-?\}\}/g)) {
    if (m[1] !== undefined) {
      if (!ALLOWED_TAGS.has(m[1])) return false;
      if (mentions(m[2].replace(EMPTINESS, ''), names)) return false;
    } else if (!PLAIN_OUTPUT.test(m[3].trim()) && mentions(m[3], names)) return false;
  }
  return true;
}
