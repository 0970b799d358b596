import { Counter } from 'prom-client';
import { expect, it } from 'vitest';
import { createToken } from '../../src/ops/tokens.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { request, useApi } from './helpers.js';

/** The samples of a Prometheus text exposition: `name{labels}` -> value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

describeEachDatabase('GET /metrics', (suite) => {
  const api = useApi(suite);
  let metricsToken = '';

  const scrape = async (token = metricsToken) => api.t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } });

  it('counts a known set of requests exactly, with bounded labels only', async () => {
    metricsToken = (await createToken(suite.db.connection, { name: 'prometheus', scope: 'metrics' }, { actor: 'test' })).token;
    const app = api.t.app;
    for (let i = 0; i < 3; i++) expect((await request(app, 'user/gen_pw', {}, { token: api.tok.read })).statusCode).toBe(200);
    for (let i = 0; i < 2; i++) expect((await request(app, 'user/get', { user: 'alice@example.com' })).statusCode).toBe(401);
    expect((await request(app, 'user/get', { user: 'alice@example.com' }, { token: 'not-a-token' })).statusCode).toBe(401);
    expect((await request(app, 'user/add_local', { user: 'carol@example.com' }, { token: api.tok.read, transport: 'form' })).statusCode).toBe(403);
    expect((await request(app, 'user/get', { user: 'nobody@example.com' }, { token: api.tok.read })).statusCode).toBe(404);
    expect((await request(app, 'user/get', { username: 'a b', domain: 'example.com' }, { token: api.tok.read })).statusCode).toBe(400);
    // A cause a client chose (an arbitrary body key) is counted as 'other', never as itself.
    const hostile = await app.inject({ method: 'POST', url: '/user/get', headers: { authorization: `Bearer ${api.tok.read}`, 'content-type': 'application/json' }, payload: '{"mac-f00ba2ba5c00":{"a":1}}' });
    expect(hostile.json()).toMatchObject({ response: 'invalid', cause: 'mac-f00ba2ba5c00' });
    expect((await app.inject({ method: 'GET', url: '/nope/nothing', headers: { authorization: `Bearer ${api.tok.read}` } })).statusCode).toBe(404);
    expect((await scrape(api.tok.read)).statusCode).toBe(403);
    expect((await request(app, 'user/list', {}, { token: metricsToken })).json()).toMatchObject({ response: 'failed', cause: 'forbidden' });
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

    const res = await scrape();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const s = samples(res.body);
    const expected: Record<string, number> = {
      'hermes_http_requests_total{node="user/gen_pw",method="GET",status="200"}': 3,
      'hermes_http_requests_total{node="user/get",method="GET",status="401"}': 3,
      'hermes_http_requests_total{node="user/add_local",method="POST",status="403"}': 1,
      'hermes_http_requests_total{node="user/get",method="GET",status="404"}': 1,
      'hermes_http_requests_total{node="user/get",method="GET",status="400"}': 1,
      'hermes_http_requests_total{node="user/get",method="POST",status="400"}': 1,
      'hermes_http_requests_total{node="(unmatched)",method="GET",status="404"}': 1,
      'hermes_http_requests_total{node="metrics",method="GET",status="403"}': 1,
      'hermes_http_requests_total{node="metrics",method="GET",status="401"}': 1,
      'hermes_http_requests_total{node="user/list",method="GET",status="403"}': 1,
      'hermes_http_requests_total{node="healthz",method="GET",status="200"}': 1,
      'hermes_http_request_duration_seconds_count{node="user/gen_pw"}': 3,
      'hermes_http_request_duration_seconds_count{node="user/get"}': 6,
      'hermes_api_responses_total{response="ok",cause=""}': 3,
      'hermes_api_responses_total{response="failed",cause="unauthenticated"}': 4,
      'hermes_api_responses_total{response="failed",cause="forbidden"}': 3,
      'hermes_api_responses_total{response="failed",cause="nonexistant"}': 1,
      'hermes_api_responses_total{response="invalid",cause="username"}': 1,
      'hermes_api_responses_total{response="invalid",cause="other"}': 1,
      'hermes_api_responses_total{response="invalid",cause="node"}': 1,
      'hermes_auth_failures_total{reason="missing"}': 2 + 1,
      'hermes_auth_failures_total{reason="invalid"}': 1,
      'hermes_auth_failures_total{reason="forbidden"}': 3,
    };
    for (const [name, value] of Object.entries(expected)) expect([name, s.get(name)]).toEqual([name, value]);
    // Nothing else was counted: the sums match the requests made (15 before the scrape).
    const total = [...s].filter(([k]) => k.startsWith('hermes_http_requests_total{')).reduce((n, [, v]) => n + v, 0);
    expect(total).toBe(15);
    // No user, MAC or token in any label; the process metrics are there.
    for (const secret of ['nobody', 'alice', 'carol', 'f00ba2ba5c00', metricsToken, api.tok.read, 'not-a-token']) expect(res.body).not.toContain(secret);
    expect(s.has('hermes_process_resident_memory_bytes')).toBe(true);
    // Pool use on the server engines (their pools: 10 connections unless --pool-size), none for SQLite.
    expect(s.get('hermes_db_pool_connections{database="kamailio",state="max"}')).toBe(suite.dialect === 'sqlite' ? undefined : 10);
    // The scrape itself is counted once it has been answered.
    expect(samples((await scrape()).body).get('hermes_http_requests_total{node="metrics",method="GET",status="200"}')).toBe(1);
  });

  it('exposes its registry for other plugins (app.metrics.registry)', async () => {
    const fetches = new Counter({ name: 'hermes_test_fetches_total', help: 'test', labelNames: ['vendor'], registers: [api.t.app.metrics.registry] });
    fetches.inc({ vendor: 'yealink' }, 2);
    expect(samples((await scrape()).body).get('hermes_test_fetches_total{vendor="yealink"}')).toBe(2);
  });
});
