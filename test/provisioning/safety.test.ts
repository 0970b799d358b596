import { describe, expect, it } from 'vitest';
import { checkTemplates, createRenderer, describePhone, MODELS, TemplateError, type TemplateSource } from '../../src/provisioning/index.js';
import { linesOf, parseBoot, parseCfg, parseXml } from './parse-files.js';

const HOSTILE = 'A&B <"x">\naccount.2.password = y';
const ONE_LINE = 'A&B <"x"> account.2.password = y';
const MAC = '0004f2abcdef';

function hostilePhone(model: string) {
  return describePhone(
    { mac: MAC, model, lines: [{ username: 'alice', domain: 'example.com', kind: 'local', displayname: HOSTILE, linetext: HOSTILE, dialplan: '', password: 'p' }] },
    {},
  );
}

/** Operator overrides that put the display name in other places: attributes, element text, cfg values, comments. */
const OPERATOR: TemplateSource[] = [
  { id: 'yealink/phone.cfg', file: 'templates/yealink/phone.cfg.liquid', text: '#!version:1.0.0.1\n{% for line in lines %}account.{{ line.index }}.user_name = {{ line.user }}\naccount.{{ line.index }}.display_name = {{ line.display_name }}\nfeatures.text = {{ line.label | upcase }}\n{% endfor %}' },
  { id: 'snom/settings.xml', file: 'templates/snom/settings.xml.liquid', text: '<?xml version="1.0"?>\n<settings><phone-settings>{% for line in lines %}<user_realname idx="{{ line.index }}" note=\'{{ line.display_name }}\'>{{ line.display_name }}</user_realname>{% endfor %}</phone-settings></settings>\n' },
  { id: 'polycom/phone.cfg', file: 'templates/polycom/phone.cfg.liquid', text: '<polycomConfig>{% for line in lines %}<reg reg.{{ line.index }}.displayName="{{ line.display_name }}" />{% endfor %}</polycomConfig>' },
  { id: 'grandstream-gxp2170/cfg.xml', file: 'templates/grandstream-gxp2170/cfg.xml.liquid', text: '<gs_provision version="1"><config version="1">{% for line in lines %}<P3>{{ line.display_name | append: "!" }}</P3>{% endfor %}</config></gs_provision>' },
];

describe('a hostile display name renders harmlessly', () => {
  for (const [kind, templates] of [['built-in', []], ['operator', OPERATOR]] as const) {
    const renderer = createRenderer({ templates });
    for (const model of MODELS.values()) {
      it(`${kind} templates, ${model.id}: well-formed files, no injected key`, () => {
        for (const file of renderer.renderAll(hostilePhone(model.id))) {
          if (file.name.endsWith('.boot')) {
            expect(parseBoot(file.content).includes.length).toBeGreaterThan(0);
            expect(file.content).not.toContain('account.');
          } else if (file.format === 'cfg' || file.name.startsWith('y0')) {
            const cfg = parseCfg(file.content);
            expect(cfg.has('account.2.password')).toBe(false);
            for (const [key, value] of cfg) if (key.endsWith('display_name')) expect(value).toBe(ONE_LINE);
          } else {
            expect(() => parseXml(file.content)).not.toThrow();
            expect(file.content).not.toMatch(/<"x">|\n *account\.2\.password/);
          }
        }
        if (kind === 'built-in') expect(linesOf(model.vendor, renderer.renderAll(hostilePhone(model.id))).get(1)?.display).toBe(ONE_LINE);
      });
    }
  }
});

describe('templates cannot read files or call code', () => {
  const refused = (text: string, id = 'yealink/phone.cfg') => checkTemplates({ templates: [{ id, text, file: 'templates/yealink/phone.cfg.liquid' }] });

  for (const [what, text, line, column] of [
    ['include', '#!version:1.0.0.1\n\n  {% include "/etc/passwd" %}\n', 3, 3],
    ['render', '#!version:1.0.0.1\n{% render "secrets" %}', 2, 1],
    ['layout', '{% layout "base" %}', 1, 1],
    ['include inside a liquid tag', 'x\n{% liquid\n  include "a"\n%}', 3, 3],
  ] as const) {
    it(`refuses ${what} with its file and line`, () => {
      const errors = refused(text);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(TemplateError);
      expect(errors[0]).toMatchObject({ file: 'templates/yealink/phone.cfg.liquid', line });
      expect(errors[0].message).toContain('templates cannot read files');
      if (what !== 'include inside a liquid tag') expect(errors[0].column).toBe(column);
    });
  }

  it('refuses the raw filter (it would bypass escaping) and unknown filters, at their position', () => {
    expect(refused("a\n{{ phone.mac | raw }}")[0]).toMatchObject({ line: 2, reason: expect.stringContaining('raw') });
    expect(refused('{{ phone.mac | system: "ls" }}')[0].reason).toContain('undefined filter: system');
  });

  it('reports a variable typo at validate time, from a trial render', () => {
    const [error] = refused('#!version:1.0.0.1\naccount.1.user_name = {{ line.usr }}\n{% for line in lines %}{{ line.usr }}{% endfor %}');
    expect(error).toMatchObject({ file: 'templates/yealink/phone.cfg.liquid', line: 2 });
    expect(error.reason).toContain('undefined variable');
  });

  it('cannot reach prototypes', () => {
    expect(refused('{% for line in lines %}{{ line.constructor }}{% endfor %}')[0].reason).toContain('undefined variable');
  });

  it('refuses an override of no known template', () => {
    expect(refused('x', 'yealink/nothing.cfg')[0].reason).toContain('yealink has no template "nothing.cfg"');
    expect(refused('x', 'nokia/phone.cfg')[0].reason).toContain('<vendor>/<template>');
    expect(checkTemplates({})).toEqual([]);
  });

  it('a model override wins over the vendor template for that model only', () => {
    const r = createRenderer({ templates: [{ id: 'yealink-t54w/phone.cfg', file: 't', text: '#!version:1.0.0.1\ncustom.model = {{ model.id }}\n' }] });
    expect(parseCfg(r.renderAll(hostilePhone('yealink-t54w'))[0].content).get('custom.model')).toBe('yealink-t54w');
    expect(parseCfg(r.renderAll(hostilePhone('yealink-t46u'))[0].content).has('custom.model')).toBe(false);
  });
});
