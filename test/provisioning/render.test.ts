import { describe, expect, it } from 'vitest';
import {
  checkPhone,
  createRenderer,
  describePhone,
  macOfFileName,
  MODELS,
  type LineUser,
  type PhoneSource,
  type ProvisioningConfig,
} from '../../src/provisioning/index.js';
import { linesOf, parseBoot, parseCfg, parseXml, polyAttributes, grandstreamValues } from './parse-files.js';

const MAC = '0004f2abcdef';
const local: LineUser = { username: 'alice', domain: 'example.com', kind: 'local', displayname: 'Alice Liddell', linetext: 'Reception', dialplan: '[2-9]xxx', password: 'alice-Secret1' };
const remote: LineUser = { username: 'bob', domain: 'partner.net', kind: 'remote', displayname: 'Bob Remote', linetext: '', dialplan: '', password: 'bob-Secret2', registrar: 'reg.partner.net', r_port: 5070, proxy: 'proxy.partner.net', p_port: 5080, authid: 'bob-auth' };
const config: ProvisioningConfig = { settings: { timezone: 'Europe/Oslo', ntp_server: 'pool.ntp.org', language: 'en' } };

function phoneOf(model: string, lines: LineUser[] = [local, remote], extra: Partial<PhoneSource> = {}) {
  return describePhone({ mac: MAC, model, lines, ...extra }, config);
}

describe('every supported model renders a local and a remote line', () => {
  const renderer = createRenderer();
  for (const model of MODELS.values()) {
    it(`${model.id}: each line's user, auth name, password, server, port, display name and label are in the vendor's keys`, () => {
      const files = renderer.renderAll(phoneOf(model.id));
      const lines = linesOf(model.vendor, files);
      expect(lines.get(1)).toEqual({ user: 'alice', auth: 'alice', password: 'alice-Secret1', server: 'example.com', port: '5060', display: 'Alice Liddell', label: 'Reception' });
      expect(lines.get(2)).toEqual({ user: 'bob', auth: 'bob-auth', password: 'bob-Secret2', server: 'reg.partner.net', port: '5070', display: 'Bob Remote', label: 'bob' });
      expect(lines.size).toBe(2);
    });
  }

  it('names the files each firmware asks for, the MAC in the case it uses', () => {
    const names = (id: string) => renderer.files(MAC, MODELS.get(id)!).map((f) => f.name);
    expect(names('yealink-t46u')).toEqual(['0004f2abcdef.cfg', '0004f2abcdef.boot', 'y000000000108.cfg', 'y000000000000.boot']);
    expect(names('yealink-t54w')).toEqual(['0004f2abcdef.cfg', '0004f2abcdef.boot', 'y000000000096.cfg', 'y000000000000.boot']);
    expect(names('snom-d735')).toEqual(['snomD735-0004F2ABCDEF.htm', '0004F2ABCDEF.xml']);
    expect(names('polycom-vvx250')).toEqual(['0004f2abcdef.cfg', '0004f2abcdef-hermes.cfg', '000000000000.cfg']);
    expect(names('grandstream-gxp2170')).toEqual(['cfg0004f2abcdef.xml']);
    for (const model of MODELS.values()) {
      // a per-phone file names its phone's MAC; a generic one no phone's (000000000000 is none)
      for (const f of renderer.files(MAC, model)) expect(macOfFileName(f.name), f.name).toBe(f.generic ? undefined : MAC);
    }
  });

  it('renders a file asked for with the MAC in another case, and nothing for another name', () => {
    const phone = phoneOf('snom-d785');
    expect(renderer.render(phone, 'snomd785-0004f2abcdef.htm')?.name).toBe('snomD785-0004F2ABCDEF.htm');
    expect(renderer.render(phone, '0004F2ABCDEF.CFG')).toBeUndefined();
    expect(renderer.render(phoneOf('yealink-t46u'), '0004F2ABCDEF.cfg')?.name).toBe('0004f2abcdef.cfg');
  });

  it('Yealink: the common file has no secret and no per-phone time zone', () => {
    const r = createRenderer({ global: { admin_password: 'admin-Secret', ntp_server: 'ntp.example.com', timezone: 'Europe/Oslo' } });
    const common = parseCfg(r.render(phoneOf('yealink-t46u'), 'y000000000108.cfg')!.content);
    expect(common.get('local_time.ntp_server1')).toBe('ntp.example.com');
    expect([...common.values()].join()).not.toContain('admin-Secret');
    expect(common.has('local_time.time_zone')).toBe(false);
  });

  it('Poly: the master names the config file in CONFIG_FILES and holds no secret', () => {
    const [master, cfg] = renderer.renderAll(phoneOf('polycom-vvx450'));
    const app = parseXml(master.content).APPLICATION[0];
    expect(app['@CONFIG_FILES']).toBe(cfg.name);
    expect(master.content).not.toContain('alice-Secret1');
    expect(master.secret).toBe(false);
  });

  it("Yealink's boot files: <mac>.boot loads the common file then <mac>.cfg with overwrite_mode; y000000000000.boot each model's common file under [$MODEL]", () => {
    for (const [id, common, name] of [['yealink-t46u', 'y000000000108.cfg', 'T46U'], ['yealink-t54w', 'y000000000096.cfg', 'T54W']] as const) {
      const boot = renderer.render(phoneOf(id), '0004F2ABCDEF.boot')!;
      expect(boot).toMatchObject({ name: '0004f2abcdef.boot', secret: false, contentType: 'text/plain; charset=utf-8' });
      expect(parseBoot(boot.content)).toEqual({ includes: [{ file: common }, { file: '0004f2abcdef.cfg' }], settings: new Map([['overwrite_mode', '1']]) });
      expect(boot.content).not.toContain('alice-Secret1');
      const generic = renderer.renderGeneric(MODELS.get(id)!, 'Y000000000000.boot')!;
      expect(generic).toMatchObject({ name: 'y000000000000.boot', secret: false });
      expect(parseBoot(generic.content).includes).toContainEqual({ models: [name], file: common });
    }
    // one generic boot file for every Yealink model: the same whichever model renders it
    expect(renderer.renderGeneric(MODELS.get('yealink-t46u')!, 'y000000000000.boot')!.content).toBe(renderer.renderGeneric(MODELS.get('yealink-t54w')!, 'y000000000000.boot')!.content);
    expect(renderer.renderGeneric(MODELS.get('yealink-t46u')!, '0004f2abcdef.boot')).toBeUndefined();
  });

  it("Poly's default master 000000000000.cfg names [PHONE_MAC_ADDRESS]-hermes.cfg, which the firmware spells with its own MAC", () => {
    const file = renderer.renderGeneric(MODELS.get('polycom-vvx250')!, '000000000000.cfg')!;
    expect(file).toMatchObject({ name: '000000000000.cfg', secret: false, contentType: 'application/xml; charset=utf-8' });
    expect(parseXml(file.content).APPLICATION[0]['@CONFIG_FILES']).toBe('[PHONE_MAC_ADDRESS]-hermes.cfg');
    // a phone's own master stays its own file
    expect(parseXml(renderer.render(phoneOf('polycom-vvx250'), '0004f2abcdef.cfg')!.content).APPLICATION[0]['@CONFIG_FILES']).toBe('0004f2abcdef-hermes.cfg');
    expect(renderer.renderGeneric(MODELS.get('yealink-t46u')!, '000000000000.cfg')).toBeUndefined();
  });

  it('boot files and the default master can be overridden like every template', () => {
    const r = createRenderer({
      templates: [
        { id: 'yealink/phone.boot', file: 'templates/yealink/phone.boot.liquid', text: '#!version:1.0.0.1\n{% for f in includes %}include:config "{{ f }}"\n{% endfor %}overwrite_mode = 0\n' },
        { id: 'polycom-vvx450/default.cfg', file: 'templates/polycom-vvx450/default.cfg.liquid', text: '<APPLICATION CONFIG_FILES="{{ config_file }}, site.cfg" />' },
      ],
    });
    expect(parseBoot(r.render(phoneOf('yealink-t54w'), '0004f2abcdef.boot')!.content).settings.get('overwrite_mode')).toBe('0');
    expect(r.renderGeneric(MODELS.get('polycom-vvx450')!, '000000000000.cfg')!.content).toContain('[PHONE_MAC_ADDRESS]-hermes.cfg, site.cfg');
    expect(r.renderGeneric(MODELS.get('polycom-vvx250')!, '000000000000.cfg')!.content).not.toContain('site.cfg');
  });
});

describe('a domain whose sip_server is another host', () => {
  const renderer = createRenderer();
  const servers = new Map([['example.com', { sip_server: '192.0.2.10:5062', transport: 'tcp' as const }]]);
  const phone = (model: string) => describePhone({ mac: MAC, model, lines: [local] }, config, servers);

  it('Yealink registers user@domain with the server as outbound proxy', () => {
    const cfg = parseCfg(renderer.renderAll(phone('yealink-t46u'))[0].content);
    expect(Object.fromEntries(cfg)).toMatchObject({
      'account.1.user_name': 'alice',
      'account.1.sip_server.1.address': 'example.com',
      'account.1.sip_server.1.transport_type': '1',
      'account.1.outbound_proxy_enable': '1',
      'account.1.outbound_proxy.1.address': '192.0.2.10',
      'account.1.outbound_proxy.1.port': '5062',
    });
  });

  it('Snom: user_host is the domain, user_outbound the server with its transport', () => {
    const doc = parseXml(renderer.renderAll(phone('snom-d735'))[0].content);
    const s = doc.settings[0]['phone-settings'][0];
    expect(s.user_host[0]['#text']).toBe('example.com:5062');
    expect(s.user_outbound[0]['#text']).toBe('192.0.2.10:5062;transport=tcp');
  });

  it('Poly: reg.1.address is user@domain, the server the outbound proxy', () => {
    const a = polyAttributes(parseXml(renderer.renderAll(phone('polycom-vvx250'))[1].content));
    expect(a.get('reg.1.address')).toBe('alice@example.com');
    expect(a.get('reg.1.outboundProxy.address')).toBe('192.0.2.10');
    expect(a.get('reg.1.server.1.transport')).toBe('TCPOnly');
  });

  it('Grandstream: P47 the domain, P48 the server', () => {
    const p = grandstreamValues(parseXml(renderer.renderAll(phone('grandstream-grp2614'))[0].content));
    expect(p.get('P47')).toBe('example.com:5062');
    expect(p.get('P48')).toBe('192.0.2.10:5062');
    expect(p.get('P130')).toBe('1');
  });
});

describe('settings and keys reach the vendor keys', () => {
  const renderer = createRenderer();
  const profiles = { reception: { settings: { language: 'nb', vlan: 20 }, keys: [{ type: 'blf' as const, value: 'dave@example.com', label: 'Dave' }] } };
  const cfg = { ...config, profiles };

  it('phone over profile over global', () => {
    const phone = describePhone({ mac: MAC, model: 'yealink-t46u', lines: [local], profile: 'reception', settings: { vlan: 30, vendor: { yealink: { 'features.dnd.enable': '1' } } } }, cfg);
    expect(phone.settings).toMatchObject({ timezone: 'Europe/Oslo', ntp_server: 'pool.ntp.org', language: 'nb', vlan: 30 });
    const file = parseCfg(renderer.renderAll(phone)[0].content);
    expect(Object.fromEntries(file)).toMatchObject({
      'lang.gui': 'Norwegian',
      'static.network.vlan.internet_port_vid': '30',
      'features.dnd.enable': '1',
      'local_time.time_zone': '+1',
      'local_time.start_time': '3/5/7/2',
      'linekey.1.type': '16',
      'linekey.1.value': 'dave@example.com',
      'linekey.1.label': 'Dave',
    });
  });

  it('time zones become each vendor\'s own setting', () => {
    const ny = { ...config, settings: { timezone: 'America/New_York' } };
    const snom = parseXml(renderer.renderAll(describePhone({ mac: MAC, model: 'snom-d735', lines: [local] }, ny))[0].content).settings[0]['phone-settings'][0];
    expect(snom.utc_offset[0]['#text']).toBe('-18000');
    expect(snom.dst[0]['#text']).toBe('3600 03.02.07 02:00:00 11.01.07 02:00:00');
    const gs = grandstreamValues(parseXml(renderer.renderAll(describePhone({ mac: MAC, model: 'grandstream-gxp2170', lines: [local] }, ny))[0].content));
    expect(gs.get('P246')).toBe('STD5DST,M3.2.0/2:00,M11.1.0/2:00');
    const poly = polyAttributes(parseXml(renderer.renderAll(describePhone({ mac: MAC, model: 'polycom-vvx450', lines: [local] }, ny))[1].content));
    expect(poly.get('tcpIpApp.sntp.gmtOffset')).toBe('-18000');
    expect(poly.get('tcpIpApp.sntp.daylightSavings.start.month')).toBe('3');
  });

  it('checkPhone reports unknown models and profiles, too many lines or keys, bad key types and settings', () => {
    const many = Array.from({ length: 5 }, (_, i) => ({ ...local, username: `u${i}` }));
    expect(checkPhone({ mac: MAC, model: 'yealink-t99', lines: [local] }, cfg)).toEqual([{ path: 'model', message: 'unknown phone model "yealink-t99"' }]);
    const problems = checkPhone({ mac: MAC, model: 'polycom-vvx250', lines: many, profile: 'lobby', keys: [{ type: 'speeddial', value: '123' }, ...Array(4).fill({ type: 'line' })], settings: { timezone: 'Mars/Olympus', vlan: 5000 } }, cfg);
    expect(problems.map((p) => p.path)).toEqual(['profile', 'users', 'keys', 'keys[0].type', 'settings.timezone', 'settings.vlan']);
    expect(checkPhone({ mac: MAC, model: 'snom-d785', lines: [local], profile: 'reception' }, cfg)).toEqual([]);
  });

  it('the hash changes with what the phone gets and only then', () => {
    const a = renderer.hash(phoneOf('yealink-t46u'));
    expect(renderer.hash(phoneOf('yealink-t46u'))).toBe(a);
    expect(renderer.hash(phoneOf('yealink-t46u', [{ ...local, password: 'other' }, remote]))).not.toBe(a);
    expect(renderer.hash(phoneOf('yealink-t54w'))).not.toBe(a);
  });
});
