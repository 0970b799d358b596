/**
 * Phones: hermes_phones rows, a MAC's lines in order. When `phones` is not managed, removed
 * users' lines still go with them. An update is a removal (before the plan's deletes) and an
 * addition.
 */
import type { Dbs } from '../../../db/types.js';
import type { Address, PhoneLine } from '../../../model/index.js';
import { addPhones, removePhones } from '../../../ops/index.js';
import type { ChangeDisplay } from '../../plan-types.js';
import type { ExecContext, PlanContext, ResourceKind } from '../kind.js';

export interface PhoneChange extends ChangeDisplay {
  kind: 'phone';
  /** 12 lowercase hex digits. */
  mac: string;
  /** update, delete: the lines before, in line order. */
  previousLines?: Address[];
  /** create, update: the lines after, in line order. */
  lines?: Address[];
}

/** A line of the desired or actual state (a canonical address: its domain has no '@'). */
function lineAddress(line: string): Address {
  const at = line.lastIndexOf('@');
  return { username: line.slice(0, at), domain: line.slice(at + 1) };
}

const addresses = (lines: string[]) => lines.map(lineAddress);

function sameLines(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function change(ctx: PlanContext, mac: string, before: string[] | undefined, after: string[] | undefined, at?: PhoneChange['at']): void {
  const action = before === undefined ? 'create' : after === undefined ? 'delete' : 'update';
  const c: PhoneChange = { action, kind: 'phone', key: mac, mac };
  if (before !== undefined) (c.before = { lines: before }), (c.previousLines = addresses(before));
  if (after !== undefined) (c.after = { lines: after }), (c.lines = addresses(after));
  if (at !== undefined) c.at = at;
  ctx.add(c);
}

function planManaged(ctx: PlanContext): void {
  const { desired, actual } = ctx;
  ctx.managed.phone = actual.phones.size;
  const want = new Map(desired.phones!.map((p) => [p.mac, p]));
  for (const [mac, lines] of actual.phones) {
    const p = want.get(mac);
    if (!p) change(ctx, mac, lines, undefined);
    else if (!sameLines(lines, p.lines)) change(ctx, mac, lines, p.lines, p.at);
  }
  for (const p of desired.phones!) if (!actual.phones.has(p.mac)) change(ctx, p.mac, undefined, p.lines, p.at);
}

/** Phones are not managed, but the lines of removed users must go with them. */
function planRemovedLines(ctx: PlanContext): void {
  const gone = ctx.deletedUsers;
  for (const [mac, lines] of ctx.actual.phones) {
    if (!lines.some((l) => gone.has(l))) continue;
    const kept = lines.filter((l) => !gone.has(l));
    change(ctx, mac, lines, kept.length === 0 ? undefined : kept);
  }
}

const lineKeys = (changes: PhoneChange[]) => changes.flatMap((c) => (c.previousLines ?? []).map((a) => ({ mac: c.mac, ...a })));

async function removeLines(db: Dbs, changes: PhoneChange[], ctx: ExecContext): Promise<void> {
  await removePhones(db, lineKeys(changes), ctx.ops);
}

export const phones: ResourceKind<PhoneChange> = {
  kind: 'phone',
  plan(ctx) {
    if (ctx.desired.phones !== undefined) planManaged(ctx);
    else if (ctx.deletedUsers.size > 0) planRemovedLines(ctx);
  },
  beforeDeletes: removeLines,
  async execute(db, action, changes, ctx) {
    if (action === 'delete') return removeLines(db, changes, ctx);
    const lines: PhoneLine[] = changes.flatMap((c) => (c.lines ?? []).map((a, i) => ({ mac: c.mac, ...a, line: i + 1 })));
    await addPhones(db, lines, ctx.ops);
  },
};
