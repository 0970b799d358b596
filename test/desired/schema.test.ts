import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { desiredStateSchema, loadDesiredState } from '../../src/desired/index.js';
import { RAW_KEYS, type RawDesiredFile } from '../../src/desired/raw-types.js';
import { isE164, normalizeMac } from '../../src/ops/canonical.js';

type JsonSchema = Record<string, any>;
const schema = desiredStateSchema() as JsonSchema;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
const defs = schema.$defs as Record<string, JsonSchema>;

/** Every object schema in the tree, with where it is. */
function objects(node: unknown, where: string, out: { where: string; node: JsonSchema }[] = []) {
  if (Array.isArray(node)) node.forEach((n, i) => objects(n, `${where}/${i}`, out));
  else if (node && typeof node === 'object') {
    const n = node as JsonSchema;
    if (n.type === 'object') out.push({ where, node: n });
    for (const [k, v] of Object.entries(n)) objects(v, `${where}/${k}`, out);
  }
  return out;
}

describe('schema/hermes.schema.json', () => {
  it('is JSON Schema 2020-12 with an $id and compiles in strict mode', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toMatch(/^https:\/\/.+hermes\.schema\.json$/);
  });

  it('closes every object and describes every property (editor hover and completion)', () => {
    const all = objects(schema, '#');
    expect(all.length).toBeGreaterThanOrEqual(9);
    for (const { where, node } of all) {
      // a record (profiles by name, raw vendor keys) constrains its names instead
      if (node.propertyNames) expect(node.properties, where).toBeUndefined();
      else expect(node.additionalProperties, where).toBe(false);
      for (const [name, prop] of Object.entries(node.properties ?? {})) expect((prop as JsonSchema).description, `${where}/properties/${name}`).toMatch(/\w{3}/);
    }
  });

  it('has exactly the properties of the raw TypeScript types, and the types have exactly those of the schema', () => {
    const props = (s: JsonSchema) => Object.keys(s.properties).sort();
    expect(props(schema)).toEqual([...RAW_KEYS.root].sort());
    expect(props(defs.domain)).toEqual([...RAW_KEYS.domain].sort());
    expect(props(schema.properties.numbers)).toEqual([...RAW_KEYS.numbers].sort());
    expect(props(defs.numberRange)).toEqual([...RAW_KEYS.numberRange].sort());
    expect(props(defs.user)).toEqual([...RAW_KEYS.user].sort());
    expect(props(defs.alias)).toEqual([...RAW_KEYS.alias].sort());
    expect(props(defs.phone)).toEqual([...RAW_KEYS.phone].sort());
    expect(props(defs.secret.oneOf[1])).toEqual([...RAW_KEYS.secretEnv].sort());
    expect(props(defs.secret.oneOf[2])).toEqual([...RAW_KEYS.secretFile].sort());
    expect(props(schema.properties.provisioning)).toEqual([...RAW_KEYS.provisioning].sort());
    expect(props(schema.properties.provisioning.properties.auth)).toEqual([...RAW_KEYS.provisioningAuth].sort());
    expect(props(defs.phoneSettings)).toEqual([...RAW_KEYS.phoneSettings].sort());
    expect(props(defs.profile)).toEqual([...RAW_KEYS.profile].sort());
    expect(props(defs.functionKey)).toEqual([...RAW_KEYS.functionKey].sort());
    // the object schemas are exactly these nine, the five of provisioning and its three records
    expect(objects(schema, '#').length).toBe(9 + 5 + 3);
  });

  it('accepts a typed sample using every field, and rejects one with a wrong type', () => {
    const sample: RawDesiredFile = {
      version: 1,
      domains: [{ domain: 'example.com', state: 'present', unmanaged: ['legacy-*'], sip_server: 'sip.example.net:5080', transport: 'tls' }],
      numbers: { ranges: [{ start: '+4722334400', end: '+4722334499' }], numbers: ['+4761123456'] },
      users: [
        { user: 'alice@example.com', displayname: 'Alice', email: 'a@example.com', linetext: 'A', dialplan: '(.*)', number: '+4722334401', password: { env: 'ALICE' } },
        { user: 'bob@partner.net', password: { file: 'bob.txt' }, registrar: 'sip.partner.net', r_port: 5060, proxy: 'proxy.partner.net', p_port: 5061, authid: 'bob' },
        { user: 'carol@partner.net', password: 'plain', registrar: 'sip.partner.net' },
      ],
      aliases: [{ alias: 'sales@example.com', destination: 'alice@example.com' }],
      phones: [{ mac: '00:04:f2:ab:cd:ef', users: ['alice@example.com'], model: 'yealink-t46u', profile: 'desk', settings: { vlan: 20 }, keys: [{ type: 'blf', value: 'bob@partner.net', label: 'Bob', line: 1 }] }],
      provisioning: {
        settings: { timezone: 'Europe/Oslo', ntp_server: 'pool.ntp.org', language: 'en', admin_password: { env: 'ADMIN' }, syslog_server: 'log.example.com:514', vlan: 10, register_expires: 600, vendor: { yealink: { 'some.key': 'v' } } },
        profiles: { desk: { settings: { language: 'nb' }, keys: [{ type: 'speeddial', value: '100' }] } },
        templates: 'provisioning/templates',
        auth: { username: 'phones', password: { env: 'PROV' } },
      },
    };
    expect(validate(sample), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...sample, users: [{ user: 'x@example.com', r_port: '5060' }] })).toBe(false);
    expect(validate({ ...sample, version: 2 })).toBe(false);
  });

  it('validates examples/hermes.yaml, which starts with the yaml-language-server modeline', () => {
    const text = readFileSync('examples/hermes.yaml', 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/hermes.schema.json');
    expect(validate(parse(text)), JSON.stringify(validate.errors)).toBe(true);
  });

  it("patterns agree with src/ops/canonical.ts, so the editor and hermes flag the same values", () => {
    const e164 = new RegExp(defs.e164.pattern, 'u');
    const mac = new RegExp(defs.phone.properties.mac.pattern, 'u');
    const digits = fc.string({ unit: fc.constantFrom('+', '0', '1', '5', '9', 'a', ' '), maxLength: 18 });
    fc.assert(fc.property(digits, (s) => e164.test(s) === isE164(s)));
    const macish = fc.string({ unit: fc.constantFrom('0', 'a', 'F', 'g', ':', '-', '.'), maxLength: 18 });
    fc.assert(fc.property(macish, (s) => mac.test(s) === (normalizeMac(s) !== null)));
    expect(mac.test('00:04:f2:ab:cd:ef') && mac.test('0004F2ABCDEF') && mac.test('00-04-f2-ab-cd-ef') && !mac.test('00:04-f2:ab:cd:ef')).toBe(true);
  });
});

describe('examples/hermes.yaml', () => {
  it('loads with no diagnostic and no environment, secrets required (the quickstart)', async () => {
    const result = await loadDesiredState(['examples/hermes.yaml'], { secrets: 'required', env: {} });
    expect(result.diagnostics).toEqual([]);
    const state = result.state!;
    expect(state.domains!.map((d) => d.domain)).toEqual(['example.com', 'example.org']);
    expect(state.numbers!.ranges.length).toBeGreaterThanOrEqual(1);
    const users = new Map(state.users!.map((u) => [u.address, u]));
    expect(users.get('alice@example.com')).toMatchObject({ kind: 'local', number: '+4722334401', dialplan: '(.*)' });
    expect(users.get('alice@example.com')!.password).toBeUndefined();
    const bob = users.get('bob@sip.partner.net')!;
    expect(bob).toMatchObject({ kind: 'remote', registrar: 'sip.partner.net', r_port: 5060, authid: 'bob-auth' });
    expect(bob.password).toBe(readFileSync('examples/secrets/bob.txt', 'utf8').replace(/\n$/, ''));
    expect(users.get('carol@example.org')).toMatchObject({ kind: 'local', displayname: 'Carol', email: '', linetext: '', dialplan: '' });
    expect(state.phones!.map((p) => p.mac)).toEqual(['0004f2abcdef', '0004f2123456']);
    expect(state.phones![1].lines.length).toBeGreaterThanOrEqual(2);
    expect(state.aliases!.length).toBeGreaterThanOrEqual(2);
    expect(state.files).toEqual(['examples/hermes.yaml']);
    expect(users.get('alice@example.com')!.at).toEqual({ file: 'examples/hermes.yaml', line: 20, column: 5, path: 'users[0]' });
  });
});
