import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/nodes-api/app.js';
import { DEFAULT_LIMITS } from '../../src/nodes-api/limits.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';

/** What a raw client saw: the bytes the server sent, and when it closed the connection. */
interface Seen {
  received: string;
  closedAfterMs: number | null;
}

/** A raw TCP client to the app; `seen` fills in as the server answers and closes. */
function client(port: number): { socket: Socket; seen: Seen; closed: Promise<void>; opened: Promise<void> } {
  const started = Date.now();
  const socket = connect({ host: '127.0.0.1', port });
  const seen: Seen = { received: '', closedAfterMs: null };
  socket.on('data', (chunk) => (seen.received += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) =>
    socket.on('close', () => {
      seen.closedAfterMs = Date.now() - started;
      resolve();
    }),
  );
  const opened = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, seen, closed, opened };
}

/** Writes `text` one byte every `everyMs` until the socket closes or the text is sent. */
async function trickle(socket: Socket, text: string, everyMs: number): Promise<void> {
  for (const byte of text) {
    if (socket.destroyed || !socket.writable) return;
    socket.write(byte);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('server limits (real sockets on 127.0.0.1)', () => {
  let db: TestDatabase;
  let app: ReturnType<typeof buildApp>;
  let port: number;

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    app = buildApp(db.connection, {
      auth: 'none',
      log: false,
      limits: { headersTimeout: 1_000, requestTimeout: 1_500, keepAliveTimeout: 500, maxConnections: 4 },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('uses the documented defaults', () => {
    const server = buildApp(db.connection, { log: false }).server;
    expect(server.headersTimeout).toBe(DEFAULT_LIMITS.headersTimeout);
    expect(server.requestTimeout).toBe(DEFAULT_LIMITS.requestTimeout);
    expect(server.keepAliveTimeout).toBe(DEFAULT_LIMITS.keepAliveTimeout);
    expect(server.timeout).toBe(DEFAULT_LIMITS.idleTimeout);
    expect(DEFAULT_LIMITS.maxRequestsPerSocket).toBe(1_000);
    expect(server.maxConnections).toBe(DEFAULT_LIMITS.maxConnections);
    expect(DEFAULT_LIMITS).toMatchObject({ headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000, maxConnections: 1_024 });
  });

  it('cuts off a client trickling a body one byte at a time, and runs no node', async () => {
    const body = JSON.stringify({ number: '+4722000001' }).padEnd(400, ' ');
    const c = client(port);
    await c.opened;
    c.socket.write(`POST /numbers/add HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    void trickle(c.socket, body, 50);
    await Promise.race([c.closed, sleep(8_000)]);
    expect(c.seen.closedAfterMs, 'the server closed the connection').not.toBeNull();
    expect(c.seen.closedAfterMs!).toBeLessThan(4_000);
    expect(c.seen.received).toMatch(/^HTTP\/1\.1 408/);
    const pooled = await db.connection.provisioning.selectFrom('hermes_numbers').select('number').execute();
    expect(pooled).toEqual([]);
  });

  it('cuts off a client trickling its headers', async () => {
    const c = client(port);
    await c.opened;
    void trickle(c.socket, `GET /numbers/list HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(200)}\r\n\r\n`, 50);
    await Promise.race([c.closed, sleep(8_000)]);
    expect(c.seen.closedAfterMs).not.toBeNull();
    expect(c.seen.closedAfterMs!).toBeLessThan(3_500);
    expect(c.seen.received).not.toMatch(/"response"/);
  });

  it('closes an idle kept-alive connection after a request', async () => {
    const c = client(port);
    await c.opened;
    c.socket.write('GET /numbers/list HTTP/1.1\r\nHost: x\r\n\r\n');
    await Promise.race([c.closed, sleep(8_000)]);
    expect(c.seen.received).toMatch(/^HTTP\/1\.1 200[\s\S]*"response":"ok"/);
    expect(c.seen.closedAfterMs).not.toBeNull();
    expect(c.seen.closedAfterMs!).toBeLessThan(3_000);
  });

  it('closes connections beyond the cap as they arrive', async () => {
    const held = [client(port), client(port), client(port), client(port)];
    await Promise.all(held.map((h) => h.opened));
    await sleep(100);
    const extra = client(port);
    await Promise.race([extra.closed, sleep(3_000)]);
    expect(extra.seen.closedAfterMs, 'the fifth connection is closed at once').not.toBeNull();
    expect(extra.seen.received).toBe('');
    for (const h of held) h.socket.destroy();
    await Promise.all(held.map((h) => h.closed));
    await sleep(100);
    // Below the cap again: served.
    const later = client(port);
    later.socket.write('GET /numbers/list HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await Promise.race([later.closed, sleep(3_000)]);
    expect(later.seen.received).toMatch(/^HTTP\/1\.1 200/);
  });
});

describe('requests per connection', () => {
  let db: TestDatabase;
  let app: ReturnType<typeof buildApp>;
  let port: number;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    app = buildApp(db.connection, { auth: 'none', log: false, limits: { maxRequestsPerSocket: 3 } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('closes a kept-alive connection after its last answer, which says so; a client that goes on sending gets no 503', async () => {
    const c = client(port);
    await c.opened;
    let received = '';
    c.socket.on('data', (d) => (received += String(d)));
    // Five pipelined requests on one connection: three answers, the third with Connection: close, then the close.
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(5));
    await Promise.race([c.closed, sleep(5_000)]);
    expect(c.seen.closedAfterMs, 'the server closed the connection').not.toBeNull();
    const statuses = [...received.matchAll(/HTTP\/1\.1 (\d+)/g)].map((m) => m[1]);
    expect(statuses).toEqual(['200', '200', '200']);
    const third = received.split(/(?=HTTP\/1\.1 \d)/)[2] ?? '';
    expect(third).toMatch(/^connection: close/im);
  });
});
