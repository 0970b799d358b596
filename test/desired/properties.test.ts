import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadDesiredState, type DiagnosticCode } from '../../src/desired/index.js';
import type { RawDesiredFile, RawUser } from '../../src/desired/raw-types.js';
import { scratchFiles } from '../helpers/scratch-files.js';

const write = scratchFiles('desired');

const DOMAINS = ['example.com', 'example.org', 'voip.example.net'];
const POOL_START = 4722334400;

/** A valid desired state: local users (some with numbers from the pool), remote users, aliases, phones. */
const validState = fc
  .record({
    domainCount: fc.integer({ min: 1, max: 3 }),
    locals: fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9._-]{0,11}$/), fc.nat(2), fc.boolean(), fc.string({ maxLength: 12 })), { selector: ([u, d]) => `${u}@${d}`, maxLength: 12 }),
    remotes: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/), { maxLength: 4 }),
    aliasNames: fc.uniqueArray(fc.stringMatching(/^[a-z]{1,8}$/), { maxLength: 6 }),
    phoneCount: fc.nat(4),
    seed: fc.nat(),
  })
  .map(({ domainCount, locals, remotes, aliasNames, phoneCount, seed }) => {
    const domains = DOMAINS.slice(0, domainCount);
    const users: RawUser[] = [];
    let n = 0;
    for (const [username, d, withNumber, displayname] of locals) {
      const user: RawUser = { user: `${username}@${domains[d % domains.length]}`, displayname };
      if (withNumber) user.number = `+${POOL_START + n++}`;
      users.push(user);
    }
    // dedupe after folding the domain index
    const unique = [...new Map(users.map((u) => [u.user, u])).values()];
    for (const r of remotes) unique.push({ user: `${r}@partner.net`, registrar: 'sip.partner.net', password: { env: 'PARTNER_PASSWORD' } });
    const state: RawDesiredFile = {
      version: 1,
      domains: domains.map((domain) => ({ domain })),
      numbers: { ranges: [{ start: `+${POOL_START}`, end: `+${POOL_START + 99}` }], numbers: ['+4761123456'] },
      users: unique,
      aliases: unique.length === 0 ? [] : aliasNames.map((a, i) => ({ alias: `alias-${a}@${domains[i % domains.length]}`, destination: unique[(seed + i) % unique.length].user })),
      phones: unique.length === 0 ? [] : Array.from({ length: phoneCount }, (_, i) => ({ mac: (0x0004f2000000 + i).toString(16).padStart(12, '0'), users: [...new Set([unique[(seed + i) % unique.length].user, unique[(seed + 2 * i + 1) % unique.length].user])] })),
    };
    return state;
  });

const load = (file: string) => loadDesiredState([file], { secrets: 'required', env: { PARTNER_PASSWORD: 'x-example' } });

describe('property: generated valid states', () => {
  it('load with no diagnostic, and every declared object is in the state', async () => {
    await fc.assert(
      fc.asyncProperty(validState, async (raw) => {
        const result = await load(write(stringify(raw, { aliasDuplicateObjects: false }))); // hermes' format has no anchors or aliases
        expect(result.diagnostics).toEqual([]);
        expect(result.state!.users!.length).toBe(raw.users!.length);
        expect(result.state!.aliases!.length).toBe(raw.aliases!.length);
        expect(result.state!.phones!.length).toBe(raw.phones!.length);
        expect(result.state!.users!.filter((u) => u.kind === 'remote').every((u) => u.password === 'x-example')).toBe(true);
      }),
      { numRuns: 80 },
    );
  });
});

type Breakage = { name: string; code: DiagnosticCode; applies: (s: RawDesiredFile) => boolean; apply: (s: RawDesiredFile) => void };
const locals = (s: RawDesiredFile) => s.users!.filter((u) => !u.registrar);
const BREAKAGES: Breakage[] = [
  { name: 'a user twice', code: 'HERMES_DUPLICATE_USER', applies: (s) => s.users!.length > 0, apply: (s) => s.users!.push({ ...s.users![0], number: undefined, password: undefined, registrar: s.users![0].registrar }) },
  { name: 'a domain twice', code: 'HERMES_DUPLICATE_DOMAIN', applies: () => true, apply: (s) => s.domains!.push({ domain: s.domains![0].domain.toUpperCase() }) },
  { name: 'a number outside the pool', code: 'HERMES_NUMBER_NOT_IN_POOL', applies: (s) => locals(s).some((u) => !u.number), apply: (s) => (locals(s).find((u) => !u.number)!.number = '+4799999999') },
  { name: 'a number used twice', code: 'HERMES_NUMBER_IN_USE', applies: (s) => locals(s).some((u) => u.number) && locals(s).some((u) => !u.number), apply: (s) => (locals(s).find((u) => !u.number)!.number = locals(s).find((u) => u.number)!.number) },
  { name: 'a number in the pool twice', code: 'HERMES_DUPLICATE_NUMBER', applies: () => true, apply: (s) => s.numbers!.numbers!.push(`+${POOL_START + 5}`) },
  { name: 'an inverted range', code: 'HERMES_RANGE_INVERTED', applies: () => true, apply: (s) => s.numbers!.ranges!.push({ start: '+4790000010', end: '+4790000001' }) },
  { name: 'a range over 1,000,000', code: 'HERMES_RANGE_TOO_LARGE', applies: () => true, apply: (s) => s.numbers!.ranges!.push({ start: '+4790000000', end: '+4791000000' }) },
  { name: 'an alias twice', code: 'HERMES_DUPLICATE_ALIAS', applies: (s) => s.aliases!.length > 0, apply: (s) => s.aliases!.push({ ...s.aliases![0] }) },
  { name: 'an alias to an undeclared local user', code: 'HERMES_ALIAS_UNDECLARED_DESTINATION', applies: (s) => s.aliases!.length > 0, apply: (s) => (s.aliases![0].destination = `nobody-here@${s.domains![0].domain}`) },
  { name: 'an alias equal to a user', code: 'HERMES_ALIAS_IS_USER', applies: (s) => locals(s).length > 0 && s.aliases!.length > 0, apply: (s) => (s.aliases![0].alias = locals(s)[0].user) },
  { name: 'an alias in an unlisted domain', code: 'HERMES_ALIAS_DOMAIN_NOT_LISTED', applies: (s) => s.aliases!.length > 0, apply: (s) => (s.aliases![0].alias = 'x@unlisted.example') },
  { name: 'a remote user without registrar', code: 'HERMES_REMOTE_WITHOUT_REGISTRAR', applies: () => true, apply: (s) => s.users!.push({ user: 'zed@elsewhere.example' }) },
  { name: 'a local user with a registrar', code: 'HERMES_LOCAL_WITH_REMOTE_FIELDS', applies: (s) => locals(s).length > 0, apply: (s) => (locals(s)[0].registrar = 'sip.example.com') },
  { name: 'an invalid MAC', code: 'HERMES_INVALID_MAC', applies: (s) => s.phones!.length > 0, apply: (s) => (s.phones![0].mac = 'not-a-mac') },
  { name: 'a phone twice', code: 'HERMES_DUPLICATE_PHONE', applies: (s) => s.phones!.length > 0, apply: (s) => s.phones!.push({ ...s.phones![0], mac: s.phones![0].mac.toUpperCase() }) },
  { name: 'a user on a phone twice', code: 'HERMES_PHONE_DUPLICATE_LINE', applies: (s) => s.phones!.length > 0, apply: (s) => s.phones![0].users.push(s.phones![0].users[0]) },
  { name: 'an undeclared phone line', code: 'HERMES_PHONE_LINE_UNDECLARED', applies: (s) => s.phones!.length > 0, apply: (s) => s.phones![0].users.push('ghost@example.com') },
  { name: 'an invalid E.164 number', code: 'HERMES_INVALID_E164', applies: () => true, apply: (s) => s.numbers!.numbers!.push('+0123') },
  { name: 'an invalid address', code: 'HERMES_INVALID_ADDRESS', applies: () => true, apply: (s) => s.users!.push({ user: 'no at sign' }) },
  { name: 'a username over 64 characters', code: 'HERMES_TOO_LONG', applies: () => true, apply: (s) => s.users!.push({ user: `${'u'.repeat(65)}@example.com` }) },
  { name: 'an unset secret', code: 'HERMES_SECRET_ENV_UNSET', applies: (s) => s.users!.length > 0, apply: (s) => (s.users![0].password = { env: 'HERMES_TEST_SURELY_UNSET' }) },
  { name: 'an unknown property', code: 'HERMES_SCHEMA', applies: (s) => s.users!.length > 0, apply: (s) => ((s.users![0] as unknown as Record<string, unknown>).passwd = 'x') },
  { name: 'a second E.164 alias', code: 'HERMES_MULTIPLE_E164_ALIASES', applies: (s) => locals(s).some((u) => u.number), apply: (s) => s.aliases!.push({ alias: `+${POOL_START + 90}@${s.domains![0].domain}`, destination: locals(s).find((u) => u.number)!.user }) },
];

describe('property: each single breakage of a valid state is caught', () => {
  it.each(BREAKAGES.map((b) => [b.name, b] as const))('%s', async (_, breakage) => {
    await fc.assert(
      fc.asyncProperty(validState.filter(breakage.applies), async (raw) => {
        breakage.apply(raw);
        const result = await load(write(stringify(raw, { aliasDuplicateObjects: false }))); // hermes' format has no anchors or aliases
        expect(result.state).toBeUndefined();
        expect(result.diagnostics.map((d) => d.code)).toContain(breakage.code);
        for (const d of result.diagnostics) {
          expect(d.line).toBeGreaterThan(0);
          expect(d.column).toBeGreaterThan(0);
        }
      }),
      { numRuns: 15 },
    );
  });
});

describe('property: garbage never crashes the loader', () => {
  const wellFormed = (r: Awaited<ReturnType<typeof load>>) => {
    expect(Array.isArray(r.diagnostics)).toBe(true);
    for (const d of r.diagnostics) {
      expect(d.code).toMatch(/^HERMES_/);
      expect(Number.isInteger(d.line) && Number.isInteger(d.column)).toBe(true);
    }
    expect(r.state === undefined).toBe(r.diagnostics.some((d) => d.severity === 'error'));
  };

  it('random bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => wellFormed(await load(write(bytes)))), { numRuns: 300 });
  });

  it('random YAML documents', async () => {
    const value = fc.letrec((tie) => ({
      any: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 2 }), tie('obj'), fc.array(tie('any'), { maxLength: 3 })),
      obj: fc.dictionary(fc.constantFrom('version', 'domains', 'users', 'aliases', 'phones', 'numbers', 'ranges', 'user', 'alias', 'destination', 'mac', 'domain', 'number', 'password', 'env', 'file', 'start', 'end', 'state', 'unmanaged', 'registrar', 'x'), tie('any'), { maxKeys: 5 }),
    })).any;
    await fc.assert(fc.asyncProperty(value, async (v) => wellFormed(await load(write(stringify(v))))), { numRuns: 300 });
  });

  it('valid states with random edits to their text', async () => {
    const edit = fc.tuple(fc.nat(), fc.nat(6), fc.string({ unit: fc.constantFrom(' ', '-', ':', '{', '[', '"', "'", '&a', '*a', '!!', '#', '\n', '\t', 'x', '1', '@', '+'), maxLength: 4 }));
    await fc.assert(
      fc.asyncProperty(validState, fc.array(edit, { minLength: 1, maxLength: 4 }), async (raw, edits) => {
        let text = stringify(raw);
        for (const [at, del, ins] of edits) {
          const i = at % (text.length + 1);
          text = text.slice(0, i) + ins + text.slice(i + del);
        }
        wellFormed(await load(write(text)));
      }),
      { numRuns: 200 },
    );
  });
});
