/**
 * Snom D7xx: `snom<model>-<MAC>.htm` (what the firmware asks for by default) and `<MAC>.xml`
 * (upper-case MAC; what a setting_server pointing at {mac}.xml fetches), both the same
 * `<settings>` document: <phone-settings> with idx="N" per identity, and <functionKeys>.
 * Every setting is perm="R" (the user cannot change it on the phone).
 */
import { LANGUAGES, type Settings } from '../settings.js';
import type { DstRule, TimeZoneInfo } from '../timezone.js';
import { baseData, pairs } from './common.js';
import type { PhoneLine } from '../phone.js';
import type { Pair, VendorDriver } from './types.js';

/** Snom's dst rule: "MM.WW.DD HH:MM:SS", weekday 1 = Monday ... 7 = Sunday, week 5 = last. */
function rule(r: DstRule): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(r.month)}.${two(r.week)}.${two(r.weekday === 0 ? 7 : r.weekday)} ${two(Math.floor(r.minutes / 60))}:${two(r.minutes % 60)}:00`;
}

function zonePairs(zone: TimeZoneInfo | undefined): [string, string | undefined][] {
  if (!zone) return [];
  const dst = zone.dst ? `${(zone.dst.offset - zone.standardOffset) * 60} ${rule(zone.dst.start)} ${rule(zone.dst.end)}` : '';
  return [['utc_offset', String(zone.standardOffset * 60)], ['dst', dst]];
}

function settingPairs(s: Settings, zone: TimeZoneInfo | undefined): Pair[] {
  const language = s.language === undefined ? undefined : LANGUAGES[s.language].snom;
  return pairs([
    ...zonePairs(zone),
    ['ntp_server', s.ntp_server],
    ['language', language],
    ['web_language', language],
    ['admin_mode_password', s.admin_password],
    ['http_pass', s.admin_password],
    ['syslog_server', s.syslog_server],
    ['vlan_id', s.vlan],
  ]);
}

/** host:port (user_host), with ;transport=... unless UDP when `withTransport` (user_outbound). */
function hostPort(h: { host: string; port: number; transport: string }, withTransport: boolean): string {
  const host = h.host.includes(':') ? `[${h.host}]` : h.host;
  return `${host}:${h.port}${!withTransport || h.transport === 'udp' ? '' : `;transport=${h.transport}`}`;
}

/** user_outbound: the proxy, or the registrar itself when only the transport needs saying. */
function outbound(l: PhoneLine): string {
  if (l.outbound_proxy) return hostPort(l.outbound_proxy, true);
  return l.registrar.transport === 'udp' ? '' : hostPort(l.registrar, true);
}

function fkeyText(k: { type: string; value: string }): string {
  if (k.type === 'line') return 'line';
  if (k.type === 'blf') return `blf sip:${k.value}`;
  return `speed ${k.value}`;
}

const SETTINGS_XML = `<?xml version="1.0" encoding="utf-8"?>
<!-- {{ model.name }} {{ mac.colons }}: written by hermes -->
<settings>
  <phone-settings>
{%- for line in lines %}
    <user_active idx="{{ line.index }}" perm="R">on</user_active>
    <user_name idx="{{ line.index }}" perm="R">{{ line.user }}</user_name>
    <user_pname idx="{{ line.index }}" perm="R">{{ line.auth_name }}</user_pname>
    <user_pass idx="{{ line.index }}" perm="R">{{ line.password }}</user_pass>
    <user_realname idx="{{ line.index }}" perm="R">{{ line.display_name }}</user_realname>
    <user_idle_text idx="{{ line.index }}" perm="R">{{ line.label }}</user_idle_text>
    <user_host idx="{{ line.index }}" perm="R">{{ line.host }}</user_host>
    <user_outbound idx="{{ line.index }}" perm="R">{{ line.outbound }}</user_outbound>
    <user_dp_str idx="{{ line.index }}" perm="R">{{ line.digit_map }}</user_dp_str>
{%- if phone.settings.register_expires %}
    <user_expiry idx="{{ line.index }}" perm="R">{{ phone.settings.register_expires }}</user_expiry>
{%- endif %}
{%- endfor %}
{%- for s in settings %}
    <{{ s.key }} perm="R">{{ s.value }}</{{ s.key }}>
{%- endfor %}
{%- for s in raw %}
    <{{ s.key }} perm="R">{{ s.value }}</{{ s.key }}>
{%- endfor %}
  </phone-settings>
  <functionKeys>
{%- for key in keys %}
    <fkey idx="{{ key.index | minus: 1 }}" context="{{ key.line }}" label="{{ key.label }}" perm="R">{{ key.text }}</fkey>
{%- endfor %}
  </functionKeys>
</settings>
`;

export const snom: VendorDriver = {
  vendor: 'snom',
  files: (mac, model) => [
    { name: `snom${model.family}-${mac.toUpperCase()}.htm`, template: 'snom/settings.xml', format: 'xml', secret: true },
    { name: `${mac.toUpperCase()}.xml`, template: 'snom/settings.xml', format: 'xml', secret: true },
  ],
  data(_template, { phone, zone }) {
    return {
      ...baseData(phone, settingPairs(phone.settings, zone), 'snom'),
      lines: phone.lines.map((l) => ({
        ...l,
        // user_host is the registrar (a local user's own domain, so the phone registers
        // user@domain); a sip_server that is not the domain is the outbound proxy.
        host: hostPort(l.registrar, false),
        outbound: outbound(l),
      })),
      keys: phone.keys.map((k) => ({ ...k, text: fkeyText(k) })),
    };
  },
  templates: { 'settings.xml': SETTINGS_XML },
};
