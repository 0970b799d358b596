/**
 * The provisioning inventory (hermes_fetches): each phone file's last successful fetch from
 * the provisioning server, and what that says: which phones never fetched, whose files changed
 * since (the rendering now differs from what the phone was given).
 */
import { createHash } from 'node:crypto';
import type { Dbs } from '../db/types.js';
import type { AppliedProvisioning, Renderer } from '../provisioning/index.js';
import type { OpContext } from './context.js';
import { failed } from './envelope.js';
import { describeStoredPhone, readProvisioningItems } from './provisioning.js';
import { checkMac } from './validate.js';
import { insertRows } from './bulk.js';

/** sha256 (base64url) of a file's content: what the inventory stores (derived from secrets: never shown). */
export function contentHash(content: string): string {
  return createHash('sha256').update(content).digest('base64url');
}

export interface FetchRecord {
  mac: string;
  file: string;
  client: string;
  userAgent: string;
  hash: string;
  at?: Date;
}

/** hermes_fetches' columns as recordFetches writes them. */
const FETCH_COLUMNS = ['mac', 'file', 'fetched_at', 'client', 'user_agent', 'hash'] as const;

/**
 * Records successful fetches: each (phone, file) row inserted, or its fetch replaced when it
 * has one (an upsert on the table's (mac, file) key); of several fetches of one file the last wins.
 */
export async function recordFetches(db: Dbs, fetches: readonly FetchRecord[]): Promise<void> {
  const rows = new Map<string, unknown[]>();
  for (const f of fetches) {
    const mac = checkMac(f.mac);
    const file = f.file.slice(0, 128);
    // FETCH_COLUMNS' order
    rows.set(`${mac}/${file}`, [mac, file, (f.at ?? new Date()).toISOString(), f.client.slice(0, 64), f.userAgent.slice(0, 255), f.hash]);
  }
  if (rows.size === 0) return;
  await insertRows(db.provisioning, 'hermes_fetches', FETCH_COLUMNS, [...rows.values()], { replaceOn: ['mac', 'file'] });
}

/** Records one successful fetch. */
export async function recordFetch(db: Dbs, fetch: FetchRecord): Promise<void> {
  await recordFetches(db, [fetch]);
}

/**
 * Fetches buffered before they are written without waiting for the delay. Small statements
 * often rather than large ones seldom: the database's work on them (a row lookup and update
 * each, a commit) comes in bursts of a few milliseconds, which on a busy host hold up the
 * fetches being answered far less than one burst of 2,000 rows a second.
 */
const FLUSH_AT = 1_000;

/** How long fetches are buffered before they are written (ms), by default. */
export const INVENTORY_DELAY_MS = 200;

/**
 * The provisioning server's inventory writer: fetches are buffered and written together every
 * `delayMs` (or at FLUSH_AT), so a busy server writes a few times a second instead of once per
 * fetch; flush() writes what is buffered (on close). delayMs 0 writes each fetch before the
 * answer. A failed write goes to onError; the fetches are not retried.
 */
export class FetchRecorder {
  private buffer: FetchRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Dbs,
    private readonly delayMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  async add(fetch: FetchRecord): Promise<void> {
    this.buffer.push({ ...fetch, at: fetch.at ?? new Date() });
    if (this.delayMs === 0) return this.flush();
    // A full buffer is written now, without making this fetch wait for it.
    if (this.buffer.length >= FLUSH_AT) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.delayMs);
  }

  /** Writes the buffered fetches (after any write under way). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    this.writing = this.writing.then(async () => {
      try {
        await recordFetches(this.db, batch);
      } catch (error) {
        this.onError(error);
      }
    });
    return this.writing;
  }
}

/** A phone file's last fetch, and whether the phone has what it would get now. */
export interface FileFetch {
  file: string;
  fetched_at: string | null;
  client: string | null;
  user_agent: string | null;
  /** Whether the phone has this file as it renders now (false: changed since, or never fetched). */
  current: boolean;
}

async function fetchesOf(db: Dbs, macs?: readonly string[]): Promise<Map<string, Map<string, { fetched_at: string; client: string; user_agent: string; hash: string }>>> {
  let q = db.provisioning.selectFrom('hermes_fetches').select(['mac', 'file', 'fetched_at', 'client', 'user_agent', 'hash']);
  if (macs) q = q.where('mac', 'in', [...macs]);
  const out = new Map<string, Map<string, { fetched_at: string; client: string; user_agent: string; hash: string }>>();
  for (const r of await q.execute()) {
    let files = out.get(r.mac);
    if (!files) out.set(r.mac, (files = new Map()));
    files.set(r.file.toLowerCase(), r);
  }
  return out;
}

/** Each per-phone file of a phone with its last fetch; undefined when the phone is not provisioned. */
async function phoneFetches(db: Dbs, applied: AppliedProvisioning, renderer: Renderer, mac: string, fetched: ReadonlyMap<string, { fetched_at: string; client: string; user_agent: string; hash: string }> | undefined, ctx: OpContext): Promise<FileFetch[] | undefined> {
  const phone = await describeStoredPhone(db, applied, mac, ctx);
  if (!phone) return undefined;
  const files = renderer.renderAll(phone).filter((f) => f.name.toLowerCase().includes(mac));
  return files.map((f) => {
    const last = fetched?.get(f.name.toLowerCase());
    return { file: f.name, fetched_at: last?.fetched_at ?? null, client: last?.client ?? null, user_agent: last?.user_agent ?? null, current: last !== undefined && last.hash === contentHash(f.content) };
  });
}

/** phone/info: a provisioned phone's model, profile, lines and each file's last fetch. */
export async function phoneInfo(db: Dbs, mac: string, ctx: OpContext): Promise<{ mac: string; model: string; profile: string | null; lines: string[]; files: FileFetch[] }> {
  const m = checkMac(mac);
  const { createRenderer, parseApplied } = await import('../provisioning/index.js'); // loaded only by the nodes that render
  const applied = parseApplied(await readProvisioningItems(db));
  const stored = applied.phones.get(m);
  const files = stored && (await phoneFetches(db, applied, createRenderer({ templates: applied.templates, global: applied.settings }), m, (await fetchesOf(db, [m])).get(m), ctx));
  if (!stored || !files) throw failed('nonexistant', `phone ${m} is not provisioned`);
  const lines = await db.provisioning.selectFrom('hermes_phones').select(['username', 'domain']).where('mac', '=', m).orderBy('line').execute();
  return { mac: m, model: stored.model, profile: stored.profile ?? null, lines: lines.map((l) => `${l.username}@${l.domain}`), files };
}

export interface ProvisionStatus {
  /** Phones that fetched none of their files. */
  neverFetched: { mac: string; model: string }[];
  /** Phones one of whose fetched files renders differently now than what they were given (files a phone never fetched do not count: a Snom may fetch only its .htm). */
  changed: { mac: string; model: string; files: string[] }[];
  /** Phones that have every file as it renders now. */
  current: number;
}

/** Every provisioned phone's inventory state (`hermes provision status`). */
export async function provisionStatus(db: Dbs, ctx: OpContext): Promise<ProvisionStatus> {
  const { createRenderer, parseApplied } = await import('../provisioning/index.js'); // loaded only by the nodes that render
  const applied = parseApplied(await readProvisioningItems(db));
  const renderer = createRenderer({ templates: applied.templates, global: applied.settings });
  const fetched = await fetchesOf(db);
  const out: ProvisionStatus = { neverFetched: [], changed: [], current: 0 };
  for (const [mac, phone] of [...applied.phones].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const files = await phoneFetches(db, applied, renderer, mac, fetched.get(mac), ctx);
    if (!files) continue;
    if (files.every((f) => f.fetched_at === null)) out.neverFetched.push({ mac, model: phone.model });
    else if (files.some((f) => f.fetched_at !== null && !f.current)) out.changed.push({ mac, model: phone.model, files: files.filter((f) => f.fetched_at !== null && !f.current).map((f) => f.file) });
    else out.current++;
  }
  return out;
}

/** Every provisioned phone's rendered file set as a hash, and its lines (user@domain): what --notify-phones compares across an apply. The hashes cover secrets: compare them, never print them. */
export async function phoneFileHashes(db: Dbs, ctx: OpContext): Promise<Map<string, { hash: string; lines: string[] }>> {
  const { createRenderer, parseApplied } = await import('../provisioning/index.js'); // loaded only by the nodes that render
  const applied = parseApplied(await readProvisioningItems(db));
  const out = new Map<string, { hash: string; lines: string[] }>();
  if (applied.phones.size === 0) return out;
  const renderer = createRenderer({ templates: applied.templates, global: applied.settings });
  for (const mac of applied.phones.keys()) {
    const phone = await describeStoredPhone(db, applied, mac, ctx);
    if (phone) out.set(mac, { hash: renderer.hash(phone), lines: phone.lines.map((l) => l.address) });
  }
  return out;
}
