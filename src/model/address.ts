/**
 * SIP addresses (username@domain) as Kamailio stores them: the username and domain columns of
 * subscriber and dbaliases are VARCHAR(64).
 */

export interface Address {
  username: string;
  domain: string;
}

/** Kamailio's username and domain columns are VARCHAR(64). */
export const MAX_USERNAME_LENGTH = 64;
export const MAX_DOMAIN_LENGTH = 64;

const DOMAIN = /^(?=.{1,64}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** A DNS host name (or IPv4 address) as Kamailio's domain column holds it. */
export function isDomain(input: string): boolean {
  return input.length > 0 && input.length <= MAX_DOMAIN_LENGTH && DOMAIN.test(input);
}

/**
 * An isDomain that remembers the last name it accepted: a platform's addresses come a domain
 * at a time, so a checker of 100,000 addresses runs the expression once per domain. The memory
 * belongs to the caller (one checker, one run), never to this module.
 */
export function domainChecker(): (input: string) => boolean {
  let last = '';
  return (input) => {
    if (input === last) return true;
    const ok = isDomain(input);
    if (ok) last = input;
    return ok;
  };
}

/**
 * The user part of a SIP URI (RFC 3261 unreserved, escaped and user-unreserved characters),
 * at most 64 characters.
 */
export function isUsername(input: string): boolean {
  if (input.length === 0 || input.length > MAX_USERNAME_LENGTH) return false;
  return /^([a-zA-Z0-9\-_.!~*'()&=+$,;?/]|%[0-9a-fA-F]{2})+$/.test(input);
}

/** user@domain with an optional sip:/sips: prefix, split at the last '@' (no checks). */
export function splitAddressText(input: string): { username: string; domain: string } | null {
  const trimmed = input.trim();
  // the prefix's expression is tried only on a text that starts with s or S (most addresses have none)
  const s = (trimmed.charCodeAt(0) | 0x20) === 0x73 ? trimmed.replace(/^sips?:/i, '') : trimmed;
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1) return null;
  return { username: s.slice(0, at), domain: s.slice(at + 1) };
}

/**
 * Parses user@domain (an optional sip: prefix is accepted); the domain is lowercased. Pass a
 * domainChecker() when parsing many addresses.
 */
export function parseAddress(input: string, domainOk: (domain: string) => boolean = isDomain): Address | null {
  const parts = splitAddressText(input);
  if (parts === null) return null;
  const domain = parts.domain.toLowerCase();
  if (!isUsername(parts.username) || !domainOk(domain)) return null;
  return { username: parts.username, domain };
}

/** An address with its canonical text. */
export interface KeyedAddress extends Address {
  /** username@domain, the domain lowercased. */
  key: string;
}

/**
 * parseAddress, with the address's canonical text. Made for checking many addresses: when the
 * input is already written canonically (no sip: prefix, no blanks, a lowercase domain) the key
 * is the input itself, and `share` may hand every address of a domain the same domain string,
 * so that 100,000 addresses keep no copy of their text or their domain each.
 */
export function parseKeyedAddress(input: string, domainOk: (domain: string) => boolean = isDomain, share: (domain: string) => string = (d) => d): KeyedAddress | null {
  const parts = splitAddressText(input);
  if (parts === null) return null;
  const { username } = parts;
  const lowered = parts.domain.toLowerCase();
  if (!isUsername(username) || !domainOk(lowered)) return null;
  const domain = share(lowered);
  // as long as username@domain: nothing was trimmed or removed, so the input is username@(its domain as written)
  const whole = username.length + 1 + domain.length === input.length;
  return { username, domain, key: whole && input.endsWith(domain) ? input : `${username}@${domain}` };
}

export function formatAddress(address: Address): string {
  return `${address.username}@${address.domain}`;
}

/**
 * hermes' case rule, the same on every engine: an address is one key whatever the case of its
 * ASCII letters (`Alice@Corp.Example` is `alice@corp.example`), as MySQL's default collations
 * compare Kamailio's columns and as DNS compares domains. Only ASCII letters fold: other
 * characters compare exactly (SQLite's lower() folds only ASCII, MySQL's collations fold more).
 */
export function foldCase(text: string): string {
  return /[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : text;
}

/** The key under which hermes compares an address: username@domain, ASCII letters folded. */
export function foldedAddress(address: Address): string {
  return foldCase(`${address.username}@${address.domain}`);
}
