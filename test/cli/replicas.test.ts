import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initDatabases, openDatabases, type Connection } from '../../src/db/connect.js';
import type { DialectName } from '../../src/db/types.js';
import { addDomains, addLocalUsers, addNumberRange } from '../../src/ops/index.js';
import { createToken } from '../../src/ops/tokens.js';
import { runHermes } from '../helpers/cli.js';
import { createScratchDatabase, dialectEnabled, type ScratchDatabase } from '../helpers/databases.js';
import { startServer, type ServeProcess } from '../helpers/serve-process.js';
import { freePort } from '../helpers/tls-servers.js';
import { expectInvariants, tally, type Envelope } from '../nodes-api/invariants.js';

/** The token cache's lifetime in src/nodes-api/auth.ts (documented in docs/operations.md). */
const TOKEN_CACHE_MS = 5_000;

for (const dialect of ['mysql', 'postgres'] as DialectName[]) {
  const enabled = dialectEnabled(dialect);
  (enabled ? describe : describe.skip)(`two hermes serve replicas on one database [${dialect}${enabled ? '' : ': skipped, its URL is not set'}]`, () => {
    let scratch: ScratchDatabase;
    let connection: Connection;
    let write: string;
    let victim: string;
    const replicas: { server: ServeProcess; base: string }[] = [];

    beforeAll(async () => {
      scratch = await createScratchDatabase(dialect);
      await initDatabases({ db: scratch.url, kamailioSchema: true });
      connection = await openDatabases({ db: scratch.url });
      write = (await createToken(connection, { name: 'ops', scope: 'write' }, { actor: 'test' })).token;
      victim = (await createToken(connection, { name: 'victim', scope: 'read' }, { actor: 'test' })).token;
      await addDomains(connection, ['example.com'], { actor: 'test' });
      await addLocalUsers(connection, ['alice', ...Array.from({ length: 20 }, (_, i) => `p${i}`)].map((username) => ({ username, domain: 'example.com' })), { actor: 'test' });
      await addNumberRange(connection, '+4790000000', '+4790000199', { actor: 'test' });
      for (let i = 0; i < 2; i++) {
        const port = await freePort();
        replicas.push({ server: await startServer(['--listen', `127.0.0.1:${port}`, '--pool-size', '8', '--log-level', 'warn', '--db', scratch.url]), base: `http://127.0.0.1:${port}` });
      }
    }, 60_000);
    afterAll(async () => {
      for (const { server } of replicas) {
        server.child.kill('SIGTERM');
        await server.exited;
      }
      await connection?.close();
      await scratch?.drop();
    });

    const call = async (replica: number, node: string, params: Record<string, string>, token = write): Promise<{ status: number; body: Envelope }> => {
      const res = await fetch(`${replicas[replica]!.base}/${node}?${new URLSearchParams(params)}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: (await res.json()) as Envelope };
    };

    it(`a token revoked with hermes token revoke is refused by both replicas within ${TOKEN_CACHE_MS / 1000} s`, async () => {
      for (const r of [0, 1]) expect((await call(r, 'user/list', {}, victim)).status).toBe(200);
      const revoked = await runHermes(['token', 'revoke', 'victim', '--db', scratch.url]);
      expect(revoked.code).toBe(0);
      const since = Date.now();
      const refused = async (r: number) => {
        while ((await call(r, 'user/list', {}, victim)).status !== 401) {
          if (Date.now() - since > TOKEN_CACHE_MS + 1_500) throw new Error(`replica ${r} still accepts the revoked token after ${Date.now() - since} ms`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return Date.now() - since;
      };
      const delays = await Promise.all([refused(0), refused(1)]);
      for (const delay of delays) expect(delay).toBeLessThanOrEqual(TOKEN_CACHE_MS + 1_500);
      // A token created through the database is accepted by both at once (unknown tokens are remembered 1 s).
      const fresh = (await createToken(connection, { name: 'fresh', scope: 'read' }, { actor: 'test' })).token;
      for (const r of [0, 1]) expect((await call(r, 'user/list', {}, fresh)).status).toBe(200);
    }, 30_000);

    it('concurrent writes through both replicas keep every invariant and answer the losers with the cause', async () => {
      const same = await Promise.all(Array.from({ length: 60 }, (_, i) => call(i % 2, 'alias/add', { alias: 'same@example.com', destination: 'alice@example.com' })));
      expect(tally(same.map((a) => a.body))).toEqual({ ok: 1, 'failed/exists': 59 });
      // Both replicas give 20 users E.164 aliases at once, three numbers per user: one wins each.
      const numbers = await Promise.all(
        Array.from({ length: 60 }, (_, i) => call(i % 2, 'alias/add', { alias: `+47900001${String(i).padStart(2, '0')}@example.com`, destination: `p${i % 20}@example.com` })),
      );
      expect(numbers.every((a) => a.body.response === 'ok' || a.body.response === 'failed')).toBe(true);
      expect(tally(numbers.map((a) => a.body)).ok).toBe(20);
      const added = await Promise.all(Array.from({ length: 40 }, (_, i) => call(i % 2, 'numbers/add', { number: '+4791000000' })));
      expect(tally(added.map((a) => a.body))).toEqual({ ok: 1, 'failed/exists': 39 });
      await expectInvariants(connection);
    }, 60_000);
  });
}
