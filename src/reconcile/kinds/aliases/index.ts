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
  /** An alias row with this address exists. */
  exists?: boolean;
}

/** The declared aliases (users' numbers and `aliases`) keyed by alias domain, then alias username. */
function wantedAliases(ctx: PlanContext): Map<string, Map<string, WantedAlias>> {
  const { desired, scope } = ctx;
  const wanted = new Map<string, Map<string, WantedAlias>>();
  const want = (w: WantedAlias) => {
    let inDomain = wanted.get(w.alias_domain);
    if (inDomain === undefined) wanted.set(w.alias_domain, (inDomain = new Map()));
    inDomain.set(w.alias_username, w);
  };
  for (const u of desired.users ?? []) {
    if (u.number !== undefined && !scope.isAbsent(u.domain)) want({ alias_username: u.number, alias_domain: u.domain, username: u.username, domain: u.domain, at: u.at });
  }
  for (const a of desired.aliases ?? []) {
    if (!scope.isAbsent(a.alias_domain)) want({ alias_username: a.alias_username, alias_domain: a.alias_domain, username: a.username, domain: a.domain, at: a.at });
  }
  return wanted;
}

const destinationOf = (a: { username: string; domain: string }) => `${a.username}@${a.domain}`;
const keyOf = (a: AliasRow) => ({ alias_username: a.alias_username, alias_domain: a.alias_domain });

/**
 * Removes and updates existing aliases in the file's care. Records the numbers in use after the
 * apply (kept E.164 aliases, managed or not): a removed alias's number returns to the pool.
 */
function planExisting(ctx: PlanContext, wanted: Map<string, Map<string, WantedAlias>>): void {
  const { desired, scope, usedNumbers } = ctx;
  for (const [key, a] of ctx.actual.aliases) {
    const want = wanted.get(a.alias_domain)?.get(a.alias_username);
    if (want) want.exists = true;
    const e164 = isE164(a.alias_username);
    const absent = scope.isAbsent(a.alias_domain);
    const unmanaged = !scope.of(a.alias_domain).listed || scope.isUnmanaged(a.alias_domain, a.alias_username);
    if (unmanaged || !(absent || (e164 ? desired.users !== undefined : desired.aliases !== undefined))) {
      if (e164) usedNumbers.push(numericNumber(a.alias_username));
      continue;
    }
    ctx.managed.alias++;
    if (absent || !want) {
      ctx.add({ action: 'delete', kind: 'alias', key, before: { destination: destinationOf(a) }, alias: keyOf(a) });
      continue;
    }
    if (e164) usedNumbers.push(numericNumber(a.alias_username));
    if (want.username !== a.username || want.domain !== a.domain) {
      const destination = { username: want.username, domain: want.domain };
      ctx.add({ action: 'update', kind: 'alias', key, before: { destination: destinationOf(a) }, after: { destination: destinationOf(want) }, at: want.at, alias: keyOf(a), destination });
    }
  }
}

export const aliases: ResourceKind<AliasChange> = {
  kind: 'alias',
  plan(ctx) {
    const wanted = wantedAliases(ctx);
    planExisting(ctx, wanted);
    for (const inDomain of wanted.values()) {
      for (const want of inDomain.values()) {
        if (isE164(want.alias_username)) ctx.usedNumbers.push(numericNumber(want.alias_username));
        if (want.exists) continue;
        const key = `${want.alias_username}@${want.alias_domain}`;
        ctx.add({ action: 'create', kind: 'alias', key, after: { destination: destinationOf(want) }, at: want.at, alias: keyOf(want), destination: { username: want.username, domain: want.domain } });
      }
    }
  },
  async beforeDeletes(db, updates, ctx) {
    await removeAliases(db, updates.map((c) => c.alias), ctx.ops);
  },
  async execute(db, action, changes, ctx) {
    if (action === 'delete') return removeAliases(db, changes.map((c) => c.alias), ctx.ops);
    await addAliases(db, changes.map((c) => ({ ...c.alias, ...c.destination! })), ctx.ops);
  },
};
