/**
 * Provisioning: the items of hermes_provisioning (settings, profiles, templates, the server's
 * credentials, domains' sip_server, phones' model/profile/settings/keys; see
 * src/provisioning/applied.ts). Each changed item is a change that says how many phones'
 * files change with it (and which): the phones that depend on the item and whose rendered
 * files differ between the applied state and the state after the apply.
 */
import type { DesiredState } from '../../../desired/types.js';
import { putProvisioningItems, removeProvisioningItems } from '../../../ops/index.js';
import { createRenderer, describePhone, lineUserOf, MODELS, parseApplied, sameItem, stableJson, storedBody, type AppliedProvisioning, type DesiredItem, type LineUser, type Settings } from '../../../provisioning/index.js';
import type { ChangeDisplay, FieldValue } from '../../plan-types.js';
import type { PlanContext, ResourceKind } from '../kind.js';

export interface ProvisioningChange extends ChangeDisplay {
  kind: 'provisioning';
  /** settings, profile:<name>, template:<id>, auth, domain:<name>, phone:<mac> */
  item: string;
  /** create, update: the body to store (the auth password hashed). */
  body?: string;
  /** The phones whose files change with this change (12-hex MACs, sorted). */
  phones: string[];
}

/** A settings block without its admin password (stored beside it, never shown). */
function split(settings: Settings | undefined): { settings?: Settings; secret?: string } {
  if (!settings) return {};
  const { admin_password, ...rest } = settings;
  return { ...(Object.keys(rest).length > 0 ? { settings: rest } : {}), ...(admin_password !== undefined ? { secret: admin_password } : {}) };
}

function item(settings: Settings | undefined, extra: Record<string, unknown>): DesiredItem {
  const s = split(settings);
  const body = JSON.parse(stableJson({ ...extra, ...(s.settings ? { settings: s.settings } : {}) })) as Record<string, unknown>;
  return s.secret === undefined ? { body } : { body, secret: s.secret };
}

/** The desired items of the managed sections, and which stored items those sections own. */
export function desiredItems(desired: DesiredState): { items: Map<string, DesiredItem>; owns: (item: string) => boolean } {
  const items = new Map<string, DesiredItem>();
  const p = desired.provisioning;
  if (p) {
    items.set('settings', item(p.settings, {}));
    for (const [name, profile] of Object.entries(p.profiles)) items.set(`profile:${name}`, item(profile.settings, profile.keys ? { keys: profile.keys } : {}));
    for (const t of p.templates) items.set(`template:${t.id}`, { body: { text: t.text } });
    if (p.allow || p.allow_http) items.set('access', { body: { ...(p.allow ? { allow: p.allow } : {}), ...(p.allow_http ? { allow_http: p.allow_http } : {}) } });
    if (p.auth) items.set('auth', p.auth.password === undefined ? { body: { username: p.auth.username } } : { body: { username: p.auth.username }, secret: p.auth.password });
  }
  for (const d of desired.domains ?? []) if (d.state === 'present' && (d.sip_server || d.transport)) items.set(`domain:${d.domain}`, item(undefined, { ...(d.sip_server ? { sip_server: d.sip_server } : {}), ...(d.transport ? { transport: d.transport } : {}) }));
  for (const ph of desired.phones ?? []) if (ph.model) items.set(`phone:${ph.mac}`, item(ph.settings, { model: ph.model, ...(ph.profile ? { profile: ph.profile } : {}), ...(ph.keys ? { keys: ph.keys } : {}) }));
  const owns = (name: string) => {
    const type = name.split(':')[0];
    if (type === 'phone') return desired.phones !== undefined;
    if (type === 'domain') return desired.domains !== undefined;
    return p !== undefined;
  };
  return { items, owns };
}

/** The display of an item's body: its fields, a template as its size and digest, the secret as a marker. */
function display(body: Record<string, unknown>, secret: string | undefined): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(body)) {
    if (k === 'text') out.lines = String(v).split('\n').length;
    else if (k === 'settings') for (const [s, sv] of Object.entries(v as Record<string, unknown>)) out[s] = typeof sv === 'object' ? stableJson(sv) : (sv as FieldValue);
    else if (k === 'keys') out.keys = (v as { type: string; value?: string; label?: string }[]).map((key) => [key.type, key.value, key.label && `(${key.label})`].filter(Boolean).join(' '));
    else if (k !== 'password' && k !== 'admin_password') out[k] = v as FieldValue;
  }
  if (secret !== undefined) out[secret] = '(set)';
  return out;
}

function displayOfStored(name: string, stored: string): Record<string, FieldValue> {
  const body = JSON.parse(stored) as Record<string, unknown>;
  const secret = ['password', 'admin_password'].find((f) => body[f] !== undefined);
  return display(body, secret);
}

/** For an update: the fields that differ (a secret that changed shows as '(changed)'). */
function diff(before: Record<string, FieldValue>, after: Record<string, FieldValue>, secretChanged: string | undefined): { before: Record<string, FieldValue>; after: Record<string, FieldValue> } {
  const b: Record<string, FieldValue> = {};
  const a: Record<string, FieldValue> = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (stableJson(before[k]) === stableJson(after[k]) && k !== secretChanged) continue;
    b[k] = before[k] ?? null;
    a[k] = k === secretChanged && after[k] !== undefined ? '(changed)' : (after[k] ?? null);
  }
  return { before: b, after: a };
}

const secretName = (name: string) => (name === 'auth' ? 'password' : 'admin_password');

/** The item changes, without their phones yet. */
function itemChanges(ctx: PlanContext): ProvisioningChange[] {
  const { items, owns } = desiredItems(ctx.desired);
  const stored = ctx.actual.provisioning;
  const out: ProvisioningChange[] = [];
  for (const [name, d] of items) {
    const now = stored.get(name);
    if (now !== undefined && sameItem(name, d, now)) continue;
    const after = display(d.body, d.secret === undefined ? undefined : secretName(name));
    const body = storedBody(name, d);
    if (now === undefined) out.push({ action: 'create', kind: 'provisioning', key: name, item: name, body, after, phones: [] });
    else out.push({ action: 'update', kind: 'provisioning', key: name, item: name, body, ...diff(displayOfStored(name, now), after, d.secret !== undefined ? secretName(name) : undefined), phones: [] });
  }
  for (const [name, body] of stored) if (owns(name) && !items.has(name)) out.push({ action: 'delete', kind: 'provisioning', key: name, item: name, before: displayOfStored(name, body), phones: [] });
  return out;
}

/** Each phone's files' hash in an applied state, with its lines and users. */
function phoneHashes(applied: AppliedProvisioning, lines: ReadonlyMap<string, string[]>, user: (address: string) => LineUser | undefined): Map<string, string> {
  const out = new Map<string, string>();
  let renderer: ReturnType<typeof createRenderer>;
  try {
    renderer = createRenderer({ templates: applied.templates, global: applied.settings });
  } catch {
    return out; // a template set that does not compile renders nothing (the loader refuses such a desired state)
  }
  for (const [mac, phone] of applied.phones) {
    if (!MODELS.has(phone.model)) continue;
    const users = (lines.get(mac) ?? []).map(user).filter((u): u is LineUser => u !== undefined);
    try {
      out.set(mac, renderer.hash(describePhone({ mac, model: phone.model, lines: users, profile: phone.profile, settings: phone.settings, keys: phone.keys }, applied, applied.servers)));
    } catch {
      out.set(mac, 'unrenderable');
    }
  }
  return out;
}

/** The MACs whose files differ between the applied state and the state after the apply. */
function changedPhones(ctx: PlanContext, changes: ProvisioningChange[]): { changed: Set<string>; before: AppliedProvisioning; after: AppliedProvisioning } {
  const { actual, desired } = ctx;
  const before = parseApplied(actual.provisioning);
  const next = new Map(actual.provisioning);
  for (const c of changes) if (c.action === 'delete') next.delete(c.item);
  else next.set(c.item, c.body!);
  const after = parseApplied(next);
  const actualUser = (a: string) => {
    const u = actual.users.get(a);
    return u ? lineUserOf(u) : undefined;
  };
  const afterUser = (a: string) => {
    const d = ctx.declaredUser(a);
    if (!d) return desired.users === undefined ? actualUser(a) : undefined;
    return { ...d, password: d.password ?? actual.users.get(a)?.password };
  };
  const afterLines = desired.phones === undefined ? actual.phones : new Map(desired.phones.map((p) => [p.mac, p.lines]));
  const h0 = phoneHashes(before, actual.phones, actualUser);
  const h1 = phoneHashes(after, afterLines, afterUser);
  const changed = new Set<string>();
  for (const mac of new Set([...h0.keys(), ...h1.keys()])) if (h0.get(mac) !== h1.get(mac)) changed.add(mac);
  return { changed, before, after };
}

/** The phones (in either state) that an item's change concerns. */
function dependents(name: string, states: AppliedProvisioning[], lines: ReadonlyMap<string, string[]>[]): Set<string> {
  const [type, rest] = [name.slice(0, name.indexOf(':') < 0 ? name.length : name.indexOf(':')), name.slice(name.indexOf(':') + 1)];
  const out = new Set<string>();
  states.forEach((state, i) => {
    for (const [mac, phone] of state.phones) {
      const model = MODELS.get(phone.model);
      const scope = rest.split('/')[0];
      if (
        (type === 'settings') ||
        (type === 'phone' && rest === mac) ||
        (type === 'profile' && phone.profile === rest) ||
        (type === 'template' && model !== undefined && (scope === model.vendor || scope === model.id)) ||
        (type === 'domain' && (lines[i].get(mac) ?? []).some((a) => a.endsWith(`@${rest}`)))
      )
        out.add(mac);
    }
  });
  return out;
}

export const provisioning: ResourceKind<ProvisioningChange> = {
  kind: 'provisioning',
  plan(ctx) {
    ctx.managed.provisioning = ctx.actual.provisioning.size;
    const changes = itemChanges(ctx);
    if (changes.length === 0) return;
    const { changed, before, after } = changedPhones(ctx, changes);
    const afterLines = ctx.desired.phones === undefined ? ctx.actual.phones : new Map(ctx.desired.phones.map((p) => [p.mac, p.lines]));
    for (const c of changes) {
      const secretOnly = c.action === 'update' && Object.values(c.after ?? {}).every((v) => v === '(changed)');
      c.phones = [...dependents(c.item, [before, after], [ctx.actual.phones, afterLines])].filter((mac) => secretOnly || changed.has(mac)).sort();
      ctx.add(c);
    }
  },
  async execute(db, action, changes) {
    if (action === 'delete') await removeProvisioningItems(db, changes.map((c) => c.item));
    else await putProvisioningItems(db, changes.map((c) => ({ item: c.item, body: c.body! })));
  },
};
