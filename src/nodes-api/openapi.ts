import { readFileSync } from 'node:fs';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { errorCatalogue, type ErrorDefinition } from '../errors.js';
import { NODES, type NodeDefinition } from '../ops/index.js';
import { PARAM_DOCS } from './openapi-params.js';
import type { OperationDoc } from './route-config.js';

type Json = Record<string, unknown>;

const FAILURE: Json = {
  type: 'object',
  required: ['response', 'cause'],
  properties: {
    response: { type: 'string', enum: ['invalid', 'failed', 'error'] },
    cause: { type: 'string', description: "invalid: the bad parameter's name (or node, body, method); failed and error: a catalogued keyword" },
    detail: { type: 'string' },
  },
};

const json = (schema: Json) => ({ 'application/json': { schema } });

/** The failure answers a node may give, by HTTP status, from the error catalogue. */
function failureResponses(): Record<string, Json> {
  const byStatus = new Map<number, string[]>();
  for (const definition of Object.values(errorCatalogue) as ErrorDefinition[]) {
    const envelope = definition.envelope;
    if (!envelope || definition.httpStatus === 405) continue;
    const label = `${envelope.response}/${envelope.cause ?? '<parameter>'}`;
    byStatus.set(definition.httpStatus, [...(byStatus.get(definition.httpStatus) ?? []), `\`${label}\`: ${definition.summary}`]);
  }
  const responses: Record<string, Json> = {};
  for (const [status, lines] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = { description: lines.join('\n\n'), content: json(FAILURE) };
  }
  return responses;
}

function okSchema(node: NodeDefinition): Json {
  return {
    type: 'object',
    required: ['response', ...node.example.returns],
    properties: { response: { const: 'ok' }, ...Object.fromEntries(node.example.returns.map((member) => [member, {}])) },
  };
}

function paramsSchema(node: NodeDefinition): Json {
  return { type: 'object', properties: Object.fromEntries(node.params.map((name) => [name, docOf(node, name).schema])) };
}

function docOf(node: NodeDefinition, name: string) {
  const doc = PARAM_DOCS[name];
  if (!doc) throw new Error(`parameter ${name} of node ${node.name} has no description in openapi-params.ts`);
  return doc;
}

/** GET (query) and POST (form or JSON) of one node, from its definition. */
function nodeOperations(node: NodeDefinition, failures: Record<string, Json>): Json {
  const [family, name] = node.name.split('/');
  const common = {
    tags: [family],
    description: `${node.mutates ? 'Changes data: needs a token with write scope, and answers failed/readonly on a --read-only server.' : 'Reads: any token but a metrics one.'} See docs/api.md#${node.name.replace('/', '')}.`,
    responses: { '200': { description: 'ok', content: { 'application/json': { schema: okSchema(node), example: { response: 'ok' } } } }, ...failures },
  };
  const id = `${family}_${name}`;
  return {
    get: {
      ...common,
      operationId: `${id}_get`,
      summary: `${node.name} (query parameters)`,
      parameters: node.params.map((param) => ({ name: param, in: 'query', required: false, description: docOf(node, param).description, schema: docOf(node, param).schema, ...(param in node.example.params ? { example: node.example.params[param] } : {}) })),
    },
    post: {
      ...common,
      operationId: `${id}_post`,
      summary: `${node.name} (form or JSON body)`,
      requestBody: {
        required: false,
        content: {
          'application/x-www-form-urlencoded': { schema: paramsSchema(node), example: node.example.params },
          'application/json': { schema: paramsSchema(node), example: node.example.params },
        },
      },
    },
  };
}

const DESCRIPTION = [
  "The Hermes node API served by `hermes serve`: every node answers GET with query parameters and POST with a form or JSON body, with the same envelope (`response` ok | invalid | failed | error, a `cause` keyword and a `detail`); the HTTP status mirrors the envelope. See docs/api.md.",
  "Authentication: `Authorization: Bearer TOKEN` (hermes token create NAME --scope read|write|provision|metrics).",
  "The examples run in the order of the paths against the platform of examples/hermes.yaml (applied to empty databases), each answering ok with the members documented for its 200 answer.",
].join('\n\n');

/** The OpenAPI 3.1 description of the routes registered so far (nodes and self-described routes). */
export function openApiDocument(routes: readonly RouteOptions[], version: string): Json {
  const failures = failureResponses();
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const config = route.config as { node?: string; openapi?: OperationDoc } | undefined;
    const node = config?.node === undefined ? undefined : NODES.get(config.node);
    if (node) paths[route.url] = nodeOperations(node, failures);
    else if (config?.openapi) {
      const methods = ([] as string[]).concat(route.method).map((m) => m.toLowerCase());
      paths[route.url] = Object.fromEntries(methods.map((m) => [m, { operationId: `${route.url.replace(/\W+/g, '_').replace(/^_/, '')}_${m}`, ...config.openapi }]));
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Hermes node API', version, description: DESCRIPTION, license: { name: 'MIT', identifier: 'MIT' } },
    security: [{ bearer: [] }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a token of hermes token create' } } },
    paths,
  };
}

/**
 * Collects every route registered after this call and serves their description at GET
 * /openapi.json (no token), generated once, on the first request, from the routes as
 * registered: the node routes from their definitions (src/ops/nodes.ts), the others from the
 * `openapi` of their config. Call it before any route is registered.
 */
export function registerOpenApi(app: FastifyInstance): void {
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  let document: Json | undefined;
  const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  const openapi: OperationDoc = {
    summary: 'This description (OpenAPI 3.1)',
    tags: ['service'],
    security: [],
    responses: { '200': { description: 'the OpenAPI document', content: json({ type: 'object', required: ['openapi', 'paths'] }) } },
  };
  app.get('/openapi.json', { config: { public: true, quiet: true, openapi } }, async (_request, reply) => {
    document ??= openApiDocument(routes, version);
    return reply.header('cache-control', 'no-cache').send(document);
  });
}
