/**
 * The semantic checks of `users`: addresses, duplicates (case-folded), local vs remote fields
 * and each field's value (the model's USER_FIELDS and userFieldProblem, the rule the ops
 * apply too), numbers; the declared users for the kinds after.
 */
import { isE164, parseAddress, REMOTE_ONLY_FIELD_NAMES, userField, userFieldMaxLength, userFieldNames, userFieldProblem, type Address, type UserFieldName } from '../../../model/index.js';
import type { RawUser } from '../../../desired/raw-types.js';
import type { Item, SemanticChecker } from '../../../desired/semantics.js';
import { formatLocation } from '../../../desired/source-file.js';
import type { DesiredState, DesiredUser } from '../../../desired/types.js';

/** Local users cannot have remote fields; remote users need a registrar. */
function checkKindFields(c: SemanticChecker, item: Item<RawUser>, key: string, address: Address, kind: 'local' | 'remote'): void {
  const raw = item.value;
  if (kind === 'local') {
    for (const field of REMOTE_ONLY_FIELD_NAMES)
      if (raw[field] !== undefined)
        c.report('HERMES_LOCAL_WITH_REMOTE_FIELDS', c.at(item, field, true), `user ${key} is local (${address.domain} is listed under domains), so it cannot have ${field}; ${REMOTE_ONLY_FIELD_NAMES.join(', ')} are for remote users, in domains that are not listed`);
  } else if (raw.registrar === undefined) {
    c.report('HERMES_REMOTE_WITHOUT_REGISTRAR', c.at(item, 'user'), `user ${key} is remote (${address.domain} is not listed under domains) and needs a registrar; list ${address.domain} under domains to make it local`);
  }
  for (const field of userFieldNames(kind)) checkFieldValue(c, item, key, field);
}

/** A field's value by the model's one rule (userFieldProblem), which the ops apply too. */
function checkFieldValue(c: SemanticChecker, item: Item<RawUser>, key: string, field: UserFieldName): void {
  const value = item.value[field];
  if (value === undefined) return;
  const problem = userFieldProblem(field, value);
  if (problem === null) return;
  const spec = userField(field);
  const code = typeof value === 'string' && value.length > userFieldMaxLength(field) ? 'HERMES_TOO_LONG' : spec.type === 'host' ? 'HERMES_INVALID_DOMAIN' : 'HERMES_INVALID_FIELD';
  const shown = typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value).replace(/\u007f/g, '\\u007f') : String(value);
  c.report(code, c.at(item, field), `${field} ${shown} of user ${key} ${problem}`);
}

function desiredUser(raw: RawUser, address: Address, key: string, kind: 'local' | 'remote', at: DesiredUser['at']): DesiredUser {
  const user: DesiredUser = { username: address.username, domain: address.domain, address: key, kind, displayname: raw.displayname ?? '', email: raw.email ?? '', linetext: raw.linetext ?? '', dialplan: raw.dialplan ?? '', at };
  if (kind === 'remote') {
    // Hosts are stored lowercased (as the ops store them), so that a plan after apply is empty.
    if (raw.registrar !== undefined) user.registrar = raw.registrar.toLowerCase();
    if (raw.r_port !== undefined) user.r_port = raw.r_port;
    if (raw.proxy !== undefined) user.proxy = raw.proxy.toLowerCase();
    if (raw.p_port !== undefined) user.p_port = raw.p_port;
    if (raw.authid !== undefined) user.authid = raw.authid;
  }
  return user;
}

/** The user's number: E.164, in a listed domain, in the pool, used once. */
function checkNumber(c: SemanticChecker, item: Item<RawUser>, user: DesiredUser, listed: boolean, folded: string): void {
  const number = item.value.number;
  if (number === undefined) return;
  const numberAt = c.at(item, 'number');
  if (!isE164(number)) {
    c.report('HERMES_INVALID_E164', numberAt, `number ${JSON.stringify(number)} is not an E.164 number: '+' then 1 to 15 digits, no leading zero, e.g. "+4722334401"`);
    return;
  }
  user.number = number;
  if (!listed) c.report('HERMES_ALIAS_DOMAIN_NOT_LISTED', numberAt, `number ${number} would be the alias ${number}@${user.domain}, but ${user.domain} is not listed under domains; numbers are for users in listed domains`);
  c.facts.useNumber(c, number, numberAt, folded);
  c.facts.addNumberAlias(number, user.domain, numberAt);
}

/** One user item: the user, or null after reporting why it is not one. */
function checkUser(c: SemanticChecker, item: Item<RawUser>): DesiredUser | null {
  const facts = c.facts;
  const userAt = c.at(item, 'user');
  const address = c.address(item.value.user, userAt, 'user');
  if (!address) return null;
  const key = address.key;
  const folded = key.toLowerCase();
  const other = facts.declaredFolded.get(folded);
  if (other) {
    c.report('HERMES_DUPLICATE_USER', userAt, `user ${key} is declared twice; it is also at ${formatLocation(other)}${(facts.mixedCase.get(folded) ?? folded) === key ? '' : ' (usernames that differ only in case collide in MySQL)'}`);
    return null;
  }
  facts.declaredFolded.set(folded, userAt);
  if (folded !== key) facts.mixedCase.set(folded, key);
  const domain = facts.listed.get(address.domain);
  if (domain?.state === 'absent') {
    c.report('HERMES_IN_ABSENT_DOMAIN', userAt, `user ${key} is in ${address.domain}, which is listed with state: absent (removed with everything in it); remove the user or make the domain present`);
    return null;
  }
  const glob = facts.unmanagedGlob(address.username, address.domain);
  if (glob !== undefined) c.report('HERMES_UNMANAGED_CONFLICT', userAt, `user ${key} matches the unmanaged glob ${JSON.stringify(glob)} of ${address.domain}; a user is either declared or left unmanaged, not both`);
  const kind = domain ? 'local' : 'remote';
  checkKindFields(c, item, key, address, kind);
  const user = desiredUser(item.value, address, key, kind, item.at);
  checkNumber(c, item, user, domain !== undefined, folded);
  return user;
}

export function checkUsers(c: SemanticChecker, state: DesiredState): void {
  const items = c.items<RawUser>('users', undefined, ['user']);
  for (const item of items.invalid) {
    const v = item.value as { user?: unknown } | null;
    const a = v && typeof v.user === 'string' ? parseAddress(v.user) : null;
    if (a) c.facts.looselyDeclared.add(`${a.username}@${a.domain}`);
  }
  const users: DesiredUser[] = [];
  for (const item of items.valid) {
    const user = checkUser(c, item);
    if (user === null) continue;
    users.push(user);
    if (item.value.password !== undefined) c.facts.passwords.push({ user, item });
  }
  if (items.present) state.users = users;
}
