/**
 * The writers and readers of hermes_provisioning, the applied provisioning state (see
 * src/provisioning/applied.ts): one row per item, its body JSON (the auth password hashed).
 */
import type { Dbs } from '../db/types.js';
import type * as Provisioning from '../provisioning/index.js';
import { chunks } from './bulk.js';
import type { OpContext } from './context.js';
import { failed } from './envelope.js';
import type { UserRecord } from './types.js';
import { getUser } from './users.js';
import { checkMac } from './validate.js';

/**
 * The rendering (LiquidJS and the vendors' templates), loaded by the nodes that render: every
 * other node, and each `hermes call` process, starts without it.
 */
const loadProvisioning = (): Promise<typeof Provisioning> => import('../provisioning/index.js');

/** Every stored item: item -> body. */
export async function readProvisioningItems(db: Dbs, items?: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (items === undefined) {
    for (const r of await db.provisioning.selectFrom('hermes_provisioning').select(['item', 'body']).orderBy('item').execute()) out.set(r.item, r.body);
    return out;
  }
  for (const part of chunks([...items])) for (const r of await db.provisioning.selectFrom('hermes_provisioning').select(['item', 'body']).where('item', 'in', part).execute()) out.set(r.item, r.body);
  return out;
}

/** Stores items (replacing those that exist). */
export async function putProvisioningItems(db: Dbs, rows: readonly { item: string; body: string }[]): Promise<void> {
  if (rows.length === 0) return;
  await removeProvisioningItems(db, rows.map((r) => r.item));
  for (const part of chunks([...rows])) await db.provisioning.insertInto('hermes_provisioning').values(part).execute();
}

/** Removes items. */
export async function removeProvisioningItems(db: Dbs, items: readonly string[]): Promise<void> {
  for (const part of chunks([...items])) await db.provisioning.deleteFrom('hermes_provisioning').where('item', 'in', part).execute();
}

/** A file a phone gets, as provision render / phone/config return it. */
export interface PhoneConfigFile {
  name: string;
  contentType: string;
  content: string;
}

const MASK = '********';

/** Masks every password of the phone in the content (the lines' and the admin password). */
function masked(content: string, secrets: readonly string[]): string {
  let out = content;
  for (const s of secrets) if (s) out = out.split(s).join(MASK);
  return out;
}

/**
 * The files a provisioned phone gets, rendered from the applied state alone (hermes_provisioning,
 * hermes_phones, the users' rows), or only `file`. Passwords are masked unless ctx.showSecrets.
 * failed 'nonexistant' when the phone is not provisioned or has no such file.
 */
export async function phoneConfig(db: Dbs, mac: string, file: string | undefined, ctx: OpContext): Promise<PhoneConfigFile[]> {
  const m = checkMac(mac);
  const { createRenderer, parseApplied } = await loadProvisioning();
  const applied = parseApplied(await readProvisioningItems(db));
  const description = await describeStoredPhone(db, applied, m, ctx);
  if (!description) throw failed('nonexistant', `phone ${m} is not provisioned`);
  const renderer = createRenderer({ templates: applied.templates, global: applied.settings });
  const rendered = file === undefined ? renderer.renderAll(description) : [renderer.render(description, file)].filter((f) => f !== undefined);
  if (rendered.length === 0) throw failed('nonexistant', `phone ${m} has no file ${file}`);
  const secrets = ctx.showSecrets ? [] : [...description.lines.map((l) => l.password), description.settings.admin_password ?? ''].sort((a, b) => b.length - a.length);
  return rendered.map((f) => ({ name: f.name, contentType: f.contentType, content: masked(f.content, secrets) }));
}

/**
 * A provisioned phone's description from the applied state and its stored lines (with their
 * passwords: the caller masks them), or undefined when `mac` is not provisioned. `read`: its
 * lines (hermes_phones) when the caller has read them already.
 */
export async function describeStoredPhone(db: Dbs, applied: Provisioning.AppliedProvisioning, mac: string, ctx: OpContext, read?: { username: string; domain: string }[]): Promise<Provisioning.PhoneDescription | undefined> {
  const provisioning = await loadProvisioning();
  const phone = applied.phones.get(mac);
  if (!phone || !provisioning.MODELS.has(phone.model)) return undefined;
  const lines = read ?? (await db.provisioning.selectFrom('hermes_phones').select(['username', 'domain']).where('mac', '=', mac).orderBy('line').execute());
  return describeWithUsers(provisioning, applied, mac, await lineUsers(db, lines, ctx));
}

/** The users of a phone's lines, in order, with their passwords (the caller masks them). */
export function lineUsers(db: Dbs, lines: readonly { username: string; domain: string }[], ctx: OpContext): Promise<UserRecord[]> {
  return Promise.all(lines.map((l) => getUser(db, l, { ...ctx, showSecrets: true })));
}

/** describeStoredPhone with the lines' users read already (lineUsers); undefined when `mac` is not provisioned. */
export function describeWithUsers(provisioning: typeof Provisioning, applied: Provisioning.AppliedProvisioning, mac: string, users: readonly UserRecord[]): Provisioning.PhoneDescription | undefined {
  const phone = applied.phones.get(mac);
  if (!phone || !provisioning.MODELS.has(phone.model)) return undefined;
  const lines = users.map((u) => provisioning.lineUserOf({ ...u, password: u.password ?? null }));
  return provisioning.describePhone({ mac, model: phone.model, lines, profile: phone.profile, settings: phone.settings, keys: phone.keys }, applied, applied.servers);
}

/** Whether the applied state has a provisioning section (apply stores its 'settings' item). */
export async function hasProvisioning(db: Dbs): Promise<boolean> {
  return (await db.provisioning.selectFrom('hermes_provisioning').select('item').where('item', '=', 'settings').executeTakeFirst()) !== undefined;
}

/** The names of the files a provisioned phone may fetch. */
export async function phoneFileNames(db: Dbs, mac: string): Promise<string[]> {
  const m = checkMac(mac);
  const { createRenderer, MODELS, parseApplied } = await loadProvisioning();
  const phone = parseApplied(await readProvisioningItems(db, [`phone:${m}`])).phones.get(m);
  const model = phone && MODELS.get(phone.model);
  if (!model) throw failed('nonexistant', `phone ${m} is not provisioned`);
  return createRenderer().files(m, model).map((f) => f.name);
}
