/**
 * Users: local users (subscriber + hermes_users) in listed domains, remote users (hermes_users)
 * elsewhere. Their fields are the model's USER_FIELDS table.
 */
import type { DesiredUser, SourceLocation } from '../../../desired/types.js';
import type { Dbs } from '../../../db/types.js';
import { formatAddress, userFieldNames, userFieldsOf, type Address, type UserFieldName, type UserFields } from '../../../model/index.js';
import { computeHa1 } from '../../../ops/canonical.js';
import { addLocalUsers, addRemoteUsers, removeUsers, updateUsers, type LocalUserInput, type RemoteUserInput, type UserUpdate } from '../../../ops/index.js';
import type { ActualUser } from '../../actual-state.js';
import type { ChangeDisplay, FieldValue } from '../../plan-types.js';
import { visibleFields, type ExecContext, type PlanContext, type ResourceKind } from '../kind.js';

export interface UserChange extends ChangeDisplay {
  kind: 'user';
  address: Address;
  userKind: 'local' | 'remote';
  /** update: the new values of the changed fields. */
  fields?: Partial<UserFields>;
  /** update: the password changes to the declared one (read from the desired state, never kept here). */
  passwordChanges?: boolean;
}

/** The fields of a declared user as stored, with the defaults the ops write. */
export function desiredUserFields(u: DesiredUser): UserFields {
  return userFieldsOf(u.kind, u);
}

/** Whether a declared password equals the stored one (ha1 for local users). */
export function passwordMatches(actual: ActualUser, password: string): boolean {
  if (actual.kind === 'remote') return actual.password === password;
  if (!actual.hasSubscriber) return false;
  if (actual.ha1 !== computeHa1(actual.username, actual.domain, password)) return false;
  return actual.password === '' || actual.password === password;
}

/** The common case, an unchanged local user, decided without building its fields. */
function unchangedLocal(u: DesiredUser, a: ActualUser | undefined): boolean {
  return (
    a !== undefined &&
    u.kind === 'local' &&
    a.kind === 'local' &&
    (u.displayname ?? '') === a.displayname &&
    (u.email ?? '') === a.email &&
    (u.dialplan ?? '') === a.dialplan &&
    (u.linetext ?? '') === a.linetext &&
    (u.password === undefined || passwordMatches(a, u.password))
  );
}

const addressOf = (u: { username: string; domain: string }): Address => ({ username: u.username, domain: u.domain });

function deleteUser(ctx: PlanContext, u: ActualUser, at?: SourceLocation): void {
  ctx.deletedUsers.add(u.address);
  ctx.add({ action: 'delete', kind: 'user', key: u.address, before: { kind: u.kind, ...visibleFields(userFieldsOf(u.kind, u)) }, at, address: addressOf(u), userKind: u.kind });
}

/** Removes the managed users the file does not declare; counts managed users per present domain. */
function planRemovals(ctx: PlanContext, declared: Map<string, DesiredUser>): void {
  const { desired, actual, scope } = ctx;
  const perDomain = new Map<string, { managed: number; deleted: number }>();
  const inCare = (u: ActualUser): boolean => {
    if (scope.of(u.domain).listed) return !scope.isUnmanaged(u.domain, u.username) && (scope.isAbsent(u.domain) || desired.users !== undefined);
    return u.kind === 'remote' && desired.users !== undefined;
  };
  for (const u of actual.users.values()) {
    if (!inCare(u)) continue;
    ctx.managed.user++;
    let c = perDomain.get(u.domain);
    if (scope.of(u.domain).present && c === undefined) perDomain.set(u.domain, (c = { managed: 0, deleted: 0 }));
    if (c) c.managed++;
    if (scope.isAbsent(u.domain) || !declared.has(u.address)) {
      deleteUser(ctx, u);
      if (c) c.deleted++;
    }
  }
  const declaredDomains = new Set([...declared.values()].map((u) => u.domain));
  ctx.emptiedDomains = [...perDomain]
    .filter(([d, c]) => c.managed > 0 && c.deleted === c.managed && !declaredDomains.has(d))
    .map(([d]) => d)
    .sort();
}

/** The update of a user that exists with the same kind, or nothing. */
function planUpdate(ctx: PlanContext, u: DesiredUser, a: ActualUser): void {
  const before = userFieldsOf(a.kind, a);
  const after = desiredUserFields(u);
  const b: Record<string, FieldValue> = {};
  const n: Record<string, FieldValue> = {};
  const fields: Partial<Record<UserFieldName, string | number | null>> = {};
  for (const f of userFieldNames(u.kind)) {
    if (before[f] !== after[f]) {
      b[f] = before[f];
      n[f] = fields[f] = after[f];
    }
  }
  const passwordChanges = u.password !== undefined && !passwordMatches(a, u.password);
  if (passwordChanges) {
    b.password = '(set)';
    n.password = '(changed)';
  }
  if (Object.keys(n).length === 0) return;
  ctx.add({ action: 'update', kind: 'user', key: u.address, before: b, after: n, at: u.at, address: addressOf(u), userKind: u.kind, fields: fields as Partial<UserFields>, passwordChanges });
}

function planUser(ctx: PlanContext, u: DesiredUser): void {
  const a = ctx.actual.users.get(u.address);
  if (unchangedLocal(u, a)) return;
  if (a && a.kind !== u.kind) {
    if (!ctx.scope.listed.has(a.domain) && a.kind === 'local') {
      ctx.problems.push({ message: `user ${u.address} exists as a local user in ${a.domain}, a domain the file does not list: list the domain or remove the user from the file`, at: u.at });
      return;
    }
    if (!ctx.deletedUsers.has(a.address)) deleteUser(ctx, a, u.at);
  }
  if (a && a.kind === u.kind) return planUpdate(ctx, u, a);
  if (u.kind === 'remote' && ctx.actual.domains.has(u.domain)) {
    ctx.problems.push({ message: `user ${u.address} would be remote, but Kamailio serves ${u.domain} (a row in \`domain\`): list ${u.domain} under domains to make the user local`, at: u.at });
    return;
  }
  if (u.kind === 'remote' && u.password === undefined) {
    ctx.problems.push({ message: `remote user ${u.address} does not exist yet and declares no password: add \`password: { env: NAME }\` or \`{ file: PATH }\` (a remote account's password cannot be generated)`, at: u.at });
    return;
  }
  const after = { kind: u.kind, ...visibleFields(desiredUserFields(u)), password: u.password === undefined ? '(generated)' : '(set)' };
  ctx.add({ action: 'create', kind: 'user', key: u.address, after, at: u.at, address: addressOf(u), userKind: u.kind });
}

async function create(db: Dbs, changes: UserChange[], ctx: ExecContext): Promise<void> {
  const locals: LocalUserInput[] = [];
  const remotes: RemoteUserInput[] = [];
  for (const c of changes) {
    const u = ctx.declaredUser(c.address);
    if (!u) throw new Error(`user ${formatAddress(c.address)} is not in the desired state`);
    const fields = desiredUserFields(u);
    if (u.kind === 'local') {
      locals.push({ ...c.address, displayname: fields.displayname, email: fields.email, dialplan: fields.dialplan, linetext: fields.linetext, password: u.password });
      if (u.password === undefined) ctx.generatedPasswords.push(u.address);
    } else {
      remotes.push({ ...c.address, ...fields, registrar: fields.registrar ?? '', password: u.password ?? '' });
    }
  }
  if (locals.length > 0) await addLocalUsers(db, locals, ctx.ops);
  if (remotes.length > 0) await addRemoteUsers(db, remotes, ctx.ops);
}

async function update(db: Dbs, changes: UserChange[], ctx: ExecContext): Promise<void> {
  const updates: UserUpdate[] = changes.map((c) => {
    const out: UserUpdate = { ...c.address, fields: { ...c.fields } };
    if (c.passwordChanges) {
      const password = ctx.declaredUser(c.address)?.password;
      if (password === undefined) throw new Error(`the password of ${formatAddress(c.address)} is not in the desired state`);
      out.password = password;
    }
    return out;
  });
  await updateUsers(db, updates, ctx.ops);
}

export const users: ResourceKind<UserChange> = {
  kind: 'user',
  plan(ctx) {
    const declared = new Map<string, DesiredUser>();
    for (const u of ctx.desired.users ?? []) declared.set(u.address, u);
    planRemovals(ctx, declared);
    for (const u of declared.values()) {
      if (ctx.scope.isAbsent(u.domain)) continue; // the loader reports this; never recreate in a domain being removed
      planUser(ctx, u);
    }
  },
  async execute(db, action, changes, ctx) {
    if (action === 'delete') return removeUsers(db, changes.map((c) => c.address), ctx.ops);
    if (action === 'create') return create(db, changes, ctx);
    return update(db, changes, ctx);
  },
};
