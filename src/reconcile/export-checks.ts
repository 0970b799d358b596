/**
 * What `hermes export` can declare: rows other tools wrote may hold names and values that hermes
 * would never create (a space or `#` in a username, an underscore in a domain, a display name
 * longer than hermes' column, an e-mail that is no address). Each check answers why a row cannot
 * be declared, in words for the YAML comment beside the name exported as unmanaged, or undefined
 * when it can. The checks are the ops' own (what `validate` and `apply` accept).
 */
import { isDomain, isUsername, userFieldNames, userField, type UserFields } from '../model/index.js';
import { OpFailure } from '../ops/envelope.js';
import { checkEmail, checkHost, checkPort, checkText, checkUsername } from '../ops/validate.js';

const show = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);

/** Why `username` is not a SIP user name hermes declares, or undefined. */
export function badUsername(username: string): string | undefined {
  if (isUsername(username)) return undefined;
  if (username.length > 64) return `the name is ${username.length} characters, more than 64`;
  return `the name ${show(username)} has characters a SIP user name cannot hold unescaped (hermes declares letters, digits and -_.!~*'()&=+$,;?/)`;
}

/** Why `domain` is not a domain name hermes declares, or undefined. */
export function badDomain(domain: string): string | undefined {
  if (isDomain(domain)) return undefined;
  return `${show(domain)} is not a DNS host name hermes declares (labels of at most 63 letters, digits and hyphens, 64 characters in all)`;
}

/** Why a user's stored fields cannot be declared (the first field that fails the ops' checks), or undefined. */
export function badUserFields(kind: 'local' | 'remote', fields: Partial<UserFields>): string | undefined {
  for (const name of userFieldNames(kind)) {
    const value = fields[name];
    if (value === null || value === undefined || value === '') continue;
    const spec = userField(name);
    try {
      if (spec.type === 'text') checkText(String(value), name, spec.maxLength ?? 128);
      else if (spec.type === 'email') checkEmail(String(value), name);
      else if (spec.type === 'host') checkHost(String(value), name);
      else if (spec.type === 'port') checkPort(Number(value), name);
      else checkUsername(String(value), name);
    } catch (error) {
      if (error instanceof OpFailure) return `its ${error.detail}`;
      throw error;
    }
  }
  return undefined;
}
