/**
 * The semantic checks of `aliases`: addresses, a listed and present alias domain, no user's
 * address, no user's number, declared destinations in listed domains, E.164 aliases once.
 */
import { isE164, type Address } from '../../../model/index.js';
import type { RawAlias } from '../../../desired/raw-types.js';
import type { Item, SemanticChecker } from '../../../desired/semantics.js';
import { formatLocation } from '../../../desired/source-file.js';
import type { DesiredAlias, DesiredState, SourceLocation } from '../../../desired/types.js';

/** Where the alias's address may be: a listed, present domain; not a user; not unmanaged. */
function aliasAddressOk(c: SemanticChecker, alias: Address, aliasKey: string, at: SourceLocation): boolean {
  const facts = c.facts;
  const aliasDomain = facts.listed.get(alias.domain);
  let ok = true;
  if (!aliasDomain) {
    c.report('HERMES_ALIAS_DOMAIN_NOT_LISTED', at, `alias ${aliasKey} is in ${alias.domain}, which is not listed under domains; an alias must be in a listed domain`);
    ok = false;
  } else if (aliasDomain.state === 'absent') {
    c.report('HERMES_IN_ABSENT_DOMAIN', at, `alias ${aliasKey} is in ${alias.domain}, which is listed with state: absent; remove the alias or make the domain present`);
    ok = false;
  }
  const userAt = facts.declaredFolded.get(aliasKey.toLowerCase());
  if (userAt) {
    c.report('HERMES_ALIAS_IS_USER', at, `alias ${aliasKey} is the address of the user declared at ${formatLocation(userAt)}; an alias must differ from every user`);
    ok = false;
  }
  const glob = aliasDomain ? facts.unmanagedGlob(alias.username, alias.domain) : undefined;
  if (glob !== undefined) c.report('HERMES_UNMANAGED_CONFLICT', at, `alias ${aliasKey} matches the unmanaged glob ${JSON.stringify(glob)} of ${alias.domain}; an alias is either declared or left unmanaged, not both`);
  return ok;
}

function checkAlias(c: SemanticChecker, item: Item<RawAlias>, seen: Map<string, SourceLocation>): DesiredAlias | null {
  const facts = c.facts;
  const aliasAt = c.at(item, 'alias');
  const destAt = c.at(item, 'destination');
  const alias = c.address(item.value.alias, aliasAt, 'alias');
  const dest = c.address(item.value.destination, destAt, 'destination');
  if (!alias || !dest) return null;
  const aliasKey = alias.key;
  const destKey = dest.key;
  const e164 = isE164(alias.username);
  let ok = aliasAddressOk(c, alias, aliasKey, aliasAt);
  const aliasFolded = aliasKey.toLowerCase();
  const numberAt = e164 ? facts.numberAliasAt(alias.username, alias.domain) : undefined; // only an E.164 alias can be a user's number
  if (numberAt) {
    c.report('HERMES_NUMBER_IN_USE', aliasAt, `alias ${aliasKey} is already the number of the user at ${formatLocation(numberAt)}; a number belongs to one user`);
    return null;
  }
  const other = seen.get(aliasFolded);
  if (other) {
    c.report('HERMES_DUPLICATE_ALIAS', aliasAt, `alias ${aliasKey} is declared twice; it is also at ${formatLocation(other)}`);
    return null;
  }
  seen.set(aliasFolded, aliasAt);
  if (facts.listed.has(dest.domain) && !facts.isDeclared(destKey)) {
    c.report('HERMES_ALIAS_UNDECLARED_DESTINATION', destAt, `destination ${destKey} is in ${dest.domain}, a listed domain, but is not a declared user; declare it under users or route the alias to a declared user`);
    ok = false;
  }
  if (e164) facts.useNumber(c, alias.username, aliasAt, destKey.toLowerCase());
  return ok ? { alias_username: alias.username, alias_domain: alias.domain, username: dest.username, domain: dest.domain, at: item.at } : null;
}

export function checkAliases(c: SemanticChecker, state: DesiredState): void {
  const items = c.items<RawAlias>('aliases', undefined, ['alias', 'destination']);
  const seen = new Map<string, SourceLocation>();
  const aliases: DesiredAlias[] = [];
  for (const item of items.valid) {
    const alias = checkAlias(c, item, seen);
    if (alias) aliases.push(alias);
  }
  if (items.present) state.aliases = aliases;
  c.facts.reportMultipleE164(c);
}
