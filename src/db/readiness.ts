import { CHECKED_KAMAILIO_TABLES, KAMAILIO_TABLE_VERSIONS, readKamailioVersions } from './kamailio-schema.js';
import { PROVISIONING_SCHEMA_VERSION } from './migrations.js';
import type { Dbs } from './types.js';

/**
 * Whether both databases answer and carry the schema this hermes works with: Kamailio's
 * `version` rows as hermes expects them and the provisioning schema at this hermes' version.
 * Two small indexed queries (no catalogue introspection), so a load balancer may ask every
 * second. Any failure (refused, timed out, a table missing) is simply "not ready": the reason
 * is the server's to log, never the caller's to read.
 */
export async function databasesReady(dbs: Dbs): Promise<boolean> {
  const [kamailio, provisioning] = await Promise.all([
    readKamailioVersions(dbs.kamailio),
    dbs.provisioning
      .selectFrom('hermes_schema_version')
      .select((eb) => eb.fn.max('version').as('version'))
      .executeTakeFirst(),
  ]);
  return (
    CHECKED_KAMAILIO_TABLES.every((table) => kamailio.get(table) === KAMAILIO_TABLE_VERSIONS[table]) &&
    Number(provisioning?.version ?? 0) === PROVISIONING_SCHEMA_VERSION
  );
}
