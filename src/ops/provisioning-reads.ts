/**
 * The provisioning server's reads for the requests that arrive together, in one statement (a
 * UNION ALL: one round trip and one statement for the database to parse per batch): the shared
 * items (access rules, templates, settings, profiles), and each phone's own item and lines; for
 * the phones of requests whose credentials are already verified, when subscriber can be joined
 * to hermes' tables (db.subscriberJoins: one database, subscriber's index usable), their lines'
 * users too (hermes_users and subscriber joined to the lines), passwords included. Any other
 * request's users are read after its credentials are checked (userRows), so a client without
 * valid credentials never makes the server read a password.
 */
import { CompiledQuery, sql, type AliasedRawBuilder } from 'kysely';
import type { Dbs, SubscriberTable } from '../db/types.js';
import { AddressIndex } from './bulk.js';
import { USER_FIELDS } from '../model/index.js';
import { indexedUserRows, SUBSCRIBER_ROW_COLUMNS, type HermesUserRow, type SubscriberRow, type UserRows } from './users.js';

/** A phone's line: its user's address as stored. */
export type Line = { username: string; domain: string };

/** One phone's own rows; `users` when they were read with the lines and found for every one. */
export interface PhoneRows {
  body?: string;
  lines: Line[];
  users?: UserRows;
}

/** The shared items, and the phones' own rows by MAC. */
export interface RequestReads {
  shared: { item: string; body: string }[];
  phones: Map<string, PhoneRows>;
}

/** hermes_users' columns read beside a line (its username and domain are the line's: the join is exact); the fields from the model's table. */
const HERMES_USER_COLUMNS = ['id', 'kind', 'password', ...USER_FIELDS.map((f) => f.column), 'created_at', 'updated_at'];
/** The port columns (an engine may type the union's column otherwise: converted back to numbers). */
const PORT_COLUMNS = USER_FIELDS.filter((f) => f.type === 'port').map((f) => f.column);
/** subscriber's columns read beside a line: those userRows reads. */
const SUBSCRIBER_COLUMNS = SUBSCRIBER_ROW_COLUMNS;
/** The user columns of the statement's rows (null in the rows that are not a line with its users). */
const USER_COLUMNS = [...HERMES_USER_COLUMNS.map((c) => `h_${c}`), ...SUBSCRIBER_COLUMNS.map((c) => `s_${c}`)];

/** A row of the statement: t 'i' an item (a, b: item, body), 'l' a line (a mac, b username, c domain, d line), 'u' a line with its users' columns. */
type ReadRow = { t: string; a: string; b: string; c: string | null; d: number | string | null } & Record<string, unknown>;

type Column = AliasedRawBuilder<unknown, string>;
const nullUserColumns = (): Column[] => USER_COLUMNS.map((c) => sql<unknown>`null`.as(c));
/** The line's users' columns, from the joined rows (h: hermes_users, s: subscriber). */
const joinedUserColumns = (): Column[] => [...HERMES_USER_COLUMNS.map((c) => sql<unknown>`${sql.ref(`h.${c}`)}`.as(`h_${c}`)), ...SUBSCRIBER_COLUMNS.map((c) => sql<unknown>`${sql.ref(`s.${c}`)}`.as(`s_${c}`))];

/** The statement's parts: the shared items and the phones' items; the plain lines; the lines with their users. */
function readStatement(db: Dbs, macs: readonly string[], plain: readonly string[], userMacs: ReadonlySet<string>) {
  const items = db.provisioning
    .selectFrom('hermes_provisioning')
    .select([sql<string>`'i'`.as('t'), 'item as a', 'body as b', sql<string | null>`null`.as('c'), sql<number | null>`null`.as('d'), ...nullUserColumns()])
    // Index ranges around the phone:* items (there may be 100,000 of them), and the phones asked for.
    .where((eb) => eb.or([eb('item', '<', 'phone:'), eb('item', '>=', 'phone;'), ...(macs.length > 0 ? [eb('item', 'in', macs.map((m) => `phone:${m}`))] : [])]));
  const lines = db.provisioning
    .selectFrom('hermes_phones')
    .select([sql<string>`'l'`.as('t'), 'mac as a', 'username as b', 'domain as c', sql<number | null>`line`.as('d'), ...nullUserColumns()])
    .where('mac', 'in', [...plain]);
  const withUsers = db.provisioning
    .withTables<{ subscriber: SubscriberTable }>()
    .selectFrom('hermes_phones as p')
    .leftJoin('hermes_users as h', (j) => j.onRef('h.username', '=', 'p.username').onRef('h.domain', '=', 'p.domain'))
    .leftJoin('subscriber as s', (j) => j.onRef('s.username', '=', 'p.username').onRef('s.domain', '=', 'p.domain'))
    .select([sql<string>`'u'`.as('t'), 'p.mac as a', 'p.username as b', 'p.domain as c', sql<number | null>`p.line`.as('d'), ...joinedUserColumns()])
    .where('p.mac', 'in', [...userMacs]);
  let statement = items;
  if (plain.length > 0) statement = statement.unionAll(lines as never);
  if (userMacs.size > 0) statement = statement.unionAll(withUsers as never);
  return statement;
}

/** The statement's values, in the order its text binds them: the item ranges and the phones' items, the plain lines' MACs, the user lines' MACs. */
const statementValues = (macs: readonly string[], plain: readonly string[], userMacs: ReadonlySet<string>): string[] => ['phone:', 'phone;', ...macs.map((m) => `phone:${m}`), ...plain, ...userMacs];

/** Statements kept (by shape) before the cache starts over. */
const STATEMENTS_KEPT = 256;

/**
 * The statement's text by its shape (how many MACs of each kind): built and compiled by Kysely
 * once per shape, then sent with each batch's values. A text is kept only when the values
 * Kysely bound are the ones statementValues gives, in the same order.
 */
export class ReadStatements {
  private readonly texts = new Map<string, string | null>();

  compiled(db: Dbs, macs: readonly string[], plain: readonly string[], userMacs: ReadonlySet<string>): CompiledQuery {
    const values = statementValues(macs, plain, userMacs);
    const shape = `${macs.length}/${plain.length}/${userMacs.size}`;
    const text = this.texts.get(shape);
    if (typeof text === 'string') return CompiledQuery.raw(text, values);
    const query = readStatement(db, macs, plain, userMacs).compile();
    if (text === undefined) {
      if (this.texts.size >= STATEMENTS_KEPT) this.texts.clear();
      const same = query.parameters.length === values.length && query.parameters.every((v, i) => v === values[i]);
      this.texts.set(shape, same ? query.sql : null);
    }
    return query;
  }
}

/** A 'u' row's users: its hermes_users row (found by the exact join) and subscriber row, undefined when absent. */
function usersOfRow(r: ReadRow, line: Line): { hermes?: HermesUserRow; subscriber?: SubscriberRow } {
  const hermes = r.h_id == null ? undefined : ({ username: line.username, domain: line.domain, ...Object.fromEntries(HERMES_USER_COLUMNS.map((c) => [c, r[`h_${c}`]])) } as HermesUserRow);
  const record = hermes as Record<string, unknown> | undefined;
  if (record) for (const c of PORT_COLUMNS) if (record[c] != null) record[c] = Number(record[c]);
  const subscriber = r.s_id == null ? undefined : { id: Number(r.s_id), username: String(r.s_username), domain: String(r.s_domain), password: String(r.s_password) };
  return { hermes, subscriber };
}

/** A phone being assembled from the statement's rows. */
interface PhoneBuild {
  lines: (Line & { line: number })[];
  hermes: HermesUserRow[];
  subscribers: SubscriberRow[];
  /** Every line so far a 'u' row whose users the join found as userRows would (else they are read again, by userRows). */
  complete: boolean;
}

/**
 * The reads for the requests of one batch: `macs` the phones asked for, `userMacs` those whose
 * lines' users are read too (only when db.subscriberJoins; the caller's to check). A line whose
 * users the join does not find as userRows would (a row spelled in another case, two rows, a
 * local user without its subscriber row) leaves its phone without `users`: file() reads them by
 * hermes' case rule (userRows).
 */
export async function readForRequests(db: Dbs, statements: ReadStatements, macs: readonly string[], userMacs: ReadonlySet<string>): Promise<RequestReads> {
  const plain = macs.filter((m) => !userMacs.has(m));
  const rows = (await db.provisioning.executeQuery(statements.compiled(db, macs, plain, userMacs))).rows as ReadRow[];
  const shared: { item: string; body: string }[] = [];
  const bodies = new Map<string, string>();
  const built = new Map<string, PhoneBuild>();
  for (const r of rows) {
    if (r.t === 'i') {
      if (r.a.startsWith('phone:')) bodies.set(r.a.slice('phone:'.length), r.b);
      else shared.push({ item: r.a, body: r.b });
      continue;
    }
    let phone = built.get(r.a);
    if (!phone) built.set(r.a, (phone = { lines: [], hermes: [], subscribers: [], complete: r.t === 'u' }));
    const line = { username: r.b, domain: r.c!, line: Number(r.d) };
    // A line met twice (a join that matched two subscriber rows): listed once, its users read by userRows.
    if (phone.lines.some((l) => l.line === line.line)) phone.complete = false;
    else phone.lines.push(line);
    if (r.t !== 'u') continue;
    const { hermes, subscriber } = usersOfRow(r, line);
    if (hermes) phone.hermes.push(hermes);
    if (subscriber) phone.subscribers.push(subscriber);
    if (!hermes || (hermes.kind !== 'remote' && !subscriber)) phone.complete = false;
  }
  const phones = new Map<string, PhoneRows>();
  for (const mac of macs) {
    const phone = built.get(mac);
    const lines = phone ? phone.lines.sort((x, y) => x.line - y.line).map(({ username, domain }) => ({ username, domain })) : [];
    const complete = phone?.complete && userMacs.has(mac);
    const users = complete ? indexedUserRows(new AddressIndex(phone!.hermes, (h) => h), new AddressIndex(phone!.subscribers, (s) => s)) : undefined;
    phones.set(mac, { body: bodies.get(mac), lines, ...(users ? { users } : {}) });
  }
  return { shared, phones };
}
