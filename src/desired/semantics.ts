import { isIP } from 'node:net';
import { globToRegExp, isDomain, isE164, MAX_DOMAIN_LENGTH, MAX_USERNAME_LENGTH, normalizeMac, parseAddress, type Address } from '../ops/canonical.js';
import type { Diagnostic, DiagnosticCode } from './diagnostics.js';
import type { RawAlias, RawDesiredFile, RawDomain, RawNumberRange, RawPhone, RawUser } from './raw-types.js';
import { resolveSecret, type SecretsMode } from './secrets.js';
import { formatLocation, type Locator, type Segment } from './source-file.js';
import type { DesiredAlias, DesiredDomain, DesiredNumberRange, DesiredPhone, DesiredState, DesiredUser, SourceLocation } from './types.js';

/** One file that passed the YAML parser, with the pointers the schema found invalid. */
export interface ValidatedPart {
  file: string;
  /**
   * Where a path is in the file: exact positions (yaml's parseDocument) in the positioned
   * pipeline, line 0 in the fast one (whose result is used only when there is no diagnostic).
   */
  locator: Locator;
  data: Partial<RawDesiredFile> & Record<string, unknown>;
  /** JSON pointers of schema errors (/users/3/number). */
  invalidPointers: string[];
}

/** A range holds at most this many numbers. */
export const MAX_RANGE_SIZE = 1_000_000;

const REMOTE_FIELDS = ['registrar', 'r_port', 'proxy', 'p_port', 'authid'] as const;

interface Item<T> {
  part: ValidatedPart;
  /** Path of the item in its file: ['users', 3]. */
  path: Segment[];
  value: T;
  at: SourceLocation;
}

/**
 * The semantic checks of the desired state over every file, and its canonical form. Items
 * the schema found invalid are skipped (their errors are already reported), but the names
 * they declare still count, so that one mistake is not reported again as a dangling
 * reference elsewhere.
 */
export class SemanticChecker {
  readonly diagnostics: Diagnostic[] = [];
  /** Every pointer that has a schema error at or below it (file\0pointer). */
  private readonly invalid = new Set<string>();
  /** The pointers of schema errors themselves. */
  private readonly errorAt = new Set<string>();

  constructor(
    private readonly parts: ValidatedPart[],
    private readonly secrets: SecretsMode,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    for (const part of parts)
      for (const pointer of part.invalidPointers) {
        this.errorAt.add(`${part.file}\u0000${pointer}`);
        const segs = pointer.split('/');
        for (let i = 1; i <= segs.length; i++) this.invalid.add(`${part.file}\u0000${segs.slice(0, i).join('/')}`);
      }
  }

  private report(code: DiagnosticCode, at: SourceLocation, message: string, severity: 'error' | 'warning' = 'error'): void {
    this.diagnostics.push({ severity, code, file: at.file, line: at.line, column: at.column, path: at.path, message });
  }

  private isInvalid(part: ValidatedPart, path: Segment[]): boolean {
    return this.invalid.has(`${part.file}\u0000/${path.join('/')}`);
  }

  /**
   * The items of a list section (or of a list inside a section). An item is invalid when the
   * schema rejects it as a whole (not a mapping, a required property missing) or one of its
   * identity fields; otherwise the fields the schema rejected are left out of its value and
   * the rest is checked.
   */
  private items<T>(section: string, sub: string | undefined, identity: string[]): { valid: Item<T>[]; invalid: Item<unknown>[]; present: boolean } {
    const valid: Item<T>[] = [];
    const invalid: Item<unknown>[] = [];
    let present = false;
    for (const part of this.parts) {
      const base: Segment[] = sub ? [section, sub] : [section];
      let list: unknown = part.data[section];
      if (sub) list = list !== null && typeof list === 'object' && !Array.isArray(list) ? (list as Record<string, unknown>)[sub] : undefined;
      if (!Array.isArray(list)) {
        if (list !== undefined) present = true;
        continue;
      }
      present = true;
      list.forEach((value, i) => {
        const path = [...base, i];
        const item = { part, path, value, at: part.locator.locate(path) };
        if (this.invalid.size === 0) {
          valid.push(item as Item<T>);
          return;
        }
        const pointer = (p: Segment[]) => `${part.file}\u0000/${p.join('/')}`;
        if (!this.invalid.has(pointer(path))) valid.push(item as Item<T>);
        else if (this.errorAt.has(pointer(path)) || identity.some((f) => this.invalid.has(pointer([...path, f]))) || value === null || typeof value !== 'object') invalid.push(item);
        else {
          const clean: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (!this.invalid.has(pointer([...path, k])) || (Array.isArray(v) && !this.errorAt.has(pointer([...path, k])))) clean[k] = v; // lists keep their valid elements
          valid.push({ ...item, value: clean as T });
        }
      });
    }
    return { valid, invalid, present };
  }

  private at(item: Item<unknown>, field: string, onKey = false): SourceLocation {
    return item.part.locator.child(item.at, item.path, [field], onKey);
  }

  /** A domain name (lowercased), or null after reporting why it is not one. */
  private domainName(value: string, at: SourceLocation, what: string): string | null {
    if (value.length > MAX_DOMAIN_LENGTH) {
      this.report('HERMES_TOO_LONG', at, `${what} ${JSON.stringify(value.slice(0, 20) + '…')} is ${value.length} characters; Kamailio's domain column holds at most ${MAX_DOMAIN_LENGTH}`);
      return null;
    }
    if (!isDomain(value)) {
      this.report('HERMES_INVALID_DOMAIN', at, `${what} ${JSON.stringify(value)} is not a domain name: labels of letters, digits and hyphens separated by dots, e.g. example.com`);
      return null;
    }
    return value.toLowerCase();
  }

  /** A SIP address, or null after reporting why it is not one. */
  private address(value: string, at: SourceLocation, what: string): Address | null {
    const address = parseAddress(value);
    if (address) return address; // parseAddress accepts at most 64 characters in each part
    const s = value.trim().replace(/^sips?:/i, '');
    const i = s.lastIndexOf('@');
    if (i > 0 && i < s.length - 1) {
      const username = s.slice(0, i);
      const domain = s.slice(i + 1);
      if (username.length > MAX_USERNAME_LENGTH) {
        this.report('HERMES_TOO_LONG', at, `${what}: the username of ${JSON.stringify(s.slice(0, 20) + '…')} is ${username.length} characters; Kamailio's username column holds at most ${MAX_USERNAME_LENGTH}`);
        return null;
      }
      if (domain.length > MAX_DOMAIN_LENGTH) {
        this.report('HERMES_TOO_LONG', at, `${what}: the domain of ${JSON.stringify(s.slice(0, 20) + '…')} is ${domain.length} characters; Kamailio's domain column holds at most ${MAX_DOMAIN_LENGTH}`);
        return null;
      }
    }
    this.report('HERMES_INVALID_ADDRESS', at, `${what} ${JSON.stringify(value)} is not a SIP address: expected username@domain, where the username uses letters, digits and - _ . ! ~ * ' ( ) & = + $ , ; ? / (or %XX) and the domain is a host name`);
    return null;
  }

  async check(): Promise<DesiredState> {
    const state: DesiredState = { version: 1, files: this.parts.map((p) => p.file) };

    // --- domains -------------------------------------------------------------------------
    const domainItems = this.items<RawDomain>('domains', undefined, ['domain']);
    const listed = new Map<string, { state: 'present' | 'absent'; unmanaged: RegExp[]; globs: string[]; at: SourceLocation }>();
    const domains: DesiredDomain[] = [];
    for (const item of domainItems.valid) {
      const at = this.at(item, 'domain');
      const name = this.domainName(item.value.domain, at, 'domain');
      if (name === null) continue;
      const other = listed.get(name);
      if (other) {
        this.report('HERMES_DUPLICATE_DOMAIN', at, `domain ${name} is listed twice; it is also at ${formatLocation(other.at)}`);
        continue;
      }
      const unmanaged = (item.value.unmanaged ?? []).filter((g): g is string => typeof g === 'string');
      const domain: DesiredDomain = { domain: name, state: item.value.state ?? 'present', unmanaged, at: item.at };
      listed.set(name, { state: domain.state, unmanaged: unmanaged.map(globToRegExp), globs: unmanaged, at });
      domains.push(domain);
    }
    for (const item of domainItems.invalid) {
      const v = item.value as { domain?: unknown } | null;
      if (v && typeof v.domain === 'string' && !listed.has(v.domain.toLowerCase())) listed.set(v.domain.toLowerCase(), { state: 'present', unmanaged: [], globs: [], at: item.at });
    }
    if (domainItems.present) state.domains = domains;
    const unmanagedGlob = (username: string, domain: string): string | undefined => {
      const d = listed.get(domain);
      const i = d?.unmanaged.findIndex((re) => re.test(username)) ?? -1;
      return i >= 0 ? d!.globs[i] : undefined;
    };

    // --- the number pool -------------------------------------------------------------------
    const rangeItems = this.items<RawNumberRange>('numbers', 'ranges', ['start', 'end']);
    const singleItems = this.items<string>('numbers', 'numbers', []);
    const poolDeclared = this.parts.some((p) => p.data.numbers !== undefined);
    let poolComplete = !this.parts.some((p) => this.isInvalid(p, ['numbers']));
    const ranges: (DesiredNumberRange & { at: SourceLocation })[] = [];
    for (const item of rangeItems.valid) {
      const { start, end } = item.value;
      let ok = true;
      for (const field of ['start', 'end'] as const)
        if (!isE164(item.value[field])) {
          this.report('HERMES_INVALID_E164', this.at(item, field), `${field} ${JSON.stringify(item.value[field])} is not an E.164 number: '+' then 1 to 15 digits, no leading zero, e.g. "+4722334400"`);
          ok = false;
        }
      if (!ok) {
        poolComplete = false;
        continue;
      }
      if (start.length !== end.length) {
        this.report('HERMES_RANGE_LENGTH_MISMATCH', this.at(item, 'end'), `range ${start} to ${end}: start and end must have the same number of digits (${start.length - 1} and ${end.length - 1})`);
        poolComplete = false;
        continue;
      }
      if (end < start) {
        this.report('HERMES_RANGE_INVERTED', this.at(item, 'end'), `range ${start} to ${end} ends before it starts; end must be at least start`);
        poolComplete = false;
        continue;
      }
      const size = Number(end.slice(1)) - Number(start.slice(1)) + 1;
      if (size > MAX_RANGE_SIZE) {
        this.report('HERMES_RANGE_TOO_LARGE', this.at(item, 'end'), `range ${start} to ${end} holds ${size.toLocaleString('en-US')} numbers; a range holds at most 1,000,000 (split it)`);
        poolComplete = false;
        continue;
      }
      ranges.push({ start, end, at: item.at });
    }
    // Overlapping ranges: sorted by length, then start.
    const sorted = [...ranges].sort((a, b) => a.start.length - b.start.length || (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    const keptRanges: typeof ranges = [];
    for (const r of sorted) {
      const prev = keptRanges[keptRanges.length - 1];
      if (prev && prev.start.length === r.start.length && r.start <= prev.end) {
        const [first, second] = compareLocations(prev.at, r.at) <= 0 ? [prev, r] : [r, prev];
        this.report('HERMES_DUPLICATE_NUMBER', second.at, `range ${second.start} to ${second.end} overlaps the range ${first.start} to ${first.end} at ${formatLocation(first.at)}; a number is in the pool once`);
        if (r.end > prev.end) keptRanges[keptRanges.length - 1] = { ...prev, end: r.end };
        continue;
      }
      keptRanges.push(r);
    }
    const inRange = (n: string): (typeof ranges)[number] | undefined => {
      // binary search over the merged, sorted ranges
      let lo = 0;
      let hi = keptRanges.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const r = keptRanges[mid];
        if (r.start.length < n.length || (r.start.length === n.length && r.end < n)) lo = mid + 1;
        else if (r.start.length > n.length || r.start > n) hi = mid - 1;
        else return r;
      }
      return undefined;
    };
    const singles = new Map<string, SourceLocation>();
    for (const item of singleItems.valid) {
      const n = item.value;
      if (!isE164(n)) {
        this.report('HERMES_INVALID_E164', item.at, `${JSON.stringify(n)} is not an E.164 number: '+' then 1 to 15 digits, no leading zero, e.g. "+4761123456"`);
        poolComplete = false;
        continue;
      }
      const other = singles.get(n);
      const range = inRange(n);
      if (other) this.report('HERMES_DUPLICATE_NUMBER', item.at, `number ${n} is in the pool twice; it is also at ${formatLocation(other)}`);
      else if (range) this.report('HERMES_DUPLICATE_NUMBER', item.at, `number ${n} is in the pool twice; it is inside the range ${range.start} to ${range.end} at ${formatLocation(range.at)}`);
      else singles.set(n, item.at);
    }
    if (poolDeclared) state.numbers = { ranges: ranges.map(({ start, end }) => ({ start, end })), numbers: [...singles.keys()], at: this.firstSectionAt('numbers') };
    const inPool = (n: string) => singles.has(n) || inRange(n) !== undefined;
    const numberUse = new Map<string, SourceLocation>();
    /** The first E.164 alias (or number) of each destination, and every further one. */
    const e164ByDestination = new Map<string, SourceLocation>();
    const moreE164: { dest: string; at: SourceLocation }[] = [];
    /** Checks an E.164 number used by a user or an alias: in the pool, used once. */
    const useNumber = (n: string, at: SourceLocation, destinationKey: string) => {
      if (poolDeclared && poolComplete && !inPool(n)) this.report('HERMES_NUMBER_NOT_IN_POOL', at, `number ${n} is not in the pool; add it to numbers.numbers or a range under numbers.ranges`);
      const other = numberUse.get(n);
      if (other) this.report('HERMES_NUMBER_IN_USE', at, `number ${n} is already used at ${formatLocation(other)}; a number belongs to one user`);
      else numberUse.set(n, at);
      if (e164ByDestination.has(destinationKey)) moreE164.push({ dest: destinationKey, at });
      else e164ByDestination.set(destinationKey, at);
    };

    // --- users ---------------------------------------------------------------------------
    const userItems = this.items<RawUser>('users', undefined, ['user']);
    const declaredFolded = new Map<string, SourceLocation>(); // case-folded canonical address, for duplicates
    /** The exact address of each declared user whose address has capitals, by its folded form. */
    const mixedCase = new Map<string, string>();
    const looselyDeclared = new Set<string>();
    const aliasAddresses = new Map<string, SourceLocation>(); // case-folded alias address
    /** The alias each user's number makes (number@domain, already case-folded). */
    const numberAliases = new Map<string, SourceLocation>();
    const users: DesiredUser[] = [];
    const passwords: { user: DesiredUser; item: Item<RawUser> }[] = [];
    for (const item of userItems.invalid) {
      const v = item.value as { user?: unknown } | null;
      const a = v && typeof v.user === 'string' ? parseAddress(v.user) : null;
      if (a) looselyDeclared.add(`${a.username}@${a.domain}`);
    }
    for (const item of userItems.valid) {
      const raw = item.value;
      const userAt = this.at(item, 'user');
      const address = this.address(raw.user, userAt, 'user');
      if (!address) continue;
      const key = `${address.username}@${address.domain}`;
      const folded = key.toLowerCase();
      const other = declaredFolded.get(folded);
      if (other) {
        this.report('HERMES_DUPLICATE_USER', userAt, `user ${key} is declared twice; it is also at ${formatLocation(other)}${(mixedCase.get(folded) ?? folded) === key ? '' : ' (usernames that differ only in case collide in MySQL)'}`);
        continue;
      }
      declaredFolded.set(folded, userAt);
      if (folded !== key) mixedCase.set(folded, key);
      const domain = listed.get(address.domain);
      if (domain?.state === 'absent') {
        this.report('HERMES_IN_ABSENT_DOMAIN', userAt, `user ${key} is in ${address.domain}, which is listed with state: absent (removed with everything in it); remove the user or make the domain present`);
        continue;
      }
      const glob = unmanagedGlob(address.username, address.domain);
      if (glob !== undefined) this.report('HERMES_UNMANAGED_CONFLICT', userAt, `user ${key} matches the unmanaged glob ${JSON.stringify(glob)} of ${address.domain}; a user is either declared or left unmanaged, not both`);
      const kind = domain ? 'local' : 'remote';
      if (kind === 'local') {
        for (const field of REMOTE_FIELDS)
          if (raw[field] !== undefined)
            this.report('HERMES_LOCAL_WITH_REMOTE_FIELDS', this.at(item, field, true), `user ${key} is local (${address.domain} is listed under domains), so it cannot have ${field}; ${REMOTE_FIELDS.join(', ')} are for remote users, in domains that are not listed`);
      } else if (raw.registrar === undefined) {
        this.report('HERMES_REMOTE_WITHOUT_REGISTRAR', userAt, `user ${key} is remote (${address.domain} is not listed under domains) and needs a registrar; list ${address.domain} under domains to make it local`);
      }
      for (const field of ['registrar', 'proxy'] as const) {
        const host = raw[field];
        if (host !== undefined && isIP(host) === 0) this.domainName(host, this.at(item, field), field);
      }
      const user: DesiredUser = {
        username: address.username,
        domain: address.domain,
        address: key,
        kind,
        displayname: raw.displayname ?? '',
        email: raw.email ?? '',
        linetext: raw.linetext ?? '',
        dialplan: raw.dialplan ?? '',
        at: item.at,
      };
      if (kind === 'remote') {
        if (raw.registrar !== undefined) user.registrar = raw.registrar;
        if (raw.r_port !== undefined) user.r_port = raw.r_port;
        if (raw.proxy !== undefined) user.proxy = raw.proxy;
        if (raw.p_port !== undefined) user.p_port = raw.p_port;
        if (raw.authid !== undefined) user.authid = raw.authid;
      }
      if (raw.number !== undefined) {
        const numberAt = this.at(item, 'number');
        if (!isE164(raw.number)) {
          this.report('HERMES_INVALID_E164', numberAt, `number ${JSON.stringify(raw.number)} is not an E.164 number: '+' then 1 to 15 digits, no leading zero, e.g. "+4722334401"`);
        } else {
          user.number = raw.number;
          if (!domain) this.report('HERMES_ALIAS_DOMAIN_NOT_LISTED', numberAt, `number ${raw.number} would be the alias ${raw.number}@${address.domain}, but ${address.domain} is not listed under domains; numbers are for users in listed domains`);
          useNumber(raw.number, numberAt, folded);
          numberAliases.set(`${raw.number}@${address.domain}`, numberAt);
        }
      }
      users.push(user);
      if (raw.password !== undefined) passwords.push({ user, item });
    }
    if (userItems.present) state.users = users;
    /** key: username@domain of a canonical address. */
    const isDeclared = (key: string) => {
      const folded = key.toLowerCase();
      return (declaredFolded.has(folded) && (mixedCase.get(folded) ?? folded) === key) || (looselyDeclared.size > 0 && looselyDeclared.has(key));
    };

    // --- aliases -------------------------------------------------------------------------
    const aliasItems = this.items<RawAlias>('aliases', undefined, ['alias', 'destination']);
    const aliases: DesiredAlias[] = [];
    for (const item of aliasItems.valid) {
      const aliasAt = this.at(item, 'alias');
      const destAt = this.at(item, 'destination');
      const alias = this.address(item.value.alias, aliasAt, 'alias');
      const dest = this.address(item.value.destination, destAt, 'destination');
      if (!alias || !dest) continue;
      const aliasKey = `${alias.username}@${alias.domain}`;
      const destKey = `${dest.username}@${dest.domain}`;
      const e164 = isE164(alias.username);
      const aliasDomain = listed.get(alias.domain);
      let ok = true;
      if (!aliasDomain) {
        this.report('HERMES_ALIAS_DOMAIN_NOT_LISTED', aliasAt, `alias ${aliasKey} is in ${alias.domain}, which is not listed under domains; an alias must be in a listed domain`);
        ok = false;
      } else if (aliasDomain.state === 'absent') {
        this.report('HERMES_IN_ABSENT_DOMAIN', aliasAt, `alias ${aliasKey} is in ${alias.domain}, which is listed with state: absent; remove the alias or make the domain present`);
        ok = false;
      }
      const aliasFolded = aliasKey.toLowerCase();
      const userAt = declaredFolded.get(aliasFolded);
      if (userAt) {
        this.report('HERMES_ALIAS_IS_USER', aliasAt, `alias ${aliasKey} is the address of the user declared at ${formatLocation(userAt)}; an alias must differ from every user`);
        ok = false;
      }
      const glob = aliasDomain ? unmanagedGlob(alias.username, alias.domain) : undefined;
      if (glob !== undefined) this.report('HERMES_UNMANAGED_CONFLICT', aliasAt, `alias ${aliasKey} matches the unmanaged glob ${JSON.stringify(glob)} of ${alias.domain}; an alias is either declared or left unmanaged, not both`);
      const numberAt = e164 ? numberAliases.get(aliasFolded) : undefined; // only an E.164 alias can be a user's number
      if (numberAt) {
        this.report('HERMES_NUMBER_IN_USE', aliasAt, `alias ${aliasKey} is already the number of the user at ${formatLocation(numberAt)}; a number belongs to one user`);
        continue;
      }
      const other = aliasAddresses.get(aliasFolded);
      if (other) {
        this.report('HERMES_DUPLICATE_ALIAS', aliasAt, `alias ${aliasKey} is declared twice; it is also at ${formatLocation(other)}`);
        continue;
      }
      aliasAddresses.set(aliasFolded, aliasAt);
      const destDomain = listed.get(dest.domain);
      if (destDomain && !isDeclared(destKey)) {
        this.report('HERMES_ALIAS_UNDECLARED_DESTINATION', destAt, `destination ${destKey} is in ${dest.domain}, a listed domain, but is not a declared user; declare it under users or route the alias to a declared user`);
        ok = false;
      }
      if (e164) useNumber(alias.username, aliasAt, destKey.toLowerCase());
      if (ok) aliases.push({ alias_username: alias.username, alias_domain: alias.domain, username: dest.username, domain: dest.domain, at: item.at });
    }
    if (aliasItems.present) state.aliases = aliases;
    for (const { dest, at } of moreE164)
      this.report('HERMES_MULTIPLE_E164_ALIASES', at, `${dest} already has the E.164 alias at ${formatLocation(e164ByDestination.get(dest)!)}; a destination has at most one E.164 alias (a user's number counts as one)`);

    // --- phones --------------------------------------------------------------------------
    const phoneItems = this.items<RawPhone>('phones', undefined, ['mac']);
    const phones: DesiredPhone[] = [];
    const macs = new Map<string, SourceLocation>();
    for (const item of phoneItems.valid) {
      const macAt = this.at(item, 'mac');
      const mac = normalizeMac(item.value.mac);
      if (mac === null) {
        this.report('HERMES_INVALID_MAC', macAt, `mac ${JSON.stringify(item.value.mac)} is not a MAC address: 12 hex digits, plain (0004f2abcdef) or colon- or dash-separated (00:04:f2:ab:cd:ef)`);
        continue;
      }
      const other = macs.get(mac);
      if (other) {
        this.report('HERMES_DUPLICATE_PHONE', macAt, `phone ${mac} is declared twice; it is also at ${formatLocation(other)}`);
        continue;
      }
      macs.set(mac, macAt);
      const lines: string[] = [];
      const seen = new Map<string, number>();
      (Array.isArray(item.value.users) ? item.value.users : []).forEach((line, i) => {
        if (typeof line !== 'string') return;
        const lineAt = item.part.locator.child(item.at, item.path, ['users', i]);
        const address = this.address(line, lineAt, `line ${i + 1}`);
        if (!address) return;
        const key = `${address.username}@${address.domain}`;
        const previous = seen.get(key);
        if (previous !== undefined) {
          this.report('HERMES_PHONE_DUPLICATE_LINE', lineAt, `${key} is on phone ${mac} twice (lines ${previous + 1} and ${i + 1}); a user is on a phone once`);
          return;
        }
        seen.set(key, i);
        if (!isDeclared(key)) this.report('HERMES_PHONE_LINE_UNDECLARED', lineAt, `line ${i + 1} of phone ${mac}, ${key}, is not a declared user; declare it under users`);
        lines.push(key);
      });
      phones.push({ mac, lines, at: item.at });
    }
    if (phoneItems.present) state.phones = phones;

    // --- secrets -------------------------------------------------------------------------
    for (const { user, item } of passwords) {
      const password = await resolveSecret(item.value.password!, this.at(item, 'password'), this.secrets, this.env, this.diagnostics);
      if (password !== undefined) user.password = password;
    }
    return state;
  }

  private firstSectionAt(section: string): SourceLocation | undefined {
    const part = this.parts.find((p) => p.data[section] !== undefined);
    return part ? part.locator.locate([section]) : undefined;
  }
}

function compareLocations(a: SourceLocation, b: SourceLocation): number {
  return a.file === b.file ? a.line - b.line || a.column - b.column : a.file < b.file ? -1 : 1;
}
