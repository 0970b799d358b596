import type { Generated, Kysely } from 'kysely';
import type { DialectAdapter } from './dialects/adapter.js';
import type { WriterQueue } from './transaction.js';

/** Kamailio's own tables, exactly as Kamailio 5.x/6.x defines them (see kamailio-schema.ts). */
export interface VersionTable {
  id: Generated<number>;
  table_name: string;
  table_version: number;
}

export interface SubscriberTable {
  id: Generated<number>;
  username: string;
  domain: string;
  password: string;
  ha1: string;
  ha1b: string;
}

export interface DomainTable {
  id: Generated<number>;
  domain: string;
  did: string | null;
  /** 'YYYY-MM-DD HH:MM:SS' on write; a Date or string on read depending on the driver. */
  last_modified: string | Date;
}

export interface DomainAttrsTable {
  id: Generated<number>;
  did: string;
  name: string;
  type: number;
  value: string;
  last_modified: string | Date;
}

export interface DbAliasesTable {
  id: Generated<number>;
  alias_username: string;
  alias_domain: string;
  username: string;
  domain: string;
}

export interface KamailioTables {
  version: VersionTable;
  subscriber: SubscriberTable;
  domain: DomainTable;
  domain_attrs: DomainAttrsTable;
  dbaliases: DbAliasesTable;
}

/** hermes' own provisioning tables (see migrations.ts). */
export interface HermesSchemaVersionTable {
  version: number;
  applied_at: string;
}

export type UserKind = 'local' | 'remote';

export interface HermesUsersTable {
  id: Generated<number>;
  username: string;
  domain: string;
  kind: UserKind;
  displayname: string;
  email: string;
  /** Remote users: the remote account's password. Local users keep theirs in `subscriber`. */
  password: string | null;
  registrar: string | null;
  r_port: number | null;
  proxy: string | null;
  p_port: number | null;
  authid: string | null;
  dialplan: string;
  linetext: string;
  created_at: string;
  updated_at: string;
}

export interface HermesPhonesTable {
  id: Generated<number>;
  /** 12 lowercase hex digits. */
  mac: string;
  username: string;
  domain: string;
  /** 1-based line order on the phone. */
  line: number;
}

export interface HermesNumbersTable {
  /** E.164 with the leading '+'. Present = available in the pool. */
  number: string;
}

/** read: read nodes, no secrets; write: everything; provision: read nodes, and phone/config with passwords. */
export type TokenScope = 'read' | 'write' | 'provision' | 'metrics';

export interface HermesTokensTable {
  id: Generated<number>;
  name: string;
  scope: TokenScope;
  /** sha256 hex of the token; the token itself is never stored. */
  token_hash: string;
  created_at: string;
}

export interface HermesAuditTable {
  id: Generated<number>;
  at: string;
  actor: string;
  /** Where the change came from: the API node (user/add_local, user/change_pw) or `apply`. */
  node: string;
  /** create | update | delete ('' on rows written before migration 6 by apply). */
  action: string;
  /** The kind of object: user, domain, alias, number, phone, provisioning, token ('' as action). */
  kind: string;
  /** The object's key (alice@example.com, a MAC, a number). */
  object_key: string;
  /** JSON with non-secret details, or ''. */
  detail: string;
}

export interface HermesLocksTable {
  name: string;
  /** Who holds it, for messages: "actor on host pid N since ISO-time". */
  holder: string;
  acquired_at: string;
  /** The holder's host name and process id (null in rows of hermes before schema 3, or written by hand). */
  host?: string | null;
  pid?: number | null;
  /** A lease's end (ISO time), renewed while the holder runs; null for a session lock's row. */
  expires_at?: string | null;
}

/**
 * What the provisioning server renders phones' files from, one row per item: 'settings',
 * 'profile:<name>', 'template:<id>', 'auth', 'domain:<name>' (sip_server, transport),
 * 'phone:<mac>' (model, profile, settings, keys). `body` is JSON; the auth password in it is
 * hashed, admin_password kept as it is (the phones' files carry it; never shown).
 */
export interface HermesProvisioningTable {
  item: string;
  body: string;
}

/** A phone file's last successful fetch from the provisioning server (the inventory). */
export interface HermesFetchesTable {
  id: Generated<number>;
  /** 12 lower-case hex digits. */
  mac: string;
  /** The file name as the server lists it (vendor's case). */
  file: string;
  fetched_at: string;
  /** The client's address. */
  client: string;
  /** The phone's User-Agent (model, firmware, MAC), at most 255 characters. */
  user_agent: string;
  /** sha256 (base64url) of the content handed out: holds no secret, tells a changed file. */
  hash: string;
}

/** One row (id 1) that every writing transaction locks first, where the engine needs a row to lock (DialectAdapter.writeLock). */
export interface HermesWritersTable {
  id: number;
}

/**
 * Keys hermes makes for itself, one row per name: 'plan-pin' (hex of 32 random bytes) keys the
 * HMAC that pins a saved plan's secrets (reconcile/secret-pins.ts). Never printed.
 */
export interface HermesKeysTable {
  name: string;
  value: string;
}

export interface ProvisioningTables {
  hermes_schema_version: HermesSchemaVersionTable;
  hermes_users: HermesUsersTable;
  hermes_phones: HermesPhonesTable;
  hermes_numbers: HermesNumbersTable;
  hermes_tokens: HermesTokensTable;
  hermes_audit: HermesAuditTable;
  hermes_locks: HermesLocksTable;
  hermes_provisioning: HermesProvisioningTable;
  hermes_writers: HermesWritersTable;
  hermes_keys: HermesKeysTable;
  hermes_fetches: HermesFetchesTable;
}

export type KamailioDb = Kysely<KamailioTables>;
export type ProvisioningDb = Kysely<ProvisioningTables>;

export type { DialectName } from './dialects/index.js';

/**
 * Whether comparing a Kamailio table's address columns folds case (Alice = alice), as read
 * from the columns' collations when the database was opened: domain (domain), subscriber
 * (username, domain), dbaliases (alias_username, alias_domain, username, domain). hermes' own
 * tables compare exactly. hermes' answers do not depend on it (its rule folds ASCII case on
 * every engine, model/address.ts foldCase); it says only which queries find the case variants.
 */
export interface KeyCase {
  domain: boolean;
  subscriber: boolean;
  dbaliases: boolean;
}

/**
 * The two databases hermes works on. `kamailio` holds Kamailio's tables, `provisioning`
 * hermes' own; they are the same connection (`shared`) unless --provisioning-db says
 * otherwise. Inside inTransaction() both handles are open transactions.
 */
export interface Dbs {
  kamailio: KamailioDb;
  provisioning: ProvisioningDb;
  /** Each database's engine: SQL that differs between engines comes from here (or adapterOf(db)). */
  adapters: { kamailio: DialectAdapter; provisioning: DialectAdapter };
  caseInsensitive: KeyCase;
  shared: boolean;
  /**
   * hermes' tables can be joined to subscriber's username and domain in one statement, through
   * subscriber's index: the databases are shared and the columns in a character set the engine
   * compares without converting them (adapter joinsByIndex). Read at connect time.
   */
  subscriberJoins: boolean;
  /** This process's writers, queued before they take the writers' lock (inTransaction); absent: none queued. */
  writers?: WriterQueue;
  /**
   * This connection's coalesced readers (src/ops/user-batch.ts), by read function: state that
   * lives and dies with the connection, not the module. Absent: reads are not coalesced.
   */
  readers?: Map<unknown, unknown>;
}
