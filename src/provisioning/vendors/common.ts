/** Helpers the vendor drivers share: MAC spellings, raw keys, template data basics. */
import type { PhoneModel, Vendor } from '../models.js';
import type { PhoneDescription } from '../phone.js';
import type { Settings } from '../settings.js';
import type { Pair } from './types.js';

/** The MAC spelled as firmwares and templates need it. */
export function macForms(mac: string): { lower: string; upper: string; colons: string } {
  return { lower: mac, upper: mac.toUpperCase(), colons: mac.replace(/(..)(?!$)/g, '$1:') };
}

/** The vendor's raw keys from the settings' escape hatch, in declaration order. */
export function rawPairs(settings: Settings, vendor: Vendor): Pair[] {
  return Object.entries(settings.vendor?.[vendor] ?? {}).map(([key, value]) => ({ key, value }));
}

/** Pairs with their undefined values dropped. */
export function pairs(list: readonly [string, string | number | undefined][]): Pair[] {
  return list.filter((p): p is [string, string | number] => p[1] !== undefined).map(([key, value]) => ({ key, value: String(value) }));
}

/**
 * The data every template gets: `phone` (its MAC and resolved settings), `lines` and `keys`
 * (the description's, which a driver may extend with vendor values), `model`, `mac` (its
 * spellings), `settings` (the vocabulary as the vendor's key/value pairs) and `raw` (the
 * vendor's raw keys).
 */
export function baseData(phone: PhoneDescription, settings: Pair[], vendor: Vendor): Record<string, unknown> {
  return {
    phone: { mac: phone.mac, settings: phone.settings },
    lines: phone.lines,
    keys: phone.keys,
    model: modelData(phone.model),
    mac: macForms(phone.mac),
    settings,
    raw: rawPairs(phone.settings, vendor),
  };
}

export function modelData(model: PhoneModel): Record<string, unknown> {
  return { id: model.id, name: model.name, vendor: model.vendor, lines: model.lines, keys: model.keys, family: model.family ?? '' };
}

/** Settings without the secret ones (for generic files). */
export function publicSettings(s: Settings): Settings {
  const { admin_password: _secret, ...rest } = s;
  return rest;
}

export const TRANSPORT_CODE = { udp: '0', tcp: '1', tls: '2' } as const;
