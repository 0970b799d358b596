/**
 * The plan as Markdown, for a pull-request comment: a summary, a table of counts, each kind's
 * changes in a `diff` block (long lists collapsed). It always fits in one comment: GitHub
 * refuses a comment longer than 65,536 characters, so a plan that would be longer lists as
 * many changes as fit, says how many of each kind and action it leaves out, and points at the
 * full plan (`--out` file, or where the workflow keeps it).
 */
import { CHANGE_KINDS, type Change, type ChangeKind, type Plan } from './plan-types.js';
import { changeDetails, changeTitle, summaryLine } from './render-text.js';

/** The marker that identifies hermes' plan comment in a pull request (updated in place). */
export const MARKDOWN_MARKER = '<!-- hermes-plan -->';

/** Sections with more changes than this are collapsed in <details>. */
export const COLLAPSE_AFTER = 10;

/** Changes of one section beyond this are never listed (a reviewer reads the counts). */
export const MAX_LISTED = 500;

/** GitHub's limit on a comment's body. */
export const COMMENT_LIMIT = 65_536;

/**
 * The most the markdown plan takes, in UTF-8 bytes (so in characters too, whatever GitHub
 * counts): the limit less room for what a workflow adds (a marker, a footer with the commit).
 */
export const MAX_MARKDOWN_BYTES = COMMENT_LIMIT - 1_536;

export interface MarkdownOptions {
  title?: string;
  /** Where the full plan is (an --out file, a workflow artifact); named when the plan is shortened. */
  fullPlan?: string;
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** A change's lines in the diff block, each ending with a newline. */
function entry(c: Change): string {
  return [changeTitle(c), ...changeDetails(c).map((d) => '      ' + d)].join('\n') + '\n';
}

/** How many objects each action of these changes stands for: `3 create, 1 delete`. */
function actionCounts(changes: readonly Change[]): string {
  const n = { create: 0, update: 0, delete: 0 };
  for (const c of changes) n[c.action] += c.count ?? 1;
  return (['create', 'update', 'delete'] as const)
    .filter((a) => n[a] > 0)
    .map((a) => `${n[a]} ${a}`)
    .join(', ');
}

/** The diff block of a section: changes while they fit in `budget` bytes (and MAX_LISTED), then a line for the rest. */
function block(changes: readonly Change[], budget: number): { text: string; shown: number } {
  let text = '';
  let size = 0;
  let shown = 0;
  for (const c of changes.slice(0, MAX_LISTED)) {
    const e = entry(c);
    size += bytes(e);
    if (size > budget) break;
    text += e;
    shown++;
  }
  const rest = changes.slice(shown);
  if (rest.length > 0) text += `# … and ${rest.length} more change${rest.length === 1 ? '' : 's'} not listed (${actionCounts(rest)}): see the full plan\n`;
  return { text: '```diff\n' + text.replace(/```/g, "'''") + '```', shown };
}

function sectionText(kind: ChangeKind, changes: readonly Change[], diff: string): string[] {
  const heading = `${kind === 'alias' ? 'aliases' : kind + 's'} (${changes.length})`;
  if (changes.length > COLLAPSE_AFTER) return [`<details><summary>${heading}</summary>`, '', diff, '', '</details>', ''];
  return [`**${heading}**`, '', diff, ''];
}

/** The note of a shortened plan: what is listed, and where the rest is. */
function shortenedNote(shown: number, total: number, fullPlan: string | undefined): string[] {
  const where = fullPlan === undefined ? 'run `hermes plan` (or `hermes plan --format json`) to see it' : `the full plan is ${fullPlan.replace(/[\u0000-\u001f\u007f`]/g, ' ')}`;
  return [`> **This plan is too long to list in a pull-request comment:** ${shown} of ${total} changes are listed; the counts above are complete, and ${where}.`, ''];
}

/** The plan with each section's diff listing at most `budgets[i]` bytes of changes (Infinity: all, up to MAX_LISTED). */
function render(plan: Plan, sections: [ChangeKind, Change[]][], budgets: number[] | 'all', options: MarkdownOptions): { text: string; shown: number } {
  const out: string[] = [MARKDOWN_MARKER, `### ${options.title ?? 'hermes plan'}`, '', `**${summaryLine(plan.summary)}**`, ''];
  const counts: string[] = [];
  for (const [kind, changes] of sections) {
    for (const action of ['create', 'update', 'delete'] as const) {
      const n = changes.filter((c) => c.action === action).reduce((s, c) => s + (c.count ?? 1), 0);
      if (n > 0) counts.push(`| ${kind} | ${action} | ${n} |`);
    }
  }
  out.push('| kind | action | count |', '| --- | --- | --- |', ...counts, '');
  const notePlace = out.length;
  let shown = 0;
  sections.forEach(([kind, changes], i) => {
    const diff = block(changes, budgets === 'all' ? Infinity : budgets[i]);
    shown += diff.shown;
    out.push(...sectionText(kind, changes, diff.text));
  });
  if (shown < plan.changes.length) out.splice(notePlace, 0, ...shortenedNote(shown, plan.changes.length, options.fullPlan));
  out.push(`<sub>fingerprint ${plan.fingerprint.slice(0, 12)}</sub>`);
  return { text: out.join('\n') + '\n', shown };
}

export function renderMarkdown(plan: Plan, options: MarkdownOptions = {}): string {
  if (plan.changes.length === 0) return [MARKDOWN_MARKER, `### ${options.title ?? 'hermes plan'}`, '', `**${summaryLine(plan.summary)}**`, ''].join('\n') + '\n';
  const sections = CHANGE_KINDS.map((k): [ChangeKind, Change[]] => [k, plan.changes.filter((c) => c.kind === k)]).filter(([, c]) => c.length > 0);
  const full = render(plan, sections, 'all', options);
  if (bytes(full.text) <= MAX_MARKDOWN_BYTES) return full.text;
  // Everything but the listed changes, at its longest (no change listed, the note's counts at their widest).
  const frame = bytes(render(plan, sections, sections.map(() => 0), options).text) + 16;
  let left = MAX_MARKDOWN_BYTES - frame;
  const budgets: number[] = [];
  // Each section gets an equal share of what is left; what one leaves unused goes to the next.
  sections.forEach(([, changes], i) => {
    const share = Math.floor(left / (sections.length - i));
    const used = bytes(block(changes, share).text) - bytes(block(changes, 0).text);
    budgets.push(share);
    left -= Math.max(0, used);
  });
  return render(plan, sections, budgets, options).text;
}
