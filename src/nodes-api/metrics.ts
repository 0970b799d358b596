import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { poolStatsOf } from '../db/dialects/server.js';
import type { Dbs } from '../db/types.js';
import { errorCatalogue, type ErrorDefinition } from '../errors.js';
import { NODES } from '../ops/index.js';
import type { OperationDoc } from './route-config.js';

/**
 * Where GET /metrics is served: 'token' (a token of scope `metrics`), 'public' (no token:
 * --no-auth on loopback), 'none' (not on this listener: --metrics-listen serves it elsewhere).
 */
export type MetricsAccess = 'token' | 'public' | 'none';

/**
 * The server's Prometheus metrics, one registry per app (no module-level state). Other
 * plugins add their own metrics to `registry` (`app.metrics.registry`); every label value is
 * from a bounded set: routes, methods, statuses, envelope responses and catalogued causes,
 * never a user, MAC, address or token.
 */
export interface ApiMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'node' | 'method' | 'status'>;
  readonly duration: Histogram<'node'>;
  readonly responses: Counter<'response' | 'cause'>;
  readonly authFailures: Counter<'reason'>;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ApiMetrics;
  }
}

const METHODS = new Set(['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

/** The causes a label may carry: the catalogue's and every node parameter's name; anything else is 'other'. */
function knownCauses(): ReadonlySet<string> {
  const causes = new Set<string>(['range']);
  for (const definition of Object.values(errorCatalogue) as ErrorDefinition[]) if (definition.envelope?.cause) causes.add(definition.envelope.cause);
  for (const node of NODES.values()) for (const param of node.params) causes.add(param);
  return causes;
}

function poolGauge(registry: Registry, dbs: Dbs): void {
  const databases = dbs.shared ? { kamailio: dbs.kamailio } : { kamailio: dbs.kamailio, provisioning: dbs.provisioning };
  new Gauge({
    name: 'hermes_db_pool_connections',
    help: 'Database pool connections by state (in_use, idle, waiting for one, max); not reported for SQLite',
    labelNames: ['database', 'state'],
    registers: [registry],
    collect() {
      for (const [database, db] of Object.entries(databases)) {
        const stats = poolStatsOf(db);
        if (!stats) continue;
        this.set({ database, state: 'in_use' }, stats.open - stats.idle);
        this.set({ database, state: 'idle' }, stats.idle);
        this.set({ database, state: 'waiting' }, stats.waiting);
        this.set({ database, state: 'max' }, stats.max);
      }
    },
  });
}

export function createMetrics(dbs: Dbs): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hermes_' });
  poolGauge(registry, dbs);
  const registers = [registry];
  return {
    registry,
    requests: new Counter({ name: 'hermes_http_requests_total', help: 'HTTP requests by node (route), method and status', labelNames: ['node', 'method', 'status'], registers }),
    duration: new Histogram({
      name: 'hermes_http_request_duration_seconds',
      help: 'Time from a request to its answer, by node (route)',
      labelNames: ['node'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    responses: new Counter({ name: 'hermes_api_responses_total', help: 'Node API envelopes by response and cause (causes outside the catalogue and node parameters: other)', labelNames: ['response', 'cause'], registers }),
    authFailures: new Counter({ name: 'hermes_auth_failures_total', help: 'Requests refused for their token: missing, invalid (unknown or revoked), forbidden (scope)', labelNames: ['reason'], registers }),
  };
}

/** The onResponse hook: counts a finished request. */
function recorder(metrics: ApiMetrics) {
  const causes = knownCauses();
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const node = request.routeOptions.url?.replace(/^\//, '') ?? '(unmatched)';
    const method = METHODS.has(request.method) ? request.method : 'other';
    metrics.requests.inc({ node, method, status: String(reply.statusCode) });
    metrics.duration.observe({ node }, reply.elapsedTime / 1000);
    const outcome = request.outcome;
    if (!outcome?.response) return;
    const cause = outcome.cause === undefined ? '' : causes.has(outcome.cause) ? outcome.cause : 'other';
    metrics.responses.inc({ response: outcome.response, cause });
    if (cause === 'unauthenticated') metrics.authFailures.inc({ reason: request.headers.authorization === undefined ? 'missing' : 'invalid' });
    else if (cause === 'forbidden') metrics.authFailures.inc({ reason: 'forbidden' });
  };
}

async function exposition(registry: Registry, reply: FastifyReply): Promise<FastifyReply> {
  return reply.header('content-type', registry.contentType).header('cache-control', 'no-store').send(await registry.metrics());
}

/**
 * Counts every request of `app` into a new registry (app.metrics) and, unless `access` is
 * 'none', serves it at GET /metrics in Prometheus' text format.
 */
export function registerMetrics(app: FastifyInstance, dbs: Dbs, access: MetricsAccess): ApiMetrics {
  const metrics = createMetrics(dbs);
  app.decorate('metrics', metrics);
  app.addHook('onResponse', recorder(metrics));
  if (access === 'none') return metrics;
  const openapi: OperationDoc = {
    summary: "Prometheus metrics (text format)",
    description: 'With token auth, a token of scope metrics; absent when hermes serve runs with --metrics-listen (served there, without a token).',
    tags: ['service'],
    ...(access === 'public' ? { security: [] } : {}),
    responses: {
      '200': { description: 'the metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
      '401': { description: 'no token, or an unknown one' },
      '403': { description: 'a token of another scope than metrics' },
    },
  };
  app.get('/metrics', { config: { public: access === 'public', quiet: true, openapi } }, async (request, reply) => {
    if (access === 'token' && request.principal?.scope !== 'metrics') {
      request.outcome = { ...request.outcome, response: 'failed', cause: 'forbidden' };
      return reply.code(403).send({ response: 'failed', cause: 'forbidden', detail: '/metrics needs a token with metrics scope (hermes token create NAME --scope metrics)' });
    }
    return exposition(metrics.registry, reply);
  });
  return metrics;
}

/** A listener of its own that serves only GET /metrics, without a token (--metrics-listen). */
export function buildMetricsServer(registry: Registry): FastifyInstance {
  const server = Fastify({ logger: false, exposeHeadRoutes: false, return503OnClosing: true });
  server.get('/metrics', async (_request, reply) => exposition(registry, reply));
  return server;
}
