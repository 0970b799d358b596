import { createHash } from 'node:crypto';
import { catalogued } from '../helpers/catalogue.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { addLocalUsers } from '../../src/ops/index.js';
import { runHermes } from '../helpers/cli.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { request, useApi } from './helpers.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** A password and the ha1 and ha1b hermes would store for it. */
function secretsOf(username: string, domain: string, password: string): string[] {
  return [password, md5(`${username}:${domain}:${password}`), md5(`${username}@${domain}:${domain}:${password}`)];
}

/**
 * Writes fail on purpose (triggers refusing rows of users named fail*, a unique index on the
 * subscriber password that a duplicate violates) through the API, `hermes call` and `hermes
 * apply`; no password, ha1, ha1b or token may appear in any output, log or audit row.
 */
describeEachDatabase('secrets under failing writes', (suite) => {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-secret-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const DUP = 'Dup1icate-Pw-7781';
  const api = useApi(suite, {
    seed: async (c) => {
      await addLocalUsers(c, [{ username: 'holder', domain: 'example.com', password: DUP }, { username: 'bob', domain: 'example.com' }, { username: 'failc', domain: 'example.com' }, { username: 'failk', domain: 'example.com' }], { actor: 'test' });
      const k = c.kamailio;
      const p = c.provisioning;
      if (suite.dialect === 'mysql') {
        await sql`create unique index pw_unique on subscriber (password)`.execute(k);
        for (const [db, table] of [[k, 'subscriber'], [p, 'hermes_users']] as const) {
          for (const when of ['insert', 'update']) {
            await sql
              .raw(`create trigger fail_${table}_${when} before ${when} on ${table} for each row begin if new.username like 'fail%' then signal sqlstate '45000' set message_text = 'forced failure'; end if; end`)
              .execute(db);
          }
        }
      } else if (suite.dialect === 'postgres') {
        await sql`create unique index pw_unique on subscriber (password)`.execute(k);
        await sql`create function hermes_test_fail() returns trigger language plpgsql as $$ begin if new.username like 'fail%' then raise exception 'forced failure'; end if; return new; end $$`.execute(k);
        for (const [db, table] of [[k, 'subscriber'], [p, 'hermes_users']] as const) {
          await sql.raw(`create trigger fail_${table} before insert or update on ${table} for each row execute function hermes_test_fail()`).execute(db);
        }
      } else {
        await sql`create unique index pw_unique on subscriber (password)`.execute(k);
        for (const [db, table] of [[k, 'subscriber'], [p, 'hermes_users']] as const) {
          for (const when of ['insert', 'update']) {
            await sql.raw(`create trigger fail_${table}_${when} before ${when} on ${table} for each row when new.username like 'fail%' begin select raise(abort, 'forced failure'); end`).execute(db);
          }
        }
      }
    },
  });

  it('leaks no secret into responses, the server log, stdout, stderr or the audit log', { timeout: 300_000 }, async () => {
    const secrets: string[] = [...secretsOf('bob', 'example.com', DUP)];
    const outputs: string[] = [];
    const expectFailed = (what: string, text: string) => expect(text, what).toMatch(/dbfail|failed|error/i);

    // Through the API.
    // A write refused by a trigger is error/dbfail; one refused by a unique key is failed/exists
    // (the cause of a race's loser, issue 11).
    const dbfail = catalogued('DB_QUERY_FAILED').envelope;
    const apiCalls: [string, Record<string, string>, string[], object][] = [
      ['user/add_remote', { user: 'failr@remote.example', password: 'Api-Remote-Pw-1', registrar: 'sip.x.net' }, ['Api-Remote-Pw-1'], dbfail],
      ['user/change_pw', { user: 'failc@example.com', password: 'Api-Change-Pw-2' }, secretsOf('failc', 'example.com', 'Api-Change-Pw-2'), dbfail],
      ['user/change_pw', { user: 'bob@example.com', password: DUP }, [], { response: 'failed', cause: 'exists' }],
    ];
    for (const [node, params, own, envelope] of apiCalls) {
      secrets.push(...own);
      for (const transport of ['get', 'json'] as const) {
        const r = await request(api.t.app, node, params, { token: api.tok.write, transport });
        expect(r.json(), node).toMatchObject(envelope);
        outputs.push(r.body);
      }
    }
    secrets.push(api.tok.write, api.tok.read);

    // Through hermes call (with --debug: stacks too).
    const callSecrets = secretsOf('failk', 'example.com', 'Call-Change-Pw-3');
    secrets.push(...callSecrets);
    for (const args of [
      ['user/change_pw', 'user=failk@example.com', 'password=Call-Change-Pw-3'],
      ['user/change_pw', 'user=bob@example.com', `password=${DUP}`],
      ['user/add_remote', 'user=failq@remote.example', 'password=Call-Remote-Pw-4', 'registrar=sip.x.net'],
    ]) {
      const r = await runHermes(['--debug', 'call', ...args, '--db', suite.db.url]);
      expect(r.code, args.join(' ')).toBe(1);
      expectFailed(args.join(' '), r.stdout + r.stderr);
      outputs.push(r.stdout, r.stderr);
    }
    secrets.push('Call-Remote-Pw-4');

    // Through hermes apply: a new local user whose insert fails, and a duplicate password.
    const applySecrets = secretsOf('faila', 'example.com', 'Apply-New-Pw-5');
    secrets.push(...applySecrets);
    for (const [user, password] of [['faila@example.com', 'Apply-New-Pw-5'], ['bob@example.com', DUP]]) {
      const file = join(dir, 'hermes.yaml');
      writeFileSync(
        file,
        ['version: 1', 'domains:', '  - domain: example.com', 'users:', '  - user: holder@example.com', '  - user: failc@example.com', '  - user: failk@example.com', `  - user: ${user}`, '    password: { env: FAIL_PW }', user === 'bob@example.com' ? '' : '  - user: bob@example.com', ''].join('\n'),
      );
      const r = await runHermes(['--debug', 'apply', file, '--auto-approve', '--force', '--db', suite.db.url], { env: { FAIL_PW: password } });
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(/APPLY_FAILED/);
      outputs.push(r.stdout, r.stderr);
    }

    const audit = await suite.db.connection.provisioning.selectFrom('hermes_audit').selectAll().execute();
    outputs.push(JSON.stringify(audit), ...api.t.logs);
    // The failures were logged (so the log was looked at), without their statements.
    expect(api.t.logs.some((l) => l.includes('node failed with an error') && l.includes('forced failure'))).toBe(true);
    const everything = outputs.join('\n');
    for (const secret of secrets) expect(everything.includes(secret), `a secret (${secret.slice(0, 3)}…) leaked`).toBe(false);
    expect(everything).not.toMatch(/insert into|update .*set/i);
  });
});
