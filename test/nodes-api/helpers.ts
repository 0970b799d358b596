import { PassThrough } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Connection } from '../../src/db/connect.js';
import { buildApp, type AppOptions } from '../../src/nodes-api/app.js';
import { createToken } from '../../src/ops/tokens.js';
import { addDomains } from '../../src/ops/index.js';
import { afterAll, beforeAll } from 'vitest';
import type { DatabaseSuite } from '../helpers/databases.js';

export type Transport = 'get' | 'form' | 'json';
export const TRANSPORTS: readonly Transport[] = ['get', 'form', 'json'];

export type Params = Record<string, string | string[]>;

/** An app over the suite's connection, whose JSON log lines are captured in `logs`. */
export interface TestApp {
  app: FastifyInstance;
  logs: string[];
  /** Every captured log line, parsed. */
  logRecords(): Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startApp(connection: Connection, options: AppOptions = {}): Promise<TestApp> {
  const logs: string[] = [];
  const stream = new PassThrough();
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      logs.push(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
    }
  });
  const app = buildApp(connection, { log: { level: 'info', stream }, ...options });
  await app.ready();
  return {
    app,
    logs,
    logRecords: () => logs.map((l) => JSON.parse(l) as Record<string, unknown>),
    close: () => app.close(),
  };
}

function toQuery(params: Params): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) search.append(key, v);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** Calls a node over one transport: GET with a query, POST with a form or a JSON object. */
export async function request(
  app: FastifyInstance,
  node: string,
  params: Params,
  options: { token?: string; transport?: Transport; headers?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  const r = await send(app, node, params, options);
  // A client never meets an internal error: a test that provokes one fails here (the one
  // test that forces it does so without this helper: test/catalogue.test.ts).
  if (/"cause":\s*"internal"/.test(r.body)) throw new Error(`${node} answered an internal error: ${r.body}`);
  return r;
}

function send(
  app: FastifyInstance,
  node: string,
  params: Params,
  options: { token?: string; transport?: Transport; headers?: Record<string, string> },
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const transport = options.transport ?? 'get';
  if (transport === 'get') return app.inject({ method: 'GET', url: `/${node}${toQuery(params)}`, headers });
  if (transport === 'form') {
    return app.inject({
      method: 'POST',
      url: `/${node}`,
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: toQuery(params).slice(1),
    });
  }
  return app.inject({ method: 'POST', url: `/${node}`, headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(params) });
}

export async function tokens(connection: Connection): Promise<Tokens> {
  const read = await createToken(connection, { name: 'reader', scope: 'read' }, { actor: 'test' });
  const write = await createToken(connection, { name: 'writer', scope: 'write' }, { actor: 'test' });
  return { read: read.token, write: write.token };
}

const TABLES = {
  kamailio: ['subscriber', 'domain', 'dbaliases'],
  provisioning: ['hermes_users', 'hermes_phones', 'hermes_numbers', 'hermes_tokens', 'hermes_audit'],
} as const;

/** Every row of the tables nodes change, to show that a request changed nothing. */
export async function snapshot(connection: Connection): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES.kamailio) out[table] = await (connection.kamailio as any).selectFrom(table).selectAll().orderBy('id').execute();
  for (const table of TABLES.provisioning) {
    const q = (connection.provisioning as any).selectFrom(table).selectAll();
    out[table] = await (table === 'hermes_numbers' ? q.orderBy('number') : q.orderBy('id')).execute();
  }
  return out;
}

export interface Tokens {
  read: string;
  write: string;
}

/** A suite's app and tokens, filled in by useApi's beforeAll. */
export interface ApiFixture {
  t: TestApp;
  tok: Tokens;
}

/**
 * Per suite: empties the database, creates a read and a write token and the local `domains`
 * (default example.com), runs `seed`, and starts an app over it (closed afterwards). The
 * returned fixture is filled in before the suite's tests run.
 */
export function useApi(
  suite: DatabaseSuite,
  options: { domains?: string[]; seed?: (connection: Connection) => Promise<unknown>; app?: AppOptions } = {},
): ApiFixture {
  const fixture = {} as ApiFixture;
  beforeAll(async () => {
    await suite.clear();
    fixture.tok = await tokens(suite.db.connection);
    await addDomains(suite.db.connection, options.domains ?? ['example.com'], { actor: 'test' });
    await options.seed?.(suite.db.connection);
    fixture.t = await startApp(suite.db.connection, options.app);
  });
  afterAll(async () => fixture.t?.close());
  return fixture;
}
