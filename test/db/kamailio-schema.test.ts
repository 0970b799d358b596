import { existsSync, readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { initDatabases, openDatabases, openUnchecked } from '../../src/db/connect.js';
import { KAMAILIO_TABLE_VERSIONS } from '../../src/db/kamailio-schema.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { describeTables } from '../helpers/describe-schema.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/kamailio-schema.json', import.meta.url), 'utf8'));
const TABLES = Object.keys(KAMAILIO_TABLE_VERSIONS);
/** Kamailio's own schema files, where the Debian packages kamailio and kamailio-postgres-modules are installed (CI installs them). */
const KAMAILIO_SHARE = '/usr/share/kamailio';

describeEachDatabase('Kamailio schema', (suite) => {
  it('creates tables whose columns, types, defaults and keys match Kamailio\'s DDL (fixture)', async () => {
    const shape = await describeTables(suite.db.connection.kamailio, suite.dialect, TABLES);
    expect(shape).toEqual(fixture[suite.dialect]);
  });

  it('writes the version rows Kamailio expects', async () => {
    const rows = await suite.db.connection.kamailio.selectFrom('version').select(['table_name', 'table_version']).execute();
    expect(Object.fromEntries(rows.map((r) => [r.table_name, Number(r.table_version)]))).toEqual(fixture.versions);
  });

  const folder = { mysql: 'mysql', sqlite: 'db_sqlite', postgres: 'postgres' }[suite.dialect];
  it.runIf(existsSync(`${KAMAILIO_SHARE}/${folder}`))('matches tables created by the installed Kamailio schema files', async () => {
    const scratch = await suite.scratch();
    // Let hermes create the (empty) database, then run Kamailio's own files into it.
    await initDatabases({ db: scratch.url }).catch(() => undefined);
    const statements = ['standard', 'auth_db', 'domain', 'alias_db']
      .map((f) => readFileSync(`${KAMAILIO_SHARE}/${folder}/${f}-create.sql`, 'utf8'))
      .join('\n')
      .split(/;\s*\n/)
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const db = await openUnchecked(scratch.url);
    try {
      for (const table of TABLES) await sql.raw(`DROP TABLE IF EXISTS ${table}`).execute(db);
      for (const statement of statements) await sql.raw(statement).execute(db);
      const theirs = await describeTables(db, suite.dialect, TABLES);
      const ours = await describeTables(suite.db.connection.kamailio, suite.dialect, TABLES);
      expect(ours).toEqual(theirs);
      const versions = await db.selectFrom('version').select(['table_name', 'table_version']).execute();
      expect(Object.fromEntries(versions.map((r: { table_name: string; table_version: number }) => [r.table_name, Number(r.table_version)]))).toEqual(fixture.versions);
    } finally {
      await db.destroy();
    }
  });

  it('refuses a subscriber table at version 6, naming the table and both versions', async () => {
    const scratch = await suite.scratch();
    await initDatabases({ db: scratch.url, kamailioSchema: true });
    const c = await openDatabases({ db: scratch.url });
    await c.kamailio.updateTable('version').set({ table_version: 6 }).where('table_name', '=', 'subscriber').execute();
    await c.close();
    await expect(openDatabases({ db: scratch.url })).rejects.toMatchObject({
      code: 'DB_VERSION_MISMATCH',
      message: expect.stringMatching(/"subscriber".*version 6.*expects version 7/),
    });
  });

  it('refuses a database without Kamailio tables and says how to create them', async () => {
    const scratch = await suite.scratch();
    await expect(initDatabases({ db: scratch.url })).rejects.toMatchObject({
      code: 'DB_TABLE_MISSING',
      message: expect.stringContaining('--kamailio-schema'),
    });
  });

  it('never alters an existing Kamailio table, and keeps its rows', async () => {
    const scratch = await suite.scratch();
    await initDatabases({ db: scratch.url, kamailioSchema: true });
    const c = await openDatabases({ db: scratch.url });
    await c.kamailio.insertInto('subscriber').values({ username: 'kamctl', domain: 'example.com', password: 'x', ha1: 'h', ha1b: 'hb' }).execute();
    await c.close();
    const report = await initDatabases({ db: scratch.url, kamailioSchema: true });
    expect(report.kamailioTablesCreated).toEqual([]);
    expect(report.migrationsApplied).toEqual([]);
    const again = await openDatabases({ db: scratch.url });
    expect(await again.kamailio.selectFrom('subscriber').select('username').execute()).toEqual([{ username: 'kamctl' }]);
    await again.close();
  });
});

describe('Kamailio schema fixture', () => {
  it('pins the versions hermes supports', () => {
    expect(fixture.versions).toEqual(KAMAILIO_TABLE_VERSIONS);
  });
});
