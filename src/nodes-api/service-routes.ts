import type { FastifyInstance } from 'fastify';
import type { Dbs } from '../db/types.js';
import { registerHealth, type HealthOptions } from './health.js';
import { registerMetrics, type MetricsAccess } from './metrics.js';
import { registerOpenApi } from './openapi.js';

/**
 * What makes the API a service an operator can run: the OpenAPI description (first: it
 * collects the routes registered after it), the health probes and the metrics with their hook.
 */
export function registerServiceRoutes(app: FastifyInstance, dbs: Dbs, options: { health?: HealthOptions; metrics: MetricsAccess }): void {
  registerOpenApi(app);
  registerHealth(app, dbs, options.health);
  registerMetrics(app, dbs, options.metrics);
}
