/**
 * The typed settings vocabulary for phones, its validation and its precedence. A phone's
 * settings are its own over its profile's over `provisioning.settings` (key by key; the
 * per-vendor raw keys merge key by key too). Each vendor maps the vocabulary to its own keys
 * (src/provisioning/vendors); `vendor.<name>` passes raw keys the vocabulary does not cover.
 */
import { VENDORS, type Vendor } from './models.js';
import { isTimeZone } from './timezone.js';
import { parseHostPort } from './phone.js';

export interface Settings {
  /** IANA time zone name, e.g. Europe/Oslo. */
  timezone?: string;
  ntp_server?: string;
  /** One of LANGUAGES' codes. */
  language?: string;
  /** The phone's web UI / admin menu password. A secret. */
  admin_password?: string;
  /** host[:port] of a syslog server (UDP 514 by default). */
  syslog_server?: string;
  /** 802.1Q VLAN id of the phone's own traffic, 1-4094. */
  vlan?: number;
  /** Registration lifetime the phone asks for, seconds (30-86400). */
  register_expires?: number;
  /** Raw vendor keys: vendor -> key -> value, written last (they win over the vocabulary). */
  vendor?: Partial<Record<Vendor, Record<string, string>>>;
}

/** Settings whose values are secrets: masked in listings, never in plans. */
export const SECRET_SETTINGS: readonly (keyof Settings)[] = ['admin_password'];

/**
 * Supported languages (ISO 639-1) and each vendor's own name for it: Yealink lang.gui,
 * Snom language, Poly lcl.ml.lang, Grandstream P1362.
 */
export const LANGUAGES: Readonly<Record<string, Readonly<Record<Vendor, string>>>> = {
  en: { yealink: 'English', snom: 'English', polycom: 'English_United_Kingdom', grandstream: 'en' },
  de: { yealink: 'German', snom: 'Deutsch', polycom: 'German_Germany', grandstream: 'de' },
  fr: { yealink: 'French', snom: 'Francais', polycom: 'French_France', grandstream: 'fr' },
  es: { yealink: 'Spanish', snom: 'Espanol', polycom: 'Spanish_Spain', grandstream: 'es' },
  it: { yealink: 'Italian', snom: 'Italiano', polycom: 'Italian_Italy', grandstream: 'it' },
  nl: { yealink: 'Dutch', snom: 'Nederlands', polycom: 'Dutch_Netherlands', grandstream: 'nl' },
  nb: { yealink: 'Norwegian', snom: 'Norsk', polycom: 'Norwegian_Norway', grandstream: 'no' },
  sv: { yealink: 'Swedish', snom: 'Svenska', polycom: 'Swedish_Sweden', grandstream: 'sv' },
  da: { yealink: 'Danish', snom: 'Dansk', polycom: 'Danish_Denmark', grandstream: 'da' },
  pl: { yealink: 'Polish', snom: 'Polski', polycom: 'Polish_Poland', grandstream: 'pl' },
  pt: { yealink: 'Portuguese', snom: 'Portugues', polycom: 'Portuguese_Portugal', grandstream: 'pt' },
};

/** A problem in a settings block; `path` is relative to the block (e.g. vendor.snom.x). */
export interface SettingsProblem {
  path: string;
  message: string;
}

const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)$/;
/** Raw key names each vendor's file format can hold as a key / element / attribute name. */
const RAW_KEY: Readonly<Record<Vendor, RegExp>> = {
  yealink: /^[A-Za-z0-9_][A-Za-z0-9_.\-]*$/,
  snom: /^[A-Za-z_][A-Za-z0-9_\-]*$/,
  polycom: /^[A-Za-z_][A-Za-z0-9_.\-]*$/,
  grandstream: /^P[0-9]+$/,
};

function integerIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function checkVendor(raw: unknown, out: SettingsProblem[]): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    out.push({ path: 'vendor', message: 'vendor must map a vendor name to its raw keys' });
    return;
  }
  for (const [vendor, keys] of Object.entries(raw)) {
    if (!(VENDORS as readonly string[]).includes(vendor)) {
      out.push({ path: `vendor.${vendor}`, message: `unknown vendor "${vendor}" (one of ${VENDORS.join(', ')})` });
      continue;
    }
    for (const [key, value] of Object.entries(keys ?? {})) {
      if (!RAW_KEY[vendor as Vendor].test(key)) out.push({ path: `vendor.${vendor}.${key}`, message: `"${key}" is not a ${vendor} setting name` });
      if (typeof value !== 'string') out.push({ path: `vendor.${vendor}.${key}`, message: 'a raw vendor value must be a string' });
    }
  }
}

/** Every problem of one settings block (global, a profile's or a phone's). */
export function checkSettings(s: Settings): SettingsProblem[] {
  const out: SettingsProblem[] = [];
  const bad = (path: string, message: string) => out.push({ path, message });
  if (s.timezone !== undefined && !isTimeZone(s.timezone)) bad('timezone', `"${s.timezone}" is not an IANA time zone (e.g. Europe/Oslo)`);
  if (s.ntp_server !== undefined && !HOST.test(s.ntp_server)) bad('ntp_server', `"${s.ntp_server}" is not a host name or address`);
  if (s.syslog_server !== undefined) {
    const hop = parseHostPort(s.syslog_server, 514);
    if (!hop || !HOST.test(hop.host.includes(':') ? `[${hop.host}]` : hop.host)) bad('syslog_server', `"${s.syslog_server}" is not host[:port]`);
  }
  if (s.language !== undefined && !(s.language in LANGUAGES)) bad('language', `unknown language "${s.language}" (one of ${Object.keys(LANGUAGES).join(', ')})`);
  if (s.vlan !== undefined && !integerIn(s.vlan, 1, 4094)) bad('vlan', 'vlan must be a VLAN id, 1-4094');
  if (s.register_expires !== undefined && !integerIn(s.register_expires, 30, 86400)) bad('register_expires', 'register_expires must be 30-86400 seconds');
  if (s.admin_password !== undefined && (typeof s.admin_password !== 'string' || s.admin_password === '')) bad('admin_password', 'admin_password must be a non-empty string');
  if (s.vendor !== undefined) checkVendor(s.vendor, out);
  return out;
}

function mergeVendor(layers: readonly (Settings | undefined)[]): Settings['vendor'] {
  const merged: Partial<Record<Vendor, Record<string, string>>> = {};
  for (const layer of layers) {
    for (const [vendor, keys] of Object.entries(layer?.vendor ?? {}) as [Vendor, Record<string, string>][]) {
      merged[vendor] = { ...merged[vendor], ...keys };
    }
  }
  return Object.keys(merged).length > 0 ? merged : undefined;
}

/** The effective settings: phone over profile over global, key by key. */
export function resolveSettings(global?: Settings, profile?: Settings, phone?: Settings): Settings {
  const layers = [global, profile, phone];
  const out: Settings = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer ?? {})) {
      if (key !== 'vendor' && value !== undefined) (out as Record<string, unknown>)[key] = value;
    }
  }
  const vendor = mergeVendor(layers);
  if (vendor) out.vendor = vendor;
  return out;
}
