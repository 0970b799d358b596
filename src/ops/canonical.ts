import { createHash } from 'node:crypto';

/**
 * Canonical forms shared by the ops, the YAML loader and the reconciler, so that a value
 * means the same thing everywhere. Addresses, MACs and numbers are src/model's (re-exported
 * here for the ops' callers); the hashes and globs are the ops'.
 */
export {
  type Address,
  MAX_USERNAME_LENGTH,
  MAX_DOMAIN_LENGTH,
  normalizeMac,
  isE164,
  isDomain,
  isUsername,
  parseAddress,
  formatAddress,
  globToRegExp,
} from '../model/index.js';
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

