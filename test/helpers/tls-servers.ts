import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Database servers of our own for the TLS tests: a throw-away CA and a server certificate for
 * "localhost" made with openssl, and a second PostgreSQL or MariaDB instance started on a free
 * loopback port in a temporary data directory (the machine's own servers are never touched),
 * refusing plain connections. stop() ends it and removes the directory.
 */
export interface Certificates {
  dir: string;
  ca: string;
  cert: string;
  key: string;
}

export interface TlsServer {
  port: number;
  stop(): Promise<void>;
}

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });

/** A CA and a server certificate for DNS name localhost (and nothing else: not 127.0.0.1). */
export function makeCertificates(): Certificates {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-tls-'));
  chmodSync(dir, 0o755);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=hermes test CA'], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf'], dir);
  return { dir, ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** PostgreSQL's server binaries (Debian keeps them out of PATH), newest version first. */
export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find((bin) => existsSync(join(bin, 'initdb')));
}

const isRoot = () => process.getuid?.() === 0;

/** PostgreSQL refuses to run as root: run its tools as the postgres user then. */
function asPostgres(command: string, args: string[]): string[] {
  return isRoot() ? ['runuser', '-u', 'postgres', '--', command, ...args] : [command, ...args];
}

function run(argv: string[]): void {
  execFileSync(argv[0]!, argv.slice(1), { stdio: 'pipe' });
}

/** A PostgreSQL instance with TLS on, trust authentication over TLS only (hostssl). */
export async function startPostgres(certs: Certificates): Promise<TlsServer> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  const dir = mkdtempSync(join(tmpdir(), 'hermes-pg-tls-'));
  const data = join(dir, 'data');
  const port = await freePort();
  // The key must belong to the server's user and be private to it.
  const key = join(dir, 'server.key');
  execFileSync('cp', [certs.key, key]);
  chmodSync(key, 0o600);
  if (isRoot()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
    chownSync(key, uid, gid);
  }
  run(asPostgres(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']));
  writeFileSync(join(data, 'pg_hba.conf'), 'local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n');
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file=${certs.cert} -c ssl_key_file=${key} -c fsync=off`;
  run(asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']));
  return {
    port,
    async stop() {
      try {
        run(asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** A MariaDB instance of our own: start() and stop() it (its data stays) and remove() it. */
export interface PrivateMariadb {
  port: number;
  /** mysql://root@127.0.0.1:PORT (root without a password, as mariadb-install-db leaves it). */
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  remove(): Promise<void>;
}

/**
 * A MariaDB instance in a temporary data directory on a free loopback port, not started yet.
 * With `certs`, TLS is on and plain connections are refused (require_secure_transport).
 */
export async function privateMariadb(certs?: Certificates): Promise<PrivateMariadb> {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-mariadb-'));
  const data = join(dir, 'data');
  mkdirSync(data);
  const port = await freePort();
  const user = isRoot() ? ['--user=root'] : [];
  run(['mariadb-install-db', '--no-defaults', `--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...user]);
  const tls = certs ? [`--ssl-cert=${certs.cert}`, `--ssl-key=${certs.key}`, `--ssl-ca=${certs.ca}`, '--require-secure-transport=ON'] : [];
  let child: ChildProcess | undefined;
  let exited = true;
  const stop = async () => {
    if (!child || exited) return;
    const gone = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await gone;
  };
  return {
    port,
    url: `mysql://root@127.0.0.1:${port}`,
    async start() {
      child = spawn(
        'mariadbd',
        [
          '--no-defaults', `--datadir=${data}`, `--port=${port}`, '--bind-address=127.0.0.1', `--socket=${join(dir, 'sock')}`,
          `--pid-file=${join(dir, 'pid')}`, ...tls, '--innodb-buffer-pool-size=16M', '--skip-log-bin', ...user,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let log = '';
      child.stderr?.on('data', (d) => (log += String(d)));
      exited = false;
      child.once('exit', () => (exited = true));
      try {
        await waitFor(() => exited || /ready for connections/.test(log), 'MariaDB');
        if (exited) throw new Error(`MariaDB exited: ${log.slice(-500)}`);
      } catch (error) {
        child.kill('SIGKILL');
        throw error;
      }
    },
    stop,
    async remove() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A MariaDB instance with TLS on that refuses plain connections (require_secure_transport). */
export async function startMariadb(certs: Certificates): Promise<TlsServer> {
  const server = await privateMariadb(certs);
  try {
    await server.start();
  } catch (error) {
    await server.remove();
    throw error;
  }
  return { port: server.port, stop: () => server.remove() };
}
