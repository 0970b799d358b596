import { describe, expect, it } from 'vitest';
import { computePlan } from '../../src/reconcile/plan.js';
import { COMMENT_LIMIT, MARKDOWN_MARKER, renderMarkdown } from '../../src/reconcile/render-markdown.js';
import { actual, domain, state, user } from './builders.js';

/** A plan creating `n` users with long display names (and their phones), the way a big adoption plans. */
function bigPlan(n: number, displayname: (i: number) => string) {
  const users = Array.from({ length: n }, (_, i) => user(`user${i}@example.com`, { displayname: displayname(i), email: `user${i}@example.com`, linetext: `Line ${i}` }));
  const phones = Array.from({ length: n }, (_, i) => ({ mac: (0x0004f2000000 + i).toString(16).padStart(12, '0'), lines: [`user${i}@example.com`] }));
  return computePlan(state({ domains: [domain('example.com')], users, phones }), actual(() => {}));
}

/** What a reader of the comment can count: the changes listed, and those a "… more" line says it left out. */
function accounted(markdown: string): { listed: number; notListed: number } {
  const listed = markdown.split('\n').filter((l) => /^[+~-] (domain|user|phone|alias|number|provisioning) /.test(l)).length;
  const notListed = [...markdown.matchAll(/^# … and (\d+) more changes? not listed/gm)].reduce((s, m) => s + Number(m[1]), 0);
  return { listed, notListed };
}

describe('the markdown plan in a pull-request comment', () => {
  it('fits GitHub\'s 65,536-character limit with a 20,000-user plan: counts complete, the rest counted, a pointer to the full plan', () => {
    const plan = bigPlan(20_000, (i) => `Employee number ${i} of the very large example corporation, department of long display names`.padEnd(128, '.'));
    const md = renderMarkdown(plan, { fullPlan: 'the artifact hermes-plan-abc1234' });
    expect(md.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(md.startsWith(MARKDOWN_MARKER)).toBe(true);
    expect(md).toContain('**Plan: 40001 to add, 0 to change, 0 to remove.**');
    expect(md).toContain('| user | create | 20000 |');
    expect(md).toContain('| phone | create | 20000 |');
    expect(md).toMatch(/This plan is too long to list in a pull-request comment:\*\* \d+ of 40001 changes are listed; the counts above are complete, and the full plan is the artifact hermes-plan-abc1234\./);
    expect(md).toMatch(/^# … and \d+ more changes not listed \(\d+ create\): see the full plan$/m);
    // Every change is either listed or counted as not listed, and the note says how many are listed.
    const { listed, notListed } = accounted(md);
    expect(listed + notListed).toBe(plan.changes.length);
    expect(md).toContain(`** ${listed} of 40001 changes are listed`);
    // The space is shared: both big sections list some of their changes.
    expect(md).toMatch(/^\+ user user0@example\.com$/m);
    expect(md).toMatch(/^\+ phone 00:04:f2:00:00:00$/m);
    // Code fences stay balanced.
    expect(md.split('\n').filter((l) => l.startsWith('```')).length % 2).toBe(0);
  });

  it('counts UTF-8 bytes, so a plan of non-ASCII names fits too', () => {
    const md = renderMarkdown(bigPlan(20_000, (i) => `Ærlig Ødegård 😀 ${i}`.padEnd(100, 'ø')));
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(md).toContain('the counts above are complete, and run `hermes plan` (or `hermes plan --format json`) to see it.');
    const { listed, notListed } = accounted(md);
    expect(listed + notListed).toBe(40_001);
  });

  it('leaves a plan that fits as it is (no note)', () => {
    const md = renderMarkdown(bigPlan(20, () => 'Short'));
    expect(md).not.toContain('too long');
    expect(accounted(md)).toEqual({ listed: 41, notListed: 0 });
  });

  it('says so when a section lists only its first 500 changes, even when the comment would fit', () => {
    const plan = computePlan(state({ domains: Array.from({ length: 600 }, (_, i) => domain(`d${i}.example.com`)) }), actual(() => {}));
    const md = renderMarkdown(plan, { fullPlan: 'saved as plan.json (hermes plan --out)' });
    expect(md.length).toBeLessThan(30_000);
    expect(md).toContain('** 500 of 600 changes are listed; the counts above are complete, and the full plan is saved as plan.json (hermes plan --out).');
    expect(md).toContain('# … and 100 more changes not listed (100 create): see the full plan');
    expect(accounted(md)).toEqual({ listed: 500, notListed: 100 });
  });
});
