import { sql } from 'kysely';
import type { Dbs } from '../db/types.js';
import { inTransaction } from '../db/transaction.js';
import { writeAudit } from './audit.js';
import { chunks, insertRows, likeGlob } from './bulk.js';
import type { OpContext } from './context.js';
import { failed, invalid } from './envelope.js';
import { MAX_LIST_LIMIT } from './list-limit.js';
import { randomNumbers } from './number-sample.js';
import { checkE164 } from './validate.js';
import { checkRange as rangeRule, expandRange, MAX_RANGE_SIZE, type NumberRun } from '../model/index.js';

export { MAX_RANGE_SIZE };

/** Numbers generated per batch when filling the pool from a range (inserted in statements of rowsPerStatement(1) rows). */
const RANGE_CHUNK = 50_000;
/** Values per IN list and rows per INSERT for the single-column number lookups and inserts. */
const NUMBER_CHUNK = 2_000;

/** The numbers among `numbers` that are in the pool. */
async function pooled(db: Dbs, numbers: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const part of chunks(numbers, NUMBER_CHUNK)) {
    for (const r of await db.provisioning.selectFrom('hermes_numbers').select('number').where('number', 'in', part).execute()) out.add(r.number);
  }
  return out;
}

/** Takes the numbers out of the pool (one not in it is skipped): no checks, no audit. */
export async function unpool(db: Dbs, numbers: readonly string[]): Promise<void> {
  for (const part of chunks(numbers, NUMBER_CHUNK)) await db.provisioning.deleteFrom('hermes_numbers').where('number', 'in', part).execute();
}

/** The numbers among `numbers` in use as an alias (alias_username, any alias domain). */
export async function numbersInUse(db: Dbs, numbers: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const part of chunks(numbers, NUMBER_CHUNK)) {
    for (const r of await db.kamailio.selectFrom('dbaliases').select('alias_username').where('alias_username', 'in', part).execute()) out.add(r.alias_username);
  }
  return out;
}

function checkNumbers(numbers: readonly string[]): string[] {
  return [...new Set(numbers.map((n) => checkE164(n)))];
}

/**
 * Puts numbers into the pool (which holds the AVAILABLE numbers). Numbers already pooled are
 * skipped; a number in use as an alias is refused (failed 'inuse') and nothing is added.
 * Returns how many were added.
 */
export async function addNumbers(db: Dbs, numbers: string[], ctx: OpContext): Promise<number> {
  const wanted = checkNumbers(numbers);
  if (wanted.length === 0) return 0;
  return inTransaction(db, async (trx) => {
    const inUse = await numbersInUse(trx, wanted);
    if (inUse.size > 0) throw failed('inuse', `number ${[...inUse][0]} is in use as an alias`);
    const already = await pooled(trx, wanted);
    const fresh = wanted.filter((n) => !already.has(n));
    await insertRows(trx.provisioning, 'hermes_numbers', ['number'], fresh.map((number) => [number]));
    await writeAudit(trx, 'numbers/add', fresh.map((key) => ({ key })), ctx);
    return fresh.length;
  });
}

/** Pulls numbers from the pool. Failed 'nonexistant' for one that is not in the pool. */
export async function removeNumbers(db: Dbs, numbers: string[], ctx: OpContext): Promise<void> {
  const wanted = checkNumbers(numbers);
  if (wanted.length === 0) return;
  await inTransaction(db, async (trx) => {
    const present = await pooled(trx, wanted);
    const missing = wanted.find((n) => !present.has(n));
    if (missing) throw failed('nonexistant', `number ${missing} is not in the pool`);
    await unpool(trx, wanted);
    await writeAudit(trx, 'numbers/remove', wanted.map((key) => ({ key })), ctx);
  });
}

/**
 * A range, validated by the model's one range rule (the YAML's too): both E.164 of the same
 * length, start < end, at most MAX_RANGE_SIZE numbers ('invalid', cause 'start', 'end' or 'range').
 */
export function checkRange(start: string, end: string): NumberRun {
  checkE164(start, 'start');
  checkE164(end, 'end');
  const run = rangeRule(start, end);
  if (!('problem' in run)) return run;
  if (run.problem === 'length-mismatch') throw invalid('range', `start ${start} and end ${end} must have the same length (the same lead-in)`);
  if (run.problem === 'too-large') throw invalid('range', `the range ${start} to ${end} holds ${run.size} numbers; at most ${MAX_RANGE_SIZE} per call`);
  throw invalid('range', `start ${start} must be less than end ${end}`);
}

/**
 * Puts every number from start to end (inclusive) into the pool, in bulk, in one
 * transaction: numbers already pooled are skipped, numbers in use as aliases are left out.
 * Returns how many were added. Writes one audit row for the range (key start..end).
 */
export async function addNumberRange(db: Dbs, start: string, end: string, ctx: OpContext): Promise<number> {
  const run = checkRange(start, end);
  return inTransaction(db, async (trx) => {
    const inUse = new Set(
      (
        await trx.kamailio
          .selectFrom('dbaliases')
          .select('alias_username')
          .where('alias_username', '>=', start)
          .where('alias_username', '<=', end)
          .where(sql`length(alias_username)`, '=', start.length)
          .execute()
      ).map((r) => r.alias_username),
    );
    let added = 0;
    let skippedInUse = 0;
    let batch: string[][] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      added += await insertRows(trx.provisioning, 'hermes_numbers', ['number'], batch, { ignore: true });
      batch = [];
    };
    for (const number of expandRange(start, end)) {
      if (inUse.has(number)) {
        skippedInUse++;
        continue;
      }
      batch.push([number]);
      if (batch.length === RANGE_CHUNK) await flush();
    }
    await flush();
    await writeAudit(trx, 'numbers/add_range', [{ key: `${start}..${end}`, detail: { added, skipped_pooled: run.count - added - skippedInUse, skipped_in_use: skippedInUse } }], ctx);
    return added;
  });
}

export interface NumberListOptions {
  /** A glob matched anywhere in the number ("pre-post globbing"): 1234 finds +4712345. */
  search?: string;
  /** Random order instead of sorted. */
  random?: boolean;
  limit?: number;
}

/**
 * The pool's numbers, sorted (or in random order: randomNumbers, O(limit)), optionally
 * filtered; at most `limit` (default MAX_LIST_LIMIT).
 */
export async function listNumbers(db: Dbs, options: NumberListOptions, _ctx: OpContext): Promise<string[]> {
  const limit = options.limit ?? MAX_LIST_LIMIT;
  if (options.random) return randomNumbers(db, limit, options.search);
  let query = db.provisioning.selectFrom('hermes_numbers').select('number');
  if (options.search !== undefined && options.search !== '') query = query.where(likeGlob('number', `*${options.search}*`));
  return (await query.orderBy('number').limit(limit).execute()).map((r) => r.number);
}

/** Whether the number is in the pool. */
export async function numberInPool(db: Dbs, number: string, _ctx: OpContext): Promise<boolean> {
  const n = checkE164(number);
  return (await pooled(db, [n])).has(n);
}
