import { FAILSAFE_SCHEMA, load, Type } from 'js-yaml';

/**
 * The fast parse: js-yaml (about ten times faster than yaml's parseDocument on a 16 MB file,
 * and without a node tree). It is used only to decide quickly that a file is valid; every
 * diagnostic comes from the positioned pipeline (yaml's parseDocument), which is the
 * reference. So the fast parse must never accept a file that yaml would read differently:
 *
 * - plain scalars resolve exactly as in yaml's YAML 1.2 core schema (the same regular
 *   expressions and constructors as yaml/dist/schema/core): js-yaml's own CORE_SCHEMA is its
 *   JSON schema, which differs (0b binary, no sign on .5, 1e400 as a string, …);
 * - js-yaml refuses duplicate keys, several documents and unknown tags (it throws, and the
 *   caller falls back to the positioned pipeline), and any js-yaml warning is a fall back too;
 * - text using YAML features where the two parsers may differ is not fast-parsed at all
 *   (`suspicious`): anchors, aliases and tags (yaml limits alias expansion and resolves explicit
 *   tags its own way), explicit keys (`? `) and collections as keys (stringified differently),
 *   directives (`%YAML`), tabs (indentation rules differ), block scalars with an explicit
 *   indentation indicator (`|2-`: the two read lines of spaces differently), a comment right
 *   after a quoted scalar or a bracket (an error in yaml, a comment in js-yaml), a plain scalar
 *   value after a comment line;
 * - an empty block sequence entry (`-` alone or before a comment) followed by a less indented
 *   entry is misread by js-yaml (it nests that entry in the inner sequence, where yaml reads
 *   the two apart); the result always holds a null item, which no list of the schema accepts,
 *   so the caller falls back; the position index checks for it (hasEmptyItem).
 * test/desired/fast-path.test.ts checks with fast-check that both agree on generated valid
 * and broken texts.
 */

/**
 * One implicit type per tag (js-yaml keeps one type per tag): the first matching form wins.
 * `first` lists the characters a value of the tag can start with (a quick filter: most plain
 * scalars of a desired state are addresses and names, which no regular expression is tried on).
 */
const scalar = (tag: string, first: string, forms: [RegExp, (s: string) => unknown][]) => {
  const starts = new Set([...first].map((c) => c.charCodeAt(0)));
  return new Type(`tag:yaml.org,2002:${tag}`, {
    kind: 'scalar',
    resolve: (data: unknown) => typeof data === 'string' && (data === '' || starts.has(data.charCodeAt(0))) && forms.some(([test]) => test.test(data)),
    construct: (data: string) => forms.find(([test]) => test.test(data))![1](data),
  });
};

/** yaml's core schema, in yaml's order: null, bool, intOct, int, intHex, floatNaN, floatExp, float. */
export const YAML_CORE_SCHEMA = FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar('null', '~nN', [[/^(?:~|[Nn]ull|NULL)?$/, () => null]]),
    scalar('bool', 'tTfF', [[/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === 't' || s[0] === 'T']]),
    scalar('int', '+-0123456789', [
      [/^0o[0-7]+$/, (s) => parseInt(s.substring(2), 8)],
      [/^[-+]?[0-9]+$/, (s) => parseInt(s, 10)],
      [/^0x[0-9a-fA-F]+$/, (s) => parseInt(s.substring(2), 16)],
    ]),
    scalar('float', '+-.0123456789', [
      [/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/, (s) => (s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY)],
      [/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, (s) => parseFloat(s)],
      [/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, (s) => parseFloat(s)],
    ]),
  ],
});

/**
 * YAML features the fast parse leaves to yaml (see above). Conservative: a false positive
 * (e.g. "Tom &Jerry" unquoted, a quoted "]:") only costs the slow path.
 */
const SUSPICIOUS = /(?:^|[\s[\]{},:])(?:[&*!][^\s[\]{},]|\?(?:\s|$))|[\]}][ \t]*:|(?:["'[\]{},]|[|>][-+0-9]*)#|^%|\t|[|>][-+]?[1-9][-+]?[ \t]*(?:#.*)?$/m;

/** A key without a value on its line, then a comment line (after blank lines, if any). */
const KEY_THEN_COMMENT = /:[ \t]*\r?\n(?:[ \t]*\r?\n)*[ \t]*#/g;

/** True when the text uses a YAML feature the fast parse leaves to yaml. */
export function isSuspicious(text: string): boolean {
  if (SUSPICIOUS.test(text)) return true;
  // yaml (2.x) and js-yaml read a plain scalar value after a comment line differently
  // ("p:\n#c\n    V\nb: 1"): leave it to yaml unless the value is a list or a mapping.
  for (const m of text.matchAll(KEY_THEN_COMMENT)) {
    const rest = text.slice(m.index + m[0].length - 1, m.index + m[0].length + 4096).split(/\r?\n/);
    const next = rest.find((line) => !/^[ \t]*(?:#.*)?$/.test(line));
    if (next !== undefined && !/^[ \t]*(?:[-[{]|[^#]*:(?:[ \t]|$))/.test(next)) return true;
  }
  return false;
}

/**
 * The plain data of a YAML text, or undefined when the fast parse declines or fails: the
 * caller then runs the positioned pipeline, which reports the problem with its position.
 */
export function parseFast(file: string, text: string): { data: unknown } | undefined {
  if (isSuspicious(text)) return undefined;
  let warned = false;
  try {
    const data = load(text, { schema: YAML_CORE_SCHEMA, filename: file, json: false, onWarning: () => (warned = true) });
    return warned ? undefined : { data };
  } catch {
    return undefined;
  }
}

/**
 * Whether a sequence anywhere in data holds an empty (null) item: the mark of js-yaml's
 * misreading of an empty block sequence entry (see above), after which its structure may
 * differ from yaml's. locate.ts places nothing from such a parse.
 */
export function hasEmptyItem(data: unknown): boolean {
  const stack: unknown[] = [data];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (const x of v) {
        if (x === null) return true;
        if (typeof x === 'object') stack.push(x);
      }
    } else if (v !== null && typeof v === 'object') {
      for (const x of Object.values(v)) if (x !== null && typeof x === 'object') stack.push(x);
    }
  }
  return false;
}
