import type { FastifyInstance, FastifyReply } from 'fastify';
import { databasesReady } from '../db/readiness.js';
import type { Dbs } from '../db/types.js';
import type { OperationDoc } from './route-config.js';

export interface HealthOptions {
  /** How long one answer of the database check is reused (ms; default 1000). */
  readyCacheMs?: number;
  /** How long the database check may take before the server counts as not ready (ms; default 2000). */
  readyTimeoutMs?: number;
}

/**
 * The database check behind GET /readyz, at most once per readyCacheMs however many probes
 * arrive (concurrent probes share one check), so that an unauthenticated caller cannot turn
 * probes into database load. One per app: no state at module level.
 */
export class ReadinessProbe {
  private last: { at: number; ready: Promise<boolean> } | undefined;
  private readonly cacheMs: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly dbs: Dbs,
    private readonly onError: (error: unknown) => void,
    options: HealthOptions = {},
  ) {
    this.cacheMs = options.readyCacheMs ?? 1_000;
    this.timeoutMs = options.readyTimeoutMs ?? 2_000;
  }

  ready(): Promise<boolean> {
    const now = Date.now();
    if (this.last && now - this.last.at < this.cacheMs) return this.last.ready;
    const ready = this.check();
    this.last = { at: now, ready };
    return ready;
  }

  private async check(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => {
        this.onError(new Error(`the database check took longer than ${this.timeoutMs} ms`));
        resolve(false);
      }, this.timeoutMs);
    });
    const check = databasesReady(this.dbs).catch((error: unknown) => {
      this.onError(error);
      return false;
    });
    try {
      return await Promise.race([check, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function answer(reply: FastifyReply, status: number, body: { status: string }): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').send(body);
}

/**
 * GET /healthz (the process answers: 200 {"status":"ok"}) and GET /readyz (the databases
 * answer with the schema hermes expects: 200 {"status":"ready"}, else 503
 * {"status":"unready"}). No token, no request log line, and no detail beyond that word: the
 * reason of an unready server goes to its log. While the server drains (SIGTERM) both answer
 * 503, so a load balancer stops sending it requests.
 */
export function registerHealth(app: FastifyInstance, dbs: Dbs, options: HealthOptions = {}): void {
  const probe = new ReadinessProbe(dbs, (error) => app.log.warn({ err: error }, 'readiness check failed'), options);
  const status = (word: string) => ({ 'application/json': { schema: { type: 'object', required: ['status'], properties: { status: { const: word } } } } });
  const described = (summary: string, description: string, responses: OperationDoc['responses']) => ({ public: true, quiet: true, openapi: { summary, description, tags: ['service'], security: [], responses } });
  const healthz = described('Liveness: the process answers', 'For a liveness probe; says nothing about the database.', { '200': { description: 'alive', content: status('ok') }, '503': { description: 'shutting down' } });
  const readyz = described('Readiness: the databases answer with the schema this hermes expects', 'For a load balancer or readiness probe; checked at most once a second; the reason of an unready server is in its log, never in the answer.', {
    '200': { description: 'ready', content: status('ready') },
    '503': { description: 'not ready (or shutting down)', content: status('unready') },
  });
  app.get('/healthz', { config: healthz }, async (_request, reply) => answer(reply, 200, { status: 'ok' }));
  app.get('/readyz', { config: readyz }, async (_request, reply) => ((await probe.ready()) ? answer(reply, 200, { status: 'ready' }) : answer(reply, 503, { status: 'unready' })));
}
