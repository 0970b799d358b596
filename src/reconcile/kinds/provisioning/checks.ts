/**
 * The semantic checks of the `provisioning` section and of phones' provisioning fields
 * (model, profile, settings, keys), through the provisioning core's own checks
 * (checkSettings, checkPhone, checkTemplates): unknown model or profile, more lines or keys
 * than the model has, keys its vendor cannot express, BLF targets that are no declared user or
 * alias, invalid settings, templates that do not parse (at their own file and line).
 */
import { dirname, resolve } from 'node:path';
import { checkPhone, checkSettings, checkTemplates, readTemplateDir, TemplateError, type KeySource, type LineUser, type PhoneProblem, type Profile, type Settings, type TemplateSource } from '../../../provisioning/index.js';
import type { DiagnosticCode } from '../../../desired/diagnostics.js';
import type { RawFunctionKey, RawPhone, RawPhoneSettings, RawProfile, RawProvisioning } from '../../../desired/raw-types.js';
import type { Item, SemanticChecker, ValidatedPart } from '../../../desired/semantics.js';
import type { Segment } from '../../../desired/source-file.js';
import type { DesiredPhone, DesiredProvisioning, DesiredState, SourceLocation } from '../../../desired/types.js';
import { MAX_PROFILE_NAME_LENGTH, parseCidr } from '../../../model/index.js';

/** A place in a file: the part and the path of a node in it. */
interface Where {
  part: ValidatedPart;
  path: Segment[];
}

const locate = (w: Where, rest: Segment[] = [], onKey = false): SourceLocation => w.part.locator.locate([...w.path, ...rest], onKey);
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A settings problem's path (timezone, vendor.yealink.some.key) as segments (raw key names may hold dots). */
function settingSegments(path: string): Segment[] {
  if (!path.startsWith('vendor.')) return [path];
  const [, vendor, ...key] = path.split('.');
  return key.length > 0 ? ['vendor', vendor, key.join('.')] : ['vendor', vendor];
}

/** A settings block, checked; its admin_password is resolved with the other secrets. */
function settingsOf(c: SemanticChecker, raw: RawPhoneSettings | undefined, where: Where): Settings | undefined {
  if (!isObject(raw)) return undefined;
  const { admin_password, ...rest } = raw as RawPhoneSettings;
  const settings: Settings = { ...rest } as Settings;
  if (!c.isInvalid(where.part, where.path)) for (const p of checkSettings(settings)) c.report('HERMES_INVALID_SETTING', locate(where, settingSegments(p.path)), p.message);
  if (admin_password !== undefined) c.facts.secrets.push({ secret: admin_password, at: locate(where, ['admin_password']), set: (v) => (settings.admin_password = v) });
  return settings;
}

/** Declared keys, and a report for each BLF key whose target is no declared user or alias. */
function keysOf(c: SemanticChecker, raw: RawFunctionKey[] | undefined, where: Where, aliases: ReadonlySet<string>): KeySource[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const keys = raw.filter(isObject) as RawFunctionKey[];
  keys.forEach((k, i) => {
    if (k.type !== 'blf' || typeof k.value !== 'string') return;
    const at = locate(where, [i, 'value']);
    const target = c.address(k.value, at, `BLF key ${i + 1}`);
    if (!target) return;
    const key = `${target.username}@${target.domain}`;
    if (!c.facts.isDeclared(key) && !aliases.has(key)) c.report('HERMES_BLF_TARGET_UNDECLARED', at, `BLF key ${i + 1} watches ${key}, which is not a declared user or alias`);
  });
  return keys.map((k) => ({ ...k }));
}

/** The templates folder's overrides (relative to the YAML file), reporting those that cannot be used. */
function templatesOf(c: SemanticChecker, dir: unknown, where: Where, global: Settings): TemplateSource[] {
  if (typeof dir !== 'string') return [];
  const report = (e: TemplateError) => c.diagnostics.push({ severity: 'error', code: 'HERMES_TEMPLATE', file: e.file, line: e.line, column: e.column, path: '', message: e.reason });
  let templates: TemplateSource[];
  try {
    templates = readTemplateDir(resolve(dirname(where.part.file), dir));
  } catch (error) {
    if (error instanceof TemplateError) report(error);
    else c.report('HERMES_TEMPLATE', locate(where, ['templates']), `the templates folder ${dir} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    return [];
  }
  if (templates.length > 0) checkTemplates({ templates, global }).forEach(report);
  return templates;
}

/** The provisioning section (the first file that has one; another one is reported). */
function provisioningOf(c: SemanticChecker, aliases: ReadonlySet<string>): DesiredProvisioning | undefined {
  const parts = c.parts.filter((p) => p.data.provisioning !== undefined);
  for (const extra of parts.slice(1)) c.report('HERMES_DUPLICATE_PROVISIONING', extra.locator.locate(['provisioning'], true), `the provisioning section is also in ${parts[0].file}; declare it in one file`);
  if (parts.length === 0) return undefined;
  const part = parts[0];
  const raw = (isObject(part.data.provisioning) ? part.data.provisioning : {}) as RawProvisioning;
  const where: Where = { part, path: ['provisioning'] };
  const settings = settingsOf(c, raw.settings, { part, path: ['provisioning', 'settings'] }) ?? {};
  const profiles: Record<string, Profile> = {};
  for (const [name, p] of Object.entries(isObject(raw.profiles) ? raw.profiles : {}) as [string, RawProfile][]) {
    const at: Where = { part, path: ['provisioning', 'profiles', name] };
    if (!isObject(p)) continue;
    if (name.length > MAX_PROFILE_NAME_LENGTH) c.report('HERMES_TOO_LONG', locate(at, [], true), `profile name ${JSON.stringify(name.slice(0, 20) + '…')} is ${name.length} characters; at most ${MAX_PROFILE_NAME_LENGTH} fit (it is stored as profile:NAME in a 255-character column)`);
    const profile: Profile = {};
    const s = settingsOf(c, (p as RawProfile).settings, { part, path: [...at.path, 'settings'] });
    const keys = keysOf(c, (p as RawProfile).keys, { part, path: [...at.path, 'keys'] }, aliases);
    if (s) profile.settings = s;
    if (keys) profile.keys = keys;
    profiles[name] = profile;
  }
  const out: DesiredProvisioning = { settings, profiles, templates: templatesOf(c, raw.templates, where, settings), at: locate(where) };
  if (typeof raw.templates === 'string') out.templatesDir = raw.templates;
  if (isObject(raw.auth) && typeof raw.auth.username === 'string') {
    const auth: DesiredProvisioning['auth'] = { username: raw.auth.username };
    out.auth = auth;
    if (raw.auth.password !== undefined) c.facts.secrets.push({ secret: raw.auth.password, at: locate(where, ['auth', 'password']), set: (v) => (auth.password = v) });
  }
  for (const list of ['allow', 'allow_http'] as const) {
    const cidrs = cidrListOf(c, raw[list], { part, path: ['provisioning', list] });
    if (cidrs) out[list] = cidrs;
  }
  return out;
}

/** A CIDR list (allow, allow_http), each entry checked; undefined when absent. */
function cidrListOf(c: SemanticChecker, raw: unknown, where: Where): string[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const out: string[] = [];
  raw.forEach((entry, i) => {
    if (typeof entry !== 'string') return;
    const cidr = parseCidr(entry);
    if (cidr) out.push(`${cidr.address}/${cidr.prefix}`);
    else c.report('HERMES_INVALID_CIDR', locate(where, [i]), `${where.path[1]} entry "${entry}" is not an IP address or CIDR (10.20.0.0/16, 2001:db8::/32)`);
  });
  return out;
}

/** The diagnostic code and place of one of checkPhone's problems. */
function phoneProblem(p: PhoneProblem, keysFromProfile: boolean): { code: DiagnosticCode; path: Segment[] } {
  if (p.path === 'model') return { code: 'HERMES_PHONE_UNKNOWN_MODEL', path: ['model'] };
  if (p.path === 'profile') return { code: 'HERMES_PHONE_UNKNOWN_PROFILE', path: ['profile'] };
  if (p.path === 'users') return { code: 'HERMES_PHONE_CAPACITY', path: ['users'] };
  if (p.path === 'keys') return { code: 'HERMES_PHONE_CAPACITY', path: [keysFromProfile ? 'profile' : 'keys'] };
  const m = /^keys\[(\d+)\]\.(\w+)$/.exec(p.path);
  if (m && !keysFromProfile) return { code: 'HERMES_INVALID_KEY', path: ['keys', Number(m[1]), m[2]] };
  return { code: 'HERMES_INVALID_KEY', path: ['profile'] };
}

/** The fields that make a phone provisioned (or, without a model, are refused). */
const PROVISIONING_FIELDS = ['model', 'profile', 'settings', 'keys'] as const;

/** A phone's provisioning fields: checked against its model and the section, set on the phone. */
function checkProvisionedPhone(c: SemanticChecker, phone: DesiredPhone, item: Item<RawPhone>, ctx: { config: DesiredProvisioning | undefined; users: ReadonlyMap<string, LineUser>; aliases: ReadonlySet<string> }): void {
  const raw = item.value;
  const where: Where = { part: item.part, path: item.path };
  if (typeof raw.model !== 'string') {
    const extra = (['profile', 'settings', 'keys'] as const).find((f) => raw[f] !== undefined);
    if (extra) c.report('HERMES_PHONE_NOT_PROVISIONED', c.at(item, extra, true), `phone ${phone.mac} has ${extra} but no model; give it a model to provision it`);
    return;
  }
  phone.model = raw.model;
  if (typeof raw.profile === 'string') phone.profile = raw.profile;
  const settings = settingsOf(c, raw.settings, { ...where, path: [...where.path, 'settings'] });
  if (settings) phone.settings = settings;
  const keys = keysOf(c, raw.keys, { ...where, path: [...where.path, 'keys'] }, ctx.aliases);
  if (keys) phone.keys = keys;
  const lines = phone.lines.map((a) => ctx.users.get(a)).filter((u): u is LineUser => u !== undefined);
  const keysFromProfile = keys === undefined;
  for (const p of checkPhone({ mac: phone.mac, model: phone.model, lines, profile: phone.profile, keys }, ctx.config ?? {})) {
    const { code, path } = phoneProblem(p, keysFromProfile);
    const message = keysFromProfile && p.path.startsWith('keys') ? `the keys of profile ${phone.profile}: ${p.message}` : p.message;
    c.report(code, locate(where, path), `phone ${phone.mac}: ${message}`);
  }
}

export function checkProvisioning(c: SemanticChecker, state: DesiredState): void {
  // (the sets are built only when something is provisioned: a platform without phone models pays nothing)
  const provisioned = c.facts.phoneItems.filter(({ item }) => PROVISIONING_FIELDS.some((f) => item.value[f] !== undefined));
  if (provisioned.length === 0 && c.parts.every((p) => p.data.provisioning === undefined)) return;
  const aliases = new Set((state.aliases ?? []).map((a) => `${a.alias_username}@${a.alias_domain}`));
  const config = provisioningOf(c, aliases);
  if (config) state.provisioning = config;
  const users = new Map((state.users ?? []).map((u) => [u.address, u]));
  for (const { phone, item } of provisioned) checkProvisionedPhone(c, phone, item, { config, users, aliases });
}
