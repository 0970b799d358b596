/**
 * From the desired (or applied) state to PhoneDescriptions, and the checks of one phone
 * against its model (lines, keys, key types, settings). The entry point the desired-state
 * loader, the planner and the provisioning server call.
 */
import { findModel, VENDOR_KEY_TYPES } from './models.js';
import { describeKeys, describeLine, type DomainServer, type KeySource, type LineUser, type PhoneDescription } from './phone.js';
import { checkSettings, resolveSettings, type Settings } from './settings.js';
import { GRANDSTREAM_MAPPED_KEYS } from './vendors/grandstream.js';

export interface Profile {
  settings?: Settings;
  keys?: KeySource[];
}

/** The `provisioning` section's parts the rendering needs. */
export interface ProvisioningConfig {
  settings?: Settings;
  profiles?: Readonly<Record<string, Profile>>;
}

/** A phone as declared: its MAC, model, users in line order, profile, settings, keys. */
export interface PhoneSource {
  mac: string;
  model: string;
  lines: readonly LineUser[];
  profile?: string;
  settings?: Settings;
  /** The phone's own keys; when absent, its profile's. */
  keys?: readonly KeySource[];
}

/** A problem with one phone; `path` relative to the phone (e.g. keys[3], settings.vlan). */
export interface PhoneProblem {
  path: string;
  message: string;
}

/**
 * Everything wrong with a phone against its model and the provisioning section: unknown
 * model or profile, more lines or keys than the model has, key types its vendor cannot
 * express, invalid settings. (A BLF target that is no declared user or alias is the
 * desired-state loader's check: it knows the addresses.)
 */
export function checkPhone(phone: PhoneSource, config: ProvisioningConfig): PhoneProblem[] {
  const out: PhoneProblem[] = [];
  const model = findModel(phone.model);
  if (!model) return [{ path: 'model', message: `unknown phone model "${phone.model}"` }];
  const profile = phone.profile === undefined ? undefined : config.profiles?.[phone.profile];
  if (phone.profile !== undefined && !profile) out.push({ path: 'profile', message: `unknown profile "${phone.profile}"` });
  if (phone.lines.length > model.lines) out.push({ path: 'users', message: `${model.name} has ${model.lines} lines; ${phone.lines.length} users given` });
  const keys = phone.keys ?? profile?.keys ?? [];
  const capacity = model.vendor === 'grandstream' ? Math.min(model.keys, GRANDSTREAM_MAPPED_KEYS) : model.keys;
  if (keys.length > capacity) out.push({ path: 'keys', message: `${model.name} has ${capacity} programmable keys hermes can set; ${keys.length} given` });
  keys.forEach((k, i) => {
    if (!VENDOR_KEY_TYPES[model.vendor].includes(k.type)) out.push({ path: `keys[${i}].type`, message: `${model.vendor} phones take ${VENDOR_KEY_TYPES[model.vendor].join(', ')} keys, not ${k.type}` });
    if (k.type !== 'line' && !k.value) out.push({ path: `keys[${i}].value`, message: `a ${k.type} key needs a value` });
    if (k.line !== undefined && (k.line < 1 || k.line > Math.max(phone.lines.length, 1))) out.push({ path: `keys[${i}].line`, message: `line ${k.line} is not one of the phone's lines` });
  });
  for (const p of checkSettings(phone.settings ?? {})) out.push({ path: `settings.${p.path}`, message: p.message });
  return out;
}

/**
 * The vendor-neutral description of a phone that checkPhone() passed. `servers` gives each
 * local domain's sip_server/transport (by lower-case domain name).
 */
export function describePhone(phone: PhoneSource, config: ProvisioningConfig, servers: ReadonlyMap<string, DomainServer> = new Map()): PhoneDescription {
  const model = findModel(phone.model);
  if (!model) throw new Error(`unknown phone model "${phone.model}"`);
  const profile = phone.profile === undefined ? undefined : config.profiles?.[phone.profile];
  return {
    mac: phone.mac,
    model,
    lines: phone.lines.map((user, i) => describeLine(i + 1, user, servers.get(user.domain))),
    keys: describeKeys(phone.keys ?? profile?.keys ?? []),
    settings: resolveSettings(config.settings, profile?.settings, phone.settings),
  };
}
