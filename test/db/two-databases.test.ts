import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { initDatabases, openDatabases, openUnchecked, type Connection } from '../../src/db/connect.js';
import { applyDesiredState } from '../../src/reconcile/apply.js';
import { runHermes } from '../helpers/cli.js';
import { createScratchDatabase, describeEachDatabase, dialectEnabled, type ScratchDatabase } from '../helpers/databases.js';
import { ENV, load, snapshot, writePlatform } from '../reconcile/fixtures.js';
import { applyServerFixture, LINE_PASSWORDS } from '../nodes-api/provisioning-fixture.js';
import { ProvisioningFiles } from '../../src/ops/provisioning-serve.js';

const yes = async () => true;

/** A trigger that refuses to insert carol's row into `table`, in each engine's SQL. */
const REFUSE_CAROL: Record<string, (table: string) => string[]> = {
  sqlite: (table) => [`CREATE TRIGGER hermes_test_refuse BEFORE INSERT ON ${table} WHEN NEW.username = 'carol' BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END`],
  mysql: (table) => [
    `CREATE TRIGGER hermes_test_refuse BEFORE INSERT ON ${table} FOR EACH ROW BEGIN IF NEW.username = 'carol' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by the test trigger'; END IF; END`,
  ],
  postgres: (table) => [
    `CREATE FUNCTION hermes_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.username = 'carol' THEN RAISE EXCEPTION 'refused by the test trigger'; END IF; RETURN NEW; END $$`,
    `CREATE TRIGGER hermes_test_refuse BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION hermes_test_refuse()`,
  ],
};

/** SQLite: carol's hermes_users row breaks a deferred foreign key, so the provisioning COMMIT itself fails. */
const FAIL_AT_COMMIT = [
  'CREATE TABLE hermes_test_parent (id INTEGER PRIMARY KEY)',
  'CREATE TABLE hermes_test_child (parent INTEGER REFERENCES hermes_test_parent (id) DEFERRABLE INITIALLY DEFERRED)',
  "CREATE TRIGGER hermes_test_at_commit AFTER INSERT ON hermes_users WHEN NEW.username = 'carol' BEGIN INSERT INTO hermes_test_child VALUES (42); END",
];

async function run(url: string, statements: readonly string[]): Promise<void> {
  const db = await openUnchecked(url);
  try {
    for (const s of statements) await sql.raw(s).execute(db);
  } finally {
    await db.destroy();
  }
}

async function pair(kamailio: ScratchDatabase, provisioning: ScratchDatabase): Promise<Connection> {
  await initDatabases({ db: kamailio.url, provisioningDb: provisioning.url, kamailioSchema: true });
  return openDatabases({ db: kamailio.url, provisioningDb: provisioning.url });
}

const EMPTY = { domain: [], subscriber: [], dbaliases: [], hermes_users: [], hermes_phones: [], hermes_numbers: [] };

describeEachDatabase('apply across two databases (--provisioning-db)', (suite) => {
  for (const failing of ['kamailio', 'provisioning'] as const) {
    it(`leaves both databases unchanged when a write in the ${failing} database fails`, async () => {
      const kam = await suite.scratch();
      const prov = await suite.scratch();
      const c = await pair(kam, prov);
      try {
        await run(failing === 'kamailio' ? kam.url : prov.url, REFUSE_CAROL[suite.dialect](failing === 'kamailio' ? 'subscriber' : 'hermes_users'));
        await expect(applyDesiredState(c, { desired: await load(), actor: 'test', confirm: yes })).rejects.toMatchObject({
          code: 'APPLY_FAILED',
          message: expect.stringContaining('refused by the test trigger'),
        });
        expect(await snapshot(c)).toEqual(EMPTY);
        expect(await c.provisioning.selectFrom('hermes_audit').selectAll().execute()).toEqual([]);
        expect(await c.provisioning.selectFrom('hermes_locks').selectAll().execute()).toEqual([]);
      } finally {
        await c.close();
      }
    });
  }

  it('when the provisioning commit fails after the Kamailio one, says what to re-run, and the re-run completes it', async () => {
    const kam = await suite.scratch();
    const prov = await createScratchDatabase('sqlite');
    const reference = await pair(await suite.scratch(), await suite.scratch());
    const c = await pair(kam, prov);
    try {
      await run(prov.url, FAIL_AT_COMMIT);
      const desired = await load();
      const failure = await applyDesiredState(c, { desired, actor: 'test', confirm: yes }).catch((e) => e);
      expect(failure).toMatchObject({ code: 'DB_PARTIAL_COMMIT' });
      expect(failure.message).toContain(`committed to ${c.names.kamailio} but the commit of ${c.names.provisioning} failed`);
      expect(failure.message).toContain('run the same command again (hermes apply with the same desired state)');
      expect((await snapshot(c)).subscriber).not.toEqual([]);
      expect((await snapshot(c)).hermes_users).toEqual([]);
      // The operator does as told (after fixing the cause): the re-run completes the apply.
      await run(prov.url, ['DROP TRIGGER hermes_test_at_commit']);
      expect((await applyDesiredState(c, { desired, actor: 'test', confirm: yes })).applied).toBe(true);
      expect((await applyDesiredState(c, { desired, actor: 'test', confirm: yes })).applied).toBe(false);
      await applyDesiredState(reference, { desired, actor: 'test', confirm: yes });
      expect(await snapshot(c)).toEqual(await snapshot(reference));
    } finally {
      await c.close();
      await reference.close();
      await prov.drop();
    }
  });

  it('hermes apply (the CLI) prints the re-run instruction and exits non-zero', async () => {
    const kam = await suite.scratch();
    const prov = await createScratchDatabase('sqlite');
    try {
      await (await pair(kam, prov)).close();
      await run(prov.url, FAIL_AT_COMMIT);
      const r = await runHermes(['apply', '--auto-approve'], { cwd: writePlatform(), env: { ...ENV, HERMES_DB: kam.url, HERMES_PROVISIONING_DB: prov.url } });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/run the same command again \(hermes apply with the same desired state\).*\[DB_PARTIAL_COMMIT\]/);
    } finally {
      await prov.drop();
    }
  });
});

describeEachDatabase('the provisioning server across two databases (--provisioning-db)', (suite) => {
  it("serves a phone's file with its lines' passwords, read by hermes' case rule after the credentials (no join across databases)", async () => {
    const kam = await suite.scratch();
    const prov = await suite.scratch();
    const c = await pair(kam, prov);
    try {
      expect(c.shared).toBe(false);
      await applyServerFixture(c);
      const files = new ProvisioningFiles(c);
      const first = await files.snapshot('001565aa0001.cfg');
      expect(files.checkCredentials(first.access, 'phones', 'prov-Secret-1')).toBe(true);
      // verified credentials: still no users in the snapshot, since the tables are in two databases
      const verified = await files.snapshot('001565aa0001.cfg', { user: 'phones', password: 'prov-Secret-1' });
      expect(verified.users).toBeUndefined();
      const found = await files.file(verified, '001565aa0001.cfg', { actor: 'test', showSecrets: true });
      expect(found.found === 'file' && found.file.content).toContain(LINE_PASSWORDS.YEALINK1_PASSWORD);
      expect(found.found === 'file' && found.file.content).toContain('remote-auth');
    } finally {
      await c.close();
    }
  });
});

(dialectEnabled('mysql') ? describe : describe.skip)(`the provisioning server on Kamailio tables in latin1 [mysql${dialectEnabled('mysql') ? '' : ': skipped, HERMES_TEST_MYSQL_URL not set'}]`, () => {
  it("reads a phone's users after the snapshot instead of joining subscriber (which would scan it), and serves the passwords", async () => {
    const scratch = await createScratchDatabase('mysql');
    try {
      await initDatabases({ db: scratch.url, kamailioSchema: true });
      const utf8 = await openDatabases({ db: scratch.url });
      expect(utf8.subscriberJoins).toBe(true);
      await utf8.close();
      await run(scratch.url, ['ALTER TABLE subscriber CONVERT TO CHARACTER SET latin1']);
      const c = await openDatabases({ db: scratch.url });
      try {
        expect(c.subscriberJoins).toBe(false);
        await applyServerFixture(c);
        const files = new ProvisioningFiles(c);
        expect(files.checkCredentials((await files.snapshot('001565aa0001.cfg')).access, 'phones', 'prov-Secret-1')).toBe(true);
        const verified = await files.snapshot('001565aa0001.cfg', { user: 'phones', password: 'prov-Secret-1' });
        expect(verified.users).toBeUndefined();
        const found = await files.file(verified, '001565aa0001.cfg', { actor: 'test', showSecrets: true });
        expect(found.found === 'file' && found.file.content).toContain(LINE_PASSWORDS.YEALINK1_PASSWORD);
      } finally {
        await c.close();
      }
    } finally {
      await scratch.drop();
    }
  });
});
