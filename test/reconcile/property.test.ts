import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { DesiredState, DesiredUser } from '../../src/desired/types.js';
import { applyDesiredState } from '../../src/reconcile/apply.js';
import { computePlan } from '../../src/reconcile/plan.js';
import { readActualState } from '../../src/reconcile/read-actual.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { domain, remote, state, user } from './builders.js';
import { snapshot } from './fixtures.js';

const DOMAINS = ['a.com', 'b.com', 'c.org'];
const USERNAMES = ['alice', 'bob', 'carol', 'dave'];
const ALIASES = ['sales', 'info', 'support'];
const REMOTES = ['r1@partner.net', 'r2@partner.net'];
const MACS = ['0004f2000001', '0004f2000002', '0004f2000003'];
const POOL = { start: '+4720000000', end: '+4720000019' };
const numberAt = (i: number) => `+47200000${String(i).padStart(2, '0')}`;

/** A valid desired state over a small universe. `allDomains`: every domain listed (present or absent). */
function desiredState(allDomains: boolean): fc.Arbitrary<DesiredState> {
  return fc
    .record({
      domainStates: fc.array(fc.constantFrom<'present' | 'absent' | 'unlisted'>('present', 'absent', 'unlisted'), { minLength: 3, maxLength: 3 }),
      users: fc.array(fc.tuple(fc.boolean(), fc.string({ maxLength: 6 }), fc.option(fc.nat({ max: 19 }), { nil: undefined })), { minLength: 12, maxLength: 12 }),
      remotes: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
      remoteNames: fc.array(fc.constantFrom('', 'Remote', 'Bob'), { minLength: 2, maxLength: 2 }),
      aliases: fc.array(fc.option(fc.nat({ max: 20 }), { nil: undefined }), { minLength: 9, maxLength: 9 }),
      phones: fc.array(fc.array(fc.nat({ max: 20 }), { maxLength: 3 }), { minLength: 3, maxLength: 3 }),
    })
    .map((r) => {
      const domains = DOMAINS.flatMap((d, i) => {
        const s = r.domainStates[i] === 'unlisted' && allDomains ? 'absent' : r.domainStates[i];
        return s === 'unlisted' ? [] : [domain(d, { state: s })];
      });
      const present = domains.filter((d) => d.state === 'present').map((d) => d.domain);
      const users: DesiredUser[] = [];
      const usedNumbers = new Set<number>();
      present.forEach((d) => {
        USERNAMES.forEach((u, j) => {
          const [on, displayname, n] = r.users[DOMAINS.indexOf(d) * 4 + j];
          if (!on) return;
          const number = n !== undefined && !usedNumbers.has(n) ? (usedNumbers.add(n), numberAt(n)) : undefined;
          users.push(user(`${u}@${d}`, { displayname, number }));
        });
      });
      REMOTES.forEach((a, i) => r.remotes[i] && users.push(remote(a, { displayname: r.remoteNames[i] })));
      const aliases = present.flatMap((d) =>
        ALIASES.flatMap((a, j) => {
          const pick = r.aliases[DOMAINS.indexOf(d) * 3 + j];
          if (pick === undefined || users.length === 0) return [];
          const dest = users[pick % users.length];
          return [{ alias_username: a, alias_domain: d, username: dest.username, domain: dest.domain }];
        }),
      );
      const phones = MACS.flatMap((mac, i) => {
        const lines = [...new Set(r.phones[i].filter(() => users.length > 0).map((p) => users[p % users.length].address))];
        return lines.length > 0 ? [{ mac, lines }] : [];
      });
      return state({ domains, numbers: { ranges: [POOL], numbers: [] }, users, aliases, phones });
    });
}

describeEachDatabase('apply(A) then apply(B) equals apply(B) on an empty database', (suite) => {
  it('holds for random desired states, and B then plans no changes', async () => {
    const db = suite.db.connection;
    const apply = (desired: DesiredState) => applyDesiredState(db, { desired, actor: 'property', confirm: async () => true, force: true });
    await fc.assert(
      fc.asyncProperty(desiredState(false), desiredState(true), async (a, b) => {
        await suite.clear();
        await apply(b);
        const expected = await snapshot(db);
        await suite.clear();
        await apply(a);
        await apply(b);
        expect(await snapshot(db)).toEqual(expected);
        expect(computePlan(b, await readActualState(db)).changes).toEqual([]);
      }),
      { numRuns: suite.dialect === 'sqlite' ? 40 : 12 },
    );
  }, 300_000);
});
