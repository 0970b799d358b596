/**
 * Yealink T4x/T5x: `<mac>.cfg` (lower-case hex) with account.N.* and linekey.N.*, and the
 * model family's common `y0000000000XX.cfg`. Both start with `#!version:1.0.0.1`. Time-zone
 * settings go in the per-MAC file only (Yealink ignores them in the common file).
 * The boot files the firmware asks for first (Yealink's boot-file format, firmware 81 and
 * later): `<mac>.boot` names the phone's common file and `<mac>.cfg` in that order, with
 * overwrite_mode (settings left out of the files return to their defaults); the common
 * `y000000000000.boot`, for a phone without a `<mac>.boot` (one not provisioned here), names
 * each model's common file under its `[$MODEL]` prefix. Neither holds a credential.
 */
import { LANGUAGES, type Settings } from '../settings.js';
import { MODELS, type PhoneModel } from '../models.js';
import type { TimeZoneInfo } from '../timezone.js';
import { baseData, macForms, modelData, pairs, publicSettings, rawPairs, TRANSPORT_CODE } from './common.js';
import type { Pair, VendorDriver } from './types.js';

const KEY_TYPE = { line: '15', blf: '16', speeddial: '13' } as const;

function commonFile(model: PhoneModel): string {
  return `y${(model.family ?? '0').padStart(12, '0')}.cfg`;
}

/** The model's name in a boot file's [$MODEL] prefix: Yealink SIP-T46U -> T46U. */
function bootModel(model: PhoneModel): string {
  return model.name.replace(/^Yealink (SIP-)?/, '');
}

/** Each Yealink model family's common file and the models (boot-file names) that load it. */
function commonIncludes(): { models: string; file: string }[] {
  const byFile = new Map<string, string[]>();
  for (const m of MODELS.values()) if (m.vendor === 'yealink') byFile.set(commonFile(m), [...(byFile.get(commonFile(m)) ?? []), bootModel(m)]);
  return [...byFile].map(([file, models]) => ({ models: models.join(','), file }));
}

/** Yealink's day of week: 1 = Monday ... 7 = Sunday; week 5 = the last. */
function rule(r: { month: number; week: number; weekday: number; minutes: number }): string {
  return `${r.month}/${r.week}/${r.weekday === 0 ? 7 : r.weekday}/${Math.floor(r.minutes / 60)}`;
}

function zonePairs(zone: TimeZoneInfo | undefined): [string, string | undefined][] {
  if (!zone) return [];
  const hours = zone.standardOffset / 60;
  const offset = `${hours < 0 ? '-' : '+'}${Math.abs(hours)}`;
  if (!zone.dst) return [['local_time.time_zone', offset], ['local_time.summer_time', '0']];
  return [
    ['local_time.time_zone', offset],
    ['local_time.summer_time', '1'],
    ['local_time.dst_time_type', '1'],
    ['local_time.start_time', rule(zone.dst.start)],
    ['local_time.end_time', rule(zone.dst.end)],
    ['local_time.offset_time', String(zone.dst.offset - zone.standardOffset)],
  ];
}

function settingPairs(s: Settings, zone: TimeZoneInfo | undefined): Pair[] {
  const language = s.language === undefined ? undefined : LANGUAGES[s.language].yealink;
  const syslog = s.syslog_server?.split(/:(?=\d+$)/);
  return pairs([
    ...zonePairs(zone),
    ['local_time.ntp_server1', s.ntp_server],
    ['lang.gui', language],
    ['lang.wui', language],
    ['static.security.user_password', s.admin_password === undefined ? undefined : `admin:${s.admin_password}`],
    ['static.syslog.server', syslog?.[0]],
    ['static.syslog.server_port', syslog?.[0] === undefined ? undefined : (syslog[1] ?? '514')],
    ['static.network.vlan.internet_port_enable', s.vlan === undefined ? undefined : '1'],
    ['static.network.vlan.internet_port_vid', s.vlan],
  ]);
}

/** The vocabulary's pairs, then the raw keys (which win: Yealink takes a key's last value). */
const PAIRS = `{%- for s in settings %}
{{ s.key }} = {{ s.value }}
{%- endfor %}
{%- for s in raw %}
{{ s.key }} = {{ s.value }}
{%- endfor %}
`;

const PHONE_CFG = `#!version:1.0.0.1
## {{ model.name }} {{ mac.colons }}: written by hermes, do not edit on the phone.
{%- for line in lines %}
account.{{ line.index }}.enable = 1
account.{{ line.index }}.label = {{ line.label }}
account.{{ line.index }}.display_name = {{ line.display_name }}
account.{{ line.index }}.user_name = {{ line.user }}
account.{{ line.index }}.auth_name = {{ line.auth_name }}
account.{{ line.index }}.password = {{ line.password }}
account.{{ line.index }}.sip_server.1.address = {{ line.registrar.host }}
account.{{ line.index }}.sip_server.1.port = {{ line.registrar.port }}
account.{{ line.index }}.sip_server.1.transport_type = {{ line.transport_code }}
{%- if phone.settings.register_expires %}
account.{{ line.index }}.sip_server.1.expires = {{ phone.settings.register_expires }}
{%- endif %}
{%- if line.outbound_proxy %}
account.{{ line.index }}.outbound_proxy_enable = 1
account.{{ line.index }}.outbound_proxy.1.address = {{ line.outbound_proxy.host }}
account.{{ line.index }}.outbound_proxy.1.port = {{ line.outbound_proxy.port }}
{%- else %}
account.{{ line.index }}.outbound_proxy_enable = 0
{%- endif %}
{%- if line.digit_map != "" %}
account.{{ line.index }}.dialplan.digitmap.enable = 1
account.{{ line.index }}.dialplan.digitmap.string = {{ line.digit_map }}
{%- endif %}
{%- endfor %}
{%- for key in keys %}
linekey.{{ key.index }}.type = {{ key.type_code }}
linekey.{{ key.index }}.line = {{ key.line }}
linekey.{{ key.index }}.value = {{ key.value }}
linekey.{{ key.index }}.label = {{ key.label }}
{%- endfor %}
${PAIRS}`;

const COMMON_CFG = `#!version:1.0.0.1
## {{ model.name }}: common settings written by hermes; per-phone settings are in <mac>.cfg.
${PAIRS}`;

const PHONE_BOOT = `#!version:1.0.0.1
## {{ model.name }} {{ mac.colons }}: boot file written by hermes; the phone loads these files in order.
include:config "{{ common_file }}"
include:config "{{ config_file }}"
overwrite_mode = 1
`;

const COMMON_BOOT = `#!version:1.0.0.1
## Yealink common boot file written by hermes, for phones without their own <mac>.boot: each model's common file.
{%- for include in includes %}
[{{ include.models }}]include:config "{{ include.file }}"
{%- endfor %}
overwrite_mode = 1
`;

function genericData(model: PhoneModel, global: Settings): Record<string, unknown> {
  // Time-zone settings are per-MAC only; the admin password is a secret.
  const { timezone: _tz, ...rest } = publicSettings(global);
  return { model: modelData(model), settings: settingPairs(rest, undefined), raw: rawPairs(rest, 'yealink') };
}

export const yealink: VendorDriver = {
  vendor: 'yealink',
  files: (mac, model) => [
    { name: `${mac}.cfg`, template: 'yealink/phone.cfg', format: 'cfg', secret: true },
    { name: `${mac}.boot`, template: 'yealink/phone.boot', format: 'cfg', secret: false },
    { name: commonFile(model), template: 'yealink/common.cfg', format: 'cfg', secret: false, generic: true },
    { name: 'y000000000000.boot', template: 'yealink/common.boot', format: 'cfg', secret: false, generic: true },
  ],
  data(template, { phone, zone, global }) {
    if (template === 'common.cfg') return genericData(phone.model, global);
    if (template === 'phone.boot') {
      // common_file and config_file by name, so that the default template has no loop over them and takes the renderer's fast path (skeleton.ts); includes lists both for templates of one's own
      const files = { common_file: commonFile(phone.model), config_file: `${phone.mac}.cfg` };
      return { model: modelData(phone.model), mac: macForms(phone.mac), ...files, includes: [files.common_file, files.config_file] };
    }
    if (template === 'common.boot') return { model: modelData(phone.model), includes: commonIncludes() };
    return {
      ...baseData(phone, settingPairs(phone.settings, zone), 'yealink'),
      lines: phone.lines.map((l) => ({ ...l, transport_code: TRANSPORT_CODE[l.registrar.transport] })),
      keys: phone.keys.map((k) => ({ ...k, type_code: KEY_TYPE[k.type] })),
    };
  },
  templates: { 'phone.cfg': PHONE_CFG, 'common.cfg': COMMON_CFG, 'phone.boot': PHONE_BOOT, 'common.boot': COMMON_BOOT },
};
