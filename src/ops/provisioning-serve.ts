/**
 * What the provisioning server reads: the access rules (credentials, CIDR lists) and a phone's
 * file by the name its firmware asks for, rendered from the applied state at request time.
 * One ProvisioningFiles per server holds its caches (compiled renderers, verified credentials),
 * never module state.
 */
import type { Dbs } from '../db/types.js';
import { createRenderer, macOfFileName, MODELS, parseApplied, samplePhone, stableJson, verifySecret, type AppliedProvisioning, type PhoneModel, type RenderedFile, type Renderer } from '../provisioning/index.js';
import type { OpContext } from './context.js';
import { contentHash } from './inventory.js';
import { describeStoredPhone } from './provisioning.js';
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
  lines?: { username: string; domain: string }[];
  /** A hash of the shared items (templates, settings, profiles): the key of their renderer. */
  sharedKey: string;
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
/** Verified credentials kept before the cache starts over. */
const CREDENTIAL_CACHE = 1024;
const sha256 = contentHash;

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
  /** Generic file names (no MAC in them), lower case -> the model that renders them. */
  private readonly generic = new Map<string, PhoneModel>();

  constructor(private readonly db: Dbs) {
    const renderer = createRenderer();
    for (const model of MODELS.values()) {
      for (const f of renderer.files('000000000000', model)) if (!f.secret && !f.name.includes('000000000000') && !this.generic.has(f.name.toLowerCase())) this.generic.set(f.name.toLowerCase(), model);
    }
  }

  /**
   * The applied state a request for `name` needs: every shared item, and the phone's own item
   * and lines. Read after the request arrived; requests that arrive together share the reads
   * (one query each for the shared items, the phones' items and their lines).
   */
  async snapshot(name: string): Promise<ProvisioningSnapshot> {
    const mac = macOfFileName(name);
    const [shared, phone] = await Promise.all([this.sharedItems.load('shared'), mac === undefined ? undefined : this.phoneRows.load(mac)]);
    // The shared items are parsed once a read; the phone's own item is added to a copy.
    const phones = mac !== undefined && phone?.body !== undefined ? parseApplied(new Map([[`phone:${mac}`, phone.body]])).phones : new Map<string, never>();
    const applied: AppliedProvisioning = { ...shared.applied, phones };
    return { provisioned: shared.items.has('settings'), access: shared.access, applied, mac, lines: phone?.lines, sharedKey: shared.key };
  }

  /** The shared items, read once for the requests that arrive together, with a hash of them (hashed once a read, not once a request). */
  private readonly sharedItems = boundedLoader<'shared', { items: Map<string, string>; key: string; applied: AppliedProvisioning; access: ProvisioningAccess }>(async (keys) => {
    const rows = await this.db.provisioning
      .selectFrom('hermes_provisioning')
      .select(['item', 'body'])
      // Index ranges around the phone:* items (there may be 100,000 of them).
      .where((eb) => eb.or([eb('item', '<', 'phone:'), eb('item', '>=', 'phone;')]))
      .execute();
    const shared = rows.filter((r) => !r.item.startsWith('phone:')).sort((a, b) => (a.item < b.item ? -1 : a.item > b.item ? 1 : 0));
    const items = new Map(shared.map((r) => [r.item, r.body]));
    const read = { items, key: sha256(stableJson(shared.map((r) => [r.item, r.body]))), applied: parseApplied(items), access: accessOf(items) };
    return keys.map(() => read);
  });

  private readonly phoneRows = boundedLoader<string, { body?: string; lines: { username: string; domain: string }[] }>(async (macs) => {
    const unique = [...new Set(macs)];
    const [items, lines] = await Promise.all([
      this.db.provisioning.selectFrom('hermes_provisioning').select(['item', 'body']).where('item', 'in', unique.map((m) => `phone:${m}`)).execute(),
      this.db.provisioning.selectFrom('hermes_phones').select(['mac', 'username', 'domain', 'line']).where('mac', 'in', unique).execute(),
    ]);
    const bodies = new Map(items.map((r) => [r.item.slice('phone:'.length), r.body]));
    const byMac = new Map<string, { username: string; domain: string; line: number }[]>();
    for (const l of lines.sort((x, y) => x.line - y.line)) byMac.set(l.mac, [...(byMac.get(l.mac) ?? []), l]);
    return macs.map((mac) => ({ body: bodies.get(mac), lines: byMac.get(mac) ?? [] }));
  });

  /** Whether user and password are the stored credentials (a success is cached by a hash of all three). */
  checkCredentials(access: ProvisioningAccess, user: string, password: string): boolean {
    if (!access.auth || user !== access.auth.username) return false;
    const key = sha256(`${access.auth.passwordHash}\0${user}\0${password}`);
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

  /** The file `name` of the snapshot's phone (or a generic file), rendered now. */
  async file(snapshot: ProvisioningSnapshot, name: string, ctx: OpContext): Promise<FileLookup> {
    const renderer = this.renderer(snapshot.applied, snapshot.sharedKey);
    const model = this.generic.get(name.toLowerCase());
    if (model) {
      const file = renderer.render(samplePhone(model), name)!;
      return { found: 'file', file: { ...file, hash: sha256(file.content) } };
    }
    if (snapshot.mac === undefined) return { found: 'no-file' };
    const phone = await describeStoredPhone(this.db, snapshot.applied, snapshot.mac, ctx, snapshot.lines);
    if (!phone) return { found: 'no-phone', mac: snapshot.mac };
    const file = renderer.render(phone, name);
    return file ? { found: 'file', file: { ...file, mac: snapshot.mac, hash: sha256(file.content) } } : { found: 'no-file' };
  }
}
