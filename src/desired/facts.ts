/**
 * What the semantic checks of one kind tell the kinds checked after it: the listed domains,
 * the pool, the declared users and the numbers in use. One per SemanticChecker (one run).
 */
import type { RawPhone, RawSecret, RawUser } from './raw-types.js';
import { passwordProblem } from '../model/index.js';
import { resolveSecret } from './secrets.js';
import type { Item, SemanticChecker } from './semantics.js';
import { formatLocation } from './source-file.js';
import type { DesiredPhone, DesiredUser, SourceLocation } from './types.js';

export interface ListedDomain {
  state: 'present' | 'absent';
  unmanaged: RegExp[];
  globs: string[];
  at: SourceLocation;
}

export class CheckFacts {
  /** Listed domains (lowercase), including those of items the schema refused. */
  readonly listed = new Map<string, ListedDomain>();
  /** The pool is declared (some file has `numbers`). */
  poolDeclared = false;
  /** The pool is known in full (no invalid range or number): only then is "not in the pool" reported. */
  poolComplete = true;
  /** Whether a number is in the declared pool. */
  inPool: (n: string) => boolean = () => false;
  /** Case-folded address of each declared user -> where. */
  readonly declaredFolded = new Map<string, SourceLocation>();
  /** The exact address of each declared user whose address has capitals, by its folded form. */
  readonly mixedCase = new Map<string, string>();
  /** Addresses of user items the schema refused (they still count as declared). */
  readonly looselyDeclared = new Set<string>();
  /** The alias each user's number makes (number@domain), by domain then number (no number@domain string kept per user). */
  private readonly numberAliases = new Map<string, Map<string, SourceLocation>>();
  /** Users whose password is to be resolved. */
  readonly passwords: { user: DesiredUser; item: Item<RawUser> }[] = [];
  /** The phones checked so far with their items (the provisioning kind checks their provisioning fields). */
  readonly phoneItems: { phone: DesiredPhone; item: Item<RawPhone> }[] = [];
  /** Other secrets to resolve (provisioning credentials, admin passwords): where, and what takes the value. */
  readonly secrets: { secret: RawSecret; at: SourceLocation; set: (value: string) => void }[] = [];
  private readonly numberUse = new Map<string, SourceLocation>();
  /** The first E.164 alias (or number) of each destination, and every further one. */
  private readonly e164ByDestination = new Map<string, SourceLocation>();
  private readonly moreE164: { dest: string; at: SourceLocation }[] = [];

  /** The unmanaged glob of a listed domain that the name matches. */
  unmanagedGlob(username: string, domain: string): string | undefined {
    const d = this.listed.get(domain);
    if (d === undefined) return undefined;
    for (let i = 0; i < d.unmanaged.length; i++) if (d.unmanaged[i].test(username)) return d.globs[i];
    return undefined;
  }

  /** Whether username@domain (canonical) is a declared user. */
  isDeclared(key: string): boolean {
    const folded = key.toLowerCase();
    return (this.declaredFolded.has(folded) && (this.mixedCase.get(folded) ?? folded) === key) || (this.looselyDeclared.size > 0 && this.looselyDeclared.has(key));
  }

  /** Records the alias number@domain (domain lowercase) that a user's number makes. */
  addNumberAlias(number: string, domain: string, at: SourceLocation): void {
    let numbers = this.numberAliases.get(domain);
    if (numbers === undefined) this.numberAliases.set(domain, (numbers = new Map()));
    numbers.set(number, at);
  }

  /** Where the user whose number makes the alias number@domain (domain lowercase) is, if any. */
  numberAliasAt(number: string, domain: string): SourceLocation | undefined {
    return this.numberAliases.get(domain)?.get(number);
  }

  /** Checks an E.164 number used by a user or an alias: in the pool, used once. */
  useNumber(c: SemanticChecker, n: string, at: SourceLocation, destinationKey: string): void {
    if (this.poolDeclared && this.poolComplete && !this.inPool(n)) c.report('HERMES_NUMBER_NOT_IN_POOL', at, `number ${n} is not in the pool; add it to numbers.numbers or a range under numbers.ranges`);
    const other = this.numberUse.get(n);
    if (other) c.report('HERMES_NUMBER_IN_USE', at, `number ${n} is already used at ${formatLocation(other)}; a number belongs to one user`);
    else this.numberUse.set(n, at);
    if (this.e164ByDestination.has(destinationKey)) this.moreE164.push({ dest: destinationKey, at });
    else this.e164ByDestination.set(destinationKey, at);
  }

  /** Reports every destination with more than one E.164 alias. */
  reportMultipleE164(c: SemanticChecker): void {
    for (const { dest, at } of this.moreE164)
      c.report('HERMES_MULTIPLE_E164_ALIASES', at, `${dest} already has the E.164 alias at ${formatLocation(this.e164ByDestination.get(dest)!)}; a destination has at most one E.164 alias (a user's number counts as one)`);
  }

  async resolveSecrets(c: SemanticChecker): Promise<void> {
    for (const { user, item } of this.passwords) {
      const at = c.at(item, 'password');
      const password = await resolveSecret(item.value.password!, at, c.secrets, c.env, c.diagnostics);
      if (password === undefined) continue;
      // The ops' rule for a SIP password (the value itself is never shown).
      const problem = passwordProblem(password);
      if (problem !== null) c.report('HERMES_INVALID_FIELD', at, `the password of user ${user.address} ${problem}`);
      else user.password = password;
    }
    for (const { secret, at, set } of this.secrets) {
      const value = await resolveSecret(secret, at, c.secrets, c.env, c.diagnostics);
      if (value !== undefined) set(value);
    }
  }
}
