/**
 * Aliases: dbaliases rows. A user's `number` is an E.164 alias in the user's domain; `aliases`
 * declares the others. An update is a removal (before the plan's deletes) and an addition.
 */
import type { SourceLocation } from '../../../desired/types.js';
import { isE164, numericNumber, type Address, type AliasRow } from '../../../model/index.js';
import { addAliases, removeAliases } from '../../../ops/index.js';
import type { ChangeDisplay } from '../../plan-types.js';
import type { PlanContext, ResourceKind } from '../kind.js';

export interface AliasChange extends ChangeDisplay {
  kind: 'alias';
  alias: { alias_username: string; alias_domain: string };
  /** create, update: where the alias leads after the change. */
  destination?: Address;
}

interface WantedAlias extends AliasRow {
  at?: SourceLocation;
}

/** The declared aliases by alias domain, then alias username; `existing`: those with a row already. */
interface Wanted {
  byDomain: Map<string, Map<string, WantedAlias>>;
  existing: Set<WantedAlias>;
}

/** The inner map of one domain, remembering the last one asked for (rows come a domain at a time). */
function domainMaps(byDomain: Map<string, Map<string, WantedAlias>>) {
  let lastDomain: string | undefined;
  let last: Map<string, WantedAlias> | undefined;
  return (domain: string, create: boolean): Map<string, WantedAlias> | undefined => {
    if (domain === lastDomain) return last;
    let inDomain = byDomain.get(domain);
    if (inDomain === undefined && create) byDomain.set(domain, (inDomain = new Map()));
    lastDomain = domain;
    return (last = inDomain);
  };
}

/** The declared aliases: users' numbers (an alias row each) and `aliases` (their own objects, already alias rows). */
function wantedAliases(ctx: PlanContext): Wanted {
  const { desired, scope } = ctx;
  const byDomain = new Map<string, Map<string, WantedAlias>>();
  const inDomain = domainMaps(byDomain);
  for (const u of desired.users ?? []) {
    if (u.number !== undefined && !scope.isAbsent(u.domain)) inDomain(u.domain, true)!.set(u.number, { alias_username: u.number, alias_domain: u.domain, username: u.username, domain: u.domain, at: u.at });
  }
  for (const a of desired.aliases ?? []) {
    if (!scope.isAbsent(a.alias_domain)) inDomain(a.alias_domain, true)!.set(a.alias_username, a);
  }
  return { byDomain, existing: new Set() };
}

/**
 * An alias's destination as text: the declared user's own address string when there is one
 * (the alias changes of a large apply then keep no copy of each address; 200,000 in the
 * 100,000-user apply), else a new string.
 */
function destinationOf(ctx: PlanContext, a: { username: string; domain: string }): string {
  const text = `${a.username}@${a.domain}`;
  return ctx.declaredUser(text)?.address ?? text;
}
const keyOf = (a: AliasRow) => ({ alias_username: a.alias_username, alias_domain: a.alias_domain });

/**
 * Removes and updates existing aliases in the file's care. Records the numbers in use after the
 * apply (kept E.164 aliases, managed or not): a removed alias's number returns to the pool.
 */
function planExisting(ctx: PlanContext, wanted: Wanted): void {
  const { desired, scope, usedNumbers } = ctx;
  const inDomain = domainMaps(wanted.byDomain);
  for (const [key, a] of ctx.actual.aliases) {
    const want = inDomain(a.alias_domain, false)?.get(a.alias_username);
    if (want) wanted.existing.add(want);
    const e164 = isE164(a.alias_username);
    const absent = scope.isAbsent(a.alias_domain);
    const unmanaged = !scope.of(a.alias_domain).listed || scope.isUnmanaged(a.alias_domain, a.alias_username);
    if (unmanaged || !(absent || (e164 ? desired.users !== undefined : desired.aliases !== undefined))) {
      if (e164) usedNumbers.push(numericNumber(a.alias_username));
      continue;
    }
    ctx.managed.alias++;
    if (absent || !want) {
      ctx.add({ action: 'delete', kind: 'alias', key, before: { destination: destinationOf(ctx, a) }, alias: keyOf(a) });
      continue;
    }
    if (e164) usedNumbers.push(numericNumber(a.alias_username));
    if (want.username !== a.username || want.domain !== a.domain) {
      const destination = { username: want.username, domain: want.domain };
      ctx.add({ action: 'update', kind: 'alias', key, before: { destination: destinationOf(ctx, a) }, after: { destination: destinationOf(ctx, want) }, at: want.at, alias: keyOf(a), destination });
    }
  }
}

export const aliases: ResourceKind<AliasChange> = {
  kind: 'alias',
  plan(ctx) {
    const wanted = wantedAliases(ctx);
    planExisting(ctx, wanted);
    for (const inDomain of wanted.byDomain.values()) {
      for (const want of inDomain.values()) {
        if (isE164(want.alias_username)) ctx.usedNumbers.push(numericNumber(want.alias_username));
        if (wanted.existing.has(want)) continue;
        // joined, not a template: one flat string instead of a cons string and its first part
        const key = [want.alias_username, '@', want.alias_domain].join('');
        // `want` (an alias row) serves as both the alias and the destination: no two objects more per created alias (200,000 in a large apply).
        ctx.add({ action: 'create', kind: 'alias', key, after: { destination: destinationOf(ctx, want) }, at: want.at, alias: want, destination: want });
      }
    }
  },
  async beforeDeletes(db, updates, ctx) {
    await removeAliases(db, updates.map((c) => c.alias), ctx.ops);
  },
  async execute(db, action, changes, ctx) {
    if (action === 'delete') return removeAliases(db, changes.map((c) => c.alias), ctx.ops);
    await addAliases(
      db,
      changes.map((c) => ({ alias_username: c.alias.alias_username, alias_domain: c.alias.alias_domain, username: c.destination!.username, domain: c.destination!.domain })),
      ctx.ops,
    );
  },
};
