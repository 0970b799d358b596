import { sql, type Kysely, type Selectable } from 'kysely';
import type { Dbs, HermesUsersTable } from '../db/types.js';
import { inTransaction } from '../db/transaction.js';
import { opTime, writeAudit } from './audit.js';
import { aliasAddress, aliasRowsAt } from './alias-rows.js';
import { AddressIndex, addressExpression, chunks, domainChunks, foldedGlob, insertRows, selectByAddress } from './bulk.js';
import { computeHa1, computeHa1b, formatAddress } from './canonical.js';
import { foldCase, foldedAddress } from '../model/index.js';
import type { OpContext } from './context.js';
import { failed, invalid } from './envelope.js';
import { localDomains } from './domains.js';
import { MAX_LIST_LIMIT } from './list-limit.js';
import { generatePassword } from './password.js';
import { coalescedRead } from './user-batch.js';
import type { Address, LocalUserInput, RemoteUserInput, UpdatableUserField, UserRecord, UserUpdate } from './types.js';
import { checkAddress, checkAuthid, checkHost, checkPassword, checkPort, checkUserText } from './validate.js';

export type HermesUserRow = Selectable<HermesUsersTable>;
/** subscriber's columns a user is read with (SubscriberRow). */
export const SUBSCRIBER_ROW_COLUMNS = ['id', 'username', 'domain', 'password'] as const;
export interface SubscriberRow {
  id: number;
  username: string;
  domain: string;
  password: string;
}

/** The columns of hermes_users that the ops write, in insert order. */
const USER_COLUMNS = ['username', 'domain', 'kind', 'displayname', 'email', 'password', 'registrar', 'r_port', 'proxy', 'p_port', 'authid', 'dialplan', 'linetext', 'created_at', 'updated_at'] as const;

const REMOTE_ONLY: readonly UpdatableUserField[] = ['registrar', 'r_port', 'proxy', 'p_port', 'authid'];

function toRecord(address: Address, hermes: HermesUserRow | undefined, subscriber: SubscriberRow | undefined, ctx: OpContext): UserRecord {
  const kind = hermes?.kind ?? 'local';
  const record: UserRecord = {
    // As stored (a case variant of the address asked for), the domain lower-case as hermes shows every domain.
    username: subscriber?.username ?? hermes?.username ?? address.username,
    domain: foldCase(subscriber?.domain ?? hermes?.domain ?? address.domain),
    address: '',
    kind,
    displayname: hermes?.displayname ?? '',
    email: hermes?.email ?? '',
    dialplan: hermes?.dialplan ?? '',
    linetext: hermes?.linetext ?? '',
    registrar: hermes?.registrar ?? null,
    r_port: hermes?.r_port ?? null,
    proxy: hermes?.proxy ?? null,
    p_port: hermes?.p_port ?? null,
    authid: hermes?.authid ?? null,
  };
  record.address = formatAddress(record);
  if (ctx.showSecrets) {
    const password = kind === 'remote' ? hermes?.password : subscriber?.password;
    if (password != null) record.password = password;
  }
  return record;
}

/** hermes_users rows of the addresses (hermes' tables compare exactly on every engine). */
async function hermesRows(db: Dbs, addresses: readonly Address[]): Promise<AddressIndex<HermesUserRow>> {
  const rows = await selectByAddress(addresses, { db: db.provisioning, base: () => db.provisioning.selectFrom('hermes_users').selectAll(), username: 'username', domain: 'domain', folds: false });
  return new AddressIndex(rows, (r) => r);
}

/** subscriber rows of the addresses (under hermes' case rule, as userRows finds them). */
export async function subscriberRows(db: Dbs, addresses: readonly Address[]): Promise<AddressIndex<SubscriberRow>> {
  const base = () => db.kamailio.selectFrom('subscriber').select(SUBSCRIBER_ROW_COLUMNS);
  const rows = await selectByAddress(addresses, { db: db.kamailio, base, username: 'username', domain: 'domain', folds: db.caseInsensitive.subscriber });
  return new AddressIndex(rows, (r) => r);
}

/** What userRows read: lookups of both kinds of rows by address. */
export interface UserRows {
  hermes(a: Address): HermesUserRow | undefined;
  subscriber(a: Address): SubscriberRow | undefined;
  exists(a: Address): boolean;
}

/**
 * Both kinds of rows of the addresses, and lookups by address under hermes' case rule: a
 * hermes_users row and a subscriber row of one user are found alike, so a case variant gives
 * the whole user (never its subscriber without its fields).
 */
export async function userRows(db: Dbs, addresses: readonly Address[]): Promise<UserRows> {
  // both sent at once: one round trip (a transaction's connection runs them one after the other)
  const [hermes, subscribers] = await Promise.all([hermesRows(db, addresses), subscriberRows(db, addresses)]);
  return indexedUserRows(hermes, subscribers);
}

/** Lookups of both kinds of rows by address (under hermes' case rule) in rows read together. */
export function indexedUserRows(hermes: AddressIndex<HermesUserRow>, subscribers: AddressIndex<SubscriberRow>): UserRows {
  return {
    hermes: (a: Address) => hermes.get(a),
    subscriber: (a: Address) => subscribers.get(a),
    exists: (a: Address) => hermes.has(a) || subscribers.has(a),
  };
}

/** Refuses addresses that are aliases: an alias differs from every user (failed 'exists'). */
async function refuseAliases(db: Dbs, addresses: readonly Address[]): Promise<void> {
  const aliases = new AddressIndex(await aliasRowsAt(db, addresses), aliasAddress);
  const alias = addresses.find((a) => aliases.has(a));
  if (alias) throw failed('exists', `user ${formatAddress(alias)} is the address of an alias`);
}

/** Refuses the same address twice in one batch. */
function refuseDuplicates(addresses: readonly Address[]): void {
  const seen = new Set<string>();
  for (const a of addresses) {
    const key = foldedAddress(a);
    if (seen.has(key)) throw failed('exists', `user ${formatAddress(a)} is given twice`);
    seen.add(key);
  }
}

/** A user: its hermes_users row and/or its subscriber row. Failed 'nonexistant' when neither. */
export async function getUser(db: Dbs, address: Address, ctx: OpContext): Promise<UserRecord> {
  const a = checkAddress(address);
  // Concurrent getUser calls (the API server's user/get) share one bulk read.
  return userOf(await coalescedRead(db, a, userRows), a, ctx);
}

/** The user at `a` (checked by checkAddress) in rows read by userRows; failed 'nonexistant' when neither row is there. */
export function userOf(rows: UserRows, a: Address, ctx: OpContext): UserRecord {
  const hermes = rows.hermes(a);
  const subscriber = hermes?.kind === 'remote' ? undefined : rows.subscriber(a);
  if (!hermes && !subscriber) throw failed('nonexistant', `user ${formatAddress(a)} does not exist`);
  return toRecord(a, hermes, subscriber, ctx);
}

/**
 * Every user (subscribers and provisioning users) as user@domain (the domain lower-case, one
 * entry per user under hermes' case rule), sorted; `search` is a glob on that form, matched
 * ignoring ASCII case on every engine.
 */
export async function listUsers(db: Dbs, search: string | undefined, _ctx: OpContext, limit = MAX_LIST_LIMIT): Promise<string[]> {
  const kamailioAddress = addressExpression(db.adapters.kamailio, 'username', 'domain');
  const provisioningAddress = addressExpression(db.adapters.provisioning, 'username', 'domain');
  let subscribers = db.kamailio.selectFrom('subscriber').select(['username', 'domain']);
  let users = db.provisioning.selectFrom('hermes_users').select(['username', 'domain']);
  let matches = (_address: string) => true;
  if (search !== undefined && search !== '') {
    const glob = foldedGlob(kamailioAddress, search);
    subscribers = subscribers.where(glob.where);
    users = users.where(foldedGlob(provisioningAddress, search).where);
    matches = glob.matches;
  }
  // The first `limit` of each table, in the answer's (binary) order, hold the first `limit` of both.
  subscribers = subscribers.orderBy(db.adapters.kamailio.byteOrder(kamailioAddress)).limit(limit);
  users = users.orderBy(db.adapters.provisioning.byteOrder(provisioningAddress)).limit(limit);
  const all = new Map<string, string>();
  for (const r of [...(await subscribers.execute()), ...(await users.execute())]) {
    const address = formatAddress({ username: r.username, domain: foldCase(r.domain) });
    const key = foldCase(address);
    if (matches(address) && !all.has(key)) all.set(key, address);
  }
  return [...all.values()].sort().slice(0, limit);
}

interface CheckedLocal extends Address {
  displayname: string;
  email: string;
  dialplan: string;
  linetext: string;
  password: string;
}

function checkLocal(u: LocalUserInput): CheckedLocal {
  const a = checkAddress(u);
  return {
    ...a,
    displayname: checkUserText('displayname', u.displayname),
    email: checkUserText('email', u.email),
    dialplan: checkUserText('dialplan', u.dialplan),
    linetext: checkUserText('linetext', u.linetext),
    password: u.password === undefined ? generatePassword() : checkPassword(u.password),
  };
}

/** An address that is already a user or an alias is failed 'exists' (the caller's transaction). */
async function refuseTaken(trx: Dbs, checked: readonly Address[]): Promise<void> {
  const rows = await userRows(trx, checked);
  const taken = checked.find((u) => rows.exists(u));
  if (taken) throw failed('exists', `user ${formatAddress(taken)} exists already`);
  await refuseAliases(trx, checked);
}

/**
 * Adds local users: a `subscriber` row (password, ha1, ha1b) and a hermes_users row each.
 * The domain must be a Kamailio domain (failed 'nxdomain'); an existing address, or the
 * address of an alias, is failed 'exists'. Returns the users WITH their passwords (generated where none was given).
 */
export async function addLocalUsers(db: Dbs, users: LocalUserInput[], ctx: OpContext): Promise<UserRecord[]> {
  const checked = users.map(checkLocal);
  refuseDuplicates(checked);
  if (checked.length === 0) return [];
  await inTransaction(db, async (trx) => {
    const local = await localDomains(trx, checked.map((u) => u.domain));
    const foreign = checked.find((u) => !local.has(u.domain));
    if (foreign) throw failed('nxdomain', `domain ${foreign.domain} is not a Kamailio domain: a local user needs a local domain`);
    await refuseTaken(trx, checked);
    const now = opTime(ctx).toISOString();
    await insertRows(
      trx.kamailio,
      'subscriber',
      ['username', 'domain', 'password', 'ha1', 'ha1b'],
      checked.map((u) => [u.username, u.domain, u.password, computeHa1(u.username, u.domain, u.password), computeHa1b(u.username, u.domain, u.password)]),
    );
    await insertRows(
      trx.provisioning,
      'hermes_users',
      USER_COLUMNS,
      checked.map((u) => [u.username, u.domain, 'local', u.displayname, u.email, null, null, null, null, null, null, u.dialplan, u.linetext, now, now]),
    );
    await writeAudit(trx, 'user/add_local', checked.map((u) => ({ key: formatAddress(u), detail: { kind: 'local', displayname: u.displayname, email: u.email } })), ctx);
  });
  return checked.map((u) => ({
    username: u.username, domain: u.domain, address: formatAddress(u), kind: 'local', displayname: u.displayname, email: u.email,
    dialplan: u.dialplan, linetext: u.linetext, registrar: null, r_port: null, proxy: null, p_port: null, authid: null, password: u.password,
  }));
}

function checkRemote(u: RemoteUserInput): Omit<UserRecord, 'address'> & { password: string } {
  const a = checkAddress(u);
  return {
    ...a,
    kind: 'remote',
    password: checkPassword(u.password),
    registrar: checkHost(u.registrar, 'registrar'),
    displayname: checkUserText('displayname', u.displayname),
    email: checkUserText('email', u.email),
    dialplan: checkUserText('dialplan', u.dialplan),
    linetext: checkUserText('linetext', u.linetext),
    r_port: u.r_port == null ? null : checkPort(u.r_port, 'r_port'),
    proxy: u.proxy == null || u.proxy === '' ? null : checkHost(u.proxy, 'proxy'),
    p_port: u.p_port == null ? null : checkPort(u.p_port, 'p_port'),
    authid: u.authid == null || u.authid === '' ? null : checkAuthid(u.authid),
  };
}

/**
 * Adds remote users (accounts on another registrar that local phones use): a hermes_users
 * row each, with the remote password. A domain Kamailio serves (a row in `domain`) is
 * invalid 'domain' (a user there is local: user/add_local); an existing address, or the
 * address of an alias, is failed 'exists'. Returns the users with their passwords.
 */
export async function addRemoteUsers(db: Dbs, users: RemoteUserInput[], ctx: OpContext): Promise<UserRecord[]> {
  const checked = users.map(checkRemote);
  refuseDuplicates(checked);
  if (checked.length === 0) return [];
  await inTransaction(db, async (trx) => {
    const served = await localDomains(trx, checked.map((u) => u.domain));
    const local = checked.find((u) => served.has(u.domain));
    if (local) throw invalid('domain', `domain ${local.domain} is a Kamailio domain (a row in \`domain\`), so ${formatAddress(local)} would be a local user: use user/add_local`);
    await refuseTaken(trx, checked);
    const now = opTime(ctx).toISOString();
    await insertRows(
      trx.provisioning,
      'hermes_users',
      USER_COLUMNS,
      checked.map((u) => [u.username, u.domain, 'remote', u.displayname, u.email, u.password, u.registrar, u.r_port, u.proxy, u.p_port, u.authid, u.dialplan, u.linetext, now, now]),
    );
    await writeAudit(trx, 'user/add_remote', checked.map((u) => ({ key: formatAddress(u), detail: { kind: 'remote', registrar: u.registrar, displayname: u.displayname } })), ctx);
  });
  return checked.map((u) => ({ ...u, address: formatAddress(u) }));
}

function checkFields(fields: UserUpdate['fields']): UserUpdate['fields'] {
  const out: UserUpdate['fields'] = {};
  if (fields.displayname !== undefined) out.displayname = checkUserText('displayname', fields.displayname);
  if (fields.email !== undefined) out.email = checkUserText('email', fields.email);
  if (fields.dialplan !== undefined) out.dialplan = checkUserText('dialplan', fields.dialplan);
  if (fields.linetext !== undefined) out.linetext = checkUserText('linetext', fields.linetext);
  if (fields.registrar !== undefined) out.registrar = fields.registrar === null ? null : checkHost(fields.registrar, 'registrar');
  if (fields.r_port !== undefined) out.r_port = fields.r_port === null ? null : checkPort(fields.r_port, 'r_port');
  if (fields.proxy !== undefined) out.proxy = fields.proxy === null || fields.proxy === '' ? null : checkHost(fields.proxy, 'proxy');
  if (fields.p_port !== undefined) out.p_port = fields.p_port === null ? null : checkPort(fields.p_port, 'p_port');
  if (fields.authid !== undefined) out.authid = fields.authid === null || fields.authid === '' ? null : checkAuthid(fields.authid);
  return out;
}

/**
 * Updates local and remote users: the given fields, and the password when given (local:
 * subscriber password, ha1, ha1b; remote: the stored password). A local user that only has
 * a subscriber row (made by kamctl) gets its hermes_users row. Failed 'nonexistant' for an
 * unknown user; 'invalid' (cause: the field) for a registrar/proxy/port/authid on a local
 * user, which has none. A remote user's registrar cannot be removed.
 */
export async function updateUsers(db: Dbs, updates: UserUpdate[], ctx: OpContext): Promise<void> {
  const checked = updates.map((u) => ({ ...checkAddress(u), fields: checkFields(u.fields ?? {}), password: u.password === undefined ? undefined : checkPassword(u.password) }));
  refuseDuplicates(checked);
  if (checked.length === 0) return;
  await inTransaction(db, async (trx) => {
    const rows = await userRows(trx, checked);
    const now = opTime(ctx).toISOString();
    for (const u of checked) {
      const hermes = rows.hermes(u);
      const subscriber = rows.subscriber(u);
      if (!hermes && !subscriber) throw failed('nonexistant', `user ${formatAddress(u)} does not exist`);
      const kind = hermes?.kind ?? 'local';
      if (kind === 'local') {
        const bad = REMOTE_ONLY.find((f) => u.fields[f] != null);
        if (bad) throw invalid(bad, `${bad} applies only to remote users; ${formatAddress(u)} is local`);
      } else if (u.fields.registrar === null) {
        throw invalid('registrar', `a remote user needs a registrar`);
      }
    }
    // Writes grouped: one UPDATE … CASE id per set of changed columns and chunk, one
    // multi-row INSERT for adopted subscribers, one UPDATE per chunk of password changes.
    const groups = new Map<string, { columns: string[]; rows: { id: number; values: unknown[] }[] }>();
    const adopted: unknown[][] = [];
    const passwords: { id: number; values: unknown[] }[] = [];
    for (const u of checked) {
      const hermes = rows.hermes(u);
      const subscriber = rows.subscriber(u);
      const kind = hermes?.kind ?? 'local';
      const fields = Object.fromEntries(Object.entries(u.fields).filter(([, v]) => v !== undefined)) as Record<string, unknown>;
      if (hermes) {
        if (kind === 'remote' && u.password !== undefined) fields.password = u.password;
        const columns = Object.keys(fields).sort();
        const signature = columns.join(',');
        const group = groups.get(signature) ?? groups.set(signature, { columns, rows: [] }).get(signature)!;
        group.rows.push({ id: hermes.id, values: columns.map((c) => fields[c]) });
      } else {
        const row: Record<string, unknown> = { username: subscriber!.username, domain: subscriber!.domain, kind: 'local', displayname: '', email: '', password: null, registrar: null, r_port: null, proxy: null, p_port: null, authid: null, dialplan: '', linetext: '', ...fields, created_at: now, updated_at: now };
        adopted.push(USER_COLUMNS.map((c) => row[c]));
      }
      if (kind === 'local' && u.password !== undefined && subscriber) {
        // The realm is the domain as hermes writes it (lower-case), whatever case another tool stored it in.
        const realm = foldCase(subscriber.domain);
        passwords.push({ id: subscriber.id, values: [u.password, computeHa1(subscriber.username, realm, u.password), computeHa1b(subscriber.username, realm, u.password)] });
      }
    }
    for (const { columns, rows: updates } of groups.values()) {
      await updateByIds(trx.provisioning, 'hermes_users', columns, updates, { updated_at: now });
    }
    await insertRows(trx.provisioning, 'hermes_users', USER_COLUMNS, adopted);
    await updateByIds(trx.kamailio, 'subscriber', ['password', 'ha1', 'ha1b'], passwords, {});
    await writeAudit(
      trx,
      'user/update',
      checked.map((u) => ({ key: formatAddress(u), detail: { fields: Object.keys(u.fields), ...(u.password !== undefined ? { password: 'changed' } : {}) } })),
      ctx,
    );
  });
}

/** Rows per UPDATE … CASE id statement. */
const UPDATE_CHUNK = 1_000;

/**
 * Sets `columns` of the rows with the given ids, each row its own values, in chunks:
 * `update table set c = case id when ? then ? … else c end, … where id in (…)`, and the `common`
 * values on all of them. Table and column names are the caller's constants.
 */
async function updateByIds(db: Kysely<any>, table: string, columns: readonly string[], rows: readonly { id: number; values: readonly unknown[] }[], common: Record<string, unknown>): Promise<void> {
  for (const part of chunks(rows, UPDATE_CHUNK)) {
    // `else column`: the CASE takes the column's type (PostgreSQL would read bare parameters as text).
    const sets = columns.map((c, i) => sql`${sql.ref(c)} = case ${sql.ref('id')} ${sql.join(part.map((r) => sql`when ${r.id} then ${r.values[i]}`), sql` `)} else ${sql.ref(c)} end`);
    for (const [c, v] of Object.entries(common)) sets.push(sql`${sql.ref(c)} = ${v}`);
    if (sets.length === 0) continue;
    await sql`update ${sql.table(table)} set ${sql.join(sets)} where ${sql.ref('id')} in (${sql.join(part.map((r) => r.id))})`.execute(db);
  }
}

/**
 * Removes users: the subscriber row (if any) and the hermes_users row. Failed 'inuse' while
 * phones are associated with one, 'nonexistant' for an unknown user. Aliases pointing to a
 * removed user are left alone (remove them first, or let the reconciler do it).
 */
export async function removeUsers(db: Dbs, addresses: Address[], ctx: OpContext): Promise<void> {
  const checked = addresses.map((a) => checkAddress(a));
  refuseDuplicates(checked);
  if (checked.length === 0) return;
  await inTransaction(db, async (trx) => {
    const rows = await userRows(trx, checked);
    const missing = checked.find((a) => !rows.exists(a));
    if (missing) throw failed('nonexistant', `user ${formatAddress(missing)} does not exist`);
    // The rows as stored (a case variant of the address given), deleted by id.
    const subscribers = checked.map((a) => rows.subscriber(a)).filter((r) => r !== undefined);
    const hermes = checked.map((a) => rows.hermes(a)).filter((r) => r !== undefined);
    for (const [domain, usernames] of domainChunks([...checked, ...subscribers, ...hermes])) {
      const phone = await trx.provisioning.selectFrom('hermes_phones').select(['mac', 'username', 'domain']).where('domain', '=', domain).where('username', 'in', usernames).executeTakeFirst();
      if (phone) throw failed('inuse', `user ${formatAddress(phone)} has phones (e.g. ${phone.mac}): remove them first`);
    }
    for (const part of chunks(subscribers.map((r) => r.id))) await trx.kamailio.deleteFrom('subscriber').where('id', 'in', part).execute();
    for (const part of chunks(hermes.map((r) => r.id))) await trx.provisioning.deleteFrom('hermes_users').where('id', 'in', part).execute();
    await writeAudit(trx, 'user/remove', checked.map((a) => ({ key: formatAddress(a), detail: { kind: rows.hermes(a)?.kind ?? 'local' } })), ctx);
  });
}
