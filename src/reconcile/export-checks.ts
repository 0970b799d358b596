/**
 * What `hermes export` can declare: rows other tools wrote may hold names and values that hermes
 * would never create (a space or `#` in a username, an underscore in a domain, a display name
 * longer than hermes' column, an e-mail that is no address). Each check answers why a row cannot
 * be declared, in words for the YAML comment beside the name exported as unmanaged, or undefined
 * when it can. The checks are the model's one rule, which `validate` and the ops both apply.
 */
import { isDomain, isUsername, userFieldNames, userFieldProblem, type UserFields } from '../model/index.js';

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

/** Why a user's stored fields cannot be declared (the first field the model's one rule refuses), or undefined. */
export function badUserFields(kind: 'local' | 'remote', fields: Partial<UserFields>): string | undefined {
  for (const name of userFieldNames(kind)) {
    const value = fields[name];
    if (value === null || value === undefined || value === '') continue;
    const problem = userFieldProblem(name, value);
    if (problem !== null) return `its ${name} ${problem}`;
  }
  return undefined;
}
