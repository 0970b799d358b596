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
    /** The node a route runs (its OpenAPI operation is generated from the node's definition). */
    node?: string;
    /** The OpenAPI operation of a route that is not a node (health, metrics); routes without either are not described. */
    openapi?: OperationDoc;
  }
}

/** An OpenAPI 3.1 operation object, as a route describes itself. */
export interface OperationDoc {
  summary: string;
  description?: string;
  tags?: string[];
  /** [] for a route without a token. */
  security?: Record<string, string[]>[];
  responses: Record<string, { description: string; content?: Record<string, { schema: Record<string, unknown> }> }>;
}
