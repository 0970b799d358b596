import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runHermes } from '../helpers/cli.js';
import { describeEachDatabase } from '../helpers/databases.js';

/**
 * Adoption: a Kamailio database that other tools wrote by SQL, with names hermes would never
 * create. `export` must give a file that validates and plans "No changes", and `export --diff`
 * against it must show nothing, on every engine.
 */
describeEachDatabase('adoption of awkward rows', (suite) => {
  async function writeAwkwardRows(): Promise<void> {
    await suite.clear();
    const { kamailio, provisioning } = suite.db.connection;
    const long = 'l'.repeat(64);
    const domains = ['corp.example', 'Upper.Example', 'my_site.example', `${'d'.repeat(63)}x.e`.slice(0, 64)];
    for (const domain of domains) await kamailio.insertInto('domain').values({ domain, last_modified: '2000-01-01 00:00:01' } as never).execute();
    const subscribers = [
      ['alice', 'corp.example'],
      ['bob', 'corp.example'],
      ['john doe', 'corp.example'],
      ['ext#12', 'corp.example'],
      ['Carol', 'Upper.Example'],
      [long, 'corp.example'],
      ['dave', 'my_site.example'],
      ['tab\tname', 'corp.example'],
    ];
    for (const [username, domain] of subscribers) {
      await kamailio.insertInto('subscriber').values({ username, domain, password: 'secret-1', ha1: '', ha1b: '' } as never).execute();
    }
    const aliases = [
      ['+4722000010', 'corp.example', 'alice', 'corp.example'], // alice's number
      ['+4722000050', 'corp.example', 'alice', 'corp.example'], // a second E.164 alias: unmanaged, inside the pool
      ['+4722000060', 'corp.example', 'john doe', 'corp.example'], // to a user hermes cannot declare
      ['+4722000070', 'my_site.example', 'dave', 'my_site.example'], // in a domain hermes cannot list
      ['sales desk', 'corp.example', 'bob', 'corp.example'],
      ['support', 'corp.example', 'dave', 'my_site.example'],
      ['Help', 'Upper.Example', 'Carol', 'Upper.Example'],
      [long, 'corp.example', 'bob', 'corp.example'],
    ];
    for (const [alias_username, alias_domain, username, domain] of aliases) {
      await kamailio.insertInto('dbaliases').values({ alias_username, alias_domain, username, domain } as never).execute();
    }
    const numbers = [];
    for (let n = 0; n < 100; n++) if (![10, 50, 60, 70].includes(n)) numbers.push({ number: `+47220000${String(n).padStart(2, '0')}` });
    await provisioning.insertInto('hermes_numbers').values(numbers as never).execute();
    await provisioning
      .insertInto('hermes_users')
      .values({ username: 'bob', domain: 'corp.example', kind: 'local', displayname: 'x'.repeat(300), email: 'not an address', dialplan: '', linetext: '', created_at: '2000-01-01T00:00:00Z', updated_at: '2000-01-01T00:00:00Z' } as never)
      .execute()
      .catch(() => undefined); // an engine whose column refuses 300 characters keeps only the other awkward rows
  }

  it('exports a file that validates, plans no changes and diffs empty', async () => {
    await writeAwkwardRows();
    const cwd = mkdtempSync(join(tmpdir(), 'hermes-adopt-'));
    const db = ['--db', suite.db.url];
    const exported = await runHermes(['export', '--out', 'hermes.yaml', ...db], { cwd });
    expect(exported.stderr).not.toContain('internal error');
    expect(exported.code).toBe(0);
    const yaml = readFileSync(join(cwd, 'hermes.yaml'), 'utf8');
    // Names hermes would not create are unmanaged, each with a comment saying why.
    expect(yaml).toMatch(/- john doe +# /);
    expect(yaml).toMatch(/- "?ext#12"? +# /);
    expect(yaml).toMatch(/- sales desk +# /);
    expect(yaml).toMatch(/# .*my_site\.example/);
    expect(yaml).toContain('user: Carol@upper.example');
    const validate = await runHermes(['validate', 'hermes.yaml'], { cwd });
    expect(validate.stdout + validate.stderr).toBe(validate.code === 0 ? validate.stdout + validate.stderr : '');
    expect(validate.code).toBe(0);
    const plan = await runHermes(['plan', 'hermes.yaml', '--detailed-exitcode', ...db], { cwd });
    expect(plan.stderr).toBe('');
    expect(plan.stdout).toContain('No changes');
    expect(plan.code).toBe(0);
    const diff = await runHermes(['export', '--diff', 'hermes.yaml', ...db], { cwd });
    expect(diff.stderr).toBe('');
    expect(diff.stdout).toBe('');
    expect(diff.code).toBe(0);
  });
});
