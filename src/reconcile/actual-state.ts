/**
 * The actual state of the platform as the reconciler sees it: Kamailio's and hermes' rows,
 * read in bulk (read-actual.ts) and canonicalised (lowercase domains, 12-hex MACs), keyed by
 * address so that the pure planner compares in O(n).
 */
import type { AliasRow } from '../model/index.js';
import type { UserRecord } from '../ops/index.js';
import type { NumberRun } from './number-ranges.js';

export type UserKind = UserRecord['kind'];

/** A user as user/get describes it, plus what the planner needs to compare passwords. */
export interface ActualUser extends Omit<UserRecord, 'password'> {
  /** A `subscriber` row exists (local users). */
  hasSubscriber: boolean;
  /** A hermes_users row exists (false: a subscriber written by kamctl & co., adopted). */
  hasProvisioning: boolean;
  /** Local: subscriber.password (may be '' when only ha1 is kept); remote: the stored password. */
  password: string;
  /** Local: subscriber.ha1 (lowercase). */
  ha1: string;
}

/** A dbaliases row (domains lowercase). */
export type ActualAlias = AliasRow;

export interface ActualState {
  /** Rows of Kamailio's `domain` table, lowercase. */
  domains: Set<string>;
  /** Subscribers and hermes_users rows, by address. */
  users: Map<string, ActualUser>;
  /** dbaliases rows, by alias address (alias_username@alias_domain). */
  aliases: Map<string, ActualAlias>;
  /** Phones by 12-hex MAC: line addresses in line order. */
  phones: Map<string, string[]>;
  /** hermes_provisioning: item -> body (JSON; the auth password hashed). */
  provisioning: Map<string, string>;
  /**
   * The available numbers of the pool as sorted runs of consecutive numbers (by length, then
   * value): a million pooled numbers are a handful of runs, never a million strings.
   */
  pool: NumberRun[];
  /** How many numbers the pool holds. */
  poolSize: number;
  /**
   * sha256 over the canonical rows, so a saved plan can tell that the state moved; '' when the
   * reader was asked not to compute it (readActualState's `fingerprint: false`).
   */
  fingerprint: string;
}

export function emptyActualState(): ActualState {
  return { domains: new Set(), users: new Map(), aliases: new Map(), phones: new Map(), provisioning: new Map(), pool: [], poolSize: 0, fingerprint: '' };
}

/**
 * A local user as its subscriber row alone describes it (a row kamctl & co. may have written,
 * before any hermes_users row): the fields the ops write by default.
 */
export function subscriberUser(username: string, domain: string, address: string, password: string, ha1: string): ActualUser {
  return {
    username,
    domain,
    address,
    kind: 'local',
    hasSubscriber: true,
    hasProvisioning: false,
    displayname: '',
    email: '',
    dialplan: '',
    linetext: '',
    registrar: null,
    r_port: null,
    proxy: null,
    p_port: null,
    authid: null,
    password,
    ha1,
  };
}
