/**
 * Every code of the error catalogue (src/errors.ts) is produced by at least one test, through
 * the CLI or the API (issue 12, done-when 3). Two halves:
 *
 * - the registry: every test file is read, and each catalogue code must be named in one of
 *   them (not test/errors.test.ts, which checks the catalogue's shape): a CLI test asserts
 *   `[CODE]` in stderr or an error's `code`, an API test asserts the code's status and
 *   envelope through `catalogued(CODE)` (test/helpers/catalogue.ts);
 * - the scenarios of this file, for the codes no other test produced: the node API's
 *   envelopes, each answered by a real app over a real database.
 *
 * `internal error` is forced here and only here; runHermes and the API test helper refuse
 * it in any other test's output (test/helpers/cli.ts, test/nodes-api/helpers.ts).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCatalogue, type ErrorCode } from '../src/errors.js';
import { buildApp } from '../src/nodes-api/app.js';
import { addDomains, addLocalUsers, addPhones } from '../src/ops/index.js';
import { reportError } from '../src/cli/run-command.js';
import { catalogued } from './helpers/catalogue.js';
import { createTestDatabase, type TestDatabase } from './helpers/databases.js';
import { request, startApp, tokens, type TestApp, type Tokens } from './nodes-api/helpers.js';

const ROOT = fileURLToPath(new URL('./', import.meta.url));
const CODES = Object.keys(errorCatalogue) as ErrorCode[];

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : testFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('the error catalogue is produced by the tests', () => {
  it('every code is named by a test other than the catalogue checks', () => {
    // errors.test.ts checks the catalogue's shape and docs, naming codes without producing them.
    const own = new Set([join(ROOT, 'errors.test.ts')]);
    const named = new Map<ErrorCode, string[]>(CODES.map((c) => [c, []]));
    for (const file of testFiles(ROOT)) {
      if (own.has(file)) continue;
      const text = readFileSync(file, 'utf8');
      // 'CODE' (an error's code, catalogued(CODE)) or [CODE] (the CLI's stderr, also in a regular expression).
      for (const code of CODES) if (new RegExp(`(['"\`]|\\\\?\\[)${code}(['"\`]|\\\\?\\])`).test(text)) named.get(code)!.push(relative(ROOT, file));
    }
    const missing = CODES.filter((c) => named.get(c)!.length === 0);
    expect(missing, 'codes no test produces').toEqual([]);
  });

  it("forces the one internal error, through the CLI's reporter and the API's error handler, and shows no detail of it", async () => {
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      expect(reportError(new Error('boom\nsecret stack line'), false)).toBe(errorCatalogue.INTERNAL.exitCode);
    } finally {
      process.stderr.write = write;
    }
    expect(written.join('')).toBe('hermes: internal error: boom [INTERNAL] (run with --debug for details)\n');

    const db = await createTestDatabase('sqlite');
    try {
      const app = buildApp(db.connection, { log: false, auth: 'none' });
      // A route that fails as no node does: the app's own error handler answers it.
      app.get('/forced-failure', async () => {
        throw new Error('boom: driver detail');
      });
      const r = await app.inject({ method: 'GET', url: '/forced-failure' });
      const { status, envelope } = catalogued('INTERNAL');
      expect([r.statusCode, r.json()]).toMatchObject([status, envelope]);
      expect(r.body).not.toContain('boom');
      await app.close();
    } finally {
      await db.drop();
    }
  });
});

describe('the node API answers each catalogued envelope', () => {
  let db: TestDatabase;
  let api: TestApp;
  let readOnly: TestApp;
  let tok: Tokens;

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    tok = await tokens(db.connection);
    await addDomains(db.connection, ['example.com'], { actor: 'test' });
    await addLocalUsers(db.connection, [{ username: 'alice', domain: 'example.com' }], { actor: 'test' });
    await addPhones(db.connection, [{ mac: '0004f2000001', username: 'alice', domain: 'example.com' }], { actor: 'test' });
    api = await startApp(db.connection);
    readOnly = await startApp(db.connection, { readOnly: true });
  });
  afterAll(async () => {
    await api?.close();
    await readOnly?.close();
    await db?.drop();
  });

  const expectCode = (r: { statusCode: number; json(): unknown }, code: ErrorCode, parameter?: string) => {
    const { status, envelope } = catalogued(code, parameter);
    expect([r.statusCode, r.json()], code).toMatchObject([status, envelope]);
  };
  const inject = (method: string, url: string, payload?: string, contentType = 'application/json') =>
    api.app.inject({ method: method as 'GET', url, payload, headers: { authorization: `Bearer ${tok.write}`, ...(payload === undefined ? {} : { 'content-type': contentType }) } });

  it('API_INVALID_PARAMETER, API_UNKNOWN_NODE, API_METHOD_NOT_ALLOWED', async () => {
    expectCode(await request(api.app, 'user/get', { user: 'not-an-address' }, { token: tok.read }), 'API_INVALID_PARAMETER', 'user');
    expectCode(await request(api.app, 'user/nope', {}, { token: tok.read }), 'API_UNKNOWN_NODE');
    expectCode(await inject('PUT', '/user/get?user=alice%40example.com'), 'API_METHOD_NOT_ALLOWED');
  });

  it('API_BODY_INVALID, API_BODY_TOO_LARGE, API_BODY_UNSUPPORTED', async () => {
    expectCode(await inject('POST', '/user/get', '["alice@example.com"]'), 'API_BODY_INVALID');
    expectCode(await inject('POST', '/user/get', JSON.stringify({ user: 'alice@example.com', pad: 'x'.repeat(70_000) })), 'API_BODY_TOO_LARGE');
    expectCode(await inject('POST', '/user/get', '<user>alice@example.com</user>', 'application/xml'), 'API_BODY_UNSUPPORTED');
  });

  it('API_UNAUTHENTICATED, API_FORBIDDEN, API_READ_ONLY', async () => {
    expectCode(await request(api.app, 'user/get', { user: 'alice@example.com' }), 'API_UNAUTHENTICATED');
    expectCode(await request(api.app, 'user/get', { user: 'alice@example.com' }, { token: 'not-a-token' }), 'API_UNAUTHENTICATED');
    expectCode(await request(api.app, 'user/add_local', { user: 'bob@example.com' }, { token: tok.read }), 'API_FORBIDDEN');
    expectCode(await request(readOnly.app, 'user/add_local', { user: 'bob@example.com' }, { token: tok.write }), 'API_READ_ONLY');
  });

  it('NONEXISTANT, EXISTS, IN_USE, NXDOMAIN', async () => {
    expectCode(await request(api.app, 'user/get', { user: 'ghost@example.com' }, { token: tok.read }), 'NONEXISTANT');
    expectCode(await request(api.app, 'user/add_local', { user: 'alice@example.com' }, { token: tok.write }), 'EXISTS');
    expectCode(await request(api.app, 'user/remove', { user: 'alice@example.com' }, { token: tok.write }), 'IN_USE');
    expectCode(await request(api.app, 'user/add_local', { user: 'carol@nowhere.example' }, { token: tok.write }), 'NXDOMAIN');
  });
});
