import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initDatabases } from '../../src/db/connect.js';
import { runHermes } from '../helpers/cli.js';
import { startServer } from '../helpers/serve-process.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/databases.js';

// Ports for servers started by these tests: 18080-18088 (18083: limits) (18089 is the benchmark's).

describe('hermes serve', () => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await createScratchDatabase('sqlite');
    await initDatabases({ db: scratch.url, kamailioSchema: true });
  });
  afterAll(async () => scratch?.drop());

  it('refuses to start without a token, naming hermes token create', async () => {
    const r = await runHermes(['serve', '--listen', '127.0.0.1:18080', '--db', scratch.url]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('hermes token create');
  });

  it('refuses --tls-cert without --tls-key, an unreadable or unusable certificate, with one line each', async () => {
    const cases: [string[], RegExp][] = [
      [['--tls-cert', '/etc/hostname'], /--tls-cert needs --tls-key too/],
      [['--tls-key', '/etc/hostname'], /--tls-key needs --tls-cert too/],
      [['--tls-cert', '/nonexistent.pem', '--tls-key', '/nonexistent.key'], /--tls-cert \/nonexistent.pem cannot be read \(ENOENT\)/],
      [['--tls-cert', '/etc/hostname', '--tls-key', '/etc/hostname'], /are not a usable PEM certificate and key/],
    ];
    for (const [args, message] of cases) {
      const r = await runHermes(['serve', '--no-auth', '--listen', '127.0.0.1:18080', ...args, '--db', scratch.url]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('refuses --no-auth on a non-loopback address', async () => {
    const r = await runHermes(['serve', '--no-auth', '--listen', '0.0.0.0:18080', '--db', scratch.url]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--no-auth is only allowed on a loopback address/);
  });

  it('refuses a bad --listen with one clear line', async () => {
    for (const listen of ['127.0.0.1', 'localhost:99999', ':8080', 'a b:80', '::1:8080']) {
      const r = await runHermes(['serve', '--no-auth', '--listen', listen, '--db', scratch.url]);
      expect(r.code, listen).toBe(1);
      expect(r.stderr.trim().split('\n'), listen).toHaveLength(1);
      expect(r.stderr, listen).toMatch(/^hermes: --listen ".*" .*HOST:PORT/);
    }
  });

  it('with --no-auth on loopback answers real HTTP requests and stops cleanly on SIGTERM', async () => {
    const server = await startServer(['--no-auth', '--listen', '127.0.0.1:18080', '--db', scratch.url]);
    try {
      const res = await fetch('http://127.0.0.1:18080/user/gen_pw');
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ response: 'ok' });
      const missing = await fetch('http://127.0.0.1:18080/nope/nothing');
      expect(missing.status).toBe(404);
      // The request log: JSON lines on stdout, with the anonymous actor.
      await new Promise((r) => setTimeout(r, 100));
      const lines = server.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.some((l) => l.msg === 'request completed' && l.actor === 'anonymous' && l.node === 'user/gen_pw')).toBe(true);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stderr).toContain('SIGTERM: stopping');
  });

  it('refuses a port in use with one line', async () => {
    const server = await startServer(['--no-auth', '--listen', 'localhost:18081', '--db', scratch.url]);
    try {
      const r = await runHermes(['serve', '--no-auth', '--listen', 'localhost:18081', '--db', scratch.url]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/cannot listen on localhost:18081: the address is in use/);
    } finally {
      server.child.kill('SIGINT');
    }
    expect((await server.exited).code).toBe(0);
  });

  it('with a token requires it, and serves read-only when asked', async () => {
    const created = await runHermes(['token', 'create', 'ops', '--scope', 'write', '--db', scratch.url]);
    const token = created.stdout.trimEnd().split('\n').pop()!;
    const server = await startServer(['--listen', '127.0.0.1:18082', '--read-only', '--db', scratch.url]);
    try {
      expect((await fetch('http://127.0.0.1:18082/user/list')).status).toBe(401);
      const list = await fetch('http://127.0.0.1:18082/user/list', { headers: { authorization: `Bearer ${token}` } });
      expect(list.status).toBe(200);
      const add = await fetch('http://127.0.0.1:18082/numbers/add', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'number=%2B4722000001',
      });
      expect(add.status).toBe(409);
      expect(await add.json()).toMatchObject({ response: 'failed', cause: 'readonly' });
    } finally {
      server.child.kill('SIGTERM');
    }
    expect((await server.exited).code).toBe(0);
    expect(server.stdout).not.toContain(token);
  });

  it('refuses bad --max-connections and --request-timeout with one line', async () => {
    for (const [option, value] of [['--max-connections', '0'], ['--max-connections', '1.5'], ['--request-timeout', 'x'], ['--request-timeout', '0']]) {
      const r = await runHermes(['serve', '--no-auth', '--listen', '127.0.0.1:18083', option, value, '--db', scratch.url]);
      expect(r.code, `${option} ${value}`).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`${option} "${value}" is not a whole number`);
    }
  });

  it('answers HEAD with 405 and cuts off a slow body after --request-timeout', async () => {
    const server = await startServer(['--no-auth', '--listen', '127.0.0.1:18083', '--request-timeout', '1', '--db', scratch.url]);
    try {
      const head = await fetch('http://127.0.0.1:18083/numbers/add?number=%2B4722000009', { method: 'HEAD' });
      expect(head.status).toBe(405);
      expect(head.headers.get('allow')).toBe('GET, POST');
      const started = Date.now();
      const socket = connect({ host: '127.0.0.1', port: 18083 });
      socket.on('error', () => undefined);
      const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - started)));
      socket.write('POST /numbers/add HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n');
      const timer = setInterval(() => socket.writable && socket.write('n'), 100);
      const after = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(Infinity), 8_000))]);
      clearInterval(timer);
      socket.destroy();
      expect(after).toBeLessThan(4_000);
      const list = await (await fetch('http://127.0.0.1:18083/numbers/list')).json();
      expect(list).toEqual({ response: 'ok', numbers: [] });
    } finally {
      server.child.kill('SIGTERM');
    }
    expect((await server.exited).code).toBe(0);
  });
});
