import type { DesiredDomain, DesiredState, DesiredUser } from '../../src/desired/types.js';
import { computeHa1 } from '../../src/ops/canonical.js';
import { emptyActualState, subscriberUser, type ActualState, type ActualUser } from '../../src/reconcile/actual-state.js';
import { mergeRuns } from '../../src/reconcile/number-ranges.js';

export function domain(name: string, extra: Partial<DesiredDomain> = {}): DesiredDomain {
  return { domain: name, state: 'present', unmanaged: [], ...extra };
}

export function user(address: string, extra: Partial<DesiredUser> = {}): DesiredUser {
  const at = address.lastIndexOf('@');
  return {
    username: address.slice(0, at),
    domain: address.slice(at + 1),
    address,
    kind: 'local',
    displayname: '',
    email: '',
    linetext: '',
    dialplan: '',
    ...extra,
  };
}

export function remote(address: string, extra: Partial<DesiredUser> = {}): DesiredUser {
  return user(address, { kind: 'remote', registrar: 'sip.partner.net', password: 'remote-pw', ...extra });
}

export function state(s: Partial<DesiredState>): DesiredState {
  return { version: 1, files: ['test.yaml'], ...s };
}

export function actualUser(address: string, extra: Partial<ActualUser> & { plainPassword?: string } = {}): ActualUser {
  const at = address.lastIndexOf('@');
  const username = address.slice(0, at);
  const domain = address.slice(at + 1);
  const { plainPassword = 'pw', ...rest } = extra;
  return { ...subscriberUser(username, domain, address, plainPassword, computeHa1(username, domain, plainPassword)), hasProvisioning: true, ...rest };
}

export function actual(build: (a: ActualState) => void): ActualState {
  const a = emptyActualState();
  a.fingerprint = 'f'.repeat(64);
  build(a);
  return a;
}

export function alias(a: ActualState, aliasAddress: string, destination: string): void {
  const [au, ad] = [aliasAddress.slice(0, aliasAddress.lastIndexOf('@')), aliasAddress.slice(aliasAddress.lastIndexOf('@') + 1)];
  const [u, d] = [destination.slice(0, destination.lastIndexOf('@')), destination.slice(destination.lastIndexOf('@') + 1)];
  a.aliases.set(aliasAddress, { alias_username: au, alias_domain: ad, username: u, domain: d });
}

/** Puts numbers into the actual pool (kept as sorted runs, as readActualState gives it). */
export function pooled(a: ActualState, ...numbers: string[]): void {
  a.pool = mergeRuns([...a.pool, ...numbers.map((n) => ({ start: n, end: n }))]);
  a.poolSize = a.pool.reduce((sum, r) => sum + r.count, 0);
}
