/**
 * The pure planner: computePlan(desired, actual) -> Plan. No database, file or network code
 * here; only data in, data out. Each resource kind plans its own changes (kinds/); this
 * composes them and orders the plan. See docs/gitops.md for the ownership rules.
 */
import type { DesiredState } from '../desired/types.js';
import type { ActualState } from './actual-state.js';
import { alignCase } from './case-align.js';
import { KINDS } from './kinds/index.js';
import { declaredUsers, DomainScope, type PlanContext } from './kinds/kind.js';
import { CHANGE_KINDS, changeCount, type Change, type ChangeAction, type ChangeKind, type Plan, type PlanSummary } from './plan-types.js';

export { desiredUserFields, passwordMatches } from './kinds/users/index.js';

export interface PlanOptions {
  /** Reserved for future use (e.g. targeting); computePlan is deterministic without it. */
  readonly _?: never;
}

type ChangeLists = Record<ChangeAction, Record<ChangeKind, Change[]>>;

const byKey = (a: Change, b: Change) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
const perKind = <T>(make: () => T) => Object.fromEntries(CHANGE_KINDS.map((k) => [k, make()])) as Record<ChangeKind, T>;

/**
 * Deletes first, in reverse kind order (phones before the users on them, users before their
 * domain), then each kind's updates and creates; sorted by key within a kind, except numbers,
 * which come in numbers' order.
 */
function ordered(changes: ChangeLists): Change[] {
  const out: Change[] = [];
  // (Loops, not spreads: a plan may hold hundreds of thousands of changes.)
  const append = (kind: ChangeKind, list: Change[]) => {
    for (const c of kind === 'number' ? list : list.sort(byKey)) out.push(c);
  };
  for (const kind of [...CHANGE_KINDS].reverse()) append(kind, changes.delete[kind]);
  for (const kind of CHANGE_KINDS) append(kind, changes.update[kind].concat(changes.create[kind]));
  return out;
}

function summarize(changes: Change[]): PlanSummary {
  const summary = { add: 0, change: 0, remove: 0 };
  for (const c of changes) {
    if (c.action === 'create') summary.add += changeCount(c);
    else if (c.action === 'update') summary.change += changeCount(c);
    else summary.remove += changeCount(c);
  }
  return summary;
}

export function computePlan(desired: DesiredState, stored: ActualState, _options: PlanOptions = {}): Plan {
  const actual = alignCase(desired, stored);
  const changes: ChangeLists = { create: perKind(() => []), update: perKind(() => []), delete: perKind(() => []) };
  const ctx: PlanContext = {
    desired,
    actual,
    scope: new DomainScope(desired),
    problems: [],
    managed: perKind(() => 0),
    add: (c) => void changes[c.action][c.kind].push(c),
    deletedUsers: new Set(),
    usedNumbers: [],
    emptiedDomains: [],
    declaredUser: declaredUsers(desired),
  };
  for (const kind of KINDS) kind.plan(ctx);
  const list = ordered(changes);
  return { changes: list, summary: summarize(list), fingerprint: actual.fingerprint, managed: ctx.managed, emptiedDomains: ctx.emptiedDomains, problems: ctx.problems };
}
