/**
 * The promise of issue 12: anything `validate` accepts, `apply` applies without error, and
 * then plans no changes. fast-check draws every user field of the field model (and the
 * password) from values near and past each limit, odd characters included; each YAML file is
 * loaded as `validate` loads it, and the states it accepts are applied to a real database.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { loadDesiredState } from '../../src/desired/index.js';
import { USER_FIELDS, userFieldMaxLength, type FieldSpec, type UserFieldName } from '../../src/model/index.js';
import { applyDesiredState } from '../../src/reconcile/apply.js';
import { computePlan } from '../../src/reconcile/plan.js';
import { readActualState } from '../../src/reconcile/read-actual.js';
import { describeEachDatabase } from '../helpers/databases.js';

const dir = mkdtempSync(join(tmpdir(), 'hermes-validate-apply-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Characters that make trouble somewhere: controls, quotes, SQL and shell, non-ASCII, emoji, surrogates. */
const ODD = ['\u0000', '\t', '\n', '\u001b', '\u007f', '"', "'", '\\', '%', '_', '*', '?', ';', '`', '@', ' ', ':', '[', ']', 'ø', 'Æ', 'ß', '中', '😀', '\u200b', '\ud800', 'A', 'z', '0', '.', '-'];
/** Characters any text field may hold, the awkward ones included. */
const SAFE = ['"', "'", '\\', '%', '_', '*', '?', ';', '`', '@', ' ', ':', '[', ']', 'ø', 'Æ', 'ß', '中', '😀', '\u200b', 'A', 'z', '0', '.', '-', '<', '&', '$'];

/** Mostly values validate accepts (so that apply runs), sometimes anything. */
const mostly = <T>(valid: fc.Arbitrary<T>, any: fc.Arbitrary<T>) => fc.oneof({ arbitrary: valid, weight: 9 }, { arbitrary: any, weight: 1 });

/** Strings of these characters: short ones, and ones at the limit (`max` UTF-16 units, an emoji counting two) or, with `over`, one past it. */
function joined(chars: readonly string[], max: number, over = false): fc.Arbitrary<string> {
  const short = fc.array(fc.constantFrom(...chars), { maxLength: 12 }).map((a) => a.join(''));
  const atLimit = fc.tuple(fc.constantFrom('x', 'é', '😀', "'"), fc.integer({ min: max - 1, max: over ? max + 1 : max })).map(([c, n]) => c.repeat(n).slice(0, n));
  return fc.oneof(short, atLimit);
}

const LABEL = fc.stringMatching(/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?$/);
const hostName = fc.array(LABEL, { minLength: 1, maxLength: 4 }).map((l) => l.join('.'));

function fieldValue(spec: FieldSpec<UserFieldName>): fc.Arbitrary<string | number> {
  const max = userFieldMaxLength(spec.name);
  switch (spec.type) {
    case 'port':
      return mostly(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: -1, max: 65537 }));
    case 'host':
      return mostly(
        fc.oneof(hostName, fc.constantFrom('SIP.Partner.NET', '192.0.2.1', '[2001:db8::1]', '[::1]', `${'a'.repeat(63)}.${'b'.repeat(63)}`)),
        fc.oneof(fc.constantFrom('2001:db8::1', `${'a'.repeat(63)}.${'b'.repeat(64)}`, '[x]'), joined(ODD, 20)),
      );
    case 'username':
      return mostly(fc.stringMatching(/^[a-zA-Z0-9\-_.!~*'()&=+$,;?/]{1,64}$/), fc.oneof(fc.constantFrom('a'.repeat(65), '%4', 'a b'), joined(ODD, 10, true)));
    case 'email':
      return mostly(fc.tuple(joined(SAFE.filter((c) => c !== ' ' && c !== '@'), 20), hostName).map(([l, h]) => (l === '' ? '' : `${l}@${h}`)), joined(ODD, max, true));
    default:
      return mostly(joined(SAFE, max), joined(ODD, max, true));
  }
}

/** A user's fields: each present or not, with a drawn value. */
const fields = fc.record(Object.fromEntries(USER_FIELDS.map((f) => [f.name, fieldValue(f)])) as Record<UserFieldName, fc.Arbitrary<string | number>>, { requiredKeys: [] });
const password = mostly(fc.stringMatching(/^[\x21-\x7e]{1,64}$/), fc.oneof(fc.constantFrom('p'.repeat(65), 'pass word', 'pæss'), joined(ODD, 8, true)));

const scalar = (v: string | number) => (typeof v === 'number' ? String(v) : JSON.stringify(v));

function yamlOf(local: Partial<Record<UserFieldName, string | number>>, remote: Partial<Record<UserFieldName, string | number>>): string {
  const lines = ['version: 1', 'domains:', '  - domain: example.com', 'users:', '  - user: alice@example.com'];
  for (const f of USER_FIELDS) if (f.scope === 'all' && local[f.name] !== undefined) lines.push(`    ${f.name}: ${scalar(local[f.name]!)}`);
  lines.push('  - user: bob@partner.net', `    password: { env: BOB_PW }`);
  if (remote.registrar === undefined) lines.push('    registrar: sip.partner.net');
  for (const f of USER_FIELDS) if (remote[f.name] !== undefined) lines.push(`    ${f.name}: ${scalar(remote[f.name]!)}`);
  return lines.join('\n') + '\n';
}

describeEachDatabase('validate => apply', (suite) => {
  it('applies every drawn desired state that validate accepts, then plans no changes', async () => {
    const db = suite.db.connection;
    const file = join(dir, `${suite.dialect}.yaml`);
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fields, fields, password, async (local, remote, pw) => {
        writeFileSync(file, yamlOf(local, remote));
        const loaded = await loadDesiredState([file], { secrets: 'required', env: { BOB_PW: pw } });
        if (loaded.state === undefined) return; // refused by validate, with its diagnostics
        accepted++;
        await suite.clear();
        const outcome = await applyDesiredState(db, { desired: loaded.state, actor: 'property', confirm: async () => true, force: true });
        expect(outcome.applied).toBe(true);
        expect(computePlan(loaded.state, await readActualState(db)).changes).toEqual([]);
      }),
      { numRuns: suite.dialect === 'sqlite' ? 150 : 40 },
    );
    // The draw reaches both sides: some states pass validate (and were applied).
    expect(accepted).toBeGreaterThan(0);
  }, 300_000);
});
