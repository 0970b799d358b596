/**
 * What the provisioning server reads: the access rules (credentials, CIDR lists) and a phone's
 * file by the name its firmware asks for, rendered from the applied state at request time.
 * One ProvisioningFiles per server holds its caches (compiled renderers, verified credentials,
 * rendered files by the version of their inputs as read for each request), never module state.
 */
import type { Dbs } from '../db/types.js';
import * as provisioning from '../provisioning/index.js';
import { createRenderer, macOfFileName, MODELS, parseApplied, stableJson, verifySecret, type AppliedProvisioning, type PhoneModel, type RenderedFile, type Renderer } from '../provisioning/index.js';
import type { OpContext } from './context.js';
import { contentHash } from './inventory.js';
import { describeWithUsers } from './provisioning.js';
import { readForRequests, ReadStatements, type Line, type PhoneRows } from './provisioning-reads.js';
import { userOf, userRows, type UserRows } from './users.js';
import { checkAddress } from './validate.js';
import { boundedLoader } from './user-batch.js';

/** The provisioning server's access rules, as apply stored them (items 'auth' and 'access'). */
export interface ProvisioningAccess {
  /** The credentials phones send; the password as its salted scrypt hash. */
  auth?: { username: string; passwordHash: string };
  /** provisioning.allow: only these clients (CIDRs); undefined: any. */
  allow?: string[];
  /** provisioning.allow_http: clients that may fetch credential files over plain HTTP. */
  allowHttp?: string[];
}

/** One request's view of the applied state: the shared items and the named phone's item. */
export interface ProvisioningSnapshot {
  provisioned: boolean;
  access: ProvisioningAccess;
  applied: AppliedProvisioning;
  /** The MAC the requested name is for (12 lower-case hex), undefined for a generic file name. */
  mac?: string;
  /** That phone's lines, in order. */
  lines?: Line[];
  /** A hash of the shared items (templates, settings, profiles): the key of their renderer. */
  sharedKey: string;
  /** That phone's item (hermes_provisioning phone:<mac>) as stored. */
  phoneBody?: string;
  /** The lines' users, read with the lines (see snapshot()). */
  users?: UserRows;
}

/** A file found for a request. */
export interface ServedFile extends RenderedFile {
  /** The phone it is for; undefined for a generic file (no MAC in its name). */
  mac?: string;
  /** sha256 (base64url) of the content, for the inventory. */
  hash: string;
}

export type FileLookup = { found: 'file'; file: ServedFile } | { found: 'no-phone'; mac: string } | { found: 'no-file' };

/** Renderers kept (by template set and global settings) before the cache starts over. */
const RENDERER_CACHE = 16;
/** Phones' parsed items kept before the cache starts over. */
const PHONE_ITEMS = 200_000;
/** Verified credentials kept before the cache starts over. */
const CREDENTIAL_CACHE = 1024;
/**
 * Batches of reads running at once: one, so that the requests arriving during a batch's round
 * trips wait for the next one together (fewer queries per fetch under load).
 */
const READS_IN_FLIGHT = 1;
/**
 * A batch of reads starts at least this long after the one before: at a steady rate the
 * requests of 2 ms share their queries (at 2,000 fetches/s about four per batch instead of one
 * or two), which costs the server and the database less per fetch than the wait costs in latency.
 */
const READS_INTERVAL_MS = 2;
/** Rendered files kept (characters of content) before the oldest are dropped. */
const FILE_CACHE_CHARS = 64 * 1024 * 1024;
const sha256 = contentHash;

/** The shared items of one read, parsed. */
interface SharedRead {
  items: Map<string, string>;
  key: string;
  applied: AppliedProvisioning;
  access: ProvisioningAccess;
}

/**
 * Files rendered before, each with the version of everything it was rendered from (the shared
 * items' hash, the phone's item, its lines' users with their passwords): a request whose reads
 * give the same version gets the same file without rendering it again. Bounded by content size
 * (the oldest go first). Holds secrets in memory only, like the rendered files themselves.
 */
class RenderedFiles {
  private readonly entries = new Map<string, { version: readonly string[]; file: ServedFile }>();
  private chars = 0;

  /** The file kept under `key` when it was rendered from the same version (compared part by part: no text joined per request). */
  get(key: string, version: readonly string[]): ServedFile | undefined {
    const entry = this.entries.get(key);
    return entry && entry.version.length === version.length && entry.version.every((part, i) => part === version[i]) ? entry.file : undefined;
  }

  set(key: string, version: readonly string[], file: ServedFile): ServedFile {
    this.drop(key);
    this.entries.set(key, { version, file });
    this.chars += file.content.length + versionLength(version);
    for (const oldest of this.entries.keys()) {
      if (this.chars <= FILE_CACHE_CHARS) break;
      this.drop(oldest);
    }
    return file;
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.chars -= entry.file.content.length + versionLength(entry.version);
    this.entries.delete(key);
  }
}

const versionLength = (version: readonly string[]): number => version.reduce((n, part) => n + part.length, 0);

/** The key of verified credentials: the stored hash they were verified against, the user and the password. */
const credentialKey = (passwordHash: string, user: string, password: string): string => `${passwordHash}\0${user}\0${password}`;

function accessOf(items: ReadonlyMap<string, string>): ProvisioningAccess {
  const access: ProvisioningAccess = {};
  const auth = items.get('auth');
  if (auth !== undefined) {
    const body = JSON.parse(auth) as { username: string; password?: string };
    if (typeof body.password === 'string') access.auth = { username: body.username, passwordHash: body.password };
  }
  const rules = items.get('access');
  if (rules !== undefined) {
    const body = JSON.parse(rules) as { allow?: string[]; allow_http?: string[] };
    if (body.allow) access.allow = body.allow;
    if (body.allow_http) access.allowHttp = body.allow_http;
  }
  return access;
}

export class ProvisioningFiles {
  private readonly renderers = new Map<string, Renderer>();
  private readonly verified = new Set<string>();
  private readonly rendered = new RenderedFiles();
  /** Generic file names (no MAC in them), lower case -> the model that renders them. */
  private readonly generic = new Map<string, PhoneModel>();
  /** The last read of the shared items, as stored and parsed: a read that finds them unchanged reuses the parse. */
  private lastShared: { rows: string[]; read: SharedRead } | undefined;
  /** The reads' statement texts by shape. */
  private readonly statements = new ReadStatements();
  /** Phones' items as last read, parsed (parsedPhone). */
  private readonly phoneItems = new Map<string, { body: string; phones: AppliedProvisioning['phones'] }>();

  constructor(private readonly db: Dbs) {
    const renderer = createRenderer();
    for (const model of MODELS.values()) {
      for (const f of renderer.files('000000000000', model)) if (f.generic && !this.generic.has(f.name.toLowerCase())) this.generic.set(f.name.toLowerCase(), model);
    }
  }

  /**
   * The applied state a request for `name` needs to be checked and answered: every shared item,
   * and the phone's own item and lines. Read after the request arrived (before its credentials
   * are checked, since the access rules are among the shared items); requests that arrive
   * together share one statement (readForRequests). The lines' users, with their passwords, are
   * read for a file that is to be answered (file(), after the credentials), or, for a request
   * whose Basic credentials (`basic`) this server has verified against the access rules of its
   * last read, in the same statement as the lines when subscriber can be joined to them
   * (db.subscriberJoins: one database, subscriber's index usable; one round trip instead of two).
   * A client without valid credentials, a MAC scanner say, never makes the server read a password.
   */
  async snapshot(name: string, basic?: { user: string; password: string }): Promise<ProvisioningSnapshot> {
    const mac = macOfFileName(name);
    const withUsers = mac !== undefined && basic !== undefined && this.db.subscriberJoins && this.knownCredentials(basic);
    const { shared, phone } = await this.reads.load({ mac: mac ?? '', withUsers });
    // The shared items are parsed once a read; the phone's own item is added to a copy.
    const phones = mac !== undefined && phone.body !== undefined ? this.parsedPhone(mac, phone.body) : new Map<string, never>();
    const applied: AppliedProvisioning = { ...shared.applied, phones };
    return { provisioned: shared.items.has('settings'), access: shared.access, applied, mac, lines: phone.lines, sharedKey: shared.key, phoneBody: phone.body, ...(phone.users ? { users: phone.users } : {}) };
  }

  /** A phone's item parsed (as the phones of an applied state), parsed again only when its body differs from the last one read. */
  private parsedPhone(mac: string, body: string): AppliedProvisioning['phones'] {
    const kept = this.phoneItems.get(mac);
    if (kept?.body === body) return kept.phones;
    const phones = parseApplied(new Map([[`phone:${mac}`, body]])).phones;
    if (this.phoneItems.size >= PHONE_ITEMS) this.phoneItems.clear();
    this.phoneItems.set(mac, { body, phones });
    return phones;
  }

  /** Whether these are credentials verified (checkCredentials) against the access rules of the last read. */
  private knownCredentials(basic: { user: string; password: string }): boolean {
    const auth = this.lastShared?.read.access.auth;
    return auth !== undefined && basic.user === auth.username && this.verified.has(credentialKey(auth.passwordHash, basic.user, basic.password));
  }

  /** The reads of the requests that arrive together (readForRequests), the shared items parsed. */
  private readonly reads = boundedLoader<{ mac: string; withUsers: boolean }, { shared: SharedRead; phone: PhoneRows }>(async (keys) => {
    const macs = [...new Set(keys.map((k) => k.mac).filter((m) => m !== ''))];
    const { shared, phones } = await readForRequests(this.db, this.statements, macs, new Set(keys.filter((k) => k.withUsers).map((k) => k.mac)));
    const read = this.sharedRead(shared);
    return keys.map(({ mac }) => ({ shared: read, phone: phones.get(mac) ?? { lines: [] } }));
  }, READS_IN_FLIGHT, READS_INTERVAL_MS);

  /** The users' rows of phones' lines (userRows: its two queries sent at once), read once for the files answered together. */
  private readonly users = boundedLoader<readonly Line[], UserRows>(async (keys) => {
    const rows = await userRows(this.db, keys.flat().map((l) => checkAddress(l)));
    return keys.map(() => rows);
  }, READS_IN_FLIGHT);

  /** The shared items parsed, with a hash of them; parsed again only when they differ from the last read's. */
  private sharedRead(rows: { item: string; body: string }[]): SharedRead {
    const sorted = rows.sort((a, b) => (a.item < b.item ? -1 : a.item > b.item ? 1 : 0));
    const flat = sorted.flatMap((r) => [r.item, r.body]);
    const last = this.lastShared;
    if (last && last.rows.length === flat.length && last.rows.every((v, i) => v === flat[i])) return last.read;
    const items = new Map(sorted.map((r) => [r.item, r.body]));
    const read = { items, key: sha256(stableJson(sorted.map((r) => [r.item, r.body]))), applied: parseApplied(items), access: accessOf(items) };
    this.lastShared = { rows: flat, read };
    return read;
  }

  /**
   * Whether user and password are the stored credentials. A success is kept (in memory, like the
   * rendered files, which hold the lines' passwords) by all three, so scrypt runs once per credential.
   */
  checkCredentials(access: ProvisioningAccess, user: string, password: string): boolean {
    if (!access.auth || user !== access.auth.username) return false;
    const key = credentialKey(access.auth.passwordHash, user, password);
    if (this.verified.has(key)) return true;
    if (!verifySecret(password, access.auth.passwordHash)) return false;
    if (this.verified.size >= CREDENTIAL_CACHE) this.verified.clear();
    this.verified.add(key);
    return true;
  }

  /** The renderer of the snapshot's templates and settings (compiled once per distinct shared items). */
  private renderer(applied: AppliedProvisioning, key: string): Renderer {
    let renderer = this.renderers.get(key);
    if (!renderer) {
      if (this.renderers.size >= RENDERER_CACHE) this.renderers.clear();
      this.renderers.set(key, (renderer = createRenderer({ templates: applied.templates, global: applied.settings })));
    }
    return renderer;
  }

  /**
   * The file `name` of the snapshot's phone (or a generic file) as the snapshot's reads render
   * it: rendered again unless a file rendered from the same version of all of them is kept.
   */
  async file(snapshot: ProvisioningSnapshot, name: string, ctx: OpContext): Promise<FileLookup> {
    const lower = name.toLowerCase();
    const model = this.generic.get(lower);
    if (model) {
      const version = [snapshot.sharedKey];
      const file = this.rendered.get(lower, version) ?? this.rendered.set(lower, version, this.renderNow(snapshot, model, name)!);
      return { found: 'file', file };
    }
    const mac = snapshot.mac;
    if (mac === undefined) return { found: 'no-file' };
    const phone = snapshot.applied.phones.get(mac);
    if (!phone || !MODELS.has(phone.model)) return { found: 'no-phone', mac };
    const secrets = { ...ctx, showSecrets: true };
    const lines = snapshot.lines ?? [];
    const rows = lines.length === 0 ? undefined : (snapshot.users ?? (await this.users.load(lines)));
    const users = lines.map((l) => userOf(rows!, checkAddress(l), secrets));
    const version = [snapshot.sharedKey, snapshot.phoneBody ?? '', JSON.stringify(users)];
    const key = `${mac}/${lower}`;
    const kept = this.rendered.get(key, version);
    if (kept) return { found: 'file', file: kept };
    const file = this.renderNow(snapshot, describeWithUsers(provisioning, snapshot.applied, mac, users)!, name);
    return file ? { found: 'file', file: this.rendered.set(key, version, { ...file, mac }) } : { found: 'no-file' };
  }

  /** A file rendered now with the snapshot's renderer (a generic file of the model, or the phone's file), with its hash. */
  private renderNow(snapshot: ProvisioningSnapshot, of: PhoneModel | provisioning.PhoneDescription, name: string): ServedFile | undefined {
    const renderer = this.renderer(snapshot.applied, snapshot.sharedKey);
    const file = 'vendor' in of ? renderer.renderGeneric(of, name) : renderer.render(of, name);
    return file && { ...file, hash: sha256(file.content) };
  }
}
