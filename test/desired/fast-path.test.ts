import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseDocument, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseFast } from '../../src/desired/fast-parse.js';
import { indexSections, locatePaths } from '../../src/desired/locate.js';
import { schemaAccepts } from '../../src/desired/schema.js';
import { locate as locatePath, parseSourceFile, type Segment } from '../../src/desired/source-file.js';
import { clearLocateCache, loadDesiredState, locate, type DesiredState, type LoadOptions, type SecretsMode, type SourceLocation } from '../../src/desired/index.js';
import type { RawDesiredFile, RawUser } from '../../src/desired/raw-types.js';
import { scratchFiles } from '../helpers/scratch-files.js';

/**
 * The fast path (js-yaml, no positions) and the positioned pipeline (yaml's parseDocument)
 * must agree: on validity, on the diagnostics (the positioned pipeline produces them all), and
 * on the state, whose fast-path positions locate() resolves to the positioned ones.
 */
const write = scratchFiles('fast');

const ENV = { PARTNER_PASSWORD: 'x-example', EMPTY_SECRET: '' };
const load = (files: string[], options: Partial<LoadOptions> = {}) => loadDesiredState(files, { secrets: 'required', env: ENV, ...options });

/** Every `at` of a state, resolved with locate(). */
function located(state: DesiredState): DesiredState {
  const fix = <T extends { at?: SourceLocation }>(o: T): T => (o.at ? { ...o, at: locate(o.at) } : o);
  return {
    ...state,
    ...(state.numbers && { numbers: fix(state.numbers) }),
    ...(state.domains && { domains: state.domains.map(fix) }),
    ...(state.users && { users: state.users.map(fix) }),
    ...(state.aliases && { aliases: state.aliases.map(fix) }),
    ...(state.phones && { phones: state.phones.map(fix) }),
  };
}

function lineZero(state: DesiredState): boolean {
  const all = [state.numbers, ...(state.domains ?? []), ...(state.users ?? []), ...(state.aliases ?? []), ...(state.phones ?? [])];
  return all.every((o) => !o?.at || (o.at.line === 0 && o.at.column === 0));
}

describe('the fast path', () => {
  it('reads a valid file without positions, and locate() resolves its `at` exactly', async () => {
    clearLocateCache();
    const lazy = await load(['examples/hermes.yaml'], { secrets: 'required', env: {}, positions: 'lazy' });
    expect(lazy.parse).toBe('fast');
    expect(lazy.diagnostics).toEqual([]);
    const alice = lazy.state!.users!.find((u) => u.address === 'alice@example.com')!;
    expect(alice.at).toEqual({ file: 'examples/hermes.yaml', line: 0, column: 0, path: 'users[0]' });
    expect(locate(alice.at!)).toEqual({ file: 'examples/hermes.yaml', line: 20, column: 5, path: 'users[0]' });
    expect(lineZero(lazy.state!)).toBe(true);

    const positioned = await load(['examples/hermes.yaml'], { env: {}, parser: 'positioned' });
    expect(positioned.parse).toBe('positioned');
    expect(located(lazy.state!)).toEqual(positioned.state);
    // small inputs get their positions eagerly by default
    const auto = await load(['examples/hermes.yaml'], { env: {} });
    expect(auto.parse).toBe('fast');
    expect(auto.state).toEqual(positioned.state);
  });

  it('an invalid file gets the positioned pipeline and exact positions', async () => {
    const r = await load(['test/fixtures/desired/duplicate-user.yaml']);
    expect(r.parse).toBe('positioned');
    expect(r.state).toBeUndefined();
    expect(r.diagnostics).toEqual([expect.objectContaining({ code: 'HERMES_DUPLICATE_USER', line: 7, column: 11, path: 'users[1].user' })]);
    expect(r.diagnostics[0].message).toContain('test/fixtures/desired/duplicate-user.yaml:5:11');
  });

  it("a secret's warning or error stays on the fast path, with its exact position", async () => {
    const r = await load(['test/fixtures/desired/plaintext-secret.yaml'], { secrets: 'warn' });
    expect(r.parse).toBe('fast');
    expect(r.state).toBeDefined();
    expect(r.diagnostics.map((d) => [d.code, d.line, d.column, d.path])).toEqual([['HERMES_PLAINTEXT_SECRET', 6, 15, 'users[0].password']]);
    const unset = await load(['test/fixtures/desired/secret-env-unset.yaml'], { env: {} });
    expect(unset.parse).toBe('fast');
    expect(unset.state).toBeUndefined();
    expect(unset.diagnostics.map((d) => [d.code, d.severity, d.line, d.column])).toEqual([['HERMES_SECRET_ENV_UNSET', 'error', 6, 15]]);
    // with any other diagnostic, the positioned pipeline reports them all
    const file = write('version: 1\ndomains:\n  - domain: example.com\nusers:\n  - user: a@example.com\n    password: plain-example\n  - user: a@example.com\n');
    const both = await load([file], { secrets: 'warn' });
    expect(both.parse).toBe('positioned');
    expect(both.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([['HERMES_PLAINTEXT_SECRET', 6, 15], ['HERMES_DUPLICATE_USER', 7, 11]]);
  });

  it('a file the fast parser declines (an anchor) is read by the positioned pipeline', async () => {
    const file = write('version: 1\ndomains:\n  - domain: &d example.com\nusers:\n  - user: alice@example.com\n');
    const r = await load([file]);
    expect(r.diagnostics).toEqual([]);
    expect(r.parse).toBe('positioned');
    expect(r.state!.users![0].at).toEqual({ file, line: 5, column: 5, path: 'users[0]' });
  });

  it('a key, blank lines, a comment line, then a plain scalar: declined (yaml rejects what js-yaml reads as the value)', async () => {
    // Found by the property below (seed 280154392): js-yaml read password: "PARTNER_PASSWORD".
    // yaml reads the first as displayname: Alice, and rejects the others (a multi-line implicit key).
    for (const [gap, codes] of [['\n', []], ['\n\n', ['HERMES_YAML_SYNTAX']], ['\n  \n\n', ['HERMES_YAML_SYNTAX']]] as const) {
      const text = `version: 1\ndomains:\n  - domain: example.com\nusers:\n  - user: alice@example.com\n    displayname:${gap}#      note\n        Alice\n    linetext: x\n`;
      expect(parseFast('f.yaml', text)).toBeUndefined();
      const r = await load([write(text)]);
      expect(r.parse).toBe('positioned');
      expect(r.diagnostics.map((d) => d.code)).toEqual(codes);
    }
  });

  it('an empty block sequence entry: js-yaml nests the next, less indented entry in it; the schema refuses that, and locate() places nothing from it', async () => {
    // Found by the positions property below (seed -714436421): "      - #a@partner.net" then "  - mac: …".
    for (const entry of ['-', '- ', '- #c', '-   # c']) {
      const text = `version: 1\ndomains:\n  - domain: example.com\nusers:\n  - user: a@example.com\nphones:\n  - mac: "0004f2000000"\n    users:\n      - a@example.com\n      ${entry}\n  - mac: "0004f2000001"\n    users: [a@example.com]\n`;
      const fast = parseFast('f.yaml', text);
      expect(fast === undefined || !schemaAccepts(fast.data)).toBe(true);
      expect(indexSections(text)).toBeUndefined();
      expect(locatePaths(text, [['phones', 1, 'mac']])).toEqual([undefined]);
      const r = await load([write(text)]);
      expect(r.parse).toBe('positioned');
      expect(r.diagnostics.map((d) => [d.code, d.line, d.path])).toEqual([['HERMES_SCHEMA', 10, 'phones[0].users[1]']]); // yaml's reading: a null line, not a third phone
    }
  });

  it('a line "-" inside a block scalar is content, not an empty entry: the fast path reads it', async () => {
    // Found by the property below (seed 1995815290) when empty entries were looked for in the text.
    const text = 'version: 1\ndomains:\n  - domain: example.com\nusers:\n  - user: a@example.com\n    displayname: |-\n      -\n  - user: b@example.com\n';
    expect(parseFast('f.yaml', text)?.data).toMatchObject({ users: [{ displayname: '-' }, { user: 'b@example.com' }] });
    const r = await load([write(text)]);
    expect([r.parse, r.diagnostics]).toEqual(['fast', []]);
  });

  it('a block scalar with an explicit indentation indicator: declined (js-yaml and yaml read its lines of spaces differently)', async () => {
    // Found by the property below (seed -886335277): "displayname: |2-" over a line of 7 spaces.
    for (const header of ['|2-', '|2', '>2-', '|-2', '>+1']) {
      const text = `version: 1\ndomains:\n  - domain: example.com\nusers:\n  - user: a@example.com\n    displayname: ${header}\n       \n  - user: b@example.com\n`;
      expect(parseFast('f.yaml', text)).toBeUndefined();
      const r = await load([write(text)]);
      expect(r.parse).toBe('positioned');
    }
    const r = await load([write('version: 1\ndomains:\n  - domain: example.com\nusers:\n  - user: a@example.com\n    displayname: |2-\n       \n')]);
    expect(r.state?.users?.[0].displayname).toBe(''); // yaml's reading
  });

  it('locate() re-reads a file that changed, and leaves a location in an unreadable file as it is', async () => {
    const file = write('version: 1\nusers:\n  - user: bob@partner.net\n    registrar: sip.partner.net\n');
    const r = await load([file], { positions: 'lazy' });
    expect(r.parse).toBe('fast');
    const at = r.state!.users![0].at!;
    expect(locate(at)).toMatchObject({ line: 3, column: 5 });
    writeFileSync(file, '# moved down\nversion: 1\nusers:\n\n  - user: bob@partner.net\n    registrar: sip.partner.net\n    r_port: 5070\n');
    expect(locate(at)).toMatchObject({ line: 5, column: 5 });
    rmSync(file);
    expect(locate(at)).toEqual(at);
  });
});

// ---- property: fast and positioned agree ------------------------------------------------------

const DOMAINS = ['example.com', 'example.org'];
const POOL_START = 4722334400;

/** No password, or one that resolves, or a secret's warning or error (plain, unset, missing file, empty). */
const SECRET = fc.option(fc.constantFrom<RawUser['password']>({ env: 'PARTNER_PASSWORD' }, 'plain-example', { env: 'HERMES_SURELY_UNSET' }, { file: 'no-such-secret.txt' }, { env: 'EMPTY_SECRET' }), { nil: undefined, freq: 3 });

const rawState = fc
  .record({
    locals: fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9._-]{0,7}$/), fc.nat(1), fc.boolean(), fc.oneof(fc.string({ maxLength: 8 }), fc.string({ unit: fc.constantFrom(...'aZ9 .,-()\'"#:/éø'), maxLength: 12 })), SECRET), { selector: ([u, d]) => `${u}@${d}`, maxLength: 8 }),
    remotes: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/), { maxLength: 3 }),
    aliasNames: fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { maxLength: 4 }),
    phoneCount: fc.nat(3),
    seed: fc.nat(),
    sections: fc.subarray(['numbers', 'aliases', 'phones'] as const), // domains and users are always there
  })
  .map(({ locals, remotes, aliasNames, phoneCount, seed, sections }) => {
    const users: RawUser[] = [];
    let n = 0;
    for (const [username, d, withNumber, displayname, password] of locals) {
      const user: RawUser = { user: `${username}@${DOMAINS[d]}`, displayname };
      if (withNumber) user.number = `+${POOL_START + n++}`;
      if (password !== undefined) user.password = password;
      users.push(user);
    }
    for (const r of remotes) users.push({ user: `${r}@partner.net`, registrar: 'sip.partner.net', password: { env: 'PARTNER_PASSWORD' }, r_port: 5060 });
    const state: RawDesiredFile = {
      version: 1,
      domains: DOMAINS.map((domain) => ({ domain })),
      numbers: { ranges: [{ start: `+${POOL_START}`, end: `+${POOL_START + 99}` }], numbers: ['+4761123456'] },
      users,
      aliases: users.length === 0 ? [] : aliasNames.map((a, i) => ({ alias: `alias-${a}@${DOMAINS[i % 2]}`, destination: users[(seed + i) % users.length].user })),
      phones: users.length === 0 ? [] : Array.from({ length: phoneCount }, (_, i) => ({ mac: (0x0004f2000000 + i).toString(16).padStart(12, '0'), users: [...new Set([users[(seed + i) % users.length].user, users[(seed + 2 * i + 1) % users.length].user])] })),
    };
    for (const s of ['numbers', 'aliases', 'phones'] as const) if (!sections.includes(s)) delete state[s];
    return state;
  });

/** Text of a state in several YAML styles. */
type StringifyOptions = NonNullable<Parameters<typeof stringify>[2]> & object;
const STYLES: StringifyOptions[] = [{}, { collectionStyle: 'flow' }, { defaultStringType: 'QUOTE_DOUBLE' }, { defaultStringType: 'QUOTE_SINGLE', indentSeq: false }, { defaultStringType: 'BLOCK_LITERAL' }];
const text = fc.tuple(rawState, fc.constantFrom(...STYLES)).map(([s, style]) => stringify(s, style));

/** Edits that break a text in YAML's many ways. */
const edits = fc.array(
  fc.tuple(fc.nat(), fc.nat(4), fc.string({ unit: fc.constantFrom(' ', '  ', '-', ':', '{', '}', '[', ']', ',', '"', "'", '&a', '*a', '!!str', '!x', '? ', '#', '\n', '\t', '|', '>', '%', 'x', '1', '0x1', '.5', '1e3', '~', 'true', '@', '+', '---', '...', '\\'), maxLength: 4 })),
  { minLength: 0, maxLength: 3 },
);

function edited(base: string, list: [number, number, string][]): string {
  let t = base;
  for (const [at, del, ins] of list) {
    const i = at % (t.length + 1);
    t = t.slice(0, i) + ins + t.slice(i + del);
  }
  return t;
}

describe('property: the fast path and the positioned pipeline agree', () => {
  it('whatever the fast parse accepts and the schema allows, yaml reads without error or warning, as the same values', () => {
    // (Outside the schema the two may differ, e.g. a null key is "null" in js-yaml and "" in
    // yaml: the fast path then falls back to yaml anyway.)
    fc.assert(
      fc.property(text, edits, (base, list) => {
        const t = edited(base, list);
        const fast = parseFast('f.yaml', t);
        if (!fast || !schemaAccepts(fast.data)) return;
        const doc = parseDocument(t, { uniqueKeys: true });
        expect(doc.errors.map((e) => e.message)).toEqual([]);
        expect(doc.warnings.map((e) => e.message)).toEqual([]);
        expect(fast.data ?? null).toEqual(doc.toJS({ maxAliasCount: 1000 }) ?? null);
      }),
      { numRuns: Number(process.env.FAST_RUNS ?? 3000) },
    );
  });

  it('on validity, diagnostics and the state (positions resolved by locate), for valid and broken texts', async () => {
    await fc.assert(
      fc.asyncProperty(text, edits, fc.constantFrom<SecretsMode>('required', 'warn'), async (base, list, secrets) => {
        const file = write(edited(base, list));
        const fast = await load([file], { positions: 'lazy', secrets });
        const positioned = await load([file], { parser: 'positioned', secrets });
        expect(fast.diagnostics).toEqual(positioned.diagnostics);
        expect(fast.state === undefined).toBe(positioned.state === undefined);
        if (fast.parse === 'fast') {
          expect(fast.diagnostics.every((d) => d.code.includes('SECRET'))).toBe(true);
          if (fast.state) {
            expect(lineZero(fast.state)).toBe(true);
            expect(located(fast.state)).toEqual(positioned.state);
          }
          const eager = await load([file], { positions: 'eager', secrets });
          expect(eager).toEqual({ ...positioned, parse: 'fast' });
        } else expect(fast).toEqual(positioned);
      }),
      { numRuns: Number(process.env.FAST_RUNS ?? 250) },
    );
  });

  it('valid generated states take the fast path (when no value looks like an anchor, alias or tag, and no block scalar has an indentation indicator)', async () => {
    await fc.assert(
      fc.asyncProperty(text.filter((t) => !/[&*!?#\t\]}%]|[|>][-+]?[1-9]/.test(t)), async (t) => {
        const r = await load([write(t)], { positions: 'lazy', secrets: 'warn' });
        expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        expect(r.parse).toBe('fast');
      }),
      { numRuns: 60 },
    );
  });

  it('several files: a duplicate across files falls back and names both places', async () => {
    const a = write('version: 1\ndomains:\n  - domain: example.com\nusers:\n  - user: alice@example.com\n');
    const b = write('version: 1\nusers:\n  - { user: alice@example.com }\n');
    const r = await load([a, b]);
    expect(r.parse).toBe('positioned');
    expect(r.diagnostics.map((d) => `${d.code} ${d.file}:${d.line}:${d.column}`)).toEqual([`HERMES_DUPLICATE_USER ${b}:3:13`]);
    expect(r.diagnostics[0].message).toContain(`${a}:5:11`);
    const ok = write('version: 1\nusers:\n  - { user: bob@example.com }\n');
    const merged = await load([a, ok], { positions: 'lazy' });
    expect(merged.parse).toBe('fast');
    expect(located(merged.state!)).toEqual((await load([a, ok], { parser: 'positioned' })).state);
  });
});

describe('indexSections (how locate() finds sections and list items in a large file)', () => {
  const fixtures = ['examples/hermes.yaml', ...readdirSync('test/fixtures/desired').filter((f) => f.endsWith('.yaml')).map((f) => `test/fixtures/desired/${f}`)];
  const check = (file: string, t: string) => {
    const index = indexSections(t);
    if (!index) return 0;
    const source = parseSourceFile(file, t, false);
    let n = 0;
    for (const [name, section] of index) {
      expect(section.at, `${file} ${name}`).toEqual(pick(locatePath(source, [name])));
      section.items?.forEach((p, i) => expect(p, `${file} ${name}[${i}]`).toEqual(pick(locatePath(source, [name, i]))));
      n += 1 + (section.items?.length ?? 0);
    }
    // locatePaths (the positions of secrets' diagnostics): every value in the document
    const paths: Segment[][] = [];
    const walk = (v: unknown, path: Segment[]) => {
      if (path.length > 0) paths.push(path);
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
      else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    };
    walk(parseDocument(t).toJS(), []);
    locatePaths(t, paths).forEach((p, i) => {
      if (p) expect(p, `${file} ${paths[i].join('.')}`).toEqual(pick(locatePath(source, paths[i])));
      if (p) n++;
    });
    return n;
  };
  const pick = (at: SourceLocation) => ({ line: at.line, column: at.column });

  it('gives the positions yaml gives, on every fixture', () => {
    let n = 0;
    for (const file of fixtures) n += check(file, readFileSync(file, 'utf8'));
    expect(n).toBeGreaterThan(500);
  });

  it('gives the positions yaml gives, on generated and edited texts (comments and blank lines included)', () => {
    const comment = fc.constantFrom('', '# c\n', '\n', '  # indented\n\n');
    fc.assert(
      fc.property(text, edits, fc.array(fc.tuple(fc.nat(), comment), { maxLength: 4 }), (base, list, comments) => {
        let t = edited(base, list);
        for (const [at, c] of comments) {
          const lines = t.split('\n');
          lines.splice(at % (lines.length + 1), 0, c.replace(/\n$/, ''));
          t = lines.join('\n');
        }
        if (parseDocument(t).errors.length > 0) return;
        check('f.yaml', t);
      }),
      { numRuns: Number(process.env.FAST_RUNS ?? 800) },
    );
  });
});
