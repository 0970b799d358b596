/**
 * The resource kinds, in the order they plan: a kind may read what the kinds before it told the
 * PlanContext (users -> deletedUsers -> phones; aliases -> usedNumbers -> numbers). Adding a
 * kind is one module in this folder and one line here (and its change in plan-types' union).
 */
import { aliases } from './aliases.js';
import { domains } from './domains.js';
import type { Change, ChangeKind } from '../plan-types.js';
import type { ResourceKind } from './kind.js';
import { numbers } from './numbers.js';
import { phones } from './phones.js';
import { users } from './users.js';

/** Any one kind, with its own change type. */
export type AnyKind = { [K in ChangeKind]: ResourceKind<Extract<Change, { kind: K }>> }[ChangeKind];

export const KINDS: readonly AnyKind[] = [domains, users, aliases, numbers, phones];

/** The kind that plans and executes changes of `kind`. */
export function kindOf(kind: ChangeKind): ResourceKind {
  return KINDS.find((k) => k.kind === kind) as unknown as ResourceKind;
}
