import type { Dbs } from '../db/types.js';
import { hashToken, verifyToken, type TokenPrincipal } from '../ops/tokens.js';

export interface TokenCacheOptions {
  /** How long a verified token is trusted without asking the database again (ms). */
  ttlMs?: number;
  /** How long an unknown token is remembered as unknown (ms). */
  negativeTtlMs?: number;
  /** Entries kept at most; the cache is emptied when it would grow beyond. */
  maxEntries?: number;
}

interface Entry {
  expires: number;
  principal: Promise<TokenPrincipal | null>;
}

/**
 * Verifies bearer tokens against hermes_tokens, remembering each answer briefly so that a
 * busy server does not read the token table on every request, while a revoked token stops
 * working within ttlMs. Entries are keyed by the token's sha256 hash, never by the token.
 * Concurrent requests with the same token share one database lookup.
 */
export class TokenVerifier {
  private readonly cache = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly negativeTtlMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly db: Dbs,
    options: TokenCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 5_000;
    this.negativeTtlMs = options.negativeTtlMs ?? 1_000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  async verify(token: string): Promise<TokenPrincipal | null> {
    const key = hashToken(token);
    const now = Date.now();
    const cached = this.cache.get(key);
    if (cached && cached.expires > now) return cached.principal;
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    const principal = verifyToken(this.db, token);
    const entry: Entry = { expires: now + this.ttlMs, principal };
    this.cache.set(key, entry);
    try {
      const result = await principal;
      if (result === null) entry.expires = Date.now() + this.negativeTtlMs;
      return result;
    } catch (error) {
      // A database failure is not an answer: do not remember it.
      if (this.cache.get(key) === entry) this.cache.delete(key);
      throw error;
    }
  }

  /** Forgets every remembered answer (tests, or after revoking a token in-process). */
  clear(): void {
    this.cache.clear();
  }
}

/** The token of an `Authorization: Bearer TOKEN` header, or null. */
export function bearerToken(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header);
  return match ? match[1] : null;
}
