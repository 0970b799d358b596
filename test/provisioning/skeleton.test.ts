import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRenderer, describePhone, MODELS, type LineUser, type TemplateSource } from '../../src/provisioning/index.js';
import { eligibleForSkeleton, Interner, shapeOf } from '../../src/provisioning/skeleton.js';

const models = [...MODELS.keys()];
const text = fc.string({ unit: fc.oneof(fc.constantFrom('&', '<', '>', '"', "'", '\n', '\r', '=', '#', ' ', '\u2028', '\ue000', '\ue001', '0'), fc.string({ minLength: 1, maxLength: 1 })), maxLength: 12 });
const user = fc.record({
  username: fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/),
  domain: fc.constantFrom('example.com', 'example.org'),
  kind: fc.constantFrom('local' as const, 'remote' as const),
  displayname: text,
  linetext: text,
  dialplan: text,
  password: text,
  registrar: fc.option(fc.constantFrom('reg.partner.net', '192.0.2.7'), { nil: undefined }),
  r_port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  proxy: fc.option(fc.constantFrom('proxy.partner.net'), { nil: undefined }),
  authid: fc.option(fc.stringMatching(/^[a-z]{1,5}$/), { nil: undefined }),
});
const phone = fc.record({
  model: fc.constantFrom(...models),
  lines: fc.array(user, { minLength: 0, maxLength: 4 }),
  keys: fc.array(fc.record({ type: fc.constantFrom('blf' as const, 'speeddial' as const), value: fc.stringMatching(/^[a-z0-9@.+]{1,10}$/), label: text }), { maxLength: 3 }),
  settings: fc.record({ timezone: fc.constantFrom('Europe/Oslo', 'America/New_York', 'Asia/Kolkata'), ntp_server: fc.constantFrom('pool.ntp.org', 'ntp.example.com'), admin_password: text.filter((t) => t !== ''), vlan: fc.integer({ min: 1, max: 4094 }) }, { requiredKeys: [] }),
});

describe('the skeleton fast path', () => {
  it('writes exactly what LiquidJS writes, for random phones with hostile values', () => {
    const fast = createRenderer();
    const slow = createRenderer({ skeletons: false });
    fc.assert(
      fc.property(phone, (p) => {
        const description = describePhone({ mac: '0004f2abcdef', model: p.model, lines: p.lines as LineUser[], keys: p.keys, settings: p.settings }, {});
        expect(fast.renderAll(description)).toEqual(slow.renderAll(description));
      }),
      { numRuns: 300 },
    );
  });

  it('is used by every built-in template', () => {
    const names = new Set(['user', 'password', 'display_name', 'label', 'digit_map', 'host', 'value', 'address', 'auth_name', 'domain', 'lower', 'upper', 'colons', 'timezone', 'ntp_server']);
    for (const t of ['yealink/phone.cfg', 'snom/settings.xml', 'polycom/phone.cfg', 'grandstream/cfg.xml']) {
      const [vendor, name] = t.split('/');
      const source = (createRenderer() as any).compiled.get(t).source.text as string;
      expect(eligibleForSkeleton(source, names), `${vendor} ${name}`).toBe(true);
    }
  });

  it('is not used when a template steers on or transforms free text, which then still renders right', () => {
    const names = new Set(['user', 'display_name']);
    expect(eligibleForSkeleton('{% if line.user == "alice" %}x{% endif %}', names)).toBe(false);
    expect(eligibleForSkeleton('{{ line.display_name | upcase }}', names)).toBe(false);
    expect(eligibleForSkeleton('{% assign u = line.user %}{{ u }}', names)).toBe(false);
    expect(eligibleForSkeleton('{{ line.user }}{% if line.user != "" %}y{% endif %}{{ line.index | minus: 1 }}', names)).toBe(true);
    const template: TemplateSource = { id: 'yealink/phone.cfg', file: 't', text: '#!version:1.0.0.1\n{% for line in lines %}{% if line.user == "alice" %}x.alice = 1\n{% endif %}x.name = {{ line.display_name | upcase }}\n{% endfor %}' };
    const r = createRenderer({ templates: [template] });
    const mk = (username: string) => describePhone({ mac: '0004f2abcdef', model: 'yealink-t46u', lines: [{ username, domain: 'example.com', kind: 'local', displayname: 'Ann', linetext: '', dialplan: '' }] }, {});
    expect(r.renderAll(mk('bob'))[0].content).toBe('#!version:1.0.0.1\nx.name = ANN\n');
    expect(r.renderAll(mk('alice'))[0].content).toBe('#!version:1.0.0.1\nx.alice = 1\nx.name = ANN\n');
  });
});

describe('shape keys', () => {
  it('tell structures apart, also once interned names take two characters', () => {
    const interner = new Interner();
    // Fill the one-character ids, so that later names get two-character ones.
    for (let i = 0; i < 0x1f00 + 10; i++) interner.of(`name${i}`);
    const shapes = [
      { a: 'x', b: 1 },
      { a: 'x', b: '1' },
      { a: { b: 1 } },
      { a: [1, 2] },
      { a: [[1], 2] },
      { ab: 1 },
      { a: 1, b: undefined },
      { key: 'name7936', value: 'free' },
      { key: 'name7937', value: 'free' },
      { key: 'fresh-structural', value: 'free' },
      { key: 'fresh-structural', value: 'other free text' },
    ];
    const keys = shapes.map((s) => shapeOf(s, interner).key);
    // The last two differ only in free text: one shape.
    expect(keys[9]).toBe(keys[10]);
    expect(new Set(keys.slice(0, 10)).size).toBe(10);
    // The same data gives the same key with a fresh table too.
    expect(shapeOf(shapes[3]).key).toBe(shapeOf(shapes[3]).key);
  });
});
