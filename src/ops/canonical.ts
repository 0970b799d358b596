import { createHash } from 'node:crypto';

/**
 * Canonical forms shared by the ops, the YAML loader and the reconciler, so that a value
 * means the same thing everywhere.
 */

export interface Address {
  username: string;
  domain: string;
}

/** Kamailio's username and domain columns are VARCHAR(64). */
export const MAX_USERNAME_LENGTH = 64;
export const MAX_DOMAIN_LENGTH = 64;

/**
 * A MAC in plain hex (f00ba2ba5c00), colon- or dash-separated form, any case, as 12 lowercase
 * hex digits; null when it is not a MAC.
 */
export function normalizeMac(input: string): string | null {
  const s = input.trim();
  if (/^[0-9a-fA-F]{12}$/.test(s)) return s.toLowerCase();
  if (/^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/.test(s)) return s.replace(/[:-]/g, '').toLowerCase();
  return null;
}

/** E.164: '+' then 1 to 15 digits, no leading zero. */
export function isE164(input: string): boolean {
  return /^\+[1-9][0-9]{0,14}$/.test(input);
}

/** The last string isDomain accepted: a platform's addresses come a domain at a time. */
let lastDomain = '';

/** A DNS host name (or IPv4 address) as Kamailio's domain column holds it. */
export function isDomain(input: string): boolean {
  if (input === lastDomain) return true;
  if (input.length === 0 || input.length > MAX_DOMAIN_LENGTH) return false;
  const ok = /^(?=.{1,64}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/.test(input);
  if (ok) lastDomain = input;
  return ok;
}

/**
 * The user part of a SIP URI (RFC 3261 unreserved, escaped and user-unreserved characters),
 * at most 64 characters.
 */
export function isUsername(input: string): boolean {
  if (input.length === 0 || input.length > MAX_USERNAME_LENGTH) return false;
  return /^([a-zA-Z0-9\-_.!~*'()&=+$,;?/]|%[0-9a-fA-F]{2})+$/.test(input);
}

/** Parses user@domain (an optional sip: prefix is accepted); the domain is lowercased. */
export function parseAddress(input: string): Address | null {
  const s = input.trim().replace(/^sips?:/i, '');
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1) return null;
  const username = s.slice(0, at);
  const domain = s.slice(at + 1).toLowerCase();
  if (!isUsername(username) || !isDomain(domain)) return null;
  return { username, domain };
}

export function formatAddress(address: Address): string {
  return `${address.username}@${address.domain}`;
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** Kamailio's ha1: md5(username:realm:password), realm = domain (as kamctl and kamcli). */
export function computeHa1(username: string, domain: string, password: string): string {
  return md5(`${username}:${domain}:${password}`);
}

/** Kamailio's ha1b: md5(username@domain:realm:password), realm = domain. */
export function computeHa1b(username: string, domain: string, password: string): string {
  return md5(`${username}@${domain}:${domain}:${password}`);
}

/**
 * A glob (* any run, ? one character) as a LIKE pattern with '!' as the escape character,
 * so that %, _ and ! in the search text match themselves. Use with `like ... escape '!'`.
 */
export function globToLike(glob: string): string {
  let out = '';
  for (const ch of glob) {
    if (ch === '*') out += '%';
    else if (ch === '?') out += '_';
    else if (ch === '%' || ch === '_' || ch === '!') out += '!' + ch;
    else out += ch;
  }
  return out;
}

/** A glob (* and ?) as an anchored RegExp, for matching in memory (unmanaged globs). */
export function globToRegExp(glob: string): RegExp {
  const body = [...glob].map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 's');
}
