/**
 * The applied provisioning state: what `hermes apply` stores in hermes_provisioning so that any
 * server renders every phone's files from the database alone. One item per row ('settings',
 * 'profile:<name>', 'template:<id>', 'auth', 'domain:<name>', 'phone:<mac>'), its body JSON
 * with sorted keys. The provisioning server's password (auth) is stored as a salted scrypt hash:
 * the server only verifies it. The phones' admin_password is stored as it is, because the
 * phones' files must carry it (Yealink static.security.user_password, Snom admin_mode_password,
 * Poly device.auth.localAdminPassword, Grandstream P2); like the SIP passwords of the lines it
 * is never in a plan or a log, and `provision render` masks it without --show-secrets.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { DomainServer, KeySource, LineUser } from './phone.js';
import type { Profile } from './describe.js';
import type { Settings } from './settings.js';
import type { TemplateSource } from './templates.js';

/** An item as the desired state makes it: its stored body without the secret, and the secret. */
export interface DesiredItem {
  body: Record<string, unknown>;
  /** The plaintext secret, stored under body[secretField]: the auth password hashed, admin_password as it is. */
  secret?: string;
}

/** The field an item's secret is stored in. */
export function secretField(item: string): 'password' | 'admin_password' {
  return item === 'auth' ? 'password' : 'admin_password';
}

/** JSON with object keys sorted at every level: equal data, equal text. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

/** A salted scrypt hash of a secret: scrypt$<salt hex>$<hash hex>. */
export function hashSecret(secret: string): string {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('hex')}$${scryptSync(secret, salt, 32).toString('hex')}`;
}

/** Whether `secret` is the one `hash` was made from. */
export function verifySecret(secret: string, hash: string): boolean {
  const [scheme, salt, digest] = hash.split('$');
  if (scheme !== 'scrypt' || !salt || !digest) return false;
  return timingSafeEqual(scryptSync(secret, Buffer.from(salt, 'hex'), 32), Buffer.from(digest, 'hex'));
}

/** The stored body of a desired item (the auth password hashed, an admin_password as it is). */
export function storedBody(item: string, d: DesiredItem): string {
  if (d.secret === undefined) return stableJson(d.body);
  const field = secretField(item);
  return stableJson({ ...d.body, [field]: field === 'password' ? hashSecret(d.secret) : d.secret });
}

/** Whether the stored body is what the desired item would store. */
export function sameItem(item: string, d: DesiredItem, stored: string): boolean {
  const body = JSON.parse(stored) as Record<string, unknown>;
  const field = secretField(item);
  const hash = body[field];
  delete body[field];
  if (stableJson(body) !== stableJson(d.body)) return false;
  if (d.secret === undefined) return hash === undefined;
  if (field === 'admin_password') return hash === d.secret;
  return typeof hash === 'string' && verifySecret(d.secret, hash);
}

/** A phone's provisioning as stored. */
export interface AppliedPhone {
  model: string;
  profile?: string;
  settings?: Settings;
  keys?: KeySource[];
}

/** The applied state, parsed from the items (the auth password's hash dropped; admin_password in its settings). */
export interface AppliedProvisioning {
  settings: Settings;
  profiles: Record<string, Profile>;
  templates: TemplateSource[];
  servers: Map<string, DomainServer>;
  phones: Map<string, AppliedPhone>;
  auth?: { username: string };
}

/** An admin_password stored by hermes before it was kept retrievably: a hash, never rendered. */
const OLD_HASH = /^scrypt\$[0-9a-f]{32}\$[0-9a-f]{64}$/;

/** The body without its secrets, with a stored admin_password put back into its settings. */
function withoutSecret(body: Record<string, unknown>): Record<string, unknown> {
  const { admin_password: admin, password: _p, ...rest } = body;
  if (typeof admin !== 'string' || OLD_HASH.test(admin)) return rest;
  return { ...rest, settings: { ...(rest.settings as Settings | undefined), admin_password: admin } };
}

/** Parses stored items (item -> body JSON). */
export function parseApplied(items: ReadonlyMap<string, string>): AppliedProvisioning {
  const out: AppliedProvisioning = { settings: {}, profiles: {}, templates: [], servers: new Map(), phones: new Map() };
  for (const [item, text] of items) {
    const body = withoutSecret(JSON.parse(text) as Record<string, unknown>);
    const colon = item.indexOf(':');
    const [type, name] = colon < 0 ? [item, ''] : [item.slice(0, colon), item.slice(colon + 1)];
    if (type === 'settings') out.settings = (body.settings as Settings | undefined) ?? {};
    else if (type === 'profile') out.profiles[name] = body as Profile;
    else if (type === 'template') out.templates.push({ id: name, text: body.text as string, file: `applied:${name}` });
    else if (type === 'auth') out.auth = { username: body.username as string };
    else if (type === 'domain') out.servers.set(name, body as DomainServer);
    else if (type === 'phone') out.phones.set(name, body as unknown as AppliedPhone);
  }
  out.templates.sort((a, b) => (a.id < b.id ? -1 : 1));
  return out;
}

/** A user as a line needs it, from a stored row (nulls as absent). */
export function lineUserOf(u: { username: string; domain: string; kind: 'local' | 'remote'; displayname: string; linetext: string; dialplan: string; password?: string | null; registrar?: string | null; r_port?: number | null; proxy?: string | null; p_port?: number | null; authid?: string | null }): LineUser {
  const opt = <T>(v: T | null | undefined) => (v === null ? undefined : v);
  return { username: u.username, domain: u.domain, kind: u.kind, displayname: u.displayname, linetext: u.linetext, dialplan: u.dialplan, password: opt(u.password) || undefined, registrar: opt(u.registrar), r_port: opt(u.r_port), proxy: opt(u.proxy), p_port: opt(u.p_port), authid: opt(u.authid) };
}
