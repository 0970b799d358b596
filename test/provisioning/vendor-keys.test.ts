/**
 * The vendors' key spellings, checked against the facts collected in
 * ../shared/provisioning-vendors.md ("Per-line keys" and "Other common settings"), one test
 * per vendor: a phone with a line, NTP, a time zone, a digit map, an admin password, an
 * outbound proxy and a BLF key is rendered, read back with the vendor's grammar (key = value,
 * or a real XML parser) and each fact's key is looked up with the value it must hold.
 *
 * Where hermes writes a documented alternative rather than the table's key, the test names
 * it and says why:
 * - digit maps are per line (Yealink account.N.dialplan.digitmap.string, Poly
 *   dialplan.N.digitmap) rather than the phone-wide dialplan.digitmap(.string), since each
 *   line's user has its own `dialplan`;
 * - Snom's time zone is given as utc_offset + dst (seconds, and the DST rule) rather than a
 *   `timezone` code from Snom's own list, which has no mapping from IANA names.
 */
import { describe, expect, it } from 'vitest';
import { createRenderer, describePhone, type LineUser, type RenderedFile, type Vendor } from '../../src/provisioning/index.js';
import { grandstreamValues, parseCfg, parseXml, polyAttributes } from './parse-files.js';

const MAC = '0004f2abcdef';
const alice: LineUser = { username: 'alice', domain: 'example.com', kind: 'local', displayname: 'Alice', linetext: 'Alice', dialplan: '[2-9]xxx', password: 'alice-Secret1' };
const servers = new Map([['example.com', { sip_server: '192.0.2.10:5062', transport: 'tcp' as const }]]);
const settings = { timezone: 'Europe/Oslo', ntp_server: 'ntp.example.net', admin_password: 'admin-Secret9' };

/** Every setting of the phone's files as key -> value (Snom's indexed ones as name[idx]). */
function keysOf(vendor: Vendor, files: RenderedFile[]): Map<string, string> {
  if (vendor === 'yealink') return parseCfg(files[0].content);
  if (vendor === 'polycom') return polyAttributes(parseXml(files[1].content));
  if (vendor === 'grandstream') return grandstreamValues(parseXml(files[0].content));
  const doc = parseXml(files[0].content).settings[0];
  const out = new Map<string, string>();
  for (const [name, elements] of Object.entries(doc['phone-settings'][0]) as [string, any[]][]) {
    for (const e of elements) out.set(e['@idx'] === undefined ? name : `${name}[${e['@idx']}]`, e['#text'] ?? '');
  }
  for (const e of doc.functionKeys[0].fkey ?? []) out.set(`fkey[${e['@idx']}]`, e['#text'] ?? '');
  return out;
}

const EXPECTED: Record<Vendor, { model: string; keys: Record<string, string> }> = {
  yealink: {
    model: 'yealink-t46u',
    keys: {
      'account.1.enable': '1',
      'account.1.user_name': 'alice',
      'account.1.auth_name': 'alice',
      'account.1.password': 'alice-Secret1',
      'account.1.display_name': 'Alice',
      'account.1.label': 'Alice',
      'account.1.sip_server.1.address': 'example.com',
      'account.1.sip_server.1.port': '5062',
      'account.1.sip_server.1.transport_type': '1', // 0 UDP, 1 TCP, 2 TLS
      'account.1.outbound_proxy_enable': '1',
      'account.1.outbound_proxy.1.address': '192.0.2.10',
      'local_time.ntp_server1': 'ntp.example.net',
      'local_time.time_zone': '+1',
      'account.1.dialplan.digitmap.string': '[2-9]xxx',
      'static.security.user_password': 'admin:admin-Secret9',
      'linekey.1.type': '16', // 15 line, 16 BLF, 13 speed dial
      'linekey.1.value': 'dave@example.com',
      'linekey.1.label': 'Dave',
      'linekey.1.line': '1',
    },
  },
  snom: {
    model: 'snom-d735',
    keys: {
      'user_name[1]': 'alice',
      'user_pname[1]': 'alice',
      'user_pass[1]': 'alice-Secret1',
      'user_realname[1]': 'Alice',
      'user_idle_text[1]': 'Alice',
      'user_host[1]': 'example.com:5062',
      'user_outbound[1]': '192.0.2.10:5062;transport=tcp',
      ntp_server: 'ntp.example.net',
      utc_offset: '3600',
      'user_dp_str[1]': '[2-9]xxx',
      admin_mode_password: 'admin-Secret9',
      'fkey[0]': 'blf sip:dave@example.com',
    },
  },
  polycom: {
    model: 'polycom-vvx450',
    keys: {
      'reg.1.address': 'alice@example.com',
      'reg.1.auth.userId': 'alice',
      'reg.1.auth.password': 'alice-Secret1',
      'reg.1.displayName': 'Alice',
      'reg.1.label': 'Alice',
      'reg.1.server.1.address': 'example.com',
      'reg.1.server.1.port': '5062',
      'reg.1.server.1.transport': 'TCPOnly',
      'tcpIpApp.sntp.address': 'ntp.example.net',
      'tcpIpApp.sntp.gmtOffset': '3600',
      'dialplan.1.digitmap': '[2-9]xxx',
      'device.auth.localAdminPassword': 'admin-Secret9',
      'attendant.resourceList.1.address': 'dave@example.com',
      'attendant.resourceList.1.label': 'Dave',
    },
  },
  grandstream: {
    model: 'grandstream-gxp2170',
    keys: {
      P271: '1', // account 1 active
      P35: 'alice',
      P36: 'alice',
      P34: 'alice-Secret1',
      P3: 'Alice',
      P270: 'Alice',
      P47: 'example.com:5062',
      P48: '192.0.2.10:5062',
      P30: 'ntp.example.net',
      P64: 'customize', // with the POSIX TZ string in P246
      P246: 'STD-1DST,M3.5.0/2:00,M10.5.0/3:00', // POSIX TZ: zone names are free text
      P290: '[2-9]xxx',
      P2: 'admin-Secret9',
    },
  },
};

describe("each vendor's keys are spelled as in shared/provisioning-vendors.md", () => {
  const renderer = createRenderer();
  for (const [vendor, { model, keys }] of Object.entries(EXPECTED) as [Vendor, (typeof EXPECTED)[Vendor]][]) {
    it(`${vendor} (${model})`, () => {
      const phone = describePhone({ mac: MAC, model, lines: [alice], settings, keys: [{ type: 'blf', value: 'dave@example.com', label: 'Dave' }] }, {}, servers);
      const found = keysOf(vendor, renderer.renderAll(phone));
      expect(Object.fromEntries(Object.keys(keys).map((k) => [k, found.get(k)]))).toEqual(keys);
    });
  }
});
