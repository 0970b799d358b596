import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DialectName } from '../../src/db/types.js';
import { runHermes, type CliResult } from '../helpers/cli.js';
import { createScratchDatabase, dialectEnabled, type ScratchDatabase } from '../helpers/databases.js';
import { findKamailio, hasModule, kamailioDbUrl, KamailioProcess } from './kamailio-process.js';
import { header, SipClient, type RegisterResult, type SipResponse } from './sip-client.js';

/**
 * The proof with a real Kamailio (issue 6): `hermes apply` writes a platform, Kamailio 5.6
 * reads it through auth_db, alias_db and domain, and a SIP client registers and resolves
 * aliases over UDP. Once per database (db_sqlite on the default file hermes wrote, db_mysql on
 * MariaDB, db_postgres on PostgreSQL) and per auth_db mode (calculate_ha1 on with the password column, off with
 * ha1/ha1b). Kamailio runs in the foreground as a child of this process, on loopback ports
 * 15060-15065 (SIP) and 15070-15075 (jsonrpcs over HTTP), one variant after another.
 */

const KAMAILIO = findKamailio();
const REQUIRED = Boolean(process.env.HERMES_TEST_KAMAILIO) && process.env.HERMES_TEST_KAMAILIO !== '0';
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const fixture = (name: string) => join(FIXTURES, name);

function kamailioVersion(bin: string): string {
  try {
    const out = execFileSync(bin, ['-v'], { encoding: 'utf8', timeout: 5000 });
    return /kamailio (\S+)/.exec(out)?.[1] ?? 'unknown version';
  } catch {
    return 'unknown version';
  }
}

interface Variant {
  dialect: DialectName;
  /** auth_db calculate_ha1 off: reads ha1/ha1b. */
  withHa1: boolean;
  sipPort: number;
  rpcPort: number;
}

const VARIANTS: Variant[] = [
  { dialect: 'sqlite', withHa1: false, sipPort: 15060, rpcPort: 15070 },
  { dialect: 'sqlite', withHa1: true, sipPort: 15061, rpcPort: 15071 },
  { dialect: 'mysql', withHa1: false, sipPort: 15062, rpcPort: 15072 },
  { dialect: 'mysql', withHa1: true, sipPort: 15063, rpcPort: 15073 },
  { dialect: 'postgres', withHa1: false, sipPort: 15064, rpcPort: 15074 },
  { dialect: 'postgres', withHa1: true, sipPort: 15065, rpcPort: 15075 },
];

/** Each database: Kamailio's module for it, its Debian package, and what a variant on it needs. */
const DATABASES: Record<DialectName, { module: string; package: string; label: string }> = {
  sqlite: { module: 'db_sqlite', package: 'kamailio-sqlite-modules', label: 'default sqlite:hermes.db' },
  mysql: { module: 'db_mysql', package: 'kamailio-mysql-modules', label: 'scratch MariaDB database' },
  postgres: { module: 'db_postgres', package: 'kamailio-postgres-modules', label: 'scratch PostgreSQL database' },
};
const SERVER_URL_VARIABLES: Partial<Record<DialectName, string>> = { mysql: 'HERMES_TEST_MYSQL_URL', postgres: 'HERMES_TEST_PG_URL' };

const authMode = (v: Variant) => (v.withHa1 ? 'calculate_ha1 off, ha1/ha1b columns' : 'calculate_ha1 on, password column');

if (!KAMAILIO) {
  if (REQUIRED) {
    describe('Kamailio end-to-end', () => {
      it('finds the kamailio binary (HERMES_TEST_KAMAILIO is set, so the suite is required)', () => {
        throw new Error(
          'HERMES_TEST_KAMAILIO is set but no kamailio binary was found on PATH, /usr/sbin or HERMES_KAMAILIO_BIN: ' +
            'install Debian\'s kamailio, kamailio-mysql-modules, kamailio-sqlite-modules and kamailio-postgres-modules (.ci/run does).',
        );
      });
    });
  } else {
    process.stdout.write(
      '\n[hermes tests] Kamailio end-to-end suite SKIPPED: no kamailio binary on PATH or /usr/sbin and HERMES_TEST_KAMAILIO is not set ' +
        "(install Debian's kamailio, kamailio-mysql-modules, kamailio-sqlite-modules and kamailio-postgres-modules to run it; CI sets HERMES_TEST_KAMAILIO=1 to require it).\n\n",
    );
    describe.skip('Kamailio end-to-end [skipped: no kamailio binary on PATH or /usr/sbin, and HERMES_TEST_KAMAILIO is not set]', () => {
      it('registers SIP users and resolves aliases against what hermes wrote', () => undefined);
    });
  }
} else {
  const version = kamailioVersion(KAMAILIO);
  for (const variant of VARIANTS) {
    const module = DATABASES[variant.dialect].module;
    const title = `Kamailio ${version} e2e [${variant.dialect}, auth_db ${authMode(variant)}]`;
    if (!dialectEnabled(variant.dialect)) {
      describe.skip(`${title} [skipped: ${SERVER_URL_VARIABLES[variant.dialect]} not set]`, () => {
        it('registers SIP users and resolves aliases against what hermes wrote', () => undefined);
      });
    } else if (!hasModule(module)) {
      if (REQUIRED) {
        describe(title, () => {
          it(`finds Kamailio's ${module} module`, () => {
            throw new Error(`${module}.so is missing from the Kamailio modules directory: install ${DATABASES[variant.dialect].package}`);
          });
        });
      } else {
        describe.skip(`${title} [skipped: Kamailio module ${module} not installed]`, () => {
          it('registers SIP users and resolves aliases against what hermes wrote', () => undefined);
        });
      }
    } else {
      describe(title, () => declareVariant(KAMAILIO, variant));
    }
  }
}

const secret = () => randomBytes(9).toString('base64url');

function declareVariant(bin: string, variant: Variant): void {
  let dir = '';
  let scratch: ScratchDatabase | undefined;
  let kamailio: KamailioProcess | undefined;
  let client: SipClient | undefined;
  /** hermes' URL: the SQLite default file in `dir` (no --db), or the scratch MariaDB or PostgreSQL database. */
  let hermesDbUrl = '';
  const passwords = {
    E2E_ALICE_PASSWORD: secret(),
    E2E_BOB_PASSWORD: secret(),
    E2E_FRANK_PASSWORD: secret(),
    E2E_DAVE_PASSWORD: secret(),
  };
  const oldAlicePassword = passwords.E2E_ALICE_PASSWORD;
  const generated: Record<string, string> = {};

  let failed = false;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hermes-e2e-'));
    hermesDbUrl = `sqlite:${join(dir, 'hermes.db')}`;
  });
  afterEach((context) => {
    if (context.task.result?.state === 'fail') failed = true;
  });
  afterAll(async () => {
    client?.close();
    await kamailio?.stop();
    await scratch?.drop();
    if (failed) {
      // Keep the evidence: Kamailio's log, and the SQLite file hermes wrote.
      process.stdout.write(`[kamailio e2e] a check failed: Kamailio's log and the work files are kept in ${dir}\n--- tail of ${join(dir, 'kamailio.log')}:\n${kamailio?.logTail(30) ?? '(Kamailio never started)'}\n`);
    } else if (dir) {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** Runs the built hermes CLI in `dir` with the passwords in its environment. */
  const hermes = async (args: string[]): Promise<CliResult> => {
    const dbArgs = variant.dialect === 'sqlite' ? [] : ['--db', hermesDbUrl];
    return runHermes([...args, ...dbArgs], { cwd: dir, env: { ...passwords, HERMES_KAMAILIO_RPC: undefined } });
  };
  const expectSuccess = (result: CliResult, what: string) => {
    if (result.code !== 0) throw new Error(`${what} exited ${result.code}\n--- stdout:\n${result.stdout}\n--- stderr:\n${result.stderr}`);
  };
  const apply = async (file: string, extra: string[] = []) => {
    const result = await hermes(['apply', fixture(file), '--auto-approve', ...extra]);
    expectSuccess(result, `hermes apply ${file}`);
    for (const value of Object.values(passwords)) {
      expect(result.stdout + result.stderr, 'apply output must not show a password').not.toContain(value);
    }
    return result;
  };
  const sip = () => {
    if (!client) throw new Error('Kamailio did not start (see the earlier failure)');
    return client;
  };
  const register = async (address: string, password: string, authUsername?: string): Promise<RegisterResult> => {
    const [username, domain] = address.split('@') as [string, string];
    const result = await sip().register({ username, domain, password, authUsername });
    note(`REGISTER ${address}${authUsername ? ` (digest username ${authUsername})` : ''} -> ${result.final.status} ${result.final.reason}`);
    return result;
  };
  const tag = `${variant.dialect}, calculate_ha1=${variant.withHa1 ? 0 : 1}`;
  /** One line per check in the suite's log, with what Kamailio actually answered. */
  const note = (line: string) => {
    const check = expect.getState().currentTestName?.split(' > ').pop();
    process.stdout.write(`[kamailio e2e ${tag}] ${line}${check ? `   (check: ${check})` : ''}\n`);
  };
  const describeResult = (r: RegisterResult) => `${r.final.status} ${r.final.reason} after ${r.attempts} REGISTER(s)\n${kamailio?.logTail(8) ?? ''}`;
  const expectRegistered = async (address: string, password: string, authUsername?: string) => {
    const r = await register(address, password, authUsername);
    expect(r.final.status, describeResult(r)).toBe(200);
    expect(r.attempts, 'the first REGISTER must be challenged').toBe(2);
    expect(header(r.final, 'contact'), 'the 200 lists the registered contact').toMatch(new RegExp(`sip:${address.split('@')[0]}@127\\.0\\.0\\.1:`));
  };
  const expectUnauthorized = async (address: string, password: string) => {
    const r = await register(address, password);
    expect(r.final.status, describeResult(r)).toBe(401);
    expect(r.attempts, 'credentials were sent and refused').toBe(2);
  };
  const expectRefused = async (address: string, password: string) => {
    const r = await register(address, password);
    expect(r.final.status, describeResult(r)).not.toBe(200);
    expect(r.final.status).toBeGreaterThanOrEqual(400);
    return r;
  };
  const expectResolves = async (target: string, destination: string, method: 'OPTIONS' | 'MESSAGE' = 'OPTIONS') => {
    const response: SipResponse = await sip().request(method, target);
    note(`${method} ${target} -> ${response.status} ${response.reason}, X-Resolved: ${header(response, 'x-resolved') ?? '(none)'}`);
    expect(response.status, `${response.status} ${response.reason}\n${kamailio?.logTail(5) ?? ''}`).toBe(200);
    expect(header(response, 'x-resolved')).toBe(`sip:${destination}`);
  };
  const expectNotResolved = async (target: string) => {
    const response = await sip().request('OPTIONS', target);
    note(`OPTIONS ${target} -> ${response.status} ${response.reason}`);
    expect(response.status, `${response.status} ${response.reason} X-Resolved: ${header(response, 'x-resolved')}`).toBe(404);
  };
  /** `hermes call user/get` prints the user object with its password. */
  const readPassword = async (address: string): Promise<string> => {
    const result = await hermes(['call', 'user/get', `user=${address}`]);
    expectSuccess(result, `hermes call user/get ${address}`);
    const envelope = JSON.parse(result.stdout) as { response?: string; user?: { address?: string; kind?: string; password?: unknown } };
    expect(envelope.response).toBe('ok');
    expect(envelope.user).toMatchObject({ address, kind: 'local' });
    const password = envelope.user?.password;
    if (typeof password !== 'string' || password === '') throw new Error(`hermes call user/get ${address} printed no password`);
    return password;
  };

  // ---- first apply, then Kamailio starts on what hermes wrote ----

  it(`hermes init --kamailio-schema and hermes apply platform-1.yaml (${DATABASES[variant.dialect].label})`, async () => {
    if (variant.dialect !== 'sqlite') {
      scratch = await createScratchDatabase(variant.dialect);
      hermesDbUrl = scratch.url;
    }
    expectSuccess(await hermes(['init', '--kamailio-schema']), 'hermes init --kamailio-schema');
    await apply('platform-1.yaml');
    const plan = await hermes(['plan', fixture('platform-1.yaml')]);
    expectSuccess(plan, 'hermes plan platform-1.yaml');
    expect(plan.stdout).toContain('No changes.');
  });

  it(`Kamailio starts on 127.0.0.1:${variant.sipPort} (${DATABASES[variant.dialect].module}) and loads the domains hermes wrote`, async () => {
    kamailio = await KamailioProcess.start({
      bin,
      dbUrl: kamailioDbUrl(hermesDbUrl),
      sipPort: variant.sipPort,
      rpcPort: variant.rpcPort,
      withHa1: variant.withHa1,
      dir,
    });
    client = await SipClient.open(kamailio.sipAddress);
    expect(domainsOf(await kamailio.rpc('domain.dump'))).toEqual(['example.com', 'example.org']);
  });

  it('hermes call user/get prints the generated passwords of carol@example.org and erin@example.org', async () => {
    const addresses = ['carol@example.org', 'erin@example.org'];
    const read = await Promise.all(addresses.map((address) => readPassword(address)));
    addresses.forEach((address, i) => (generated[address] = read[i]!));
    expect(generated['carol@example.org']).not.toBe(generated['erin@example.org']);
  });

  it('REGISTER alice@example.com with declared password -> 200', async () => {
    await expectRegistered('alice@example.com', passwords.E2E_ALICE_PASSWORD);
  });

  it(`REGISTER alice@example.com with digest username alice@example.com (${variant.withHa1 ? 'ha1b column' : 'computed from password'}) -> 200`, async () => {
    await expectRegistered('alice@example.com', passwords.E2E_ALICE_PASSWORD, 'alice@example.com');
  });

  it('REGISTER bob@example.com with declared password -> 200', async () => {
    await expectRegistered('bob@example.com', passwords.E2E_BOB_PASSWORD);
  });

  it('REGISTER carol@example.org with generated password (from hermes call user/get) -> 200', async () => {
    await expectRegistered('carol@example.org', generated['carol@example.org']!);
  });

  it('REGISTER erin@example.org with generated password (from hermes call user/get) -> 200', async () => {
    await expectRegistered('erin@example.org', generated['erin@example.org']!);
  });

  it('REGISTER alice@example.com with a wrong password -> 401', async () => {
    await expectUnauthorized('alice@example.com', `${passwords.E2E_ALICE_PASSWORD}x`);
  });

  it("REGISTER carol@example.org with erin's password -> 401", async () => {
    await expectUnauthorized('carol@example.org', generated['erin@example.org']!);
  });

  it('REGISTER nobody@example.com (not a subscriber) -> 401', async () => {
    await expectUnauthorized('nobody@example.com', 'whatever');
  });

  it('REGISTER frank@sip.partner.net (remote user, domain not local) -> 403', async () => {
    const r = await expectRefused('frank@sip.partner.net', passwords.E2E_FRANK_PASSWORD);
    expect(r.final.status).toBe(403);
  });

  it('OPTIONS sales@example.com (alias) -> 200, resolved to sip:alice@example.com', async () => {
    await expectResolves('sales@example.com', 'alice@example.com');
  });

  it('MESSAGE +4722334401@example.com (E.164 number) -> 200, resolved to sip:alice@example.com', async () => {
    await expectResolves('+4722334401@example.com', 'alice@example.com', 'MESSAGE');
  });

  it('OPTIONS +4722334402@example.org (E.164 number) -> 200, resolved to sip:erin@example.org', async () => {
    await expectResolves('+4722334402@example.org', 'erin@example.org');
  });

  it('OPTIONS support@example.org (alias) -> 200, resolved to sip:carol@example.org', async () => {
    await expectResolves('support@example.org', 'carol@example.org');
  });

  it('OPTIONS partner@example.com (alias to a remote user) -> 200, resolved to sip:frank@sip.partner.net', async () => {
    await expectResolves('partner@example.com', 'frank@sip.partner.net');
  });

  it('OPTIONS +4722334401@example.org (number in another domain) and nobody@example.com -> 404', async () => {
    await expectNotResolved('+4722334401@example.org');
    await expectNotResolved('nobody@example.com');
  });

  // ---- second apply with --kamailio-rpc: no restart ----

  it('REGISTER dave@example.net before the second apply -> 403 (domain not local yet)', async () => {
    const r = await expectRefused('dave@example.net', passwords.E2E_DAVE_PASSWORD);
    expect(r.final.status).toBe(403);
  });

  it('hermes apply platform-2.yaml --kamailio-rpc (adds example.net and dave, removes bob, changes alice\'s password)', async () => {
    passwords.E2E_ALICE_PASSWORD = secret();
    const pid = kamailio!.pid;
    await apply('platform-2.yaml', ['--kamailio-rpc', kamailio!.rpcUrl]);
    expect(kamailio!.alive && kamailio!.pid === pid, 'Kamailio was not restarted').toBe(true);
    expect(domainsOf(await kamailio!.rpc('domain.dump'))).toEqual(['example.com', 'example.net', 'example.org']);
  });

  it('REGISTER dave@example.net (new domain, no Kamailio restart) -> 200', async () => {
    await expectRegistered('dave@example.net', passwords.E2E_DAVE_PASSWORD);
  });

  it('OPTIONS +4722334403@example.net and info@example.net -> 200, resolved to sip:dave@example.net', async () => {
    await expectResolves('+4722334403@example.net', 'dave@example.net');
    await expectResolves('info@example.net', 'dave@example.net');
  });

  it('REGISTER bob@example.com after bob was removed -> 401', async () => {
    await expectUnauthorized('bob@example.com', passwords.E2E_BOB_PASSWORD);
  });

  it('REGISTER alice@example.com with her changed password -> 200', async () => {
    await expectRegistered('alice@example.com', passwords.E2E_ALICE_PASSWORD);
    await expectRegistered('alice@example.com', passwords.E2E_ALICE_PASSWORD, 'alice@example.com');
  });

  it('REGISTER alice@example.com with her old password -> 401', async () => {
    await expectUnauthorized('alice@example.com', oldAlicePassword);
  });

  it('REGISTER carol@example.org keeps her generated password across applies -> 200', async () => {
    expect(await readPassword('carol@example.org')).toBe(generated['carol@example.org']);
    await expectRegistered('carol@example.org', generated['carol@example.org']!);
  });

  it('OPTIONS sales@example.com after the alias was removed -> 404', async () => {
    await expectNotResolved('sales@example.com');
  });

  // ---- third apply: a domain removed, again without restart ----

  it('hermes apply platform-3.yaml --kamailio-rpc --force (example.org state: absent)', async () => {
    const pid = kamailio!.pid;
    await apply('platform-3.yaml', ['--kamailio-rpc', kamailio!.rpcUrl, '--force']);
    expect(kamailio!.alive && kamailio!.pid === pid, 'Kamailio was not restarted').toBe(true);
    expect(domainsOf(await kamailio!.rpc('domain.dump'))).toEqual(['example.com', 'example.net']);
  });

  it('REGISTER carol@example.org after example.org was removed -> 403', async () => {
    const r = await expectRefused('carol@example.org', generated['carol@example.org']!);
    expect(r.final.status).toBe(403);
  });

  it('OPTIONS support@example.org and +4722334402@example.org after example.org was removed -> 404', async () => {
    await expectNotResolved('support@example.org');
    await expectNotResolved('+4722334402@example.org');
  });

  it('REGISTER alice@example.com and dave@example.net still -> 200', async () => {
    await expectRegistered('alice@example.com', passwords.E2E_ALICE_PASSWORD);
    await expectRegistered('dave@example.net', passwords.E2E_DAVE_PASSWORD);
  });
}

/** The domain names in a domain.dump result, sorted. */
function domainsOf(dump: unknown): string[] {
  const domains = (dump as { domains?: { domain: string }[] } | undefined)?.domains ?? [];
  return domains.map((d) => d.domain).sort();
}
