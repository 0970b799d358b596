import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initDatabases, openDatabases } from '../../src/db/connect.js';
import { MYSQL_URL, PG_URL } from '../helpers/databases.js';
import { makeCertificates, postgresBin, startMariadb, startPostgres, type Certificates, type TlsServer } from '../helpers/tls-servers.js';

/**
 * TLS to PostgreSQL and MariaDB, against servers of the test's own (second instances on free
 * ports, in temporary data directories) with a certificate made here for "localhost" only,
 * which refuse plain connections. Run where the PostgreSQL (MySQL) suites run.
 */
const PASSWORD = 'pw-never-printed';

async function expectRefused(url: string, pattern: RegExp): Promise<void> {
  const error = await initDatabases({ db: url, kamailioSchema: true }).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error, `${url} must be refused`).toBeInstanceOf(Error);
  const message = (error as Error).message;
  expect(message).toMatch(pattern);
  expect(message).not.toContain('\n');
  expect(message).not.toContain(PASSWORD);
}

describe.runIf(PG_URL)('TLS to PostgreSQL (a second server with its own certificate)', () => {
  let certs: Certificates;
  let server: TlsServer;
  beforeAll(async () => {
    if (!postgresBin()) throw new Error('HERMES_TEST_PG_URL is set but PostgreSQL\'s server binaries are not under /usr/lib/postgresql');
    certs = makeCertificates();
    server = await startPostgres(certs);
  });
  afterAll(async () => {
    await server?.stop();
  });
  const url = (host: string, query: string) => `postgres://postgres:${PASSWORD}@${host}:${server.port}/hermes_tls?${query}`;

  it('sslmode=verify-full with sslrootcert: init, open, and the session is encrypted', async () => {
    const good = url('localhost', `sslmode=verify-full&sslrootcert=${certs.ca}`);
    const report = await initDatabases({ db: good, kamailioSchema: true });
    expect(report.databaseCreated).toBe(true);
    const c = await openDatabases({ db: good });
    try {
      const row = await sql<{ ssl: boolean }>`select ssl from pg_stat_ssl where pid = pg_backend_pid()`.execute(c.kamailio);
      expect(row.rows[0]?.ssl).toBe(true);
    } finally {
      await c.close();
    }
  });

  it('sslmode=verify-full refuses a host name the certificate does not name, in one line', async () => {
    await expectRefused(url('127.0.0.1', `sslmode=verify-full&sslrootcert=${certs.ca}`), /postgres:\/\/postgres@127\.0\.0\.1:\d+\/hermes_tls: the server's TLS certificate is refused \(ERR_TLS_CERT_ALTNAME_INVALID: .*127\.0\.0\.1/);
  });

  it('sslmode=verify-full without sslrootcert refuses a certificate from an unknown CA', async () => {
    await expectRefused(url('localhost', 'sslmode=verify-full'), /TLS certificate is refused \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/);
  });

  it('sslmode=verify-ca checks the chain but not the host name; sslmode=require encrypts without checking', async () => {
    for (const query of [`sslmode=verify-ca&sslrootcert=${certs.ca}`, 'sslmode=require']) {
      const c = await openDatabases({ db: url('127.0.0.1', query) });
      await c.close();
    }
  });

  it('a URL without sslmode is refused by this server (it takes TLS only)', async () => {
    await expectRefused(url('localhost', ''), /access denied|pg_hba/);
  });
});

describe.runIf(MYSQL_URL)('TLS to MariaDB (a second server with its own certificate)', () => {
  let certs: Certificates;
  let server: TlsServer;
  beforeAll(async () => {
    certs = makeCertificates();
    server = await startMariadb(certs);
  });
  afterAll(async () => {
    await server?.stop();
  });
  const url = (host: string, query: string) => `mysql://root@${host}:${server.port}/hermes_tls?${query}`;

  it('ssl=true with ssl-ca: init, open, and the session is encrypted', async () => {
    const good = url('localhost', `ssl=true&ssl-ca=${certs.ca}`);
    const report = await initDatabases({ db: good, kamailioSchema: true });
    expect(report.databaseCreated).toBe(true);
    const c = await openDatabases({ db: good });
    try {
      const row = await sql<{ Value: string }>`show session status like 'Ssl_cipher'`.execute(c.kamailio);
      expect(row.rows[0]?.Value).not.toBe('');
    } finally {
      await c.close();
    }
  });

  it('ssl=true refuses a host name the certificate does not name, in one line', async () => {
    await expectRefused(url('127.0.0.1', `ssl=true&ssl-ca=${certs.ca}`), /mysql:\/\/root@127\.0\.0\.1:\d+\/hermes_tls: the server's TLS certificate is refused \(ERR_TLS_CERT_ALTNAME_INVALID: .*127\.0\.0\.1/);
  });

  it('ssl=true without ssl-ca refuses a certificate from an unknown CA', async () => {
    await expectRefused(url('localhost', 'ssl=true'), /the TLS handshake failed \(self-signed certificate in certificate chain\); check the host name in the URL and the CA file \(ssl-ca=\)/);
  });

  it('a URL without ssl is refused by this server (it takes TLS only)', async () => {
    await expectRefused(url('localhost', ''), /cannot connect/);
  });
});
