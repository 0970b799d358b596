import type { FastifyServerOptions } from 'fastify';

export interface LogOptions {
  /** pino level: fatal, error, warn, info (default), debug, trace, silent. */
  level?: string;
  /** Where the JSON lines go (default stdout). */
  stream?: NodeJS.WritableStream;
}

/** Parameters whose values never reach a log line. */
const SECRET_PARAM = /pass|secret|token|auth|ha1/i;

/**
 * A request URL safe to log: the path, and the query with the values of secret-looking
 * parameters (password, token, …) replaced by [REDACTED].
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const path = url.slice(0, q);
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawKey = eq < 0 ? pair : pair.slice(0, eq);
      let key = rawKey;
      try {
        key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      } catch {
        // Malformed escapes: judge the raw key.
      }
      return SECRET_PARAM.test(key) || SECRET_PARAM.test(rawKey) ? `${rawKey}=[REDACTED]` : pair;
    })
    .join('&');
  return `${path}?${query}`;
}

/**
 * Fastify's logger (pino, JSON lines) without secrets: the Authorization header and cookies
 * are redacted, request URLs go through redactUrl, bodies are never logged.
 */
export function loggerOptions(options: LogOptions): NonNullable<FastifyServerOptions['logger']> {
  return {
    level: options.level ?? 'info',
    ...(options.stream ? { stream: options.stream } : {}),
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'authorization', 'token', 'password'],
      censor: '[REDACTED]',
    },
    serializers: {
      req(request: { method: string; url: string; ip?: string; socket?: { remoteAddress?: string } }) {
        return { method: request.method, url: redactUrl(request.url), remoteAddress: request.ip ?? request.socket?.remoteAddress };
      },
    },
  };
}
