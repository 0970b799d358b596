/**
 * What a resource kind is to the reconciler: how it plans (desired vs actual -> its typed
 * changes) and how it executes its changes through src/ops. computePlan and executePlan compose
 * the kinds listed in kinds/index.ts; adding a kind is one module there and one line in KINDS.
 */
import type { Dbs } from '../../db/types.js';
import type { DesiredDomain, DesiredState, DesiredUser } from '../../desired/types.js';
import type { Address } from '../../model/index.js';
import { globToRegExp } from '../../model/index.js';
import type { OpContext } from '../../ops/index.js';
import type { ActualState } from '../actual-state.js';
import type { Change, ChangeAction, ChangeKind, FieldValue, PlanProblem } from '../plan-types.js';

/** What the file says about one domain. */
export interface DomainFacts {
  listed: boolean;
  absent: boolean;
  present: boolean;
}

/** The domains the file lists, and their unmanaged globs. */
export class DomainScope {
  readonly listed = new Map<string, DesiredDomain>();
  private readonly globs = new Map<string, RegExp[]>();
  private readonly facts = new Map<string, DomainFacts>();
  private lastDomain: string | undefined;
  private last: DomainFacts = { listed: false, absent: false, present: false };

  constructor(desired: DesiredState) {
    for (const d of desired.domains ?? []) {
      this.listed.set(d.domain, d);
      this.globs.set(d.domain, (d.unmanaged ?? []).map(globToRegExp));
    }
  }

  /**
   * DomainFacts by domain, remembering the last domain asked for: a platform's rows come a
   * domain at a time (and share one string per domain), so most lookups are one comparison.
   */
  of(domain: string): DomainFacts {
    if (domain === this.lastDomain) return this.last;
    let f = this.facts.get(domain);
    if (f === undefined) {
      const d = this.listed.get(domain);
      this.facts.set(domain, (f = { listed: d !== undefined, absent: d?.state === 'absent', present: d?.state === 'present' }));
    }
    this.lastDomain = domain;
    return (this.last = f);
  }

  isAbsent(domain: string): boolean {
    return this.of(domain).absent;
  }

  isUnmanaged(domain: string, name: string): boolean {
    const globs = this.globs.get(domain);
    return globs !== undefined && globs.length > 0 && globs.some((re) => re.test(name));
  }
}

/** One planning run: the inputs, the changes so far, and what kinds tell the kinds after them. */
export interface PlanContext {
  readonly desired: DesiredState;
  readonly actual: ActualState;
  readonly scope: DomainScope;
  readonly problems: PlanProblem[];
  readonly managed: Record<ChangeKind, number>;
  /** Adds a change (kept per action and kind until the plan is ordered). */
  add(change: Change): void;
  /** Addresses of users this plan removes (users -> phones). */
  readonly deletedUsers: Set<string>;
  /** Numeric values of the E.164 numbers in use after the apply (aliases -> numbers). */
  readonly usedNumbers: number[];
  /** Listed domains whose every managed user this plan removes (users). */
  emptiedDomains: string[];
  /** The declared user at an address ('user@domain' as the desired state spells it). */
  declaredUser(address: string): DesiredUser | undefined;
}

/** The declared users by address, indexed on the first lookup (plan and execution each keep one). */
export function declaredUsers(desired: DesiredState): (address: string) => DesiredUser | undefined {
  let users: Map<string, DesiredUser> | undefined;
  return (address) => {
    users ??= new Map((desired.users ?? []).map((u) => [u.address, u]));
    return users.get(address);
  };
}

/** One execution: the desired state (for secrets and declared users) and what it reports. */
export interface ExecContext {
  readonly desired: DesiredState;
  readonly ops: OpContext;
  /** The declared user at an address (for its password and fields). */
  declaredUser(address: Address): DesiredUser | undefined;
  /** Local users created with a generated password. */
  readonly generatedPasswords: string[];
  /** Set when Kamailio's `domain` table changed (domain.reload is due). */
  domainsChanged: boolean;
}

export interface ResourceKind<C extends Change = Change> {
  readonly kind: C['kind'];
  /** Plans this kind's changes (kinds plan in the order of KINDS). */
  plan(ctx: PlanContext): void;
  /**
   * Writes consecutive changes of one action, at most WRITE_BATCH at a time. Updates that are a
   * removal and an addition write their addition here.
   */
  execute(db: Dbs, action: ChangeAction, changes: C[], ctx: ExecContext): Promise<void>;
  /** The removal halves of updates, run before every delete of the plan (phones, aliases). */
  beforeDeletes?(db: Dbs, updates: C[], ctx: ExecContext): Promise<void>;
}

/** The fields that have a value (not null, not ''), for a change's display. */
export function visibleFields(fields: Record<string, string | number | null>): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== null && v !== '') out[k] = v;
  return out;
}
