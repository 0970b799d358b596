/**
 * docs/api.md says what the node API does (issue 12 item 11): its envelope table names the
 * catalogue's causes (the generated causes table is checked by test/errors.test.ts), every
 * node's "Causes:" paragraph uses only causes the catalogue knows, and the parameter rules it
 * states (booleans, list limits) are the ones the code applies. Read from the document, so
 * a change to either side without the other fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCatalogue, type ErrorDefinition, type FailureResponse } from '../../src/errors.js';
import { MAX_LIST_LIMIT, listLimit } from '../../src/ops/list-limit.js';
import { ParamReader } from '../../src/ops/node-params.js';
import { OpFailure } from '../../src/ops/index.js';
import { createTestDatabase } from '../helpers/databases.js';
import { startApp } from './helpers.js';

const DOC = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
const causesOf = (response: FailureResponse) =>
  new Set((Object.values(errorCatalogue) as ErrorDefinition[]).flatMap((d) => (d.envelope?.response === response && d.envelope.cause ? [d.envelope.cause] : [])));
const ticked = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

function refusal(fn: () => unknown): OpFailure | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof OpFailure) return error;
    throw error;
  }
  return undefined;
}

describe('docs/api.md and the catalogue', () => {
  it("the envelope table names every cause of the catalogue, and the failed row no other", () => {
    for (const response of ['invalid', 'failed', 'error'] as const) {
      const row = DOC.split('\n').find((l) => l.startsWith(`| \`${response}\` |`));
      expect(row, response).toBeDefined();
      const named = new Set(ticked(row!));
      for (const cause of causesOf(response)) expect(named.has(cause), `${response} / ${cause}`).toBe(true);
      if (response === 'failed') expect([...named].filter((c) => c !== 'failed' && c !== 'cause' && c !== 'detail').sort()).toEqual([...causesOf('failed')].sort());
    }
  });

  it("every node's Causes: paragraph names failed causes the catalogue has", () => {
    const failed = causesOf('failed');
    const paragraphs = DOC.split(/\n\s*\n/).filter((p) => /Causes:/.test(p));
    expect(paragraphs.length).toBeGreaterThan(15);
    for (const p of paragraphs) {
      const causes = p.slice(p.indexOf('Causes:'));
      for (const m of causes.matchAll(/`failed` ((?:`\w+`(?: \([^)]*\))?(?:, | or |; )?)+)/g)) {
        for (const cause of ticked(m[1].replace(/\([^)]*\)/g, ''))) expect(failed.has(cause), `${cause} in: ${causes.slice(0, 80)}`).toBe(true);
      }
    }
  });
});

describe('docs/api.md and the parameter rules', () => {
  it('booleans: exactly the documented spellings, in any case; absent or empty is false; others are invalid', () => {
    const line = DOC.split('\n').find((l) => l.startsWith('- Booleans'))!;
    const [yes, no] = line.slice(line.indexOf(':') + 1).split(' or ').map(ticked);
    expect(yes.length).toBeGreaterThanOrEqual(3);
    expect(no.length).toBe(yes.length);
    const bool = (value: string | undefined) => new ParamReader(value === undefined ? {} : { random: value }).bool('random');
    for (const v of yes) for (const s of [v, v.toUpperCase()]) expect(bool(s), s).toBe(true);
    for (const v of no) for (const s of [v, v.toUpperCase()]) expect(bool(s), s).toBe(false);
    expect(bool(undefined)).toBe(false);
    expect(bool('')).toBe(false);
    for (const other of ['y', 'n', '2', 'truthy', 'ja']) expect(refusal(() => bool(other))?.cause, other).toBe('random');
  });

  it('list limits: at most the documented 10,000, clamped; a whole number from 1 with at most 9 digits', () => {
    expect(DOC).toContain('answer at most 10,000 entries');
    expect(MAX_LIST_LIMIT).toBe(10_000);
    const limit = (value: string | undefined) => listLimit(new ParamReader(value === undefined ? {} : { limit: value }));
    expect(limit(undefined)).toBe(10_000);
    expect(limit('1')).toBe(1);
    expect(limit('999999999')).toBe(10_000);
    for (const bad of ['0', '-1', '1.5', 'ten', '', '1234567890']) expect(refusal(() => limit(bad))?.cause, bad).toBe('limit');
  });

  it('methods: the documented ones run a node, the documented others answer 405 with the documented Allow header', async () => {
    const allow = /answers 405 with `Allow: ([A-Z, ]+)`/.exec(DOC)![1];
    const others = ticked(/Any other method on a node's path \(([^)]*)\)/.exec(DOC)![1]).filter((m) => /^[A-Z]+$/.test(m));
    expect(others.length).toBeGreaterThanOrEqual(4);
    const db = await createTestDatabase('sqlite');
    const t = await startApp(db.connection, { auth: 'none' });
    try {
      for (const method of allow.split(', ')) expect((await t.app.inject({ method: method as 'GET', url: '/user/gen_pw' })).statusCode, method).toBe(200);
      for (const method of others) {
        const r = await t.app.inject({ method: method as 'PUT', url: '/user/gen_pw' });
        expect([r.statusCode, r.headers.allow], method).toEqual([405, allow]);
      }
    } finally {
      await t.close();
      await db.drop();
    }
  });
});
