import type { ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * What one client may hold of the server: how long it may take to send a request, how long an
 * idle connection stays open, how many connections are open at once. The defaults suit a
 * server on a hostile network (docs/api.md, "Limits and timeouts").
 */
export interface ServerLimits {
  /** Milliseconds from a connection's first byte to the end of the request headers. */
  headersTimeout: number;
  /** Milliseconds from a connection's first byte to the end of the request body. */
  requestTimeout: number;
  /** Milliseconds a kept-alive connection may stay idle between requests. */
  keepAliveTimeout: number;
  /** Milliseconds a socket may stay silent in either direction (a node still running keeps it open only as long). */
  idleTimeout: number;
  /** Requests served on one kept-alive connection before it is closed. */
  maxRequestsPerSocket: number;
  /** Open connections at once; more are closed as they arrive. */
  maxConnections: number;
  /** Largest request body in bytes. */
  bodyLimit: number;
}

export const DEFAULT_LIMITS: Readonly<ServerLimits> = Object.freeze({
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 5_000,
  idleTimeout: 120_000,
  maxRequestsPerSocket: 1_000,
  maxConnections: 1_024,
  bodyLimit: 64 * 1024,
});

/** The defaults with `overrides` applied. */
export function serverLimits(overrides: Partial<ServerLimits> = {}): ServerLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(overrides) as [keyof ServerLimits, number | undefined][]) {
    if (value !== undefined) limits[key] = value;
  }
  // Node refuses a headers timeout longer than the request timeout.
  limits.headersTimeout = Math.min(limits.headersTimeout, limits.requestTimeout);
  return limits;
}

/**
 * Fastify's server options for the limits. Node checks the header and request timeouts on a
 * timer (30 s by default); a check every second makes them hold to the second. With `https`
 * (a certificate and key), the server is an HTTPS one: Fastify gives it only its https
 * options, so the header timeouts go there too.
 */
export function fastifyLimitOptions(
  limits: ServerLimits,
  https?: { cert: string | Buffer; key: string | Buffer },
): {
  http: ServerOptions;
  https?: ServerOptions & { cert: string | Buffer; key: string | Buffer };
  requestTimeout: number;
  keepAliveTimeout: number;
  connectionTimeout: number;
  maxRequestsPerSocket: number;
  bodyLimit: number;
} {
  const http = { headersTimeout: limits.headersTimeout, connectionsCheckingInterval: Math.min(1_000, limits.headersTimeout) };
  return {
    http,
    ...(https ? { https: { ...http, ...https } } : {}),
    requestTimeout: limits.requestTimeout,
    keepAliveTimeout: limits.keepAliveTimeout,
    connectionTimeout: limits.idleTimeout,
    // Node's own limit answers 503 to every request past it on a connection the client keeps
    // using; closeConnectionsAfter() closes the connection instead (as docs/api.md says).
    maxRequestsPerSocket: 0,
    bodyLimit: limits.bodyLimit,
  };
}

/**
 * Closes a kept-alive connection after its `limit`-th answer: that answer says
 * `Connection: close` and the server ends the connection once it is sent, so the client opens a
 * new one. (Node's maxRequestsPerSocket only says `Connection: close` and then answers 503 to
 * every further request of a client that keeps the connection, as load generators do.)
 */
export function closeConnectionsAfter(app: FastifyInstance, limit: number): void {
  if (limit <= 0) return;
  const served = new WeakMap<Socket, number>();
  app.addHook('onRequest', (request, reply, done) => {
    const socket = request.raw.socket;
    const n = (served.get(socket) ?? 0) + 1;
    served.set(socket, n);
    if (n >= limit) reply.raw.shouldKeepAlive = false;
    done();
  });
}
