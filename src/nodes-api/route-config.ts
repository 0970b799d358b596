/**
 * What a route of the server says about itself in its `config` (Fastify route options), read
 * by the hooks of app.ts: health probes, the OpenAPI description and (where allowed)
 * /metrics are `public` (no token), and probes are `quiet` (no request log line).
 */
declare module 'fastify' {
  interface FastifyContextConfig {
    /** Answered without a token. */
    public?: boolean;
    /** No request log line (probes every second would drown the log). */
    quiet?: boolean;
  }
}

export {};
