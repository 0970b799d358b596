import { FAILSAFE_SCHEMA, Type } from 'js-yaml';

/**
 * The scalars of the desired state's YAML: js-yaml with the plain-scalar rules of the YAML 1.2
 * core schema (the same regular expressions and constructors as the `yaml` package, which
 * writes the files `hermes export` produces, so a value exported is read back as itself).
 * js-yaml's own CORE_SCHEMA is its JSON schema, which differs (0b binary, no sign on .5, 1e400
 * as a string, …).
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

/**
 * Any other tag (`!fancy`, `!!binary`) is read as if it were not there: the value as written.
 * The parser (source-file.ts) reports every tag as a warning in hermes' words.
 */
const anyTag = (['scalar', 'sequence', 'mapping'] as const).map((kind) => new Type('', { kind, multi: true, construct: (data: unknown) => data }));

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
  explicit: anyTag,
});
