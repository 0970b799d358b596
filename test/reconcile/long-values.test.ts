import { describe, expect, it } from 'vitest';
import { computePlan } from '../../src/reconcile/plan.js';
import { toPlanDocument } from '../../src/reconcile/plan-document.js';
import { renderMarkdown } from '../../src/reconcile/render-markdown.js';
import { MAX_SHOWN, renderText } from '../../src/reconcile/render-text.js';
import { actual, actualUser, domain, state, user } from './builders.js';

/**
 * Issue 12 item 3: a very long value (a row another tool wrote, e.g. in SQLite, which does not
 * enforce column sizes) is shown shortened in text and markdown plans, with its length; the
 * JSON plan keeps it whole. Values hermes writes (at most 128 characters) are shown whole.
 */
describe('very long values in plans', () => {
  const long = 'A'.repeat(3000) + '\n# forged';
  const longName = 'u'.repeat(5000);
  const plan = computePlan(
    state({ domains: [domain('example.com')], users: [user('alice@example.com', { displayname: 'Alice' })] }),
    actual((a) => {
      a.domains.add('example.com');
      a.users.set('alice@example.com', actualUser('alice@example.com', { displayname: long }));
      a.users.set(`${longName}@example.com`, actualUser(`${longName}@example.com`));
    }),
  );

  it('shortens them in text and markdown, with their length', () => {
    for (const out of [renderText(plan, { color: false }), renderMarkdown(plan)]) {
      for (const line of out.split('\n')) expect(line.length).toBeLessThan(2 * MAX_SHOWN + 40);
      expect(out).toContain(`(${long.length} characters)`);
      expect(out).toContain(`(${longName.length + '@example.com'.length} characters)`);
      expect(out).not.toContain(long);
      expect(out).not.toMatch(/^# forged/m);
      expect(out).toContain('"Alice"');
    }
  });

  it('keeps them whole in the JSON plan', () => {
    const document = JSON.parse(JSON.stringify(toPlanDocument(plan, [], { hermesVersion: 'test', createdAt: '2026-11-30T00:00:00Z' })));
    expect(JSON.stringify(document)).toContain(JSON.stringify(long).slice(1, -1));
    expect(document.changes.map((c: { key: string }) => c.key)).toContain(`${longName}@example.com`);
  });

  it('shows a value of a field at its largest size whole', () => {
    const max = 'B'.repeat(128);
    const p = computePlan(
      state({ domains: [domain('example.com')], users: [user('bob@example.com', { displayname: max })] }),
      actual((a) => a.domains.add('example.com')),
    );
    expect(renderText(p, { color: false })).toContain(JSON.stringify(max));
  });
});
