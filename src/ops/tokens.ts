import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Dbs, TokenScope } from '../db/types.js';
import { inTransaction } from '../db/transaction.js';
import type { OpContext } from './context.js';
import { failed, invalid } from './envelope.js';
import { opTime, writeAudit } from './audit.js';

/**
 * API tokens: the only writer of hermes_tokens. A token is shown once, when created; only its
 * sha256 hash is stored. Verification hashes the presented token, looks the hash up and
 * compares it again in constant time.
 */

export const TOKEN_PREFIX = 'hms_';
export const TOKEN_SCOPES: readonly TokenScope[] = ['read', 'write', 'provision', 'metrics'];
/** Token names: what the audit log shows as `token:<name>`. */
export const TOKEN_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
/** Presented tokens longer than this are refused without hashing. */
const MAX_TOKEN_LENGTH = 256;

export interface TokenInfo {
  name: string;
  scope: TokenScope;
  created: string;
}

export interface CreatedToken extends TokenInfo {
  /** The token itself: shown once, never stored. */
  token: string;
}

/** Who a verified token belongs to. */
export interface TokenPrincipal {
  name: string;
  scope: TokenScope;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new token: `hms_` and 32 random bytes in base64url (43 characters). */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

function checkName(name: string): void {
  if (!TOKEN_NAME_PATTERN.test(name)) {
    throw invalid('name', `token name "${name.slice(0, 80)}" is not valid: use 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit`);
  }
}

function checkScope(scope: string): asserts scope is TokenScope {
  if (!(TOKEN_SCOPES as readonly string[]).includes(scope)) {
    throw invalid('scope', `token scope "${scope.slice(0, 80)}" is not valid: use ${TOKEN_SCOPES.join(', ')}`);
  }
}

function nowIso(ctx: OpContext): string {
  return opTime(ctx).toISOString();
}

/** Creates a token; failed/exists when the name is taken. Audited as token/create. */
export async function createToken(db: Dbs, input: { name: string; scope: string }, ctx: OpContext): Promise<CreatedToken> {
  checkName(input.name);
  checkScope(input.scope);
  const scope = input.scope;
  const token = generateToken();
  const created = nowIso(ctx);
  await inTransaction(db, async (trx) => {
    const existing = await trx.provisioning.selectFrom('hermes_tokens').select('id').where('name', '=', input.name).executeTakeFirst();
    if (existing) throw failed('exists', `a token named "${input.name}" exists already: revoke it first or choose another name`);
    await trx.provisioning
      .insertInto('hermes_tokens')
      .values({ name: input.name, scope, token_hash: hashToken(token), created_at: created })
      .execute();
    await writeAudit(trx, 'token/create', [{ key: `token:${input.name}`, detail: { scope } }], ctx);
  });
  return { name: input.name, scope, created, token };
}

/** Every token, by name, without hashes. */
export async function listTokens(db: Dbs): Promise<TokenInfo[]> {
  const rows = await db.provisioning.selectFrom('hermes_tokens').select(['name', 'scope', 'created_at']).orderBy('name').execute();
  return rows.map((r) => ({ name: r.name, scope: r.scope, created: r.created_at }));
}

/** Whether any token exists (the server refuses to start without one, unless --no-auth). */
export async function hasTokens(db: Dbs): Promise<boolean> {
  const row = await db.provisioning.selectFrom('hermes_tokens').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Revokes (deletes) a token; failed/nonexistant when there is none of that name. */
export async function revokeToken(db: Dbs, name: string, ctx: OpContext): Promise<void> {
  checkName(name);
  await inTransaction(db, async (trx) => {
    const result = await trx.provisioning.deleteFrom('hermes_tokens').where('name', '=', name).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw failed('nonexistant', `there is no token named "${name}" (see hermes token list)`);
    await writeAudit(trx, 'token/revoke', [{ key: `token:${name}` }], ctx);
  });
}

/**
 * The principal of a presented token, or null when it is unknown or malformed. The lookup is
 * by hash, so the token itself never reaches the database; the stored hash is then compared
 * in constant time.
 */
export async function verifyToken(db: Dbs, token: string): Promise<TokenPrincipal | null> {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return null;
  const hash = hashToken(token);
  const row = await db.provisioning.selectFrom('hermes_tokens').select(['name', 'scope', 'token_hash']).where('token_hash', '=', hash).executeTakeFirst();
  if (!row) return null;
  const stored = Buffer.from(String(row.token_hash).trim(), 'utf8');
  const presented = Buffer.from(hash, 'utf8');
  if (stored.length !== presented.length || !timingSafeEqual(stored, presented)) return null;
  if (!(TOKEN_SCOPES as readonly string[]).includes(row.scope)) return null;
  return { name: row.name, scope: row.scope };
}
