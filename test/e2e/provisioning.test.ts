import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vendor } from '../../src/provisioning/index.js';
import { runHermes, type CliResult } from '../helpers/cli.js';
import { startServer, type ServeProcess } from '../helpers/serve-process.js';
import { makeCertificates, type Certificates } from '../helpers/tls-servers.js';
import { LINE_PASSWORDS, linesOfFile, SERVER_YAML } from '../nodes-api/provisioning-fixture.js';
import { findKamailio, hasModule, kamailioDbUrl, KamailioProcess } from './kamailio-process.js';
import { header, SipClient } from './sip-client.js';

/**
 * The provisioning server end to end (issue 15): `hermes serve --tls-cert/--tls-key` hands each
 * vendor's phone its files over HTTPS with the provisioning credentials; line 1's user, auth
 * name, password and server are read from the fetched file and REGISTERed at a real Kamailio
 * (200). A password change applied with --notify-phones: the registered clients get Kamailio's
 * check-sync NOTIFY, the re-fetched file holds the new password (200), the old one gets 401.
 * Then the refusals (401, 403, 429) and the log. SQLite only; fixed loopback ports 15076
 * (SIP), 15077 (Kamailio's JSON-RPC), 15078 (HTTPS) and 15079 (plain HTTP).
 */

const KAMAILIO = findKamailio();
const REQUIRED = Boolean(process.env.HERMES_TEST_KAMAILIO) && process.env.HERMES_TEST_KAMAILIO !== '0';
const PORTS = { sip: 15076, rpc: 15077, https: 15078, http: 15079 };
const PROVISIONING = 'phones:prov-Secret-1';
const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

const PHONES: { vendor: Vendor; mac: string; file: string; user: string; env: keyof typeof LINE_PASSWORDS }[] = [
  { vendor: 'yealink', mac: '00:15:65:aa:00:01', file: '001565aa0001.cfg', user: 'yealink1', env: 'YEALINK1_PASSWORD' },
  { vendor: 'snom', mac: '00:04:13:aa:00:02', file: 'snomD785-000413AA0002.htm', user: 'snom1', env: 'SNOM1_PASSWORD' },
  { vendor: 'polycom', mac: '00:04:f2:aa:00:03', file: '0004f2aa0003-hermes.cfg', user: 'poly1', env: 'POLY1_PASSWORD' },
  { vendor: 'grandstream', mac: '00:0b:82:aa:00:04', file: 'cfg000b82aa0004.xml', user: 'gs1', env: 'GS1_PASSWORD' },
];
const NEW_PASSWORDS: Record<string, string> = Object.fromEntries(Object.entries(LINE_PASSWORDS).map(([k, v]) => [k, v.replace(/1$/, '2')]));

function serve(dir: string, args: string[]): Promise<ServeProcess> {
  return startServer(['--db', `sqlite:${join(dir, 'hermes.db')}`, ...args], {}, { cwd: dir, readyWhen: 'phone provisioning (/provision/)' });
}

/** GET over HTTPS (trusting the test CA) or plain HTTP. */
function get(url: string, options: { auth?: string; ua?: string; ca?: string } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const headers = { ...(options.auth ? { authorization: options.auth } : {}), ...(options.ua ? { 'user-agent': options.ua } : {}) };
  return new Promise((resolve, reject) => {
    const done = (res: import('node:http').IncomingMessage) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    };
    const req = url.startsWith('https:') ? httpsRequest(url, { headers, ca: options.ca, servername: 'localhost' }, done) : httpRequest(url, { headers }, done);
    req.on('error', reject);
    req.end();
  });
}

const expectOk = (r: CliResult, what: string) => expect(r.code, `${what}\n${r.stdout}\n${r.stderr}`).toBe(0);

const suite = KAMAILIO && hasModule('db_sqlite') ? describe : REQUIRED ? describe : describe.skip;

suite(`provisioning end to end with a real Kamailio${KAMAILIO ? '' : ' [skipped: no kamailio binary]'}`, () => {
  let dir: string;
  let certs: Certificates;
  let kamailio: KamailioProcess | undefined;
  let tls: ServeProcess | undefined;
  let plain: ServeProcess | undefined;
  const clients: SipClient[] = [];
  const hermes = (args: string[], env: Record<string, string> = LINE_PASSWORDS) => runHermes([...args, '--db', `sqlite:${join(dir, 'hermes.db')}`], { cwd: dir, env: { ...env, HERMES_KAMAILIO_RPC: undefined, HERMES_DB: undefined } });
  const https = (file: string, auth?: string, ua?: string) => get(`https://127.0.0.1:${PORTS.https}/provision/${file}`, { auth, ua, ca: readFileSync(certs.ca, 'utf8') });

  beforeAll(async () => {
    if (!KAMAILIO) throw new Error('HERMES_TEST_KAMAILIO is set but no kamailio binary was found');
    dir = mkdtempSync(join(tmpdir(), 'hermes-e2e-prov-'));
    cpSync(dirname(SERVER_YAML), dir, { recursive: true });
    certs = makeCertificates();
    expectOk(await hermes(['init', '--kamailio-schema']), 'hermes init');
    expectOk(await hermes(['apply', 'hermes.yaml', '--auto-approve']), 'hermes apply');
    // no API token: a provisioning server starts without one (phones use provisioning.auth)
    kamailio = await KamailioProcess.start({ bin: KAMAILIO, dbUrl: kamailioDbUrl(`sqlite:${join(dir, 'hermes.db')}`), sipPort: PORTS.sip, rpcPort: PORTS.rpc, withHa1: false, dir });
    tls = await serve(dir, ['--listen', `127.0.0.1:${PORTS.https}`, '--tls-cert', certs.cert, '--tls-key', certs.key]);
    plain = await serve(dir, ['--listen', `127.0.0.1:${PORTS.http}`]);
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    for (const s of [tls, plain]) s?.child.kill('SIGTERM');
    await kamailio?.stop();
    if (certs) rmSync(certs.dir, { recursive: true, force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Fetches a phone's credential file over HTTPS, parses it, and REGISTERs line 1 from it. */
  async function fetchAndRegister(p: (typeof PHONES)[number], client: SipClient): Promise<{ password: string; status: number }> {
    const res = await https(p.file, basic(PROVISIONING));
    expect(res.status, `${p.file}: ${res.body}`).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const lines = linesOfFile(p.vendor, res.body);
    const line1 = lines.get(1)!;
    expect(line1.user).toBe(p.user);
    expect(lines.get(2)).toMatchObject({ user: 'remote', auth: 'remote-auth', password: 'remote-Secret-1' });
    const r = await client.register({ username: line1.user, domain: line1.server.split(':')[0], authUsername: line1.auth, password: line1.password, expires: 300 });
    return { password: line1.password, status: r.final.status };
  }

  it('each vendor: fetch over HTTPS with the credentials, parse, REGISTER line 1 from the file: 200', async () => {
    for (const p of PHONES) {
      const client = await SipClient.open(kamailio!.sipAddress);
      clients.push(client);
      const { password, status } = await fetchAndRegister(p, client);
      expect(password).toBe(LINE_PASSWORDS[p.env]);
      expect(status, p.vendor).toBe(200);
    }
  });

  it('a password change applied with --notify-phones: check-sync NOTIFY to the registered clients; the new file registers, the old password gets 401', async () => {
    // the Grandstream's client unregisters: it is listed, not notified
    const gs = clients[3];
    expect((await gs.register({ username: 'gs1', domain: 'example.com', password: LINE_PASSWORDS.GS1_PASSWORD, expires: 0 })).final.status).toBe(200);
    const applied = await hermes(['apply', 'hermes.yaml', '--auto-approve', '--notify-phones', '--kamailio-rpc', kamailio!.rpcUrl], NEW_PASSWORDS);
    expectOk(applied, 'apply --notify-phones');
    expect(applied.stdout).toContain('Sent check-sync to 3 of 4 phone(s) whose files changed (3 contact(s)).');
    expect(applied.stdout).toContain('Not registered, not notified: 00:0b:82:aa:00:04');
    await new Promise((r) => setTimeout(r, 500));
    for (const client of clients.slice(0, 3)) {
      const notify = client.received.find((r) => r.method === 'NOTIFY');
      expect(notify, 'a NOTIFY').toBeDefined();
      expect(notify!.headers.get('event')).toEqual(['check-sync']);
    }
    expect(gs.received).toEqual([]);
    const status = await hermes(['provision', 'status']);
    expect(status.stdout).toContain('changed        00:15:65:aa:00:01  yealink-t46u  001565aa0001.cfg');
    for (const [i, p] of PHONES.entries()) {
      const { password, status: code } = await fetchAndRegister(p, clients[i]);
      expect(password).toBe(NEW_PASSWORDS[p.env]);
      expect(code, `${p.vendor} with the new password`).toBe(200);
      const old = await clients[i].register({ username: p.user, domain: 'example.com', password: LINE_PASSWORDS[p.env], expires: 300 });
      expect(old.final.status, `${p.vendor} with the old password`).toBe(401);
    }
  });

  it('refuses: 401 without or with wrong credentials (known and unknown MAC), 403 over plain HTTP outside allow_http, 403 for another MAC than the User-Agent, 429 after a burst', async () => {
    for (const file of ['001565aa0001.cfg', '001565ffffff.cfg']) {
      expect((await https(file)).status).toBe(401);
      expect((await https(file, basic('phones:wrong'))).status).toBe(401);
    }
    expect((await https('001565ffffff.cfg', basic(PROVISIONING))).status).toBe(404);
    expect((await https('001565aa0001.cfg', basic(PROVISIONING), 'Yealink SIP-T46U 108.86.0.20 00:15:65:aa:00:09')).status).toBe(403);
    const http = (file: string, auth?: string) => get(`http://127.0.0.1:${PORTS.http}/provision/${file}`, { auth });
    const plainFile = await http('001565aa0001.cfg', basic(PROVISIONING));
    expect(plainFile.status).toBe(403);
    expect(plainFile.body).toMatch(/^[^\n]*HTTPS[^\n]*\n$/);
    expect((await http('y000000000108.cfg', basic(PROVISIONING))).status).toBe(200);
    const burst: number[] = [];
    for (let i = 0; i < 12; i++) burst.push((await http('001565aa0001.cfg', basic(`phones:guess-${i}`))).status);
    expect(burst.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(burst.slice(10)).toEqual([429, 429]);
    const locked = await http('001565aa0001.cfg', basic(PROVISIONING));
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('logs one fail2ban-matchable line per provisioning request, and no secret', async () => {
    await new Promise((r) => setTimeout(r, 300)); // the last lines reach the pipes
    const provisioningLines = (out: string) => out.split('\n').filter((l) => l.includes('"msg":"provisioning"'));
    // exactly one line per request: 8 fetches and 6 refusals over HTTPS, 15 requests over HTTP
    expect([provisioningLines(tls!.stdout).length, provisioningLines(plain!.stdout).length]).toEqual([14, 15]);
    const lines = provisioningLines(`${tls!.stdout}${plain!.stdout}`);
    // the filter of docs/provisioning.md, <ADDR> as fail2ban expands it
    const failregex = /^\{.*"client":"(?<addr>[0-9a-fA-F.:]+)","mac":"[^"]*","file":"[^"]*","status":(?:401|403|404|429),"msg":"provisioning"\}$/;
    const failures = lines.filter((l) => failregex.test(l));
    expect(failures.length).toBeGreaterThan(15);
    expect(failures.every((l) => failregex.exec(l)!.groups!.addr === '127.0.0.1')).toBe(true);
    expect(lines.filter((l) => l.includes('"status":200')).every((l) => !failregex.test(l))).toBe(true);
    for (const l of lines) expect(l).toMatch(/"at":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    const all = `${tls!.stdout}${tls!.stderr}${plain!.stdout}${plain!.stderr}`;
    for (const secret of ['prov-Secret-1', 'remote-Secret-1', ...Object.values(LINE_PASSWORDS), ...Object.values(NEW_PASSWORDS), basic(PROVISIONING).slice(6), 'guess-3']) expect(all).not.toContain(secret);
  });
});
