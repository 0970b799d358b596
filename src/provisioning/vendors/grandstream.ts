/**
 * Grandstream GRP/GXP: `cfg<mac>.xml` (lower-case), <gs_provision version="1"> with <mac>
 * and <config version="1"> holding P-values. Account N's codes come from ACCOUNT_CODES;
 * multi-purpose keys 1-18 from mpkCodes(); the server fields take "host:port".
 */
import { LANGUAGES, type Settings } from '../settings.js';
import type { TimeZoneInfo } from '../timezone.js';
import { baseData, pairs, TRANSPORT_CODE } from './common.js';
import type { Pair, VendorDriver } from './types.js';
import type { PhoneLine } from '../phone.js';

interface AccountCodes {
  active: number;
  server: number;
  proxy: number;
  user: number;
  auth: number;
  password: number;
  display: number;
  name: number;
  dialplan: number;
  expires: number;
  transport: number;
}

const ACCOUNT_1: AccountCodes = { active: 271, server: 47, proxy: 48, user: 35, auth: 36, password: 34, display: 3, name: 270, dialplan: 290, expires: 32, transport: 130 };

/** Accounts 2-4 are numbered from 400/500/600, accounts 5-6 from 1700/1800, same offsets. */
function accountCodes(n: number): AccountCodes {
  if (n === 1) return ACCOUNT_1;
  const b = n <= 4 ? (n + 2) * 100 : (n + 12) * 100;
  return { active: b + 1, server: b + 2, proxy: b + 3, user: b + 4, auth: b + 5, password: b + 6, display: b + 7, name: b + 17, dialplan: b + 59, expires: b + 40, transport: b + 48 };
}

/** Multi-purpose key k (1-18): mode, account (0-based), name, value. */
function mpkCodes(k: number): { mode: number; account: number; name: number; value: number } {
  if (k <= 7) return { mode: 322 + k, account: 298 + 3 * k, name: 299 + 3 * k, value: 300 + 3 * k };
  const b = 353 + 4 * (k - 8);
  return { mode: b, account: b + 1, name: b + 2, value: b + 3 };
}

/** The highest key number mpkCodes() maps. */
export const GRANDSTREAM_MAPPED_KEYS = 18;

function hostPort(h: { host: string; port: number }): string {
  return `${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}`;
}

function linePairs(l: PhoneLine, expires: number | undefined): Pair[] {
  const c = accountCodes(l.index);
  return pairs([
    [`P${c.active}`, '1'],
    [`P${c.server}`, hostPort(l.registrar)],
    [`P${c.proxy}`, l.outbound_proxy ? hostPort(l.outbound_proxy) : ''],
    [`P${c.user}`, l.user],
    [`P${c.auth}`, l.auth_name],
    [`P${c.password}`, l.password],
    [`P${c.display}`, l.display_name],
    [`P${c.name}`, l.label],
    [`P${c.transport}`, TRANSPORT_CODE[l.registrar.transport]],
    [`P${c.dialplan}`, l.digit_map === '' ? undefined : l.digit_map],
    // Grandstream's registration expiry is in minutes.
    [`P${c.expires}`, expires === undefined ? undefined : Math.ceil(expires / 60)],
  ]);
}

function keyPairs(k: { index: number; type: string; value: string; label: string; line: number }): Pair[] {
  const c = mpkCodes(k.index);
  return pairs([
    [`P${c.mode}`, k.type === 'blf' ? '1' : '0'],
    [`P${c.account}`, k.line - 1],
    [`P${c.name}`, k.label],
    [`P${c.value}`, k.value],
  ]);
}

function settingPairs(s: Settings, zone: TimeZoneInfo | undefined): Pair[] {
  return pairs([
    // P64 "customize" takes the POSIX TZ string in P246.
    ['P64', zone ? 'customize' : undefined],
    ['P246', zone?.posix],
    ['P30', s.ntp_server],
    ['P1362', s.language === undefined ? undefined : LANGUAGES[s.language].grandstream],
    ['P2', s.admin_password],
    ['P207', s.syslog_server],
    ['P51', s.vlan],
  ]);
}

const CFG_XML = `<?xml version="1.0" encoding="UTF-8"?>
<!-- {{ model.name }} {{ mac.colons }}: written by hermes -->
<gs_provision version="1">
  <mac>{{ mac.lower }}</mac>
  <config version="1">
{%- for line in lines %}
    <!-- account {{ line.index }} -->
{%- for p in line.pairs %}
    <{{ p.key }}>{{ p.value }}</{{ p.key }}>
{%- endfor %}
{%- endfor %}
{%- for key in keys %}
{%- for p in key.pairs %}
    <{{ p.key }}>{{ p.value }}</{{ p.key }}>
{%- endfor %}
{%- endfor %}
{%- for s in settings %}
    <{{ s.key }}>{{ s.value }}</{{ s.key }}>
{%- endfor %}
{%- for s in raw %}
    <{{ s.key }}>{{ s.value }}</{{ s.key }}>
{%- endfor %}
  </config>
</gs_provision>
`;

export const grandstream: VendorDriver = {
  vendor: 'grandstream',
  files: (mac) => [{ name: `cfg${mac}.xml`, template: 'grandstream/cfg.xml', format: 'xml', secret: true }],
  data(_template, { phone, zone }) {
    return {
      ...baseData(phone, settingPairs(phone.settings, zone), 'grandstream'),
      lines: phone.lines.map((l) => ({ ...l, pairs: linePairs(l, phone.settings.register_expires) })),
      keys: phone.keys.filter((k) => k.index <= GRANDSTREAM_MAPPED_KEYS).map((k) => ({ ...k, pairs: keyPairs(k) })),
    };
  },
  templates: { 'cfg.xml': CFG_XML },
};
