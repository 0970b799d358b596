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

/**
 * A name as it may be printed in a plan line: as it is when it is plain printable ASCII without
 * spaces (every name hermes writes), else quoted as a JSON string. Rows written by other tools
 * may hold newlines, terminal escapes or markdown fences: quoted, they can neither forge plan
 * lines, colour the terminal nor end a code block.
 */
export function displayName(name: string): string {
  return /^[\x21-\x7e]*$/.test(name) && !name.includes('`') ? name : JSON.stringify(name).replace(/`/g, '\\u0060');
}

export function formatValue(field: string, value: FieldValue | undefined): string {
  if (value === undefined || value === null) return 'null';
  if (field.endsWith('password') && typeof value === 'string' && SECRET_VALUES.has(value)) return value;
  if (Array.isArray(value)) return `[${value.map(displayName).join(', ')}]`;
  if (typeof value === 'number') return String(value);
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
 * 100,000 users the whole text and its lines are a few hundred MB at once).
 */
export function* renderTextChunks(plan: Plan, options: TextOptions, size = 1 << 16): Generator<string> {
  let chunk = '';
  for (const line of textLines(plan, options)) {
    chunk += line + '\n';
    if (chunk.length >= size) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

export function renderText(plan: Plan, options: TextOptions): string {
  return [...renderTextChunks(plan, options)].join('');
}
