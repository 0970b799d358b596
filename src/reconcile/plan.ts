/**
 * The pure planner: computePlan(desired, actual) -> Plan. No database, file or network code
 * here; only data in, data out. See docs/gitops.md for the ownership rules it implements.
 */
import type { DesiredDomain, DesiredState, DesiredUser, SourceLocation } from '../desired/types.js';
import { computeHa1, globToRegExp, isE164 } from '../ops/canonical.js';
import type { ActualState, ActualUser } from './actual-state.js';
import { diffPool, numericNumber, runKey } from './number-ranges.js';
import { CHANGE_KINDS, changeCount, type Change, type ChangeKind, type FieldValue, type Plan, type PlanProblem } from './plan-types.js';

export interface PlanOptions {
  /** Reserved for future use (e.g. targeting); computePlan is deterministic without it. */
  readonly _?: never;
}

const LOCAL_FIELDS = ['displayname', 'email', 'dialplan', 'linetext'] as const;
const REMOTE_FIELDS = [...LOCAL_FIELDS, 'registrar', 'r_port', 'proxy', 'p_port', 'authid'] as const;
type UserField = (typeof REMOTE_FIELDS)[number];

/** The fields of a user as stored, with the defaults the ops write. */
export function desiredUserFields(u: DesiredUser): Record<UserField, string | number | null> {
  return {
    displayname: u.displayname ?? '',
    email: u.email ?? '',
    dialplan: u.dialplan ?? '',
    linetext: u.linetext ?? '',
    registrar: u.kind === 'remote' ? (u.registrar ?? null) : null,
    r_port: u.kind === 'remote' ? (u.r_port ?? null) : null,
    proxy: u.kind === 'remote' ? (u.proxy ?? null) : null,
    p_port: u.kind === 'remote' ? (u.p_port ?? null) : null,
    authid: u.kind === 'remote' ? (u.authid ?? null) : null,
  };
}

function actualUserFields(u: ActualUser): Record<UserField, string | number | null> {
  return {
    displayname: u.displayname,
    email: u.email,
    dialplan: u.dialplan,
    linetext: u.linetext,
    registrar: u.registrar,
    r_port: u.r_port,
    proxy: u.proxy,
    p_port: u.p_port,
    authid: u.authid,
  };
}

/** Whether a declared password equals the stored one (ha1 for local users). */
export function passwordMatches(actual: ActualUser, password: string): boolean {
  if (actual.kind === 'remote') return actual.password === password;
  if (!actual.hasSubscriber) return false;
  if (actual.ha1 !== computeHa1(actual.username, actual.domain, password)) return false;
  return actual.password === '' || actual.password === password;
}

function visibleFields(fields: Record<string, string | number | null>): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== null && v !== '') out[k] = v;
  return out;
}

interface DomainScope {
  listed: Map<string, DesiredDomain>;
  globs: Map<string, RegExp[]>;
}

function scopeOf(desired: DesiredState): DomainScope {
  const listed = new Map<string, DesiredDomain>();
  const globs = new Map<string, RegExp[]>();
  for (const d of desired.domains ?? []) {
    listed.set(d.domain, d);
    globs.set(d.domain, (d.unmanaged ?? []).map(globToRegExp));
  }
  return { listed, globs };
}

function isUnmanaged(scope: DomainScope, domain: string, name: string): boolean {
  const globs = scope.globs.get(domain);
  return globs !== undefined && globs.length > 0 && globs.some((re) => re.test(name));
}

/** What the file says about one domain. */
interface DomainFacts {
  listed: boolean;
  absent: boolean;
  present: boolean;
}

/**
 * DomainFacts by domain, remembering the last domain asked for: a platform's rows come a domain
 * at a time (and share one string per domain), so most lookups are one comparison.
 */
function domainFacts(scope: DomainScope): (domain: string) => DomainFacts {
  const facts = new Map<string, DomainFacts>();
  let lastDomain: string | undefined;
  let last: DomainFacts = { listed: false, absent: false, present: false };
  return (domain) => {
    if (domain === lastDomain) return last;
    let f = facts.get(domain);
    if (f === undefined) {
      const d = scope.listed.get(domain);
      facts.set(domain, (f = { listed: d !== undefined, absent: d?.state === 'absent', present: d?.state === 'present' }));
    }
    lastDomain = domain;
    return (last = f);
  };
}

const byKey = (a: Change, b: Change) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

export function computePlan(desired: DesiredState, actual: ActualState, _options: PlanOptions = {}): Plan {
  const scope = scopeOf(desired);
  const problems: PlanProblem[] = [];
  const managed: Record<ChangeKind, number> = { domain: 0, number: 0, user: 0, alias: 0, phone: 0 };
  const changes: Record<'create' | 'update' | 'delete', Record<ChangeKind, Change[]>> = {
    create: { domain: [], number: [], user: [], alias: [], phone: [] },
    update: { domain: [], number: [], user: [], alias: [], phone: [] },
    delete: { domain: [], number: [], user: [], alias: [], phone: [] },
  };
  const facts = domainFacts(scope);
  const isAbsent = (domain: string) => facts(domain).absent;
  const isPresent = (domain: string) => facts(domain).present;

  // --- domains ----------------------------------------------------------------------------
  for (const d of desired.domains ?? []) {
    if (actual.domains.has(d.domain)) managed.domain++;
    if (d.state === 'present' && !actual.domains.has(d.domain)) {
      changes.create.domain.push({ action: 'create', kind: 'domain', key: d.domain, after: { domain: d.domain }, at: d.at });
    } else if (d.state === 'absent' && actual.domains.has(d.domain)) {
      changes.delete.domain.push({ action: 'delete', kind: 'domain', key: d.domain, before: { domain: d.domain }, at: d.at });
    }
  }

  // --- users ------------------------------------------------------------------------------
  const desiredUsers = new Map<string, DesiredUser>();
  for (const u of desired.users ?? []) desiredUsers.set(u.address, u);
  const deletedUsers = new Set<string>();
  const usersPerDomain = new Map<string, { managed: number; deleted: number }>();

  /** Whether an existing user is in the file's care. */
  const userManaged = (u: ActualUser): boolean => {
    if (facts(u.domain).listed) {
      if (isUnmanaged(scope, u.domain, u.username)) return false;
      return isAbsent(u.domain) || desired.users !== undefined;
    }
    return u.kind === 'remote' && desired.users !== undefined;
  };

  const deleteUser = (u: ActualUser, at?: SourceLocation) => {
    deletedUsers.add(u.address);
    changes.delete.user.push({
      action: 'delete',
      kind: 'user',
      key: u.address,
      before: { kind: u.kind, ...visibleFields(actualUserFields(u)) },
      at,
    });
  };

  for (const u of actual.users.values()) {
    if (!userManaged(u)) continue;
    managed.user++;
    if (isPresent(u.domain)) {
      let c = usersPerDomain.get(u.domain);
      if (c === undefined) usersPerDomain.set(u.domain, (c = { managed: 0, deleted: 0 }));
      c.managed++;
    }
    if (isAbsent(u.domain) || !desiredUsers.has(u.address)) {
      deleteUser(u);
      const c = usersPerDomain.get(u.domain);
      if (c) c.deleted++;
    }
  }

  for (const u of desiredUsers.values()) {
    if (isAbsent(u.domain)) continue; // the loader reports this; never recreate in a domain being removed
    const a = actual.users.get(u.address);
    // The common case, an unchanged local user, without building its fields.
    if (
      a !== undefined &&
      u.kind === 'local' &&
      a.kind === 'local' &&
      (u.displayname ?? '') === a.displayname &&
      (u.email ?? '') === a.email &&
      (u.dialplan ?? '') === a.dialplan &&
      (u.linetext ?? '') === a.linetext &&
      (u.password === undefined || passwordMatches(a, u.password))
    ) {
      continue;
    }
    const after = desiredUserFields(u);
    if (a && a.kind !== u.kind) {
      if (!scope.listed.has(a.domain) && a.kind === 'local') {
        problems.push({ message: `user ${u.address} exists as a local user in ${a.domain}, a domain the file does not list: list the domain or remove the user from the file`, at: u.at });
        continue;
      }
      if (!deletedUsers.has(a.address)) deleteUser(a, u.at);
    }
    if (!a || a.kind !== u.kind) {
      if (u.kind === 'remote' && u.password === undefined) {
        problems.push({ message: `remote user ${u.address} does not exist yet and declares no password: add \`password: { env: NAME }\` or \`{ file: PATH }\` (a remote account's password cannot be generated)`, at: u.at });
        continue;
      }
      changes.create.user.push({
        action: 'create',
        kind: 'user',
        key: u.address,
        after: { kind: u.kind, ...visibleFields(after), password: u.password === undefined ? '(generated)' : '(set)' },
        at: u.at,
      });
      continue;
    }
    const before = actualUserFields(a);
    const fields = u.kind === 'remote' ? REMOTE_FIELDS : LOCAL_FIELDS;
    const b: Record<string, FieldValue> = {};
    const n: Record<string, FieldValue> = {};
    for (const f of fields) {
      if (before[f] !== after[f]) {
        b[f] = before[f];
        n[f] = after[f];
      }
    }
    if (u.password !== undefined && !passwordMatches(a, u.password)) {
      b.password = '(set)';
      n.password = '(changed)';
    }
    if (Object.keys(n).length > 0) {
      changes.update.user.push({ action: 'update', kind: 'user', key: u.address, before: b, after: n, at: u.at });
    }
  }

  // --- aliases ----------------------------------------------------------------------------
  // Keyed by alias domain, then alias username: no concatenated key per alias on this side.
  interface WantedAlias {
    alias_username: string;
    alias_domain: string;
    /** The destination's username and domain (compared without building username@domain). */
    username: string;
    domain: string;
    at?: SourceLocation;
    /** An alias row with this address exists. */
    exists?: boolean;
  }
  const desiredAliases = new Map<string, Map<string, WantedAlias>>();
  const wantAlias = (w: WantedAlias) => {
    const inDomain = desiredAliases.get(w.alias_domain) ?? desiredAliases.set(w.alias_domain, new Map()).get(w.alias_domain)!;
    inDomain.set(w.alias_username, w);
  };
  if (desired.users !== undefined) {
    for (const u of desired.users) {
      if (u.number !== undefined && !isAbsent(u.domain)) wantAlias({ alias_username: u.number, alias_domain: u.domain, username: u.username, domain: u.domain, at: u.at });
    }
  }
  if (desired.aliases !== undefined) {
    for (const a of desired.aliases) {
      if (isAbsent(a.alias_domain)) continue;
      wantAlias({ alias_username: a.alias_username, alias_domain: a.alias_domain, username: a.username, domain: a.domain, at: a.at });
    }
  }
  // Numbers in use after the apply: kept E.164 aliases (managed or not) and declared ones.
  // A removed alias's number returns to the pool when the pool declares it.
  const used: number[] = [];
  for (const [key, a] of actual.aliases) {
    const want = desiredAliases.get(a.alias_domain)?.get(a.alias_username);
    if (want) want.exists = true;
    const e164 = isE164(a.alias_username);
    if (!facts(a.alias_domain).listed || isUnmanaged(scope, a.alias_domain, a.alias_username)) {
      if (e164) used.push(numericNumber(a.alias_username));
      continue;
    }
    const inCare = isAbsent(a.alias_domain) || (e164 ? desired.users !== undefined : desired.aliases !== undefined);
    if (!inCare) {
      if (e164) used.push(numericNumber(a.alias_username));
      continue;
    }
    managed.alias++;
    if (isAbsent(a.alias_domain) || !want) {
      changes.delete.alias.push({ action: 'delete', kind: 'alias', key, before: { destination: `${a.username}@${a.domain}` } });
      continue;
    }
    if (e164) used.push(numericNumber(a.alias_username));
    if (want.username !== a.username || want.domain !== a.domain) {
      changes.update.alias.push({ action: 'update', kind: 'alias', key, before: { destination: `${a.username}@${a.domain}` }, after: { destination: `${want.username}@${want.domain}` }, at: want.at });
    }
  }
  for (const inDomain of desiredAliases.values()) {
    for (const want of inDomain.values()) {
      if (isE164(want.alias_username)) used.push(numericNumber(want.alias_username));
      if (!want.exists) {
        changes.create.alias.push({ action: 'create', kind: 'alias', key: `${want.alias_username}@${want.alias_domain}`, after: { destination: `${want.username}@${want.domain}` }, at: want.at });
      }
    }
  }

  // --- numbers ----------------------------------------------------------------------------
  if (desired.numbers !== undefined) {
    managed.number = actual.poolSize;
    const { add, remove } = diffPool(desired.numbers, used, actual.pool);
    for (const run of add) {
      changes.create.number.push({ action: 'create', kind: 'number', key: runKey(run), count: run.count, after: { count: run.count } });
    }
    for (const run of remove) {
      changes.delete.number.push({ action: 'delete', kind: 'number', key: runKey(run), count: run.count, before: { count: run.count } });
    }
  }

  // --- phones -----------------------------------------------------------------------------
  if (desired.phones !== undefined) {
    managed.phone = actual.phones.size;
    const want = new Map(desired.phones.map((p) => [p.mac, p]));
    for (const [mac, lines] of actual.phones) {
      const p = want.get(mac);
      if (!p) changes.delete.phone.push({ action: 'delete', kind: 'phone', key: mac, before: { lines } });
      else if (!sameLines(lines, p.lines)) changes.update.phone.push({ action: 'update', kind: 'phone', key: mac, before: { lines }, after: { lines: p.lines }, at: p.at });
    }
    for (const p of desired.phones) {
      if (!actual.phones.has(p.mac)) changes.create.phone.push({ action: 'create', kind: 'phone', key: p.mac, after: { lines: p.lines }, at: p.at });
    }
  } else if (deletedUsers.size > 0) {
    // Phones are not managed, but the lines of removed users must go with them.
    for (const [mac, lines] of actual.phones) {
      if (!lines.some((l) => deletedUsers.has(l))) continue;
      const kept = lines.filter((l) => !deletedUsers.has(l));
      if (kept.length === 0) changes.delete.phone.push({ action: 'delete', kind: 'phone', key: mac, before: { lines } });
      else changes.update.phone.push({ action: 'update', kind: 'phone', key: mac, before: { lines }, after: { lines: kept } });
    }
  }

  // --- order ------------------------------------------------------------------------------
  const ordered: Change[] = [];
  // (Loops, not spreads: a plan may hold hundreds of thousands of changes.)
  const append = (list: Change[]) => {
    for (const c of list) ordered.push(c);
  };
  for (const kind of [...CHANGE_KINDS].reverse()) append(kind === 'number' ? changes.delete[kind] : changes.delete[kind].sort(byKey));
  for (const kind of CHANGE_KINDS) {
    const list = changes.update[kind].concat(changes.create[kind]);
    append(kind === 'number' ? list : list.sort(byKey));
  }
  const summary = { add: 0, change: 0, remove: 0 };
  for (const c of ordered) {
    if (c.action === 'create') summary.add += changeCount(c);
    else if (c.action === 'update') summary.change += changeCount(c);
    else summary.remove += changeCount(c);
  }
  const declaredDomains = new Set([...desiredUsers.values()].map((u) => u.domain));
  const emptiedDomains = [...usersPerDomain]
    .filter(([d, c]) => c.managed > 0 && c.deleted === c.managed && !declaredDomains.has(d))
    .map(([d]) => d)
    .sort();
  return { changes: ordered, summary, fingerprint: actual.fingerprint, managed, emptiedDomains, problems };
}

function sameLines(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
