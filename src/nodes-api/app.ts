import formbody from '@fastify/formbody';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Dbs } from '../db/types.js';
import { envelopeOfError, isHermesError } from '../errors.js';
import type { OpContext } from '../ops/context.js';
import type { Envelope, FailureEnvelope } from '../ops/envelope.js';
import { NODES, callNode, type NodeDefinition } from '../ops/index.js';
import type { TokenPrincipal } from '../ops/tokens.js';
import { TokenVerifier, bearerToken, type TokenCacheOptions } from './auth.js';
import { parseJsonBody } from './json-body.js';
import { provisioningServer, type ProvisioningServerOptions } from './provisioning/index.js';
import { loggerOptions, type LogOptions } from './logging.js';
import { closeConnectionsAfter, fastifyLimitOptions, serverLimits, type ServerLimits } from './limits.js';
import { NODE_METHODS, methodNotAllowed } from './methods.js';
import { requestParams } from './params.js';
import { httpStatusOf } from './status.js';
import type { HealthOptions } from './health.js';
import type { MetricsAccess } from './metrics.js';
import { registerServiceRoutes } from './service-routes.js';
import './route-config.js';

export interface AppOptions {
  /**
   * 'tokens' (default): every request needs `Authorization: Bearer TOKEN`. 'none' (--no-auth,
   * loopback only; the CLI enforces that): every caller is `anonymous` with write scope.
   */
  auth?: 'tokens' | 'none';
  /** Every mutating node answers failed/readonly (HTTP 409). */
  readOnly?: boolean;
  /** JSON request logs; false for none. */
  log?: LogOptions | false;
  tokenCache?: TokenCacheOptions;
  /** Largest accepted request body in bytes (default 64 KiB); the same as limits.bodyLimit. */
  bodyLimit?: number;
  /** Timeouts and the connection cap (defaults: DEFAULT_LIMITS). */
  limits?: Partial<ServerLimits>;
  /** TLS: the certificate chain and key (PEM); plain HTTP without. */
  https?: { cert: string | Buffer; key: string | Buffer };
  /** Serve phones' files at /provision/* (when the applied state has provisioning; see provisioning/). */
  provisioning?: Omit<ProvisioningServerOptions, 'dbs'>;
  /** GET /readyz's database check (health.ts). */
  health?: HealthOptions;
  /** GET /metrics: 'token' (scope metrics; default with tokens), 'public' (default with auth 'none'), 'none' (served elsewhere). */
  metrics?: MetricsAccess;
}

/** What a request did, for its log line. */
interface RequestOutcome {
  actor?: string;
  node?: string;
  response?: string;
  cause?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: TokenPrincipal | null;
    outcome: RequestOutcome | null;
  }
}

const ANONYMOUS: TokenPrincipal = { name: 'anonymous', scope: 'write' };

function actorOf(principal: TokenPrincipal): string {
  return principal === ANONYMOUS ? 'anonymous' : `token:${principal.name}`;
}

function send(request: FastifyRequest, reply: FastifyReply, envelope: Envelope, status = httpStatusOf(envelope)): FastifyReply {
  const outcome = (request.outcome ??= {});
  outcome.response = envelope.response;
  if (envelope.response !== 'ok') outcome.cause = (envelope as FailureEnvelope).cause;
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="hermes"');
  return reply.code(status).send(envelope);
}

/** The onRequest hook: the caller's token (or anonymous with --no-auth) as request.principal. */
function authenticate(auth: 'tokens' | 'none', verifier: TokenVerifier) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.routeOptions.config.public) return; // health probes, /openapi.json
    if (auth === 'none') {
      request.principal = ANONYMOUS;
      request.outcome = { actor: 'anonymous' };
      return;
    }
    const token = bearerToken(request.headers.authorization);
    let principal: TokenPrincipal | null = null;
    try {
      principal = token === null ? null : await verifier.verify(token);
    } catch (error) {
      request.log.error({ err: error }, 'token verification failed');
      return send(request, reply, { response: 'error', cause: 'dbfail', detail: 'the server cannot check tokens now; see its log' });
    }
    if (!principal) {
      return send(request, reply, {
        response: 'failed',
        cause: 'unauthenticated',
        detail: token === null ? 'send a token: Authorization: Bearer TOKEN (create one with hermes token create)' : 'the token is not valid (unknown or revoked)',
      });
    }
    request.principal = principal;
    request.outcome = { actor: actorOf(principal) };
  };
}

/** The onResponse hook: one JSON log line per request. */
async function logRequest(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.routeOptions.config.quiet) return;
  const outcome = request.outcome ?? {};
  request.log.info({ req: request, res: { statusCode: reply.statusCode }, responseTime: Math.round(reply.elapsedTime * 100) / 100, ...outcome }, 'request completed');
}

/** The route handler of a node: scope and read-only checks, parameters, the call, its envelope. */
function nodeHandler(dbs: Dbs, options: AppOptions, inFlight: Set<Promise<Envelope>>) {
  return (node: NodeDefinition) => async (request: FastifyRequest, reply: FastifyReply) => {
    const principal = request.principal!;
    const outcome = (request.outcome ??= {});
    outcome.node = node.name;
    if (principal.scope === 'metrics') {
      return send(request, reply, { response: 'failed', cause: 'forbidden', detail: `a metrics token may read GET /metrics only, not call ${node.name}` });
    }
    if (node.mutates && principal.scope !== 'write') {
      return send(request, reply, { response: 'failed', cause: 'forbidden', detail: `${node.name} changes data: it needs a token with write scope` });
    }
    if (node.mutates && options.readOnly) {
      return send(request, reply, { response: 'failed', cause: 'readonly', detail: `${node.name} changes data, and this server is read-only (--read-only)` });
    }
    const parsed = requestParams(request.query, request.method === 'POST' ? request.body : undefined);
    if ('invalid' in parsed) return send(request, reply, parsed.invalid);
    const ctx: OpContext = {
      actor: actorOf(principal),
      // a provision token sees the passwords in phones' files (phone/config), and nothing else
      showSecrets: principal.scope === 'write' || (principal.scope === 'provision' && node.name === 'phone/config'),
      // Driver errors go to the server log only; the client gets error/dbfail.
      onError: (error) => request.log.error({ err: error, node: node.name }, 'node failed with an error'),
    };
    const call = callNode(dbs, node.name, parsed.params, ctx);
    inFlight.add(call);
    try {
      return send(request, reply, await call);
    } finally {
      inFlight.delete(call);
    }
  };
}

/**
 * The Hermes node API as a Fastify instance, not listening (`inject` in tests, `listen` in
 * `hermes serve`). Every node of NODES answers GET (query) and POST (form or JSON) at
 * /<family>/<node> with its envelope; the HTTP status mirrors the envelope.
 */
export function buildApp(dbs: Dbs, options: AppOptions = {}): FastifyInstance {
  const auth = options.auth ?? 'tokens';
  const verifier = new TokenVerifier(dbs, options.tokenCache);
  const logRequests = options.log !== false && ['info', 'debug', 'trace'].includes(options.log?.level ?? 'info');
  const limits = serverLimits({ bodyLimit: options.bodyLimit, ...options.limits });
  const app = Fastify({
    logger: options.log === false ? false : loggerOptions(options.log ?? {}),
    logController: new LogController({ disableRequestLogging: true }),
    ...fastifyLimitOptions(limits, options.https),
    // HEAD would otherwise run every GET route's node (a write among them).
    exposeHeadRoutes: false,
    return503OnClosing: true,
  }) as unknown as FastifyInstance;
  app.server.maxConnections = limits.maxConnections;
  closeConnectionsAfter(app, limits.maxRequestsPerSocket);
  app.register(formbody, { bodyLimit: limits.bodyLimit });
  // Node calls still running; close() waits for them, so the databases can be closed next.
  const inFlight = new Set<Promise<Envelope>>();
  app.addHook('onClose', async () => {
    await Promise.allSettled([...inFlight]);
  });
  app.decorateRequest('principal', null);
  app.decorateRequest('outcome', null);

  // JSON bodies: an object, each key once (Fastify's own parser lets a repeated key win).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  // Authentication first, before any body is parsed, for every path (unknown ones too).
  app.addHook('onRequest', authenticate(auth, verifier));
  // One JSON line per request: method, URL without secrets, status, time, actor, node, outcome.
  if (logRequests) app.addHook('onResponse', logRequest);
  const handle = nodeHandler(dbs, options, inFlight);
  registerServiceRoutes(app, dbs, { health: options.health, metrics: options.metrics ?? (auth === 'none' ? 'public' : 'token') });
  if (options.provisioning) app.register(provisioningServer, { ...options.provisioning, dbs });

  for (const node of NODES.values()) {
    app.route({ method: [...NODE_METHODS], url: `/${node.name}`, config: { node: node.name }, handler: handle(node) });
  }

  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0].slice(0, 200);
    if (NODES.has(path.slice(1))) {
      reply.header('allow', NODE_METHODS.join(', '));
      return send(request, reply, methodNotAllowed(request.method, path));
    }
    return send(
      request,
      reply,
      { response: 'invalid', cause: 'node', detail: `there is no node ${request.method} ${path}: nodes are /<family>/<node>, e.g. /user/get` },
      404,
    );
  });

  // Errors before a node ran (malformed body, unsupported content type, too large) and
  // anything unexpected: an envelope, never a stack or driver text.
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (isHermesError(error)) {
      if (error.httpStatus >= 500) request.log.error({ err: error }, 'request failed');
      return send(request, reply, envelopeOfError(error), error.httpStatus);
    }
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status >= 400 && status < 500) {
      const detail =
        status === 413 ? 'the request body is too large'
        : status === 415 ? 'send parameters as a query string, a form (application/x-www-form-urlencoded) or a JSON object'
        : 'the request body cannot be parsed';
      return send(request, reply, { response: 'invalid', cause: 'body', detail }, status === 413 || status === 415 ? status : 400);
    }
    request.log.error({ err: error }, 'request failed');
    return send(request, reply, { response: 'error', cause: 'internal', detail: 'the server failed to answer; see its log' }, 500);
  });

  return app;
}
