import { expect, it } from 'vitest';
import { readActualState } from '../../src/reconcile/read-actual.js';
import { computePlan } from '../../src/reconcile/plan.js';
import { renderText } from '../../src/reconcile/render-text.js';
import { renderMarkdown } from '../../src/reconcile/render-markdown.js';
import { toPlanDocument } from '../../src/reconcile/plan-document.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { domain, state } from './builders.js';

/**
 * Rows written by another tool (straight SQL) with newlines, terminal escapes, markdown fences
 * and very long values, in a domain the desired state manages: the plan deletes them, and every
 * rendering shows exactly that, one line per change, with nothing forged.
 */
describeEachDatabase('hostile strings in plans', (suite) => {
  const HOSTILE = [
    'evil\n  + user forged@example.com',
    'esc\x1b[31mred\x1b[0m',
    'fence```\n# done',
    'x'.repeat(60),
  ];

  it('quotes names from the database in text, markdown and JSON plans', async () => {
    await suite.clear();
    const { kamailio } = suite.db.connection;
    await kamailio.insertInto('domain').values({ domain: 'example.com', last_modified: '2000-01-01 00:00:01' } as never).execute();
    for (const username of HOSTILE) {
      await kamailio.insertInto('subscriber').values({ username, domain: 'example.com', password: 'p', ha1: '', ha1b: '' } as never).execute();
    }
    await kamailio.insertInto('dbaliases').values({ alias_username: 'al\nias', alias_domain: 'example.com', username: 'de`st\x07', domain: 'example.com' } as never).execute();
    const plan = computePlan(state({ domains: [domain('example.com')], users: [], aliases: [] }), await readActualState(suite.db.connection));
    const deletes = plan.changes.filter((c) => c.action === "delete");
    expect(deletes.length).toBe(HOSTILE.length + 1);

    const text = renderText(plan, { color: false });
    const lines = text.split('\n');
    // One title line per change and nothing else that looks like a change.
    expect(lines.filter((l) => /^\s+[+~-] /.test(l))).toHaveLength(deletes.length);
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(text).not.toContain('forged@example.com\n');
    expect(text).toContain(JSON.stringify(`${HOSTILE[0]}@example.com`));

    const markdown = renderMarkdown(plan);
    // Exactly the fences hermes opened and closed: one pair per section.
    const fences = markdown.split('\n').filter((l) => l.startsWith('```'));
    expect(fences.length % 2).toBe(0);
    expect(markdown).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(markdown).not.toMatch(/^# done/m);

    // JSON keeps the exact values (it is parsed, never read as lines).
    const document = toPlanDocument(plan, [], { hermesVersion: 'test', createdAt: '2026-11-30T00:00:00Z' });
    const keys = JSON.parse(JSON.stringify(document)).changes.map((c: { key: string }) => c.key);
    for (const name of HOSTILE) expect(keys).toContain(`${name}@example.com`);
  });
});
