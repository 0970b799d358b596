/**
 * The platform as a desired-state document (the YAML's raw shape), for `hermes export` and
 * `hermes export --diff`. Both the live database and a declared state go through the same
 * canonical form: sorted, defaults left out, no password, the pool as compact ranges that
 * include the numbers in use (so the document validates and plans to "No changes.").
 */
import type { DesiredState } from '../desired/types.js';
import type { RawAlias, RawDesiredFile, RawDomain, RawFunctionKey, RawPhone, RawPhoneSettings, RawProvisioning, RawUser } from '../desired/raw-types.js';
import { globToRegExp, isE164 } from '../ops/canonical.js';
import { numericNumber, type NumberRun, type UserFields } from '../model/index.js';
import type { ActualAlias, ActualState, ActualUser } from './actual-state.js';
import { badDomain, badUserFields, badUsername } from './export-checks.js';
import { mergeRuns } from './number-ranges.js';
import { displayMac } from '../model/index.js';
import { overrideProblem, secretField, stableJson } from '../provisioning/index.js';
import { desiredItems } from './kinds/provisioning/index.js';

/** A stored template override: its id (<vendor or model>/<template>) and text. */
export interface ExportedTemplate {
  id: string;
  text: string;
}

export interface ExportResult {
  document: RawDesiredFile;
  /** The stored template overrides (written as files by the caller, which then names their folder). */
  templates: ExportedTemplate[];
  /** Rows that cannot be expressed in the format, left out (and marked unmanaged where they live in a listed domain). */
  warnings: string[];
  /** Why each name was marked unmanaged (domain -> name -> reason) and the domains left out, for YAML comments. */
  notes: ExportNotes;
}

export interface ExportNotes {
  unmanaged: Map<string, Map<string, string>>;
  /** One line per Kamailio domain the file cannot list, with the reason. */
  leftOut: string[];
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function userEntry(u: { address: string; kind: string } & { [F in keyof UserFields]?: UserFields[F] | undefined }, number: string | undefined): RawUser {
  const e: RawUser = { user: u.address };
  if (u.displayname) e.displayname = u.displayname;
  if (u.email) e.email = u.email;
  if (u.linetext) e.linetext = u.linetext;
  if (u.dialplan) e.dialplan = u.dialplan;
  if (number) e.number = number;
  if (u.kind === 'remote') {
    if (u.registrar) e.registrar = u.registrar;
    if (u.r_port !== null && u.r_port !== undefined) e.r_port = u.r_port;
    if (u.proxy) e.proxy = u.proxy;
    if (u.p_port !== null && u.p_port !== undefined) e.p_port = u.p_port;
    if (u.authid) e.authid = u.authid;
  }
  return e;
}

function numbersSection(runs: readonly { start: string; end: string }[]): NonNullable<RawDesiredFile['numbers']> {
  const ranges: { start: string; end: string }[] = [];
  const singles: string[] = [];
  for (const run of mergeRuns(runs)) {
    if (run.count >= 2) ranges.push({ start: run.start, end: run.end });
    else singles.push(run.start);
  }
  return { ranges, numbers: singles };
}

/** The domains an export shows, their unmanaged globs, and the names it marks unmanaged. */
class ExportScope {
  readonly listed = new Map<string, RawDomain>();
  readonly notes: ExportNotes = { unmanaged: new Map(), leftOut: [] };
  private readonly globs = new Map<string, RegExp[]>();

  constructor(
    private readonly actual: ActualState,
    scope: DesiredState | undefined,
    warnings: string[],
  ) {
    if (!scope) {
      for (const d of [...actual.domains].sort(cmp)) {
        const bad = badDomain(d);
        if (bad === undefined) this.listed.set(d, { domain: d });
        else {
          // Not listed: hermes leaves the domain, its users and its aliases alone.
          this.notes.leftOut.push(`domain ${d} is not listed, so hermes leaves it and everything in it alone: ${bad}`);
          warnings.push(`domain ${d}: ${bad}; left out`);
        }
      }
      return;
    }
    for (const d of scope.domains ?? []) {
      const exists = actual.domains.has(d.domain);
      if (!exists) this.listed.set(d.domain, { domain: d.domain, state: 'absent' });
      else if (d.state === 'absent' || d.unmanaged.length === 0) this.listed.set(d.domain, { domain: d.domain });
      else this.listed.set(d.domain, { domain: d.domain, unmanaged: [...d.unmanaged] });
      this.globs.set(d.domain, d.unmanaged.map(globToRegExp));
    }
  }

  present(d: string): boolean {
    return this.actual.domains.has(d) && this.listed.has(d) && this.listed.get(d)!.state !== 'absent';
  }

  unmanaged(domain: string, name: string): boolean {
    return (this.globs.get(domain) ?? []).some((re) => re.test(name));
  }

  /** Adds `name` to the domain's unmanaged list, with the reason for its comment. */
  markUnmanaged(domain: string, name: string, reason: string): void {
    const d = this.listed.get(domain);
    if (!d || d.state === 'absent') return;
    d.unmanaged = [...new Set([...(d.unmanaged ?? []), name])];
    this.globs.set(domain, [...(this.globs.get(domain) ?? []), globToRegExp(name)]);
    let reasons = this.notes.unmanaged.get(domain);
    if (!reasons) this.notes.unmanaged.set(domain, (reasons = new Map()));
    if (!reasons.has(name)) reasons.set(name, reason);
  }
}

/** Why a user cannot be declared: its name or a stored field hermes would refuse. */
function undeclarableUser(u: ActualUser): string | undefined {
  return badUsername(u.username) ?? badDomain(u.domain) ?? badUserFields(u.kind, u);
}

/** Users: local ones in listed domains, remote ones elsewhere. */
function exportUsers(actual: ActualState, s: ExportScope, scoped: boolean, warnings: string[]): Map<string, ActualUser> {
  const exported = new Map<string, ActualUser>();
  for (const u of actual.users.values()) {
    if (s.present(u.domain)) {
      if (s.unmanaged(u.domain, u.username)) continue;
      const bad =
        u.kind === 'remote' || !u.hasSubscriber
          ? `a ${u.kind === 'remote' ? 'remote user' : 'provisioning row without subscriber'} in a local domain`
          : actual.aliases.has(u.address)
            ? 'its address is also an alias (a dbaliases row), which hermes would refuse'
            : undeclarableUser(u);
      if (bad !== undefined) {
        warnings.push(`user ${u.address}: ${bad}; left out and marked unmanaged`);
        s.markUnmanaged(u.domain, u.username, `user: ${bad}`);
        continue;
      }
      exported.set(u.address, u);
    } else if (!actual.domains.has(u.domain) || (scoped && !s.listed.has(u.domain))) {
      const bad = u.kind === 'remote' ? undeclarableUser(u) : undefined;
      if (bad !== undefined) warnings.push(`remote user ${u.address}: ${bad}; left out`);
      else if (u.kind === 'remote') exported.set(u.address, u);
      else if (!scoped) warnings.push(`user ${u.address}: a local user in ${u.domain}, which has no \`domain\` row, cannot be declared; left out`);
    }
  }
  return exported;
}

interface ExportedAliases {
  aliases: RawAlias[];
  /** Each exported user's number (its E.164 alias in its own domain). */
  numberOf: Map<string, string>;
  /** E.164 aliases kept: their numbers are in use, outside the pool. */
  usedNumbers: string[];
}

/** Why an alias cannot be declared (its name, its destination), or undefined. */
function undeclarableAlias(a: ActualAlias): string | undefined {
  const name = badUsername(a.alias_username);
  if (name !== undefined) return name;
  const destination = badUsername(a.username) ?? badDomain(a.domain);
  return destination === undefined ? undefined : `its destination ${a.username}@${a.domain} cannot be declared: ${destination}`;
}

/**
 * Whether an E.164 number in use by an alias the file does not show (in a domain it does not
 * list) joins the pool's runs (the number next to one): such numbers are written into the
 * `numbers` section as in use, so that an unmanaged alias does not split a range in two.
 */
function touchesPool(pool: readonly NumberRun[], number: string): boolean {
  const n = numericNumber(number);
  return pool.some((r) => r.start.length === number.length && numericNumber(r.start) - 1 <= n && n <= numericNumber(r.end) + 1);
}

/** Aliases: E.164 ones to a user of the same domain become the user's `number`. */
function exportAliases(actual: ActualState, s: ExportScope, exported: Map<string, ActualUser>, warnings: string[]): ExportedAliases {
  const out: ExportedAliases = { aliases: [], numberOf: new Map(), usedNumbers: [] };
  const unmanaged = (key: string, a: ActualAlias, why: string) => {
    warnings.push(`alias ${key} -> ${a.username}@${a.domain}: ${why}; left out and marked unmanaged`);
    s.markUnmanaged(a.alias_domain, a.alias_username, `alias to ${a.username}@${a.domain}: ${why}`);
  };
  for (const [key, a] of [...actual.aliases].sort((x, y) => cmp(x[0], y[0]))) {
    const e164 = isE164(a.alias_username);
    if (!s.present(a.alias_domain)) {
      if (e164 && touchesPool(actual.pool, a.alias_username)) out.usedNumbers.push(a.alias_username);
      continue;
    }
    // In use whether declared or not: the pool's ranges stay whole (export and export --diff alike).
    if (e164) out.usedNumbers.push(a.alias_username);
    if (s.unmanaged(a.alias_domain, a.alias_username)) continue;
    const destination = `${a.username}@${a.domain}`;
    const bad = undeclarableAlias(a);
    if (bad !== undefined) {
      unmanaged(key, a, bad);
      continue;
    }
    if (e164) {
      if (a.domain === a.alias_domain && exported.has(destination) && !out.numberOf.has(destination)) out.numberOf.set(destination, a.alias_username);
      else unmanaged(key, a, exported.has(destination) ? 'an E.164 alias that is not its user\'s one number' : 'its destination is not a declared user');
      continue;
    }
    if ((s.present(a.domain) && !exported.has(destination)) || exported.has(key) || actual.users.has(key)) {
      unmanaged(key, a, actual.users.has(key) || exported.has(key) ? 'the alias is also a user\'s address' : 'its destination is not a declared user');
      continue;
    }
    out.aliases.push({ alias: key, destination });
  }
  return out;
}

function exportPhones(actual: ActualState, exported: Map<string, ActualUser>, warnings: string[], provisioned: (mac: string) => Partial<RawPhone>): RawPhone[] {
  const phones: RawPhone[] = [];
  for (const [mac, lines] of [...actual.phones].sort((x, y) => cmp(x[0], y[0]))) {
    const missing = lines.find((l) => !exported.has(l));
    if (missing) {
      warnings.push(`phone ${displayMac(mac)}: line user ${missing} is not a declared user; left out`);
      continue;
    }
    phones.push({ mac: displayMac(mac), ...provisioned(mac), users: [...lines] });
  }
  return phones;
}

/**
 * The live database as a document. With `scope` (a declared state, for --diff), only what that
 * state manages is shown, in its terms: its domains with their `unmanaged` globs, and only its
 * sections.
 */
export function exportActualState(actual: ActualState, scope?: DesiredState): ExportResult {
  const warnings: string[] = [];
  const s = new ExportScope(actual, scope, warnings);
  const want = (section: keyof RawDesiredFile) => !scope || scope[section as keyof DesiredState] !== undefined;
  const exported = exportUsers(actual, s, scope !== undefined, warnings);
  const { aliases, numberOf, usedNumbers } = exportAliases(actual, s, exported, warnings);
  const provisioning = exportProvisioning(actual.provisioning, warnings);
  const phones = exportPhones(actual, exported, warnings, provisioning.phone);
  const document: RawDesiredFile = { version: 1 };
  if (want('domains')) document.domains = [...s.listed.values()].sort((a, b) => cmp(a.domain, b.domain)).map((d) => ({ ...d, ...provisioning.domain(d.domain) }));
  if (want('numbers')) document.numbers = numbersSection([...actual.pool, ...usedNumbers.map((n) => ({ start: n, end: n }))]);
  if (want('users')) document.users = [...exported.values()].sort((a, b) => cmp(a.address, b.address)).map((u) => userEntry(u, numberOf.get(u.address)));
  if (want('aliases')) document.aliases = aliases;
  if (want('phones')) document.phones = phones;
  if (want('provisioning') && provisioning.section) document.provisioning = provisioning.section;
  return { document, warnings, notes: s.notes, templates: want('provisioning') ? provisioning.templates : [] };
}

/**
 * A declared state in the same canonical form (no password), for --diff. Its provisioning goes
 * through the stored form and the same exportProvisioning as the database's, so that equal
 * states render equal text; secrets are placeholders on both sides (the plan compares them).
 */
export function exportDesiredState(desired: DesiredState): Omit<ExportResult, 'warnings' | 'notes'> {
  const document: RawDesiredFile = { version: 1 };
  const provisioning = exportProvisioning(declaredItems(desired), []);
  if (desired.domains !== undefined) {
    document.domains = [...desired.domains]
      .sort((a, b) => cmp(a.domain, b.domain))
      .map((d) => ({ domain: d.domain, ...(d.state === 'absent' ? { state: 'absent' as const } : {}), ...(d.state !== 'absent' && d.unmanaged.length ? { unmanaged: [...d.unmanaged] } : {}), ...(d.state !== 'absent' ? provisioning.domain(d.domain) : {}) }));
  }
  if (desired.numbers !== undefined) {
    document.numbers = numbersSection([...desired.numbers.ranges, ...desired.numbers.numbers.map((n) => ({ start: n, end: n }))]);
  }
  if (desired.users !== undefined) {
    document.users = [...desired.users].sort((a, b) => cmp(a.address, b.address)).map((u) => userEntry(u, u.number));
  }
  if (desired.aliases !== undefined) {
    document.aliases = desired.aliases
      .map((a) => ({ alias: `${a.alias_username}@${a.alias_domain}`, destination: `${a.username}@${a.domain}` }))
      .sort((a, b) => cmp(a.alias, b.alias));
  }
  if (desired.phones !== undefined) {
    document.phones = [...desired.phones].sort((a, b) => cmp(a.mac, b.mac)).map((p) => ({ mac: displayMac(p.mac), ...provisioning.phone(p.mac), users: [...p.lines] }));
  }
  if (desired.provisioning !== undefined && provisioning.section) document.provisioning = provisioning.section;
  return { document, templates: provisioning.templates };
}

/** Where an exported secret is read from: a placeholder, never the secret. */
export const EXPORT_SECRET_ENV = { admin_password: 'PHONE_ADMIN_PASSWORD', auth: 'PROVISIONING_PASSWORD' } as const;

type StoredBody = { settings?: RawPhoneSettings; admin_password?: string; keys?: RawFunctionKey[]; model?: string; profile?: string; username?: string; password?: string; sip_server?: string; transport?: RawDomain['transport']; allow?: string[]; allow_http?: string[] };

/** A stored settings block in YAML terms: the stored admin password as an { env } placeholder. */
function settingsEntry(body: StoredBody): RawPhoneSettings | undefined {
  const s: RawPhoneSettings = { ...(body.settings ?? {}) };
  if (body.admin_password !== undefined) s.admin_password = { env: EXPORT_SECRET_ENV.admin_password };
  return Object.keys(s).length > 0 ? s : undefined;
}

interface ExportedProvisioning {
  section?: RawProvisioning;
  templates: ExportedTemplate[];
  phone(mac: string): Partial<RawPhone>;
  domain(name: string): Partial<RawDomain>;
}

/**
 * Provisioning items (hermes_provisioning's, or a declared state's in the same stored form) in
 * YAML terms: the section, the template overrides, phones' and domains' fields. A template
 * whose id is no override hermes knows (a row written by hand) is left out with a warning.
 */
function exportProvisioning(items: ReadonlyMap<string, string>, warnings: string[]): ExportedProvisioning {
  const bodies = new Map([...items].map(([k, v]) => [k, JSON.parse(v) as StoredBody & { text?: string }]));
  let section: RawProvisioning | undefined;
  const templates: ExportedTemplate[] = [];
  for (const [item, body] of [...bodies].sort((a, b) => cmp(a[0], b[0]))) {
    if (!item.startsWith('template:')) continue;
    const id = item.slice('template:'.length);
    if (overrideProblem(id) === undefined && typeof body.text === 'string') templates.push({ id, text: body.text });
    else warnings.push(`provisioning: stored template ${JSON.stringify(id)} is not a template override hermes knows; left out`);
  }
  for (const [item, body] of [...bodies].sort((a, b) => cmp(a[0], b[0]))) {
    if (item === 'settings') (section ??= {}).settings = settingsEntry(body) ?? {};
    else if (item.startsWith('profile:')) ((section ??= {}).profiles ??= {})[item.slice(8)] = { ...(settingsEntry(body) ? { settings: settingsEntry(body) } : {}), ...(body.keys ? { keys: body.keys } : {}) };
    else if (item === 'auth') (section ??= {}).auth = { username: body.username!, password: { env: EXPORT_SECRET_ENV.auth } };
    else if (item === 'access') Object.assign((section ??= {}), body.allow ? { allow: body.allow } : {}, body.allow_http ? { allow_http: body.allow_http } : {});
  }
  const phone = (mac: string): Partial<RawPhone> => {
    const body = bodies.get(`phone:${mac}`);
    if (!body) return {};
    const settings = settingsEntry(body);
    return { model: body.model, ...(body.profile ? { profile: body.profile } : {}), ...(settings ? { settings } : {}), ...(body.keys ? { keys: body.keys } : {}) };
  };
  const domain = (name: string): Partial<RawDomain> => {
    const body = bodies.get(`domain:${name}`);
    return body ? { ...(body.sip_server ? { sip_server: body.sip_server } : {}), ...(body.transport ? { transport: body.transport } : {}) } : {};
  };
  return { section, templates, phone, domain };
}

/** A declared state's provisioning items in their stored form (secrets as a marker), for --diff. */
function declaredItems(desired: DesiredState): Map<string, string> {
  const out = new Map<string, string>();
  for (const [item, d] of desiredItems(desired).items) out.set(item, stableJson(d.secret === undefined ? d.body : { ...d.body, [secretField(item)]: '(secret)' }));
  return out;
}
