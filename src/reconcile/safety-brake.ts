/**
 * The safety brake (after octoDNS's thresholds): a plan that deletes or updates more than
 * `maxChangePercent` of the managed objects of a kind (when there are at least `minObjects`),
 * or that removes every user of a listed domain, is refused unless forced.
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
      reasons.push(`it updates or removes ${touched} of ${total} ${kind === 'alias' ? 'aliases' : kind + 's'} (${percent.toFixed(1)}% > ${max}%)`);
    }
  }
  for (const d of plan.emptiedDomains) reasons.push(`it removes every user of domain ${d}`);
  return reasons;
}
