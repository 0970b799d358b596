/** The plan as Markdown, for a pull-request comment: a summary, and long lists collapsed. */
import { CHANGE_KINDS, type Change, type Plan } from './plan-types.js';
import { changeDetails, changeTitle, summaryLine } from './render-text.js';

/** The marker that identifies hermes' plan comment in a pull request (updated in place). */
export const MARKDOWN_MARKER = '<!-- hermes-plan -->';

/** Sections with more changes than this are collapsed in <details>. */
export const COLLAPSE_AFTER = 10;

/** Changes of one section beyond this are elided (GitHub comments are limited to 65536 chars). */
export const MAX_LISTED = 500;

function block(changes: Change[]): string {
  const lines: string[] = [];
  for (const c of changes.slice(0, MAX_LISTED)) {
    lines.push(changeTitle(c));
    for (const d of changeDetails(c)) lines.push('      ' + d);
  }
  if (changes.length > MAX_LISTED) lines.push(`# … and ${changes.length - MAX_LISTED} more (see the workflow log)`);
  return '```diff\n' + lines.join('\n').replace(/```/g, "'''") + '\n```';
}

export function renderMarkdown(plan: Plan, options: { title?: string } = {}): string {
  const out: string[] = [MARKDOWN_MARKER, `### ${options.title ?? 'hermes plan'}`, '', `**${summaryLine(plan.summary)}**`, ''];
  if (plan.changes.length === 0) return out.join('\n') + '\n';
  const counts: string[] = [];
  for (const kind of CHANGE_KINDS) {
    for (const action of ['create', 'update', 'delete'] as const) {
      const n = plan.changes.filter((c) => c.kind === kind && c.action === action).reduce((s, c) => s + (c.count ?? 1), 0);
      if (n > 0) counts.push(`| ${kind} | ${action} | ${n} |`);
    }
  }
  out.push('| kind | action | count |', '| --- | --- | --- |', ...counts, '');
  for (const kind of CHANGE_KINDS) {
    const changes = plan.changes.filter((c) => c.kind === kind);
    if (changes.length === 0) continue;
    const heading = `${kind === 'alias' ? 'aliases' : kind + 's'} (${changes.length})`;
    if (changes.length > COLLAPSE_AFTER) {
      out.push(`<details><summary>${heading}</summary>`, '', block(changes), '', '</details>', '');
    } else {
      out.push(`**${heading}**`, '', block(changes), '');
    }
  }
  out.push(`<sub>fingerprint ${plan.fingerprint.slice(0, 12)}</sub>`);
  return out.join('\n') + '\n';
}
