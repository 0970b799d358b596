/**
 * Secret pins: a saved plan (`hermes plan --out`) names every secret it will write (a user's
 * password, the phones' admin_password, the provisioning server's password) by a keyed hash,
 * and `hermes apply --plan` refuses the plan when a secret the environment gives at apply time
 * is not the one that was reviewed.
 *
 * pin = HMAC-SHA256(key, salt ‖ JSON [object, field, secret]), hex.
 * - `key`: 32 random bytes made once per provisioning database (hermes_keys 'plan-pin', by
 *   `hermes init`), never in a plan file. A plan made in CI and applied later, from another
 *   machine, verifies because both read the same database; nothing has to be handed between
 *   them. Without the key a pin says nothing about the secret, however weak the secret is (an
 *   unkeyed or plan-salted hash of a weak password could be guessed offline from the plan
 *   file alone). Whoever can read the key can read the database, which already holds what
 *   guessing a pin would give (Kamailio's ha1 and plaintext password columns, remote users'
 *   passwords), so the key adds no exposure; and an HMAC costs microseconds, so pinning the
 *   100,000 passwords of a first apply costs nothing, where a slow KDF per secret would take
 *   minutes.
 * - `salt`: 32 random bytes per plan, stored in it, so that two plans (or two users sharing a
 *   password) never show equal pins.
 *
 * One case has no database key: a plan of the default SQLite database before its file exists
 * (plan reads an empty stand-in and creates nothing; apply then creates the database and its
 * key). Such a plan says `scheme: 'scrypt'` and each pin is scrypt(JSON [object, field,
 * secret], salt, N=2^15, r=8): slow to guess by design (about 50 ms a try), which the small
 * first plan of a new local platform can afford.
 */
import { createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { Dbs } from '../db/types.js';
import type { DesiredState } from '../desired/types.js';
import { HermesError } from '../errors.js';
import { secretField } from '../provisioning/index.js';
import { desiredItems } from './kinds/provisioning/index.js';
import type { Plan } from './plan-types.js';

/** One secret a plan writes, named by its object and field (never its value). */
export interface SecretPin {
  /** `user alice@example.com`, `provisioning settings`, `provisioning phone:001565aabbcc`, ... */
  object: string;
  field: string;
  /** HMAC-SHA256 hex. */
  pin: string;
}

/** What a saved plan stores: how it pins, its salt and a pin per secret it writes. */
export interface PlanSecrets {
  /** hmac-sha256 keyed by the database's key; scrypt when the database did not exist yet. */
  scheme: 'hmac-sha256' | 'scrypt';
  salt: string;
  pins: SecretPin[];
}

/** The database's key, or none (a plan of a database that does not exist yet: scrypt pins). */
export type PinKey = Buffer | 'none';

const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

interface WrittenSecret {
  object: string;
  field: string;
  value: string;
}

const KEY_NAME = 'plan-pin';

/** The database's pin key (hermes_keys); refused when it is missing (`hermes init` makes it). */
export async function readPinKey(db: Dbs & { ephemeral?: boolean }): Promise<PinKey> {
  if (db.ephemeral) return 'none';
  const row = await db.provisioning.selectFrom('hermes_keys').select('value').where('name', '=', KEY_NAME).executeTakeFirst();
  if (!row || !/^[0-9a-f]{64}$/.test(row.value)) {
    throw new HermesError('DB_TABLE_MISSING', "the key that pins a saved plan's secrets (hermes_keys) is missing: recreate it with `hermes init`");
  }
  return Buffer.from(row.value, 'hex');
}

/** Every secret the plan's changes write, with its value read from the desired state. */
function writtenSecrets(plan: Plan, desired: DesiredState): WrittenSecret[] {
  const out: WrittenSecret[] = [];
  const users = new Map((desired.users ?? []).map((u) => [u.address, u]));
  let items: ReturnType<typeof desiredItems>['items'] | undefined;
  for (const c of plan.changes) {
    if (c.kind === 'user' && (c.action === 'create' || (c.action === 'update' && c.passwordChanges))) {
      const password = users.get(c.key)?.password;
      if (password !== undefined) out.push({ object: `user ${c.key}`, field: 'password', value: password });
    } else if (c.kind === 'provisioning' && c.action !== 'delete') {
      items ??= desiredItems(desired).items;
      const secret = items.get(c.item)?.secret;
      if (secret !== undefined) out.push({ object: `provisioning ${c.item}`, field: secretField(c.item), value: secret });
    }
  }
  return out;
}

function pinOf(key: PinKey, salt: Buffer, s: WrittenSecret): string {
  const message = JSON.stringify([s.object, s.field, s.value]);
  if (key === 'none') return scryptSync(message, salt, 32, SCRYPT).toString('hex');
  return createHmac('sha256', key).update(salt).update(message).digest('hex');
}

/** The secrets block of a plan to save: a fresh salt and the pins of the secrets it writes. */
export function pinSecrets(plan: Plan, desired: DesiredState, key: PinKey): PlanSecrets {
  const salt = randomBytes(32);
  const pins = writtenSecrets(plan, desired).map((s) => ({ object: s.object, field: s.field, pin: pinOf(key, salt, s) }));
  return { scheme: key === 'none' ? 'scrypt' : 'hmac-sha256', salt: salt.toString('hex'), pins };
}

const nameOf = (p: { object: string; field: string }) => `${p.object} ${p.field}`;

/**
 * Refuses (PLAN_SECRET_CHANGED) a saved plan whose pinned secrets are not the ones the plan
 * about to run writes: a secret that differs, one the saved plan did not pin, or one it pinned
 * that is no longer written. Names the objects and fields, never a value.
 */
export function checkPinnedSecrets(saved: PlanSecrets | undefined, plan: Plan, desired: DesiredState, databaseKey: PinKey): void {
  const written = writtenSecrets(plan, desired);
  if (written.length === 0 && (saved === undefined || saved.pins?.length === 0)) return;
  if (saved === undefined || typeof saved.salt !== 'string' || !/^[0-9a-f]{64}$/.test(saved.salt) || !Array.isArray(saved.pins) || (saved.scheme !== 'hmac-sha256' && saved.scheme !== 'scrypt')) {
    throw new HermesError('PLAN_SECRET_CHANGED', 'the saved plan does not pin the secrets it writes (it was made by an older hermes or edited): plan again');
  }
  const key: PinKey = saved.scheme === 'scrypt' ? 'none' : databaseKey;
  const salt = Buffer.from(saved.salt, 'hex');
  const pinned = new Map(saved.pins.map((p) => [nameOf(p), String(p.pin)]));
  const differ: string[] = [];
  for (const s of written) {
    const name = nameOf(s);
    const was = pinned.get(name);
    pinned.delete(name);
    const now = Buffer.from(pinOf(key, salt, s), 'hex');
    const before = Buffer.from(was ?? '', 'hex');
    if (before.length !== now.length || !timingSafeEqual(before, now)) differ.push(was === undefined ? `${name} (not in the reviewed plan)` : name);
  }
  for (const name of pinned.keys()) differ.push(`${name} (no longer written)`);
  if (differ.length === 0) return;
  const listed = differ.slice(0, 20).join(', ') + (differ.length > 20 ? ` and ${differ.length - 20} more` : '');
  throw new HermesError('PLAN_SECRET_CHANGED', `the saved plan is refused: a secret differs from the one reviewed: ${listed} (plan again, and review the new plan)`);
}
