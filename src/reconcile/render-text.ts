/** The plan as text, like Terraform's: `+` create, `~` update (before -> after), `-` delete. */
import { displayMac } from '../model/index.js';
import type { Change, FieldValue, Plan, PlanSummary } from './plan-types.js';

export interface TextOptions {
  color: boolean;
}

const SECRET_VALUES = new Set(['(set)', '(changed)', '(generated)']);
const SYMBOL = { create: '+', update: '~', delete: '-' } as const;
const COLOR = { create: '\x1b[32m', update: '\x1b[33m', delete: '\x1b[31m' } as const;
const RESET = '\x1b[0m';

export { displayMac };

/** A name or value longer than this (longer than any field hermes writes) is shown shortened in text and markdown plans, with its length. */
export const MAX_SHOWN = 200;
/** How much of a shortened name or value is shown. */
const SHOWN_PART = 160;

/** The first SHOWN_PART characters of a long string, not splitting a surrogate pair. */
function head(text: string): string {
  const cut = text.slice(0, SHOWN_PART);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/** A string as a JSON string that cannot close a markdown code span or block. */
const quoted = (text: string) => JSON.stringify(text).replace(/`/g, '\\u0060');

/**
 * A name as it may be printed in a plan line: as it is when it is plain printable ASCII without
 * spaces (every name hermes writes), else quoted as a JSON string. Rows written by other tools
 * may hold newlines, terminal escapes or markdown fences: quoted, they can neither forge plan
 * lines, colour the terminal nor end a code block. A very long name is shortened, with its
 * length (the JSON plan keeps it whole).
 */
export function displayName(name: string): string {
  const plain = /^[\x21-\x7e]*$/.test(name) && !name.includes('`');
  if (name.length <= MAX_SHOWN) return plain ? name : quoted(name);
  return `${plain ? head(name) + '…' : quoted(head(name)).slice(0, -1) + '…"'} (${name.length} characters)`;
}

export function formatValue(field: string, value: FieldValue | undefined): string {
  if (value === undefined || value === null) return 'null';
  if (field.endsWith('password') && typeof value === 'string' && SECRET_VALUES.has(value)) return value;
  if (Array.isArray(value)) return `[${value.map(displayName).join(', ')}]`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string' && value.length > MAX_SHOWN) return `${quoted(head(value)).slice(0, -1)}…" (${value.length} characters)`;
  return JSON.stringify(value).replace(/`/g, '\\u0060');
}

/** The one-line title of a change: `+ user alice@example.com`. */
export function changeTitle(c: Change): string {
  const key = c.kind === 'phone' ? displayMac(c.key) : displayName(c.key);
  let extra = '';
  if (c.kind === 'number' && (c.count ?? 1) > 1) extra = ` (${c.count} numbers)`;
  if (c.kind === 'provisioning') extra = `: ${c.phones.length} phone${c.phones.length === 1 ? "'s" : "s'"} files change`;
  if (c.kind === 'alias' && c.action !== 'update') extra = ` -> ${displayName(String((c.after ?? c.before)?.destination ?? ''))}`;
  return `${SYMBOL[c.action]} ${c.kind} ${key}${extra}`;
}

/** The detail lines of a change (fields), without indentation. */
export function changeDetails(c: Change): string[] {
  if (c.kind === 'number' || c.kind === 'domain') return [];
  if (c.kind === 'alias' && c.action !== 'update') return [];
  const lines: string[] = [];
  if (c.action === 'update') {
    const fields = Object.keys(c.after ?? {});
    const width = Math.max(...fields.map((f) => f.length));
    for (const f of fields) {
      const after = c.after?.[f];
      if (f === 'password') lines.push(`${(f + ':').padEnd(width + 1)} ${formatValue(f, after)}`);
      else lines.push(`${(f + ':').padEnd(width + 1)} ${formatValue(f, c.before?.[f])} -> ${formatValue(f, after)}`);
    }
    return lines;
  }
  const fields = (c.action === 'create' ? c.after : c.before) ?? {};
  const keys = Object.keys(fields);
  const width = Math.max(0, ...keys.map((f) => f.length));
  for (const f of keys) lines.push(`${(f + ':').padEnd(width + 1)} ${formatValue(f, fields[f])}`);
  return lines;
}

export function summaryLine(summary: PlanSummary): string {
  if (summary.add + summary.change + summary.remove === 0) return 'No changes.';
  return `Plan: ${summary.add} to add, ${summary.change} to change, ${summary.remove} to remove.`;
}

/** The text plan's lines, one change at a time (nothing holds the whole text). */
function* textLines(plan: Plan, options: TextOptions): Generator<string> {
  if (plan.changes.length === 0) {
    yield 'No changes. The platform matches the desired state.';
    return;
  }
  yield 'hermes will make these changes:';
  yield '';
  for (const c of plan.changes) {
    const title = changeTitle(c);
    yield '  ' + (options.color ? `${COLOR[c.action]}${title}${RESET}` : title);
    for (const d of changeDetails(c)) yield '      ' + d;
  }
  yield '';
  yield summaryLine(plan.summary);
}

/**
 * The text plan in pieces of about `size` characters, each ending with a line break: a plan
 * of a million changes is written piece by piece instead of being built as one string (at
 * 100,000 users the whole text and its lines are a few hundred MB at once). Each piece is one
 * flat string (joined, not concatenated line by line into a rope of small strings).
 */
export function* renderTextChunks(plan: Plan, options: TextOptions, size = 1 << 16): Generator<string> {
  let lines: string[] = [];
  let length = 0;
  for (const line of textLines(plan, options)) {
    lines.push(line);
    length += line.length + 1;
    if (length >= size) {
      lines.push('');
      yield lines.join('\n');
      lines = [];
      length = 0;
    }
  }
  if (lines.length > 0) {
    lines.push('');
    yield lines.join('\n');
  }
}

export function renderText(plan: Plan, options: TextOptions): string {
  return [...renderTextChunks(plan, options)].join('');
}
