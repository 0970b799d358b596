/**
 * The safety brake (after octoDNS's thresholds): a plan that deletes or updates more than
 * `maxChangePercent` of the managed objects of a kind (when there are at least `minObjects`),
 * or that removes every user of a listed domain, is refused unless forced. Each reason names
 * what allows it: a higher --max-change-percent or --force for the first, only --force for the
 * second (an emptied domain is no percentage).
 */
import { CHANGE_KINDS, type Plan } from './plan-types.js';

export interface SafetyOptions {
  /** Default 30. */
  maxChangePercent?: number;
  /** Kinds with fewer managed objects than this are not checked. Default 10. */
  minObjects?: number;
}

export const DEFAULT_MAX_CHANGE_PERCENT = 30;
export const DEFAULT_MIN_OBJECTS = 10;

/** The reasons the plan is unsafe (empty: safe). */
export function checkSafety(plan: Plan, options: SafetyOptions = {}): string[] {
  const max = options.maxChangePercent ?? DEFAULT_MAX_CHANGE_PERCENT;
  const min = options.minObjects ?? DEFAULT_MIN_OBJECTS;
  const reasons: string[] = [];
  for (const kind of CHANGE_KINDS) {
    const total = plan.managed[kind];
    if (total < min) continue;
    let touched = 0;
    for (const c of plan.changes) if (c.kind === kind && c.action !== 'create') touched += c.count ?? 1;
    // Never more than the objects there are (an update and a delete of the same user count once).
    touched = Math.min(touched, total);
    const percent = (touched / total) * 100;
    if (percent > max) {
      const name = kind === 'alias' ? 'aliases' : kind + 's';
      reasons.push(`it updates or removes ${touched} of ${total} ${name} (${percent.toFixed(1)}% > ${max}%; --max-change-percent ${Math.ceil(percent)} or --force allows it)`);
    }
  }
  for (const d of plan.emptiedDomains) {
    reasons.push(`it removes every user of domain ${d} (only --force allows that, whatever --max-change-percent says; to remove the domain with everything in it, list it with \`state: absent\`)`);
  }
  return reasons;
}

/** The safety brake's refusal: every reason, each naming what allows it. */
export function brakeMessage(reasons: readonly string[]): string {
  return `safety brake: the plan is refused because ${reasons.join('; and ')}. Review the plan before you allow it.`;
}
