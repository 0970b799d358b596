import { request as httpsRequest } from 'node:https';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { loadDesiredState } from '../../src/desired/index.js';
import { provisionStatus, recordFetches } from '../../src/ops/index.js';
import { applyDesiredState } from '../../src/reconcile/apply.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { makeCertificates } from '../helpers/tls-servers.js';
import { authorizationHeader, parseChallenge } from '../e2e/digest.js';
import { applyServerFixture, LINE_PASSWORDS, linesOfFile, SERVER_YAML } from './provisioning-fixture.js';
import { parseBoot, parseCfg, parseXml } from '../provisioning/parse-files.js';
import { openDatabases } from '../../src/db/connect.js';
import { ProvisioningFiles } from '../../src/ops/provisioning-serve.js';
import { request, startApp, useApi } from './helpers.js';

const PROVISIONING_PASSWORD = 'prov-Secret-1';
const REMOTE_PASSWORD = 'remote-Secret-1';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const GOOD = basic('phones', PROVISIONING_PASSWORD);
/** Inside provisioning.allow_http of the fixture. */
const VLAN = '192.0.2.10';

/** Every vendor's phone: its MAC, the file holding line 1, the vendor, and that file's content type. */
const PHONES = [
  { vendor: 'yealink', mac: '001565aa0001', file: '001565aa0001.cfg', type: 'text/plain; charset=utf-8', password: LINE_PASSWORDS.YEALINK1_PASSWORD },
  { vendor: 'snom', mac: '000413aa0002', file: 'snomD785-000413AA0002.htm', type: 'application/xml; charset=utf-8', password: LINE_PASSWORDS.SNOM1_PASSWORD },
  { vendor: 'polycom', mac: '0004f2aa0003', file: '0004f2aa0003-hermes.cfg', type: 'application/xml; charset=utf-8', password: LINE_PASSWORDS.POLY1_PASSWORD },
  { vendor: 'grandstream', mac: '000b82aa0004', file: 'cfg000b82aa0004.xml', type: 'application/xml; charset=utf-8', password: LINE_PASSWORDS.GS1_PASSWORD },
] as const;

describeEachDatabase('provisioning server (GET /provision/<file>)', (suite) => {
  const api = useApi(suite, { domains: [], seed: (c) => applyServerFixture(c), app: { provisioning: { failures: { max: 5, window: 60_000 } } } });
  const get = (file: string, options: { auth?: string; from?: string; ua?: string; method?: 'GET' | 'PUT'; body?: string } = {}) =>
    api.t.app.inject({
      method: options.method ?? 'GET',
      url: `/provision/${file}`,
      remoteAddress: options.from ?? VLAN,
      headers: { ...(options.auth ? { authorization: options.auth } : {}), ...(options.ua ? { 'user-agent': options.ua } : {}), ...(options.body !== undefined ? { 'content-type': 'text/plain' } : {}) },
      ...(options.body !== undefined ? { payload: options.body } : {}),
    });

  it("hands each vendor's phone its files with the credentials: content type, no-store, parsable, line 1 from the database", async () => {
    for (const p of PHONES) {
      const res = await get(p.file, { auth: GOOD });
      expect(res.statusCode, p.file).toBe(200);
      expect(res.headers['content-type']).toBe(p.type);
      expect(res.headers['cache-control']).toBe('no-store');
      const lines = linesOfFile(p.vendor, res.body);
      expect(lines.get(1)).toMatchObject({ password: p.password });
      expect(lines.get(2)).toMatchObject({ auth: 'remote-auth', password: REMOTE_PASSWORD });
    }
  });

  it('matches the MAC in any case; generic files and the Poly master need no TLS and hold no credentials', async () => {
    expect((await get('001565AA0001.CFG', { auth: GOOD })).statusCode).toBe(200);
    expect((await get('snomD785-000413aa0002.htm', { auth: GOOD })).statusCode).toBe(200);
    const common = await get('y000000000108.cfg', { auth: GOOD, from: '203.0.113.5' });
    expect(common.statusCode).toBe(200);
    expect(common.headers['cache-control']).toBe('no-cache');
    const master = await get('0004f2aa0003.cfg', { auth: GOOD, from: '203.0.113.5' });
    expect(master.statusCode).toBe(200);
    expect(master.body).toContain('0004f2aa0003-hermes.cfg');
  });

  it("the files firmware asks for first: Yealink's boot files and Poly's default master, without credentials, over plain HTTP, behind provisioning.auth", async () => {
    const outside = '203.0.113.6'; // outside allow_http: only files without credentials over plain HTTP
    const boot = await get('001565AA0001.boot', { auth: GOOD, from: outside, ua: 'Yealink SIP-T46U 108.86.0.20 00:15:65:aa:00:01' });
    expect(boot.statusCode).toBe(200);
    expect(boot.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(boot.headers['cache-control']).toBe('no-cache');
    expect(parseBoot(boot.body)).toEqual({ includes: [{ file: 'y000000000108.cfg' }, { file: '001565aa0001.cfg' }], settings: new Map([['overwrite_mode', '1']]) });
    const generic = await get('y000000000000.boot', { auth: GOOD, from: outside });
    expect(generic.statusCode).toBe(200);
    expect(parseBoot(generic.body).includes).toEqual([{ models: ['T46U'], file: 'y000000000108.cfg' }, { models: ['T54W'], file: 'y000000000096.cfg' }]);
    const poly = await get('000000000000.cfg', { auth: GOOD, from: outside });
    expect(poly.statusCode).toBe(200);
    expect(poly.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(parseXml(poly.body).APPLICATION[0]['@CONFIG_FILES']).toBe('[PHONE_MAC_ADDRESS]-hermes.cfg');
    for (const body of [boot.body, generic.body, poly.body]) for (const secret of [...Object.values(LINE_PASSWORDS), REMOTE_PASSWORD]) expect(body).not.toContain(secret);
    // behind provisioning.auth like every file; a boot file of no phone here is unknown; the User-Agent's MAC must be the file's
    for (const file of ['y000000000000.boot', '000000000000.cfg', '001565aa0001.boot']) expect((await get(file, { from: '198.51.100.30' })).statusCode).toBe(401);
    expect((await get('001565ffffff.boot', { auth: GOOD })).statusCode).toBe(404);
    expect((await get('001565aa0001.boot', { auth: GOOD, ua: 'Yealink SIP-T46U 108.86.0.20 00:15:65:aa:00:09' })).statusCode).toBe(403);
    // the generic files are no phone's: logged without a MAC
    const lines = api.t.logRecords().filter((r) => r.msg === 'provisioning' && r.status === 200);
    expect(lines.find((l) => l.file === '000000000000.cfg')).toMatchObject({ mac: '-' });
    expect(lines.find((l) => l.file === '001565AA0001.boot')).toMatchObject({ mac: '001565aa0001' });
  });

  it('401 without or with wrong credentials for a known and an unknown MAC alike; 404 for an unknown MAC after valid ones', async () => {
    for (const [i, file] of ['001565aa0001.cfg', '001565ffffff.cfg'].entries()) {
      const from = `198.51.100.${10 + i}`;
      const none = await get(file, { from });
      expect(none.statusCode).toBe(401);
      expect(none.headers['www-authenticate']).toMatch(/^Basic realm="hermes provisioning"/);
      expect((await get(file, { auth: basic('phones', 'wrong'), from })).statusCode).toBe(401);
      expect((await get(file, { auth: basic('other', PROVISIONING_PASSWORD), from })).statusCode).toBe(401);
    }
    expect((await get('001565ffffff.cfg', { auth: GOOD, from: '198.51.100.2' })).statusCode).toBe(404);
    expect((await get('nothing.txt', { auth: GOOD, from: '198.51.100.2' })).statusCode).toBe(404);
  });

  it('403 for a credential file over plain HTTP outside allow_http, and for a file of another MAC than the User-Agent names', async () => {
    const plain = await get('001565aa0001.cfg', { auth: GOOD, from: '203.0.113.5' });
    expect(plain.statusCode).toBe(403);
    expect(plain.body).toMatch(/^[^\n]*HTTPS[^\n]*\n$/);
    expect((await get('001565aa0001.cfg', { auth: GOOD, ua: 'Yealink SIP-T46U 108.86.0.20 00:15:65:aa:00:01' })).statusCode).toBe(200);
    expect((await get('001565aa0001.cfg', { auth: GOOD, ua: 'Yealink SIP-T46U 108.86.0.20 00:15:65:aa:00:09' })).statusCode).toBe(403);
    expect((await get('cfg000b82aa0004.xml', { auth: GOOD, ua: 'Grandstream Model HW GXP2170 SW 1.0.11.3 DevId 000b82aa0005' })).statusCode).toBe(403);
  });

  it('a burst of failures from one address: 429 with Retry-After, then even the right credentials wait; other addresses are not affected', async () => {
    const from = '198.51.100.77';
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await get('001565aa0001.cfg', { auth: basic('phones', `guess${i}`), from })).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    const locked = await get('001565aa0001.cfg', { auth: GOOD, from });
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await get('001565aa0001.cfg', { auth: GOOD })).statusCode).toBe(200);
    // unknown MACs count as failures too
    const scan: number[] = [];
    for (let i = 0; i < 6; i++) scan.push((await get(`001565ffff0${i}.cfg`, { auth: GOOD, from: '198.51.100.78' })).statusCode);
    expect(scan).toEqual([404, 404, 404, 404, 404, 429]);
  });

  it('Poly uploads with PUT are accepted and discarded after the same checks', async () => {
    expect((await get('0004f2aa0003-app.log', { method: 'PUT', auth: GOOD, body: 'log line\n'.repeat(1000) })).statusCode).toBe(204);
    expect((await get('0004f2aa0003-phone.cfg', { method: 'PUT', auth: GOOD, body: '<x/>' })).statusCode).toBe(204);
    expect((await get('0004f2aa0003-app.log', { method: 'PUT', body: 'x', from: '198.51.100.90' })).statusCode).toBe(401);
    expect((await get('0004f2aa0003-secrets.txt', { method: 'PUT', auth: GOOD, body: 'x' })).statusCode).toBe(404);
    expect((await get('../../etc/passwd', { method: 'PUT', auth: GOOD, body: 'x' })).statusCode).not.toBe(204);
  });

  it('the node API keeps working beside it; one provisioning log line per request, with no secret in any log line', async () => {
    expect((await request(api.t.app, 'user/get', { user: 'yealink1@example.com' }, { token: api.tok.read })).json()).toMatchObject({ response: 'ok' });
    expect((await get('001565aa0001.cfg')).statusCode).toBe(401);
    const lines = api.t.logRecords().filter((r) => r.msg === 'provisioning');
    expect(lines.length).toBeGreaterThan(20);
    expect(lines.at(-1)).toMatchObject({ client: VLAN, mac: '-', file: '001565aa0001.cfg', status: 401 });
    expect(lines.find((l) => l.status === 200 && l.file === '001565aa0001.cfg')).toMatchObject({ mac: '001565aa0001', client: VLAN });
    const text = api.t.logs.join('\n');
    for (const secret of [PROVISIONING_PASSWORD, REMOTE_PASSWORD, ...Object.values(LINE_PASSWORDS), GOOD.slice(6), 'guess1', 'log line']) expect(text).not.toContain(secret);
  });
});

describeEachDatabase('provisioning server over HTTPS', (suite) => {
  it('serves credential files over TLS to any client with the credentials; the node API too', async () => {
    await suite.clear();
    await applyServerFixture(suite.db.connection);
    const certs = makeCertificates();
    const t = await startApp(suite.db.connection, { provisioning: {}, https: { cert: readFileSync(certs.cert), key: readFileSync(certs.key) }, auth: 'none' });
    try {
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      const port = (t.app.server.address() as AddressInfo).port;
      const fetch = (path: string, auth?: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = httpsRequest({ host: '127.0.0.1', servername: 'localhost', port, path, ca: readFileSync(certs.ca), headers: auth ? { authorization: auth } : {} }, (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString('utf8')));
            res.on('end', () => resolve({ status: res.statusCode!, body }));
          });
          req.on('error', reject);
          req.end();
        });
      const file = await fetch('/provision/001565aa0001.cfg', GOOD);
      expect(file.status).toBe(200);
      expect(file.body).toContain(`account.1.password = ${LINE_PASSWORDS.YEALINK1_PASSWORD}`);
      expect((await fetch('/provision/001565aa0001.cfg')).status).toBe(401);
      expect(JSON.parse((await fetch('/user/get?user=yealink1@example.com')).body)).toMatchObject({ response: 'ok' });
    } finally {
      await t.close();
      rmSync(certs.dir, { recursive: true, force: true });
    }
  });
});

describeEachDatabase('provisioning server: provisioning.allow', (suite) => {
  it('403 with a one-line reason for a client outside allow, whatever its credentials; a bad CIDR is refused at its line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hermes-allow-'));
    try {
      cpSync(dirname(SERVER_YAML), dir, { recursive: true });
      const yaml = join(dir, 'hermes.yaml');
      writeFileSync(yaml, readFileSync(SERVER_YAML, 'utf8').replace('  allow_http: [192.0.2.0/24]', '  allow_http: [192.0.2.0/24]\n  allow: [192.0.2.0/24, "2001:db8::/32"]'));
      const bad = join(dir, 'bad.yaml');
      writeFileSync(bad, readFileSync(yaml, 'utf8').replace('"2001:db8::/32"', '10.0.0.0/33'));
      const refused = await loadDesiredState([bad], { secrets: 'required', env: LINE_PASSWORDS });
      expect(refused.diagnostics.find((d) => d.code === 'HERMES_INVALID_CIDR')).toMatchObject({ file: bad, line: 18 });
      await suite.clear();
      const { state } = await loadDesiredState([yaml], { secrets: 'required', env: LINE_PASSWORDS });
      await applyDesiredState(suite.db.connection, { desired: state!, actor: 'test', force: true, confirm: async () => true });
      const t = await startApp(suite.db.connection, { provisioning: {} });
      try {
        const from = async (remoteAddress: string) => t.app.inject({ url: '/provision/001565aa0001.cfg', remoteAddress, headers: { authorization: GOOD } });
        const outside = await from('203.0.113.9');
        expect(outside.statusCode).toBe(403);
        expect(outside.body).toBe('client 203.0.113.9 is not in provisioning.allow\n');
        expect((await from('::ffff:192.0.2.20')).statusCode).toBe(200);
        expect((await from('2001:db8::5')).statusCode).toBe(403); // inside allow, outside allow_http, plain HTTP
      } finally {
        await t.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeEachDatabase('provisioning inventory (phone/info, provision status)', (suite) => {
  const api = useApi(suite, { domains: [], seed: (c) => applyServerFixture(c), app: { provisioning: { inventoryDelayMs: 0 } } });
  const UA = 'Yealink SIP-T46U 108.86.0.20 00:15:65:aa:00:01';

  it('records each fetch (time, client, User-Agent, hash); phone/info answers it; status names the phones that never fetched and those whose files changed', async () => {
    const info = async () => (await request(api.t.app, 'phone/info', { mac: '00:15:65:aa:00:01' }, { token: api.tok.read })).json();
    expect((await info()).files).toEqual(['001565aa0001.cfg', '001565aa0001.boot'].map((file) => ({ file, fetched_at: null, client: null, user_agent: null, current: false })));
    const before = Date.now();
    expect((await api.t.app.inject({ url: '/provision/001565AA0001.cfg', remoteAddress: VLAN, headers: { authorization: GOOD, 'user-agent': UA } })).statusCode).toBe(200);
    expect((await api.t.app.inject({ url: '/provision/cfg000b82aa0004.xml', remoteAddress: VLAN, headers: { authorization: GOOD } })).statusCode).toBe(200);
    const fetched = await info();
    expect(fetched).toMatchObject({ response: 'ok', model: 'yealink-t46u', profile: null, lines: ['yealink1@example.com', 'remote@sip.partner.net'], files: [{ file: '001565aa0001.cfg', client: VLAN, user_agent: UA, current: true }, { file: '001565aa0001.boot', fetched_at: null }] });
    expect(Date.parse(fetched.files[0].fetched_at)).toBeGreaterThanOrEqual(before - 1000);
    expect(JSON.stringify(fetched)).not.toContain(LINE_PASSWORDS.YEALINK1_PASSWORD);
    let status = await provisionStatus(suite.db.connection, { actor: 'test' });
    expect(status.neverFetched.map((p) => p.mac)).toEqual(['000413aa0002', '0004f2aa0003']);
    expect(status).toMatchObject({ changed: [], current: 2 });
    // a password change applied: the Yealink's file changed since its fetch
    await applyServerFixture(suite.db.connection, { ...LINE_PASSWORDS, YEALINK1_PASSWORD: 'yealink-Pass-2' });
    expect((await info()).files[0]).toMatchObject({ current: false, user_agent: UA });
    status = await provisionStatus(suite.db.connection, { actor: 'test' });
    expect(status).toMatchObject({ changed: [{ mac: '001565aa0001', model: 'yealink-t46u', files: ['001565aa0001.cfg'] }], current: 1 });
    expect((await request(api.t.app, 'phone/info', { mac: '001565ffffff' }, { token: api.tok.read })).json()).toMatchObject({ response: 'failed', cause: 'nonexistant' });
  });
});

describeEachDatabase('provisioning inventory: fetches written together', (suite) => {
  it('replaces exactly the rows of the fetches written together, whatever other phones and files have', async () => {
    const db = suite.db.connection;
    await suite.clear();
    const row = (mac: string, file: string, hash: string) => ({ mac, file, client: VLAN, userAgent: 'ua', hash });
    await recordFetches(db, [row('001565aa0001', '001565aa0001.cfg', 'a1'), row('001565aa0001', '001565aa0001.boot', 'a2'), row('001565aa0002', '001565aa0002.cfg', 'b1'), row('001565aa0002', '001565aa0002.boot', 'b2')]);
    await recordFetches(db, [row('001565aa0001', '001565aa0001.cfg', 'a1-new'), row('001565aa0002', '001565aa0002.boot', 'b2-new'), row('001565aa0002', '001565aa0002.boot', 'b2-last')]);
    // a file name that does not hold its MAC takes the pairwise statement
    await recordFetches(db, [row('001565aa0003', 'odd-name.cfg', 'c1')]);
    const rows = await db.provisioning.selectFrom('hermes_fetches').select(['mac', 'file', 'hash']).orderBy('mac').orderBy('file').execute();
    expect(rows).toEqual([
      { mac: '001565aa0001', file: '001565aa0001.boot', hash: 'a2' },
      { mac: '001565aa0001', file: '001565aa0001.cfg', hash: 'a1-new' },
      { mac: '001565aa0002', file: '001565aa0002.boot', hash: 'b2-last' },
      { mac: '001565aa0002', file: '001565aa0002.cfg', hash: 'b1' },
      { mac: '001565aa0003', file: 'odd-name.cfg', hash: 'c1' },
    ]);
  });
});

describeEachDatabase('provisioning server: every fetch answers what the database holds now (rendered files are kept only while it is unchanged)', (suite) => {
  const api = useApi(suite, { domains: [], seed: (c) => applyServerFixture(c), app: { provisioning: {} } });
  const fetch = async (file: string) => {
    const res = await api.t.app.inject({ url: `/provision/${file}`, remoteAddress: VLAN, headers: { authorization: GOOD } });
    expect(res.statusCode, file).toBe(200);
    return res.body;
  };

  it("a password applied from another connection, a subscriber row changed behind hermes' back, a changed setting: each shows on the next fetch", async () => {
    const password = () => fetch('001565aa0001.cfg').then((body) => linesOfFile('yealink', body).get(1)?.password);
    expect(await password()).toBe(LINE_PASSWORDS.YEALINK1_PASSWORD);
    expect(await password()).toBe(LINE_PASSWORDS.YEALINK1_PASSWORD); // served again from what was kept
    const other = await openDatabases({ db: suite.db.url });
    try {
      // hermes apply from another process: its own connections
      await applyServerFixture(other, { ...LINE_PASSWORDS, YEALINK1_PASSWORD: 'yealink-Pass-2' });
      expect(await password()).toBe('yealink-Pass-2');
      // kamctl or SQL on Kamailio's table
      await other.kamailio.updateTable('subscriber').set({ password: 'yealink-Pass-3' }).where('username', '=', 'yealink1').execute();
      expect(await password()).toBe('yealink-Pass-3');
      // a shared item: every phone's file and the generic files change
      const row = await other.provisioning.selectFrom('hermes_provisioning').select('body').where('item', '=', 'settings').executeTakeFirstOrThrow();
      const before = await fetch('y000000000108.cfg');
      const body = JSON.parse(row.body) as { settings?: Record<string, unknown> };
      await other.provisioning.updateTable('hermes_provisioning').set({ body: JSON.stringify({ ...body, settings: { ...body.settings, ntp_server: 'ntp2.example.net' } }) }).where('item', '=', 'settings').execute();
      expect(parseCfg(await fetch('001565aa0001.cfg')).get('local_time.ntp_server1')).toBe('ntp2.example.net');
      const after = await fetch('y000000000108.cfg');
      expect(after).not.toBe(before);
      expect(parseCfg(after).get('local_time.ntp_server1')).toBe('ntp2.example.net');
    } finally {
      await other.close();
    }
  });
});

describeEachDatabase('provisioning server: HTTP Digest when the server has the password', (suite) => {
  const api = useApi(suite, { domains: [], seed: (c) => applyServerFixture(c), app: { provisioning: { digestPassword: PROVISIONING_PASSWORD } } });
  const url = '/provision/001565aa0001.cfg';
  const fetch = (authorization?: string, path = url) => api.t.app.inject({ url: path, remoteAddress: VLAN, headers: authorization ? { authorization } : {} });

  it('challenges with Digest and Basic; a right Digest answer gets the file; a wrong password, another URI or a forged nonce get 401', async () => {
    const first = await fetch();
    expect(first.statusCode).toBe(401);
    const offered = first.headers['www-authenticate'] as string[];
    expect(offered).toHaveLength(2);
    expect(offered[1]).toMatch(/^Basic /);
    const challenge = parseChallenge(offered[0]);
    expect(challenge).toMatchObject({ scheme: 'Digest', realm: 'hermes provisioning', qop: ['auth'] });
    const answer = (password: string, uri = url, c = challenge) => authorizationHeader(c, { username: 'phones', password }, { method: 'GET', uri });
    const ok = await fetch(answer(PROVISIONING_PASSWORD));
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain(`account.1.password = ${LINE_PASSWORDS.YEALINK1_PASSWORD}`);
    expect((await fetch(answer('wrong'))).statusCode).toBe(401);
    expect((await fetch(answer(PROVISIONING_PASSWORD, '/provision/other.cfg'))).statusCode).toBe(401);
    const forged = { ...challenge, nonce: `${Date.now().toString(36)}.${'A'.repeat(43)}` };
    expect((await fetch(answer(PROVISIONING_PASSWORD, url, forged))).statusCode).toBe(401);
    expect((await fetch('Digest username="phones", garbage')).statusCode).toBe(401);
    expect((await fetch(GOOD)).statusCode).toBe(200); // Basic still works
    expect(api.t.logs.join('\n')).not.toContain(PROVISIONING_PASSWORD);
  });
});

describeEachDatabase('provisioning server: no password is read before the credentials are checked', (suite) => {
  it("a request's first reads (access rules, the phone's item and lines) leave the users' tables alone; only the file answered reads them", async () => {
    await suite.clear();
    await applyServerFixture(suite.db.connection);
    const tables: string[] = [];
    // every table a query names, as Kysely sends it
    const recorder = {
      transformQuery: ({ node }: { node: unknown }) => {
        JSON.stringify(node, (key, value: unknown) => (key === 'table' && value && typeof value === 'object' && 'identifier' in value ? (tables.push(((value as { identifier: { name: string } }).identifier).name), value) : value));
        return node as never;
      },
      transformResult: async ({ result }: { result: unknown }) => result as never,
    };
    const c = suite.db.connection;
    // and every table a compiled statement names (the server sends its reads' statements as compiled text)
    const watched = <T extends object>(db: T): T =>
      new Proxy(db, {
        get(target, key) {
          const value = Reflect.get(target, key) as unknown;
          if (key === 'executeQuery') return (query: { sql: string }) => (tables.push(...(query.sql.match(/\b(hermes_\w+|subscriber)\b/g) ?? [])), (value as (q: unknown) => unknown).call(target, query));
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    const files = new ProvisioningFiles({ ...c, kamailio: watched(c.kamailio.withPlugin(recorder)), provisioning: watched(c.provisioning.withPlugin(recorder)) });
    const snapshot = await files.snapshot('001565aa0001.cfg');
    expect(snapshot.lines?.length).toBeGreaterThan(0);
    expect([...new Set(tables)].sort()).toEqual(['hermes_phones', 'hermes_provisioning']);
    tables.length = 0;
    const found = await files.file(snapshot, '001565aa0001.cfg', { actor: 'test', showSecrets: true });
    expect(found.found).toBe('file');
    expect(found.found === 'file' && found.file.content).toContain(LINE_PASSWORDS.YEALINK1_PASSWORD);
    expect(tables).toEqual(expect.arrayContaining(['subscriber', 'hermes_users']));
    // Credentials not verified by this server (wrong ones, or right ones never checked): still no password read.
    for (const basic of [{ user: 'phones', password: 'wrong' }, { user: 'phones', password: PROVISIONING_PASSWORD }]) {
      tables.length = 0;
      await files.snapshot('001565aa0001.cfg', basic);
      expect([...new Set(tables)].sort()).toEqual(['hermes_phones', 'hermes_provisioning']);
    }
    // Once verified, a request with them reads its phone's lines and their users in one statement (the tables share a database); file() uses that read.
    expect(files.checkCredentials(snapshot.access, 'phones', PROVISIONING_PASSWORD)).toBe(true);
    tables.length = 0;
    const early = await files.snapshot('001565aa0001.cfg', { user: 'phones', password: PROVISIONING_PASSWORD });
    expect(tables).toEqual(expect.arrayContaining(['subscriber', 'hermes_users']));
    expect(early.users).toBeDefined();
    tables.length = 0;
    const again = await files.file(early, '001565aa0001.cfg', { actor: 'test', showSecrets: true });
    expect(again.found === 'file' && again.file.content).toContain(LINE_PASSWORDS.YEALINK1_PASSWORD);
    expect(again.found === 'file' && again.file.content).toContain('remote-auth');
    expect(tables).not.toContain('subscriber');
    // The lines as they are now, with their users: a line removed is gone from the file.
    await c.provisioning.deleteFrom('hermes_phones').where('mac', '=', '001565aa0001').where('line', '>', 1).execute();
    const changed = await files.snapshot('001565aa0001.cfg', { user: 'phones', password: PROVISIONING_PASSWORD });
    expect(changed.lines).toEqual([{ username: 'yealink1', domain: 'example.com' }]);
    const one = await files.file(changed, '001565aa0001.cfg', { actor: 'test', showSecrets: true });
    expect(one.found === 'file' && one.file.content).toContain(LINE_PASSWORDS.YEALINK1_PASSWORD);
    expect(one.found === 'file' && one.file.content).not.toContain('remote-auth');
    // A subscriber row spelled in another case than the line (written by another tool): found by hermes' case rule after all.
    await c.kamailio.updateTable('subscriber').set({ username: 'YeaLink1' }).where('username', '=', 'yealink1').execute();
    const variant = await files.snapshot('001565aa0001.cfg', { user: 'phones', password: PROVISIONING_PASSWORD });
    expect(variant.users).toBeUndefined();
    const found2 = await files.file(variant, '001565aa0001.cfg', { actor: 'test', showSecrets: true });
    expect(found2.found === 'file' && found2.file.content).toContain(LINE_PASSWORDS.YEALINK1_PASSWORD);
  });
});
