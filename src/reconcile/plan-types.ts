import type { SourceLocation } from '../desired/types.js';
import type { AliasChange } from './kinds/aliases/index.js';
import type { DomainChange } from './kinds/domains/index.js';
import type { NumberChange } from './kinds/numbers/index.js';
import type { PhoneChange } from './kinds/phones/index.js';
import type { ProvisioningChange } from './kinds/provisioning/index.js';
import type { UserChange } from './kinds/users/index.js';

export type ChangeAction = 'create' | 'update' | 'delete';

/** One change: a discriminated union on `kind`, each carrying its typed values (see kinds/). */
export type Change = DomainChange | NumberChange | UserChange | AliasChange | PhoneChange | ProvisioningChange;
export type ChangeKind = Change['kind'];
/** The order of kinds in a plan (deletes in reverse). */
export const CHANGE_KINDS: readonly ChangeKind[] = ['domain', 'number', 'user', 'alias', 'phone', 'provisioning'];

/** A field value in a change; secrets appear only as '(set)', '(changed)' or '(generated)'. */
export type FieldValue = string | number | null | string[];

/**
 * What every change shows, derived from its typed values when it is made: `key` names the
 * object (a domain, a number or a run `+4722334400..+4722334499`, a user or alias address, a
 * 12-hex MAC); `before` and `after` hold the fields that matter (for updates only the changed
 * ones), never a plaintext secret. Rendering (text, markdown, JSON) reads only these; execution
 * reads only the typed values.
 */
export interface ChangeDisplay {
  action: ChangeAction;
  key: string;
  before?: Record<string, FieldValue>;
  after?: Record<string, FieldValue>;
  /** How many objects the change stands for (a run of numbers); 1 otherwise. */
  count?: number;
  /** Where the object is declared, for messages. */
  at?: SourceLocation;
}

/** A change as saved and printed: its display only, in a fixed key order. */
export interface SavedChange {
  action: ChangeAction;
  kind: ChangeKind;
  key: string;
  count?: number;
  before?: Record<string, FieldValue>;
  after?: Record<string, FieldValue>;
  /** Provisioning changes: how many phones' files change, and their MACs. */
  phones?: number;
  macs?: string[];
}

export function savedChange(c: Change): SavedChange {
  const out: SavedChange = { action: c.action, kind: c.kind, key: c.key };
  if (c.count !== undefined) out.count = c.count;
  if (c.before !== undefined) out.before = c.before;
  if (c.after !== undefined) out.after = c.after;
  if (c.kind === 'provisioning') {
    out.phones = c.phones.length;
    out.macs = c.phones;
  }
  return out;
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
export function changeCount(change: { count?: number }): number {
  return change.count ?? 1;
}
