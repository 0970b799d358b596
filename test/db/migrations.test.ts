import { expect, it } from 'vitest';
import { initDatabases, openDatabases, openUnchecked } from '../../src/db/connect.js';
import { MIGRATIONS, PROVISIONING_SCHEMA_VERSION, migrateProvisioning, provisioningSchemaVersion } from '../../src/db/migrations.js';
import { createMissingKamailioTables } from '../../src/db/kamailio-schema.js';
import { runHermes } from '../helpers/cli.js';
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
      // Audit rows from before migration 6: an API node's, and an apply's (which named no action).
      const audit = (node: string, object_key: string) => ({ at: now, actor: 'old', node, object_key, detail: '' });
      await (db as any).insertInto('hermes_audit').values([audit('user/change_pw', 'alice@example.com'), audit('phone/remove', '0004f2000001'), audit('apply', 'example.com')]).execute();
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
      expect(await c.provisioning.selectFrom('hermes_audit').select(['node', 'action', 'kind', 'object_key']).orderBy('id').execute()).toEqual([
        { node: 'user/change_pw', action: 'update', kind: 'user', object_key: 'alice@example.com' },
        { node: 'phone/remove', action: 'delete', kind: 'phone', object_key: '0004f2000001' },
        { node: 'apply', action: '', kind: '', object_key: 'example.com' },
      ]);
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

describeEachDatabase('provisioning migrations: lock and transaction', (suite) => {
  it('several hermes init processes at once migrate once, without errors', async () => {
    const scratch = await suite.scratch();
    await initDatabases({ db: scratch.url, kamailioSchema: true });
    const db = await openUnchecked(scratch.url);
    try {
      await db.schema.dropTable('hermes_schema_version').execute();
      for (const t of ['hermes_users', 'hermes_phones', 'hermes_numbers', 'hermes_tokens', 'hermes_audit', 'hermes_locks', 'hermes_writers', 'hermes_provisioning', 'hermes_keys', 'hermes_fetches']) await db.schema.dropTable(t).execute();
    } finally {
      await db.destroy();
    }
    // Separate processes (better-sqlite3 waits for a lock synchronously, so one process cannot hold two waiting connections).
    const runs = await Promise.all(Array.from({ length: 4 }, () => runHermes(['init', '--db', scratch.url])));
    for (const r of runs) expect(r.stderr).toBe('');
    for (const r of runs) expect(r.code).toBe(0);
    const c = await openDatabases({ db: scratch.url });
    try {
      expect(await c.provisioning.selectFrom('hermes_schema_version').select('version').orderBy('version').execute()).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
    } finally {
      await c.close();
    }
  });

  it('a failing migration leaves no trace where the engine rolls DDL back', async () => {
    const scratch = await suite.scratch();
    await initDatabases({ db: scratch.url, kamailioSchema: true });
    const db = await openUnchecked(scratch.url);
    const broken = {
      version: PROVISIONING_SCHEMA_VERSION + 1,
      description: 'fails half way',
      async up(d: typeof db, table: (name: string) => any) {
        await table('hermes_half').addColumn('id', 'integer', (col: any) => col.primaryKey()).execute();
        throw new Error('migration failed on purpose');
      },
    };
    try {
      await expect(migrateProvisioning(db, [...MIGRATIONS, broken])).rejects.toThrow('migration failed on purpose');
      const { adapterOf } = await import('../../src/db/dialects/index.js');
      const tables = (await db.introspection.getTables()).map((t) => t.name);
      expect(tables.includes('hermes_half')).toBe(!adapterOf(db).supportsTransactionalDdl);
      expect(await provisioningSchemaVersion(db)).toBe(PROVISIONING_SCHEMA_VERSION);
    } finally {
      await db.destroy();
    }
  });
});
