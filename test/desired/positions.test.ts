import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { LineCounter, parseDocument, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { locate, parseSourceFile, type Segment, type SourceFile } from '../../src/desired/source-file.js';
import { loadDesiredState, type LoadOptions } from '../../src/desired/index.js';
import type { RawDesiredFile, RawUser } from '../../src/desired/raw-types.js';
import { scratchFiles } from '../helpers/scratch-files.js';

/**
 * One parser (js-yaml) reads each file once and records where every node starts. These tests
 * check those positions against the real line and column of each key and value (as an
 * independent reader, yaml's parseDocument, gives them wherever it reads the text the same way),
 * and what the parser accepts, on the corner cases where YAML readers are known to differ.
 */
const write = scratchFiles('positions');

const ENV = { PARTNER_PASSWORD: 'x-example', EMPTY_SECRET: '' };
const load = (files: string[], options: Partial<LoadOptions> = {}) => loadDesiredState(files, { secrets: 'required', env: ENV, ...options });

/** Every path in data, the root included. */
function paths(data: unknown): Segment[][] {
  const out: Segment[][] = [];
  const walk = (v: unknown, path: Segment[]) => {
    out.push(path);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(data, []);
  return out;
}

/** yaml's position of the value (or key) at path, 'line:col'. */
function yamlPositions(text: string): (path: Segment[], onKey?: boolean) => string | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  return (path, onKey = false) => {
    if (path.length === 0) {
      const range = (doc.contents as { range?: number[] } | null)?.range;
      return range ? pos(lineCounter.linePos(range[0])) : '1:1';
    }
    if (onKey) {
      const parent = doc.getIn(path.slice(0, -1), true) as { items?: { key: { value?: unknown; range?: number[] } }[] } | undefined;
      const pair = parent?.items?.find((p) => p.key && String(p.key.value) === String(path[path.length - 1]));
      return pair?.key.range ? pos(lineCounter.linePos(pair.key.range[0])) : undefined;
    }
    const node = doc.getIn(path, true) as { range?: number[] } | undefined;
    return node?.range ? pos(lineCounter.linePos(node.range[0])) : undefined;
  };
}
const pos = (p: { line: number; col: number }) => `${p.line}:${p.col}`;
const at = (source: SourceFile, path: Segment[], onKey = false) => {
  const l = locate(source, path, onKey);
  return `${l.line}:${l.column}`;
};

/** Checks every position of a text that both readers read the same way; the number checked. */
function checkPositions(text: string): number {
  const source = parseSourceFile('f.yaml', text);
  if (source.diagnostics.some((d) => d.severity === 'error')) return 0;
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0 || JSON.stringify(doc.toJS() ?? null) !== JSON.stringify(source.data)) return 0;
  const theirs = yamlPositions(text);
  let n = 0;
  for (const path of paths(source.data)) {
    // (yaml has no node for the missing value of a key in a flow mapping: { a, b: 1 })
    const value = theirs(path);
    if (value !== undefined) expect(at(source, path), `${path.join('.')} in\n${text}`).toBe(value);
    if (path.length > 0 && typeof path[path.length - 1] === 'string') expect(at(source, path, true), `key ${path.join('.')}`).toBe(theirs(path, true));
    n++;
  }
  return n;
}

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


describe('positions: the real line and column of every key and value', () => {
  it('on every fixture and example', () => {
    const files = ['examples/hermes.yaml', ...readdirSync('test/fixtures/desired').filter((f) => f.endsWith('.yaml')).map((f) => `test/fixtures/desired/${f}`)];
    let n = 0;
    for (const file of files) n += checkPositions(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
    expect(n).toBeGreaterThan(500);
  });

  it('on generated texts in every style, edited, with comments and blank lines', () => {
    const comment = fc.constantFrom('', '# c', '', '  # indented', '   ');
    let checked = 0;
    fc.assert(
      fc.property(text, edits, fc.array(fc.tuple(fc.nat(), comment), { maxLength: 4 }), (base, list, comments) => {
        const lines = edited(base, list).split('\n');
        for (const [i, c] of comments) lines.splice(i % (lines.length + 1), 0, c);
        checked += checkPositions(lines.join('\n'));
      }),
      { numRuns: Number(process.env.FAST_RUNS ?? 400) },
    );
    expect(checked).toBeGreaterThan(1000);
  }, 120_000);

  it('with CRLF and lone CR line ends', () => {
    const text = 'version: 1\r\ndomains:\r\n  - domain: example.com\r\nusers:\r\n  - user: alice@example.com\r\n    displayname: Alice\r\n';
    expect(checkPositions(text)).toBe(9);
    const source = parseSourceFile('f.yaml', 'version: 1\rusers:\r  - user: a@example.com\r');
    expect(at(source, ['users', 0, 'user'])).toBe('3:11');
  });

  it('syntax errors at js-yaml\'s mark, in hermes\' words', () => {
    const cases: [string, string, string][] = [
      ['version: 1\nusers:\n  - user: "alice\n', '4:1', 'not closed'],
      ['version: 1\nusers:\n  - user: a@example.com\n     x: 1\n', '4:1', 'indentation'],
      ['version: 1\nversion: 2\n', '2:1', 'twice'],
      ['version: 1\nusers: [a, b\n', '3:1', 'not closed'],
      ['version: 1\nusers:\n\t- user: a\n', '3:1', 'tab'],
    ];
    for (const [t, where, words] of cases) {
      const [d, ...rest] = parseSourceFile('f.yaml', t).diagnostics;
      expect(rest).toEqual([]);
      expect([d.code, `${d.line}:${d.column}`]).toEqual(['HERMES_YAML_SYNTAX', where]);
      expect(d.message).toContain(words);
      expect(d.message).not.toMatch(/\n|\^/); // no snippet of the parser's
    }
  });
});

describe('what is accepted: js-yaml\'s reading is the truth, with exact positions', () => {
  it('an empty block sequence entry is a null item placed after its dash (js-yaml nests a following, less indented entry in the list)', async () => {
    for (const entry of ['-', '- ', '- #c', '-   # c']) {
      const text = `version: 1\ndomains:\n  - domain: example.com\nusers:\n  - user: a@example.com\nphones:\n  - mac: "0004f2000000"\n    users:\n      - a@example.com\n      ${entry}\n  - mac: "0004f2000001"\n    users: [a@example.com]\n`;
      const source = parseSourceFile('f.yaml', text);
      expect(source.data).toMatchObject({ phones: [{ users: ['a@example.com', null, { mac: '0004f2000001' }] }] });
      // after the dash and its blanks: where the line ends or its comment starts
      const column = entry === '-' ? 8 : entry.includes('#') ? 7 + entry.indexOf('#') : 9;
      expect(at(source, ['phones', 0, 'users', 1])).toBe(`10:${column}`);
      expect(at(source, ['phones', 0, 'users', 2])).toBe('11:5');
      const r = await load([write(text)]);
      expect(r.state).toBeUndefined();
      expect(r.diagnostics.some((d) => d.code === 'HERMES_SCHEMA' && d.line === 10 && d.path === 'phones[0].users[1]')).toBe(true);
    }
  });

  it('a line "-" inside a block scalar is content, not an empty entry', async () => {
    const text = 'version: 1\ndomains:\n  - domain: example.com\nusers:\n  - user: a@example.com\n    displayname: |-\n      -\n  - user: b@example.com\n';
    expect(parseSourceFile('f.yaml', text).data).toMatchObject({ users: [{ displayname: '-' }, { user: 'b@example.com' }] });
    const r = await load([write(text)]);
    expect(r.diagnostics).toEqual([]);
    expect(r.state!.users!.map((u) => `${u.at!.line}:${u.at!.column}`)).toEqual(['5:5', '8:5']);
  });

  it('a comment line between a key and its plain value: js-yaml reads the value, placed where it is', () => {
    for (const gap of ['\n', '\n\n', '\n  \n\n']) {
      const text = `version: 1\nusers:\n  - user: alice@example.com\n    displayname:${gap}#      note\n        Alice\n    linetext: x\n`;
      const source = parseSourceFile('f.yaml', text);
      expect(source.data).toMatchObject({ users: [{ displayname: 'Alice', linetext: 'x' }] });
      const line = text.split('\n').findIndex((l) => l.includes('Alice')) + 1;
      expect(at(source, ['users', 0, 'displayname'])).toBe(`${line}:9`);
      expect(at(source, ['users', 0, 'linetext'])).toBe(`${line + 1}:15`);
    }
  });

  it('a block scalar with an explicit indentation indicator: js-yaml\'s reading, placed at the indicator', () => {
    for (const header of ['|2-', '|2', '>2-', '|-2', '>+1']) {
      const text = `version: 1\nusers:\n  - user: a@example.com\n    displayname: ${header}\n       \n  - user: b@example.com\n`;
      const source = parseSourceFile('f.yaml', text);
      expect(source.diagnostics).toEqual([]);
      expect(at(source, ['users', 0, 'displayname'])).toBe('4:18');
      expect(at(source, ['users', 1])).toBe('6:5');
    }
  });

  it('flow collections, quoted keys and values, and empty values', () => {
    const text = 'version: 1\ndomains: [{ domain: example.com }, {domain: "example.org"}]\nusers:\n  - "user": \'a@example.com\'\n    displayname:\n    email:    # none\n';
    expect(checkPositions(text)).toBe(12);
  });
});

describe('the loader: every `at` and diagnostic exact, from the one pass', () => {
  it('a valid file: the state points at each item', async () => {
    const r = await load(['examples/hermes.yaml'], { env: {} });
    const alice = r.state!.users!.find((u) => u.address === 'alice@example.com')!;
    expect(alice.at).toEqual({ file: 'examples/hermes.yaml', line: 20, column: 5, path: 'users[0]' });
    const theirs = yamlPositions(readFileSync('examples/hermes.yaml', 'utf8'));
    for (const section of ['domains', 'users', 'aliases', 'phones'] as const) r.state![section]!.forEach((o, i) => expect(`${o.at!.line}:${o.at!.column}`).toBe(theirs([section, i])));
  });

  it("a secret's diagnostic and a duplicate, each at its place", async () => {
    const file = write('version: 1\ndomains:\n  - domain: example.com\nusers:\n  - user: a@example.com\n    password: plain-example\n  - user: a@example.com\n');
    const both = await load([file], { secrets: 'warn' });
    expect(both.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([['HERMES_PLAINTEXT_SECRET', 6, 15], ['HERMES_DUPLICATE_USER', 7, 11]]);
  });

  it('several files: a duplicate across files names both places', async () => {
    const a = write('version: 1\ndomains:\n  - domain: example.com\nusers:\n  - user: alice@example.com\n');
    const b = write('version: 1\nusers:\n  - { user: alice@example.com }\n');
    const r = await load([a, b]);
    expect(r.diagnostics.map((d) => `${d.code} ${d.file}:${d.line}:${d.column}`)).toEqual([`HERMES_DUPLICATE_USER ${b}:3:13`]);
    expect(r.diagnostics[0].message).toContain(`${a}:5:11`);
  });
});
