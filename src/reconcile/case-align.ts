/**
 * hermes' case rule in the planner: an address is one key whatever the case of its ASCII
 * letters (model/address.ts foldCase), on every engine. Rows other tools wrote may spell a
 * declared address in another case (`Alice@Corp.Example` for `alice@corp.example`); before
 * the kinds compare, such actual entries are keyed by the declared spelling, so the plan sees
 * one user (or alias) rather than a removal and an addition, and converges on SQLite,
 * MariaDB and PostgreSQL alike. The ops find the stored row by the same rule. An entry spelled
 * exactly as declared always wins: a case-sensitive engine may hold `Alice` and `alice` side
 * by side, and then the other spelling is planned away as any undeclared row.
 */
import type { DesiredState } from '../desired/types.js';
import { foldCase } from '../model/index.js';
import type { ActualAlias, ActualState, ActualUser } from './actual-state.js';

/** Declared addresses (users, aliases, destinations) by folded spelling, built on first use. */
function declaredSpellings(desired: DesiredState): (address: string) => string | undefined {
  let folded: Map<string, string> | undefined;
  return (address) => {
    if (folded === undefined) {
      folded = new Map();
      for (const u of desired.users ?? []) folded.set(foldCase(u.address), u.address);
      for (const a of desired.aliases ?? []) {
        folded.set(foldCase(`${a.alias_username}@${a.alias_domain}`), `${a.alias_username}@${a.alias_domain}`);
        if (!folded.has(foldCase(`${a.username}@${a.domain}`))) folded.set(foldCase(`${a.username}@${a.domain}`), `${a.username}@${a.domain}`);
      }
    }
    return folded.get(foldCase(address));
  };
}

const splitAt = (address: string) => {
  const at = address.lastIndexOf('@');
  return { username: address.slice(0, at), domain: address.slice(at + 1) };
};

/** The actual state with case variants of declared addresses keyed as declared; `actual` itself when there are none. */
export function alignCase(desired: DesiredState, actual: ActualState): ActualState {
  const declared = declaredSpellings(desired);
  // Two spellings differ in case only if one of them has an upper-case letter.
  const upperDeclared = hasUpperDeclared(desired);
  // Whether a text may be spelled otherwise: if not, no address made with it is looked up (nor built, for destinations and lines).
  const mayDiffer = (text: string) => upperDeclared || /[A-Z]/.test(text);
  const spelling = (address: string) => (mayDiffer(address) ? declared(address) : undefined);
  const respell = (address: string, taken: (a: string) => boolean): string | undefined => {
    const d = spelling(address);
    return d !== undefined && d !== address && !taken(d) ? d : undefined;
  };
  const users = alignUsers(actual.users, respell);
  const aliases = alignAliases(actual.aliases, respell, spelling, mayDiffer);
  const phones = alignPhones(actual.phones, spelling, mayDiffer);
  if (users === actual.users && aliases === actual.aliases && phones === actual.phones) return actual;
  return { ...actual, users, aliases, phones };
}

/** Whether a declared address has an upper-case letter (else only actual spellings with one can differ). */
function hasUpperDeclared(desired: DesiredState): boolean {
  return (desired.users ?? []).some((u) => /[A-Z]/.test(u.address)) || (desired.aliases ?? []).some((a) => /[A-Z]/.test(a.alias_username + a.username));
}

type Respell = (address: string, taken: (a: string) => boolean) => string | undefined;

function alignUsers(users: Map<string, ActualUser>, respell: Respell): Map<string, ActualUser> {
  let out: Map<string, ActualUser> | undefined;
  const taken = (a: string) => users.has(a);
  for (const [key, u] of users) {
    const declared = respell(key, taken);
    if (declared === undefined) continue;
    out ??= new Map(users);
    out.delete(key);
    out.set(declared, { ...u, address: declared });
  }
  return out ?? users;
}

function alignAliases(aliases: Map<string, ActualAlias>, respell: Respell, spelling: (a: string) => string | undefined, mayDiffer: (text: string) => boolean): Map<string, ActualAlias> {
  let out: Map<string, ActualAlias> | undefined;
  const taken = (x: string) => aliases.has(x);
  for (const [key, a] of aliases) {
    const declared = respell(key, taken) ?? key;
    if (declared === key && !mayDiffer(a.username) && !mayDiffer(a.domain)) continue; // (the destination as read)
    const destination = `${a.username}@${a.domain}`;
    const declaredDestination = spelling(destination) ?? destination;
    if (declared === key && declaredDestination === destination) continue;
    out ??= new Map(aliases);
    out.delete(key);
    const alias = splitAt(declared);
    const to = splitAt(declaredDestination);
    out.set(declared, { alias_username: alias.username, alias_domain: alias.domain, username: to.username, domain: to.domain });
  }
  return out ?? aliases;
}

function alignPhones(phones: Map<string, string[]>, spelling: (a: string) => string | undefined, mayDiffer: (text: string) => boolean): Map<string, string[]> {
  let out: Map<string, string[]> | undefined;
  for (const [mac, lines] of phones) {
    if (!lines.some(mayDiffer)) continue; // every line as read
    const aligned = lines.map((l) => spelling(l) ?? l);
    if (aligned.every((l, i) => l === lines[i])) continue;
    out ??= new Map(phones);
    out.set(mac, aligned);
  }
  return out ?? phones;
}
