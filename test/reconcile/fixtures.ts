import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { loadDesiredState } from '../../src/desired/index.js';
import type { DesiredState } from '../../src/desired/types.js';
import type { Dbs } from '../../src/db/types.js';

export const PLATFORM_YAML = `version: 1
domains:
  - domain: example.com
  - domain: example.org
    unmanaged: ["legacy-*"]
numbers:
  ranges:
    - { start: "+4722334400", end: "+4722334499" }
  numbers: ["+4761123456"]
users:
  - user: alice@example.com
    displayname: Alice Liddell
    email: alice@example.com
    linetext: Alice
    dialplan: "(.*)"
    number: "+4722334401"
    password: { env: ALICE_SIP_PASSWORD }
  - user: carol@example.org
    displayname: Carol
    number: "+4722334402"
  - user: bob@sip.partner.net
    displayname: Bob
    password: { file: bob.txt }
    registrar: sip.partner.net
    r_port: 5060
    proxy: proxy.partner.net
    p_port: 5060
    authid: bob-auth
aliases:
  - { alias: sales@example.com, destination: alice@example.com }
  - { alias: bob@example.com, destination: bob@sip.partner.net }
phones:
  - mac: "00:04:f2:ab:cd:ef"
    users: [alice@example.com, bob@sip.partner.net]
  - mac: "00-04-F2-00-00-01"
    users: [carol@example.org]
`;

export const ENV = { ALICE_SIP_PASSWORD: 'alice-Secret-1' };

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A temp folder with hermes.yaml (and bob.txt); returns the folder. */
export function writePlatform(yaml: string = PLATFORM_YAML, extra: Record<string, string> = { 'bob.txt': 'bob-Remote-pw\n' }): string {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-reconcile-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'hermes.yaml'), yaml);
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  return dir;
}

export async function load(yaml: string = PLATFORM_YAML, env: Record<string, string> = ENV): Promise<DesiredState> {
  const dir = writePlatform(yaml);
  const result = await loadDesiredState([join(dir, 'hermes.yaml')], { secrets: 'required', env: { ...process.env, ...env } });
  if (!result.state) throw new Error(`fixture does not load: ${JSON.stringify(result.diagnostics)}`);
  return result.state;
}

/** Every row of the managed tables, without ids and timestamps, sorted (for comparisons). */
export async function snapshot(db: Dbs, options: { withPasswords?: boolean } = {}): Promise<Record<string, string[]>> {
  const sort = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).sort();
  return {
    domain: sort(await db.kamailio.selectFrom('domain').select(['domain', 'did']).execute()),
    subscriber: sort(
      await db.kamailio
        .selectFrom('subscriber')
        .select(options.withPasswords ? ['username', 'domain', 'password', 'ha1', 'ha1b'] : ['username', 'domain'])
        .execute(),
    ),
    dbaliases: sort(await db.kamailio.selectFrom('dbaliases').select(['alias_username', 'alias_domain', 'username', 'domain']).execute()),
    hermes_users: sort(
      (
        await db.provisioning
          .selectFrom('hermes_users')
          .select(['username', 'domain', 'kind', 'displayname', 'email', 'password', 'registrar', 'r_port', 'proxy', 'p_port', 'authid', 'dialplan', 'linetext'])
          .execute()
      ).map((r) => ({ ...r, r_port: r.r_port === null ? null : Number(r.r_port), p_port: r.p_port === null ? null : Number(r.p_port) })),
    ),
    hermes_phones: sort((await db.provisioning.selectFrom('hermes_phones').select(['mac', 'username', 'domain', 'line']).execute()).map((r) => ({ ...r, line: Number(r.line) }))),
    hermes_numbers: sort(await db.provisioning.selectFrom('hermes_numbers').select(['number']).execute()),
  };
}
