/** A phone with every field set, for trying templates out at validate time (and in tests). */
import { VENDOR_KEY_TYPES, type PhoneModel } from './models.js';
import { describeKeys, describeLine, type PhoneDescription } from './phone.js';

export function samplePhone(model: PhoneModel): PhoneDescription {
  const lines = [
    describeLine(1, { username: 'alice', domain: 'example.com', kind: 'local', displayname: 'Alice', linetext: 'Alice', dialplan: '[2-9]xxx', password: 'secret' }, { sip_server: 'sip.example.net:5062', transport: 'tcp' }),
    describeLine(2, { username: 'bob', domain: 'partner.net', kind: 'remote', displayname: 'Bob', linetext: '', dialplan: '', password: 'secret', registrar: 'reg.partner.net', r_port: 5070, proxy: 'proxy.partner.net', p_port: 5080, authid: 'bob-auth' }),
  ].slice(0, model.lines);
  const keys = describeKeys(VENDOR_KEY_TYPES[model.vendor].map((type) => ({ type, value: type === 'line' ? undefined : 'carol@example.com', label: 'Carol' })));
  return {
    mac: '000000000000',
    model,
    lines,
    keys: keys.slice(0, model.keys),
    settings: { timezone: 'Europe/Oslo', ntp_server: 'ntp.example.com', language: 'en', admin_password: 'secret', syslog_server: 'log.example.com:514', vlan: 10, register_expires: 600, vendor: { [model.vendor]: {} } },
  };
}
