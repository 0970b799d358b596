import type { SelectQueryBuilder } from 'kysely';
import type { Dbs, ProvisioningTables } from '../db/types.js';
import { chunks, likeGlob } from './bulk.js';

/**
 * Random keys looked up per number wanted, at most (the cost bound of the exact-hit phase),
 * rounds of it, and windows the rest is read in.
 */
const CANDIDATE_BUDGET = 20;
const ROUNDS = 4;
const WINDOWS = 32;
const IN_CHUNK = 2_000;

type NumberQuery = SelectQueryBuilder<ProvisioningTables, 'hermes_numbers', { number: string }>;

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** A random key between first and last (inclusive), as a number string of first's length when both have it. */
function randomKey(first: string, last: string): string {
  if (first.length === last.length) {
    const lo = Number(first.slice(1));
    const span = Number(last.slice(1)) - lo + 1;
    return `+${String(lo + Math.floor(Math.random() * span)).padStart(first.length - 1, '0')}`;
  }
  const digits = first.length - 1 + Math.floor(Math.random() * (last.length - first.length + 1));
  const key = `+${Array.from({ length: digits }, () => Math.floor(Math.random() * 10)).join('')}`;
  return key < first ? first : key > last ? last : key;
}

/**
 * Up to `count` numbers of the pool (matching `search`, a glob), in random order, reading
 * O(count) rows whatever the pool's size (ORDER BY random() read and sorted all of it).
 *
 * 1. Exact hits: random numbers between the pool's smallest and largest (two index reads) are
 *    looked up by primary key, in rounds sized by the hit rate seen so far, at most
 *    CANDIDATE_BUDGET x count lookups. A hit is a uniform draw, without replacement, among the
 *    pool's numbers of the length of its smallest and largest: a pool that fills at least
 *    1/CANDIDATE_BUDGET of the span between them (ranges, the usual case) is answered this way.
 * 2. The rest (a sparse pool, numbers of several lengths, a narrow search) is read from up to
 *    WINDOWS index windows, each forward from a random key, then once more from one random key
 *    wrapping to the start: spread over the pool, but a number after a wide gap is likelier
 *    to start a window.
 * With `search`, a lookup keeps matching numbers only, and a window scans (as a sorted search
 * does) until it has enough.
 */
export async function randomNumbers(db: Dbs, count: number, search: string | undefined): Promise<string[]> {
  const base = (): NumberQuery => {
    const q = db.provisioning.selectFrom('hermes_numbers').select('number');
    return search !== undefined && search !== '' ? q.where(likeGlob('number', `*${search}*`)) : q;
  };
  const ends = db.provisioning.selectFrom('hermes_numbers').select('number');
  const first = (await ends.orderBy('number').limit(1).executeTakeFirst())?.number;
  const last = (await ends.orderBy('number', 'desc').limit(1).executeTakeFirst())?.number;
  if (first === undefined || last === undefined) return [];
  const picked = new Set<string>();
  if (first.length === last.length) await exactHits(base, picked, count, first, last);
  if (picked.size < count) await windows(base, picked, count, first, last);
  return shuffle([...picked]);
}

async function exactHits(base: () => NumberQuery, picked: Set<string>, count: number, first: string, last: string): Promise<void> {
  let budget = CANDIDATE_BUDGET * count;
  let tried = 0;
  let hit = 0;
  for (let round = 0; round < ROUNDS && picked.size < count && budget > 0; round++) {
    const rate = tried === 0 ? 0.5 : Math.max(hit / tried, 1 / CANDIDATE_BUDGET);
    const candidates = new Set<string>();
    const wanted = Math.min(budget, Math.ceil(((count - picked.size) / rate) * 1.2));
    for (let i = 0; i < wanted; i++) candidates.add(randomKey(first, last));
    budget -= candidates.size;
    const hits: string[] = [];
    for (const part of chunks([...candidates], IN_CHUNK)) {
      for (const r of await base().where('number', 'in', part).execute()) hits.push(r.number);
    }
    tried += candidates.size;
    hit += hits.length;
    for (const h of shuffle(hits)) if (picked.size < count) picked.add(h);
  }
}

async function windows(base: () => NumberQuery, picked: Set<string>, count: number, first: string, last: string): Promise<void> {
  const need = count - picked.size;
  const n = Math.min(need, WINDOWS);
  const per = Math.ceil(need / n);
  for (let i = 0; i < n && picked.size < count; i++) {
    for (const r of await base().where('number', '>=', randomKey(first, last)).orderBy('number').limit(per).execute()) {
      if (picked.size < count) picked.add(r.number);
    }
  }
  if (picked.size >= count) return;
  // `count` rows hold count - picked.size new ones, if the pool has them.
  const start = randomKey(first, last);
  const after = await base().where('number', '>=', start).orderBy('number').limit(count).execute();
  const before = after.length < count ? await base().where('number', '<', start).orderBy('number').limit(count).execute() : [];
  for (const r of [...after, ...before]) if (picked.size < count) picked.add(r.number);
}
