import { expect, it } from 'vitest';
import { initDatabases, openDatabases, openUnchecked } from '../../src/db/connect.js';
import { MIGRATIONS, PROVISIONING_SCHEMA_VERSION, migrateProvisioning, provisioningSchemaVersion } from '../../src/db/migrations.js';
import { createMissingKamailioTables } from '../../src/db/kamailio-schema.js';
import { describeEachDatabase } from '../helpers/databases.js';

describeEachDatabase('provisioning migrations', (suite) => {
  it('upgrades an older provisioning schema in place without losing rows', async () => {
    const scratch = await suite.scratch();
    const db = await openUnchecked(scratch.url);
    try {
      await createMissingKamailioTables(db);
      // A database left at version 1 by an older hermes, with a user in it.
      expect(await migrateProvisioning(db, MIGRATIONS.slice(0, 1))).toEqual([1]);
      const now = new Date().toISOString();
      await db.insertInto('hermes_users').values({ username: 'alice', domain: 'example.com', kind: 'local', displayname: 'Alice', email: '', dialplan: '', linetext: '', created_at: now, updated_at: now }).execute();
    } finally {
      await db.destroy();
    }
    await expect(openDatabases({ db: scratch.url })).rejects.toMatchObject({ code: 'DB_PROVISIONING_OUTDATED' });
    const report = await initDatabases({ db: scratch.url });
    expect(report.migrationsApplied).toEqual(MIGRATIONS.slice(1).map((m) => m.version));
    const c = await openDatabases({ db: scratch.url });
    try {
      expect(await provisioningSchemaVersion(c.provisioning)).toBe(PROVISIONING_SCHEMA_VERSION);
      expect(await c.provisioning.selectFrom('hermes_users').select(['username', 'displayname']).execute()).toEqual([{ username: 'alice', displayname: 'Alice' }]);
    } finally {
      await c.close();
    }
  });

  it('refuses a provisioning schema newer than this hermes', async () => {
    const scratch = await suite.scratch();
    await initDatabases({ db: scratch.url, kamailioSchema: true });
    const c = await openDatabases({ db: scratch.url });
    await c.provisioning.insertInto('hermes_schema_version').values({ version: PROVISIONING_SCHEMA_VERSION + 1, applied_at: 'later' }).execute();
    await c.close();
    await expect(openDatabases({ db: scratch.url })).rejects.toMatchObject({ code: 'DB_PROVISIONING_NEWER' });
  });

  it('keeps the provisioning tables in a separate database when asked', async () => {
    const kam = await suite.scratch();
    const prov = await suite.scratch();
    await initDatabases({ db: kam.url, provisioningDb: prov.url, kamailioSchema: true });
    const c = await openDatabases({ db: kam.url, provisioningDb: prov.url });
    try {
      expect(c.shared).toBe(false);
      expect(await provisioningSchemaVersion(c.provisioning)).toBe(PROVISIONING_SCHEMA_VERSION);
      expect(await provisioningSchemaVersion(c.kamailio as any)).toBe(0);
    } finally {
      await c.close();
    }
  });
});
