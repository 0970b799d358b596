/**
 * Rate limiting of failures per client address: failed authentications and requests for
 * unknown phones or files. @fastify/rate-limit counts them (createRateLimit, its own store and
 * windows); once a client exceeds the limit, every request of it gets 429 with Retry-After
 * until the window ends, a right password included (or the lock-out would be an oracle).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/rate-limit';
import { plainAddress } from '../../model/index.js';

export interface FailureLimits {
  /** Failures allowed per client address in a window (default 10). */
  max: number;
  /** The window in milliseconds (default 60 s). */
  window: number;
}

export const DEFAULT_FAILURE_LIMITS: FailureLimits = { max: 10, window: 60_000 };

/** Locked-out clients kept before the expired ones are dropped. */
const LOCKOUTS = 10_000;

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

function tooMany(reply: FastifyReply, ms: number): FastifyReply {
  return reply
    .code(429)
    .header('retry-after', String(Math.max(1, Math.ceil(ms / 1000))))
    .header('content-type', 'text/plain; charset=utf-8')
    .header('cache-control', 'no-store')
    .send('too many failed requests from this address: retry later\n');
}

export class FailureLimiter {
  private readonly limit: Limiter;
  /** Client address -> the time its lock-out ends (ms). */
  private readonly until = new Map<string, number>();

  constructor(app: FastifyInstance, limits: Partial<FailureLimits> = {}) {
    const { max, window } = { ...DEFAULT_FAILURE_LIMITS, ...limits };
    this.limit = app.createRateLimit({ max, timeWindow: window, keyGenerator: (request) => plainAddress(request.ip) });
  }

  /** A 429 reply when the client is locked out now. */
  locked(request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
    const end = this.until.get(plainAddress(request.ip));
    if (end === undefined) return undefined;
    const left = end - Date.now();
    if (left > 0) return tooMany(reply, left);
    this.until.delete(plainAddress(request.ip));
    return undefined;
  }

  /** Counts a failure; a 429 reply (and a lock-out) when the client has now had too many. */
  async fail(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const result = await this.limit(request);
    if (result.isAllowed || !result.isExceeded) return undefined;
    const ttl = result.ttl;
    if (this.until.size >= LOCKOUTS) {
      const now = Date.now();
      for (const [client, end] of this.until) if (end <= now) this.until.delete(client);
      if (this.until.size >= LOCKOUTS) this.until.clear();
    }
    this.until.set(plainAddress(request.ip), Date.now() + ttl);
    return tooMany(reply, ttl);
  }
}
