import type { SourceLocation } from '../desired/types.js';

export type ChangeAction = 'create' | 'update' | 'delete';
export type ChangeKind = 'domain' | 'number' | 'user' | 'alias' | 'phone';
export const CHANGE_KINDS: readonly ChangeKind[] = ['domain', 'number', 'user', 'alias', 'phone'];

/** A field value in a change; secrets appear only as '(set)', '(changed)' or '(generated)'. */
export type FieldValue = string | number | null | string[];

/**
 * One change. `key` names the object: a domain, a number or a run of numbers
 * (`+4722334400..+4722334499`), a user or alias address, a 12-hex MAC. `before` and `after`
 * hold the fields that matter (for updates only the changed ones), never a plaintext secret.
 */
export interface Change {
  action: ChangeAction;
  kind: ChangeKind;
  key: string;
  before?: Record<string, FieldValue>;
  after?: Record<string, FieldValue>;
  /** How many objects the change stands for (a run of numbers); 1 otherwise. */
  count?: number;
  /** Where the object is declared, for messages. */
  at?: SourceLocation;
}

export interface PlanSummary {
  add: number;
  change: number;
  remove: number;
}

/** A problem found while planning (the plan cannot be applied). */
export interface PlanProblem {
  message: string;
  at?: SourceLocation;
}

/** The plan: pure data, safe to print and to save (no secret in it). */
export interface Plan {
  changes: Change[];
  summary: PlanSummary;
  /** Fingerprint of the actual state the plan was computed from. */
  fingerprint: string;
  /** How many objects of each kind the desired state manages in the actual state (for the safety brake). */
  managed: Record<ChangeKind, number>;
  /** Listed domains whose every managed user this plan removes (for the safety brake). */
  emptiedDomains: string[];
  problems: PlanProblem[];
}

/** The number of objects a change stands for. */
export function changeCount(change: Change): number {
  return change.count ?? 1;
}
