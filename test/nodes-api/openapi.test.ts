import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect, it } from 'vitest';
import { loadDesiredState } from '../../src/desired/index.js';
import { NODES } from '../../src/ops/index.js';
import { applyDesiredState } from '../../src/reconcile/apply.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { useApi } from './helpers.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/hermes.yaml', import.meta.url));

type Json = Record<string, any>;

describeEachDatabase('GET /openapi.json', (suite) => {
  const api = useApi(suite, {
    domains: [],
    async seed(connection) {
      const { state } = await loadDesiredState([EXAMPLE], { secrets: 'required', env: {} });
      await applyDesiredState(connection, { desired: state!, actor: 'test', force: true, confirm: async () => true });
    },
  });
  const fetchDoc = async (): Promise<Json> => {
    const res = await api.t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    return res.json();
  };

  it('is served without a token and is valid OpenAPI 3.1', async () => {
    const doc = await fetchDoc();
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect([result.valid, validator.version]).toEqual([true, '3.1']);
  });

  it('describes exactly the routes the server has: every node (GET and POST, its parameters) and the service routes', async () => {
    const doc = await fetchDoc();
    const nodePaths = [...NODES.keys()].map((n) => `/${n}`);
    expect(Object.keys(doc.paths).sort()).toEqual([...nodePaths, '/healthz', '/readyz', '/metrics', '/openapi.json'].sort());
    for (const [path, operations] of Object.entries(doc.paths as Json)) {
      for (const method of Object.keys(operations)) expect([path, method, api.t.app.hasRoute({ method: method.toUpperCase() as 'GET', url: path })]).toEqual([path, method, true]);
    }
    for (const node of NODES.values()) {
      const get = doc.paths[`/${node.name}`].get;
      expect(get.parameters.map((p: Json) => p.name)).toEqual(node.params);
      expect(Object.keys(doc.paths[`/${node.name}`].post.requestBody.content['application/json'].schema.properties)).toEqual(node.params);
      // Every node documents its failures, with the statuses the catalogue gives them.
      expect(Object.keys(get.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '409', '500']));
    }
    // The probes and the description need no token; the nodes and /metrics do.
    for (const path of ['/healthz', '/readyz', '/openapi.json']) expect(doc.paths[path].get.security).toEqual([]);
    expect(doc.paths['/metrics'].get.security).toBeUndefined();
    expect(doc.security).toEqual([{ bearer: [] }]);
  });

  it('every node answers its documented example, in order, with the documented envelope', async () => {
    const doc = await fetchDoc();
    const ajv = new Ajv2020({ strict: false });
    const called: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths as Json)) {
      const get = operations.get;
      if (!NODES.has(path.slice(1))) continue;
      const params: Record<string, string> = {};
      for (const p of get.parameters) {
        if (p.example === undefined) continue;
        expect([path, p.name, ajv.validate(p.schema, p.example)]).toEqual([path, p.name, true]);
        params[p.name] = p.example;
      }
      expect(operations.post.requestBody.content['application/json'].example).toEqual(params);
      const res = await api.t.app.inject({ method: 'GET', url: path, query: params, headers: { authorization: `Bearer ${api.tok.write}` } });
      const body = res.json();
      const schema = get.responses[String(res.statusCode)]?.content?.['application/json']?.schema;
      expect([path, res.statusCode, body.response]).toEqual([path, 200, 'ok']);
      expect([path, ajv.validate(schema, body), ajv.errorsText()]).toEqual([path, true, 'No errors']);
      called.push(path.slice(1));
    }
    expect(called).toEqual([...NODES.keys()]);
    // A failure answer matches the documented failure envelope too.
    const missing = await api.t.app.inject({ method: 'GET', url: '/user/get?user=nobody%40example.com', headers: { authorization: `Bearer ${api.tok.read}` } });
    expect([missing.statusCode, ajv.validate(doc.paths['/user/get'].get.responses['404'].content['application/json'].schema, missing.json())]).toEqual([404, true]);
  });
});
