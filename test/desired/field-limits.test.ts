/**
 * Every user field of the ONE field model (src/model/fields.ts), fed its out-of-range,
 * wrong-character and oversized values: `validate` refuses each, all at once, at the field's
 * own file:line:col; the values at the limits pass. The bad values are derived from each
 * field's type and maxLength, so a field added to the model is covered here without a line
 * more, and a limit changed in the model changes what is tested.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDesiredState } from '../../src/desired/index.js';
import { MAX_DOMAIN_LENGTH, MAX_PHONE_LINES, MAX_PROFILE_NAME_LENGTH, MAX_USERNAME_LENGTH, USER_FIELDS, userFieldMaxLength, userFieldProblem, type FieldSpec, type UserFieldName } from '../../src/model/index.js';
import { OpFailure } from '../../src/ops/index.js';
import { checkAuthid, checkHost, checkPassword, checkPort, checkUserText } from '../../src/ops/validate.js';

const dir = mkdtempSync(join(tmpdir(), 'hermes-field-limits-'));
afterAll(() => process.env.KEEP_FIELD_FILES || rmSync(dir, { recursive: true, force: true }));

type Value = string | number;

/** Values each type of field must refuse: [why, value]. */
function badValues(spec: FieldSpec<UserFieldName>): [string, Value][] {
  const max = spec.maxLength ?? 0;
  switch (spec.type) {
    case 'port':
      return [['zero', 0], ['above 65535', 65536], ['negative', -1], ['not whole', 5060.5], ['text', 'sip']];
    case 'host':
      return [
        ['oversized', `${'a'.repeat(60)}.${'b'.repeat(60)}.example.com`.slice(0, max + 1)],
        ['a label over 63', `${'a'.repeat(64)}.example.com`],
        ['a space', 'sip example.com'],
        ['shell characters', 'r.net; rm -rf /'],
        ['an underscore', 'sip_1.example.com'],
        ['IPv6 without brackets', '2001:db8::1'],
        ['brackets around no IPv6', '[sip.example.com]'],
        ['a control character', 'sip.example.com\u0007'],
      ];
    case 'username':
      return [['oversized', 'a'.repeat(MAX_USERNAME_LENGTH + 1)], ['a space', 'bob smith'], ['an @', 'bob@x'], ['non-ASCII', 'bøb'], ['a newline', 'bob\n']];
    case 'email':
      return [['oversized', `${'a'.repeat(max)}@x.com`], ['no @', 'alice.example.com'], ['a space', 'alice @example.com'], ['a control character', 'alice@example.com\u001b[31m']];
    case 'text':
      return [['oversized', 'x'.repeat(max + 1)], ['oversized by emoji', '😀'.repeat(max / 2 + 1)], ['a NUL', 'a\u0000b'], ['a newline', 'a\nb'], ['an escape', '\u001b[31mred'], ['a DEL', 'a\u007f'], ['a lone surrogate', 'a\ud800b']];
  }
}

/** Values at the limits, which must pass. */
function goodValues(spec: FieldSpec<UserFieldName>): Value[] {
  const max = spec.maxLength ?? 0;
  switch (spec.type) {
    case 'port':
      return [1, 65535];
    case 'host':
      return [`${'a'.repeat(63)}.${'b'.repeat(63)}`, '192.0.2.10', '[2001:db8::1]', 'SIP.Example.COM'];
    case 'username':
      return ['a'.repeat(MAX_USERNAME_LENGTH), "a-_.!~*'()&=+$,;?/%41"];
    case 'email':
      return ['', `${'a'.repeat(max - 6)}@x.com`];
    case 'text':
      return ['', 'x'.repeat(max), 'Ærlig Ødegård 😀', '(.*)'];
  }
}

/** A YAML scalar for a value (JSON strings are YAML double-quoted strings). */
const scalar = (v: Value) => (typeof v === 'number' ? String(v) : JSON.stringify(v));

interface Case {
  field: string;
  why: string;
  line: number;
}

/** One file: a user per value, in a listed domain for common fields, remote for remote-only ones; returns where each value is. */
function write(name: string, values: { field: UserFieldName | 'password' | 'user'; why: string; value: Value }[]): { file: string; cases: Case[] } {
  const lines = ['version: 1', 'domains:', '  - domain: example.com', 'users:'];
  const cases: Case[] = [];
  values.forEach(({ field, why, value }, i) => {
    const remote = field !== 'user' && (USER_FIELDS.find((f) => f.name === field)?.scope === 'remote' || field === 'password');
    if (field === 'user') {
      lines.push(`  - user: ${scalar(value)}`);
      cases.push({ field, why, line: lines.length });
      return;
    }
    lines.push(`  - user: u${i}@${remote ? 'partner.net' : 'example.com'}`);
    if (remote && field !== 'registrar') lines.push('    registrar: sip.partner.net');
    lines.push(`    ${field}: ${scalar(value)}`);
    cases.push({ field, why, line: lines.length });
  });
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return { file, cases };
}

describe('every field of the field model, against validate', () => {
  const bad = USER_FIELDS.flatMap((spec) => badValues(spec).map(([why, value]) => ({ field: spec.name, why, value })));

  it('covers every field of the model with each kind of bad value', () => {
    for (const spec of USER_FIELDS) expect(bad.filter((b) => b.field === spec.name).length, spec.name).toBeGreaterThanOrEqual(4);
    expect(new Set(bad.map((b) => b.field))).toEqual(new Set(USER_FIELDS.map((f) => f.name)));
  });

  it('refuses each bad value at its own line and column, all in one run', async () => {
    const extra = [
      { field: 'user' as const, why: 'username oversized', value: `${'a'.repeat(MAX_USERNAME_LENGTH + 1)}@example.com` },
      { field: 'user' as const, why: 'domain oversized', value: `a@${'d'.repeat(MAX_DOMAIN_LENGTH - 3)}.com` },
      { field: 'user' as const, why: 'username with a space', value: 'a b@example.com' },
      { field: 'password' as const, why: 'a space', value: 'pass word' },
      { field: 'password' as const, why: 'oversized', value: 'p'.repeat(65) },
      { field: 'password' as const, why: 'non-ASCII', value: 'pæssword' },
    ];
    const { file, cases } = write('bad.yaml', [...bad, ...extra]);
    const result = await loadDesiredState([file], { secrets: 'warn' });
    expect(result.state).toBeUndefined();
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    for (const c of cases) {
      const found = errors.filter((d) => d.line === c.line);
      expect(found, `${c.field} with ${c.why} (line ${c.line})`).toHaveLength(1);
      expect(found[0].column, `${c.field} with ${c.why}`).toBeGreaterThan(0);
      expect(found[0].file).toBe(file);
      expect(found[0].path).toMatch(new RegExp(`\\.${c.field}$`));
    }
    expect(errors).toHaveLength(cases.length);
  });

  it('accepts the values at the limits', async () => {
    const good = USER_FIELDS.flatMap((spec) => goodValues(spec).map((value) => ({ field: spec.name, why: 'good', value })));
    const { file } = write('good.yaml', good);
    const result = await loadDesiredState([file], { secrets: 'warn' });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('the ops refuse the same values, naming the field, and accept the same limits', () => {
    const opCheck = (field: UserFieldName, value: Value): unknown => {
      if (field === 'registrar' || field === 'proxy') return checkHost(value as string, field);
      if (field === 'r_port' || field === 'p_port') return checkPort(value as number, field);
      if (field === 'authid') return checkAuthid(value as string);
      return checkUserText(field, value as string);
    };
    for (const spec of USER_FIELDS) {
      for (const [why, value] of badValues(spec)) {
        expect(userFieldProblem(spec.name, value), `${spec.name} with ${why}`).not.toBeNull();
        let failure: unknown;
        try {
          opCheck(spec.name, value);
        } catch (error) {
          failure = error;
        }
        expect(failure, `${spec.name} with ${why}`).toBeInstanceOf(OpFailure);
        expect((failure as OpFailure).cause).toBe(spec.name);
      }
      for (const value of goodValues(spec)) expect(() => opCheck(spec.name, value), `${spec.name} = ${String(value)}`).not.toThrow();
    }
    expect(() => checkPassword('pass word')).toThrow(OpFailure);
    expect(userFieldMaxLength('displayname')).toBe(128);
  });

  it("a phone's lines and a profile's name: the model's limits (MAX_PHONE_LINES, the item column), each refused at its place", async () => {
    const n = MAX_PHONE_LINES + 1;
    const users = Array.from({ length: n }, (_, i) => `  - user: u${i}@example.com`).join('\n');
    const lines = (k: number) => Array.from({ length: k }, (_, i) => `u${i}@example.com`).join(', ');
    const profiles = (len: number) => `provisioning:\n  profiles:\n    ${'p'.repeat(len)}:\n      settings: { language: en }\n`;
    const doc = (k: number, len: number) => `version: 1\ndomains:\n  - domain: example.com\nusers:\n${users}\nphones:\n  - mac: "0004f2000001"\n    users: [${lines(k)}]\n${profiles(len)}`;
    const file = join(dir, 'phones.yaml');
    writeFileSync(file, doc(n, MAX_PROFILE_NAME_LENGTH + 1));
    const bad = await loadDesiredState([file], { secrets: 'warn' });
    expect(bad.diagnostics.map((d) => [d.code, d.line])).toEqual([
      ['HERMES_PHONE_CAPACITY', n + 7],
      ['HERMES_TOO_LONG', n + 10],
    ]);
    writeFileSync(file, doc(n - 1, MAX_PROFILE_NAME_LENGTH));
    expect((await loadDesiredState([file], { secrets: 'warn' })).diagnostics).toEqual([]);
  });
});
