/**
 * The resource kinds, in the order they plan: a kind may read what the kinds before it told the
 * PlanContext (users -> deletedUsers -> phones; aliases -> usedNumbers -> numbers). Adding a
 * kind is one folder here (its checks.ts and this index.ts), one line here and one in DESIRED_KINDS
 * (checks.ts), and its change in plan-types' union.
 */
import { aliases } from './aliases/index.js';
import { domains } from './domains/index.js';
import type { Change, ChangeKind } from '../plan-types.js';
import type { ResourceKind } from './kind.js';
import { numbers } from './numbers/index.js';
import { phones } from './phones/index.js';
import { provisioning } from './provisioning/index.js';
import { users } from './users/index.js';

/** Any one kind, with its own change type. */
export type AnyKind = { [K in ChangeKind]: ResourceKind<Extract<Change, { kind: K }>> }[ChangeKind];

export const KINDS: readonly AnyKind[] = [domains, users, aliases, numbers, phones, provisioning];

/** The kind that plans and executes changes of `kind`. */
export function kindOf(kind: ChangeKind): ResourceKind {
  return KINDS.find((k) => k.kind === kind) as unknown as ResourceKind;
}
