/**
 * Poly (Polycom UC software, VVX): the master `<mac>.cfg`, an <APPLICATION> naming the
 * phone's config file in CONFIG_FILES, and that file, `<mac>-hermes.cfg`: a <polycomConfig>
 * document whose attributes are the settings (reg.N.*, lineKey.N.*, attendant.*). A line
 * registers reg.N.address (user@domain) at reg.N.server.1 (the registrar: a local user's own
 * domain), through reg.N.outboundProxy when the domain's sip_server or a remote user's proxy
 * is another host. The name
 * avoids `<mac>-phone.cfg` and `<mac>-web.cfg`, which the phone uploads itself. The default
 * master `000000000000.cfg` (generic, for a phone that finds no `<mac>.cfg`) names
 * `[PHONE_MAC_ADDRESS]-hermes.cfg`, which the firmware spells with its own MAC.
 */
import { LANGUAGES, type Settings } from '../settings.js';
import type { DstRule, TimeZoneInfo } from '../timezone.js';
import { baseData, macForms, modelData, pairs } from './common.js';
import type { Pair, VendorDriver } from './types.js';

function rulePairs(which: 'start' | 'stop', r: DstRule): [string, string][] {
  const p = `tcpIpApp.sntp.daylightSavings.${which}`;
  return [
    [`${p}.month`, String(r.month)],
    // Poly: the first such weekday on or after `date`; lastInMonth for week 5.
    [`${p}.date`, String(r.week === 5 ? 1 : (r.week - 1) * 7 + 1)],
    [`${p}.dayOfWeek`, String(r.weekday + 1)],
    [`${p}.dayOfWeek.lastInMonth`, r.week === 5 ? '1' : '0'],
    [`${p}.time`, String(Math.floor(r.minutes / 60))],
  ];
}

function zonePairs(zone: TimeZoneInfo | undefined): [string, string | undefined][] {
  if (!zone) return [];
  const offset: [string, string] = ['tcpIpApp.sntp.gmtOffset', String(zone.standardOffset * 60)];
  if (!zone.dst) return [offset, ['tcpIpApp.sntp.daylightSavings.enable', '0']];
  return [
    offset,
    ['tcpIpApp.sntp.daylightSavings.enable', '1'],
    ['tcpIpApp.sntp.daylightSavings.fixedDayEnable', '0'],
    ...rulePairs('start', zone.dst.start),
    ...rulePairs('stop', zone.dst.end),
  ];
}

function settingPairs(s: Settings, zone: TimeZoneInfo | undefined): Pair[] {
  const set = (v: unknown) => (v === undefined ? undefined : '1');
  return pairs([
    ...zonePairs(zone),
    ['tcpIpApp.sntp.address', s.ntp_server],
    ['lcl.ml.lang', s.language === undefined ? undefined : LANGUAGES[s.language].polycom],
    ['device.set', set(s.admin_password ?? s.syslog_server ?? s.vlan)],
    ['device.auth.localAdminPassword', s.admin_password],
    ['device.auth.localAdminPassword.set', set(s.admin_password)],
    ['device.syslog.serverName', s.syslog_server],
    ['device.syslog.serverName.set', set(s.syslog_server)],
    ['device.net.vlanId', s.vlan],
    ['device.net.vlanId.set', set(s.vlan)],
  ]);
}

/** The <APPLICATION> element of a master file: the config files to load (CONFIG_FILES). */
const APPLICATION = `<APPLICATION APP_FILE_PATH="sip.ld" CONFIG_FILES="{{ config_file }}" MISC_FILES="" LOG_FILE_DIRECTORY="" OVERRIDES_DIRECTORY="" CONTACTS_DIRECTORY="" LICENSE_DIRECTORY="" USER_PROFILES_DIRECTORY="" CALL_LISTS_DIRECTORY="" />`;

const MASTER_CFG = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!-- {{ model.name }} {{ mac.colons }}: master configuration written by hermes -->
${APPLICATION}
`;

/** The default master, for a phone that finds no <mac>.cfg: the firmware puts its own MAC for [PHONE_MAC_ADDRESS]. */
const DEFAULT_CFG = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!-- Poly default master configuration written by hermes: each phone loads its own file -->
${APPLICATION}
`;

const PHONE_CFG = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!-- {{ model.name }} {{ mac.colons }}: written by hermes -->
<polycomConfig>
{%- for line in lines %}
  <reg reg.{{ line.index }}.address="{{ line.address }}" reg.{{ line.index }}.auth.userId="{{ line.auth_name }}" reg.{{ line.index }}.auth.password="{{ line.password }}" reg.{{ line.index }}.displayName="{{ line.display_name }}" reg.{{ line.index }}.label="{{ line.label }}" reg.{{ line.index }}.server.1.address="{{ line.registrar.host }}" reg.{{ line.index }}.server.1.port="{{ line.registrar.port }}" reg.{{ line.index }}.server.1.transport="{{ line.transport }}"{% if line.outbound_proxy %} reg.{{ line.index }}.outboundProxy.address="{{ line.outbound_proxy.host }}" reg.{{ line.index }}.outboundProxy.port="{{ line.outbound_proxy.port }}" reg.{{ line.index }}.outboundProxy.transport="{{ line.transport }}"{% endif %}{% if phone.settings.register_expires %} reg.{{ line.index }}.server.1.expires="{{ phone.settings.register_expires }}"{% endif %}{% if line.digit_map != "" %} dialplan.{{ line.index }}.digitmap="{{ line.digit_map }}"{% endif %} />
{%- endfor %}
{%- if keys.size > 0 %}
  <lineKey lineKey.reassignment.enabled="1"{% for key in keys %} lineKey.{{ key.index }}.category="{{ key.category }}" lineKey.{{ key.index }}.index="{{ key.ref }}"{% endfor %} />
{%- endif %}
{%- for key in keys %}{% if key.type == "blf" %}
  <attendant attendant.resourceList.{{ key.ref }}.address="{{ key.value }}" attendant.resourceList.{{ key.ref }}.label="{{ key.label }}" attendant.resourceList.{{ key.ref }}.type="normal" />
{%- endif %}{% endfor %}
  <settings{% for s in settings %} {{ s.key }}="{{ s.value }}"{% endfor %} />
{%- if raw.size > 0 %}
  <raw{% for s in raw %} {{ s.key }}="{{ s.value }}"{% endfor %} />
{%- endif %}
</polycomConfig>
`;

const TRANSPORT = { udp: 'UDPOnly', tcp: 'TCPOnly', tls: 'TLS' } as const;

export const polycom: VendorDriver = {
  vendor: 'polycom',
  files: (mac) => [
    { name: `${mac}.cfg`, template: 'polycom/master.cfg', format: 'xml', secret: false },
    { name: `${mac}-hermes.cfg`, template: 'polycom/phone.cfg', format: 'xml', secret: true },
    { name: '000000000000.cfg', template: 'polycom/default.cfg', format: 'xml', secret: false, generic: true },
  ],
  data(template, { phone, zone }) {
    if (template === 'default.cfg') return { model: modelData(phone.model), config_file: '[PHONE_MAC_ADDRESS]-hermes.cfg' };
    const config_file = `${phone.mac}-hermes.cfg`;
    // The master names the config file only: no secret in it.
    if (template === 'master.cfg') return { model: modelData(phone.model), mac: macForms(phone.mac), config_file };
    let blf = 0;
    return {
      ...baseData(phone, settingPairs(phone.settings, zone), 'polycom'),
      config_file,
      lines: phone.lines.map((l) => ({ ...l, transport: TRANSPORT[l.registrar.transport] })),
      keys: phone.keys.map((k) => ({
        ...k,
        category: k.type === 'line' ? 'Line' : 'BLF',
        ref: k.type === 'line' ? k.line : ++blf,
      })),
    };
  },
  templates: { 'master.cfg': MASTER_CFG, 'phone.cfg': PHONE_CFG, 'default.cfg': DEFAULT_CFG },
};
