import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { initDatabases, openDatabases, openUnchecked } from '../../src/db/connect.js';
import { adapterNamed } from '../../src/db/dialects/index.js';
import { addLocalUsers, getUser } from '../../src/ops/users.js';
import { describeEachDatabase } from '../helpers/databases.js';

/** Kamailio's subscriber DDL of the engine with a case-folding (or exact) collation on its address columns. */
function subscriberDdl(dialect: string, fold: boolean): string[] {
  const ddl = adapterNamed(dialect as 'sqlite').kamailioDdl('subscriber');
  const collations: Record<string, [string, string]> = {
    sqlite: [' COLLATE NOCASE', ''],
    mysql: [' COLLATE utf8mb4_general_ci', ' COLLATE utf8mb4_bin'],
    // PostgreSQL: a nondeterministic ICU collation folds case (made in recreateSubscriber).
    postgres: [' COLLATE hermes_ci', ' COLLATE "C"'],
  };
  const collate = collations[dialect]![fold ? 0 : 1];
  return ddl.map((s, i) => (i === 0 ? s.replace(/(`?(username|domain)`? VARCHAR\(\d+\))/g, `$1${collate}`) : s));
}

async function recreateSubscriber(url: string, dialect: string, fold: boolean): Promise<void> {
  const db = await openUnchecked(url);
  try {
    await sql`drop table subscriber`.execute(db);
    if (dialect === 'postgres') await sql`create collation if not exists hermes_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)`.execute(db);
    for (const statement of subscriberDdl(dialect, fold)) await sql.raw(statement).execute(db);
  } finally {
    await db.destroy();
  }
}

describeEachDatabase('dialect adapter', (suite) => {
  for (const fold of [true, false]) {
    it(`reads whether subscriber keys fold case from the columns' collation (${fold ? 'folding' : 'exact'})`, async () => {
      const scratch = await suite.scratch();
      await initDatabases({ db: scratch.url, kamailioSchema: true });
      await recreateSubscriber(scratch.url, suite.dialect, fold);
      const c = await openDatabases({ db: scratch.url });
      try {
        expect(c.caseInsensitive.subscriber).toBe(fold);
        await c.kamailio.insertInto('domain').values({ domain: 'example.com', did: null, last_modified: '2026-01-01 00:00:00' }).execute();
        await addLocalUsers(c, [{ username: 'alice', domain: 'example.com', password: 'secret-pass-1' }], { actor: 'test' });
        // Whatever the collation, hermes' rule makes Alice the same key as alice: the flag only chooses the queries.
        const adding = addLocalUsers(c, [{ username: 'Alice', domain: 'example.com', password: 'secret-pass-2' }], { actor: 'test' });
        await expect(adding).rejects.toMatchObject({ cause: 'exists' });
        expect((await getUser(c, { username: 'ALICE', domain: 'Example.COM' }, { actor: 'test' })).address).toBe('alice@example.com');
      } finally {
        await c.close();
      }
    });
  }

  it('concatenates, orders randomly and inserts many rows ignoring existing keys', async () => {
    const c = suite.db.connection;
    const adapter = c.adapters.provisioning;
    const row = await sql<{ v: string }>`select ${adapter.concat([sql.lit('a'), sql.lit('@'), sql.lit('b')])} as v`.execute(c.provisioning);
    expect(row.rows[0].v).toBe('a@b');
    const { insertRows } = await import('../../src/ops/bulk.js');
    const rows = Array.from({ length: 70_001 }, (_, i) => [`+49${String(i).padStart(8, '0')}`]);
    expect(await insertRows(c.provisioning, 'hermes_numbers', ['number'], rows.slice(0, 10), { ignore: true })).toBe(10);
    expect(await insertRows(c.provisioning, 'hermes_numbers', ['number'], rows, { ignore: true })).toBe(70_001 - 10);
    const random = await c.provisioning.selectFrom('hermes_numbers').select('number').orderBy(adapter.randomOrder()).limit(5).execute();
    expect(random).toHaveLength(5);
    await suite.clear();
  });
});
