import { describe, expect, it } from 'vitest';
import { computePlan } from '../../src/reconcile/plan.js';
import { checkSafety } from '../../src/reconcile/safety-brake.js';
import { renderText } from '../../src/reconcile/render-text.js';
import { renderMarkdown } from '../../src/reconcile/render-markdown.js';
import { emptyActualState } from '../../src/reconcile/actual-state.js';
import { actual, actualUser, alias, domain, pooled, remote, state, user } from './builders.js';

const keys = (plan: ReturnType<typeof computePlan>) => plan.changes.map((c) => `${c.action} ${c.kind} ${c.key}`);

describe('computePlan', () => {
  it('creates everything on an empty database, in dependency order', () => {
    const desired = state({
      domains: [domain('example.com')],
      numbers: { ranges: [{ start: '+4722334400', end: '+4722334403' }], numbers: [] },
      users: [user('alice@example.com', { number: '+4722334401' })],
      aliases: [{ alias_username: 'sales', alias_domain: 'example.com', username: 'alice', domain: 'example.com' }],
      phones: [{ mac: '0004f2abcdef', lines: ['alice@example.com'] }],
    });
    const plan = computePlan(desired, actual(() => {}));
    expect(keys(plan)).toEqual([
      'create domain example.com',
      'create number +4722334400',
      'create number +4722334402..+4722334403',
      'create user alice@example.com',
      'create alias +4722334401@example.com',
      'create alias sales@example.com',
      'create phone 0004f2abcdef',
    ]);
    expect(plan.summary).toEqual({ add: 8, change: 0, remove: 0 }); // a run of two numbers counts two
    expect(plan.fingerprint).toBe('f'.repeat(64));
    expect(plan.problems).toEqual([]);
  });

  it('says nothing when the state matches, including a declared password that matches ha1', () => {
    const desired = state({ domains: [domain('example.com')], users: [user('alice@example.com', { password: 'pw', displayname: 'A' })] });
    const a = actual((a) => {
      a.domains.add('example.com');
      a.users.set('alice@example.com', actualUser('alice@example.com', { displayname: 'A' }));
    });
    expect(computePlan(desired, a).changes).toEqual([]);
  });

  it('accepts a subscriber that keeps only ha1 (empty password column)', () => {
    const desired = state({ domains: [domain('example.com')], users: [user('alice@example.com', { password: 'pw' })] });
    const a = actual((a) => {
      a.domains.add('example.com');
      a.users.set('alice@example.com', { ...actualUser('alice@example.com'), password: '' });
    });
    expect(computePlan(desired, a).changes).toEqual([]);
  });

  it('shows a changed password only as (changed), and changed fields as before -> after', () => {
    const desired = state({ domains: [domain('example.com')], users: [user('alice@example.com', { password: 'new-secret', displayname: 'Alice' })] });
    const a = actual((a) => {
      a.domains.add('example.com');
      a.users.set('alice@example.com', actualUser('alice@example.com', { displayname: 'Al' }));
    });
    const plan = computePlan(desired, a);
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0]).toMatchObject({ action: 'update', kind: 'user', before: { displayname: 'Al', password: '(set)' }, after: { displayname: 'Alice', password: '(changed)' } });
    const text = renderText(plan, { color: false });
    expect(text).toContain('~ user alice@example.com');
    expect(text).toContain('displayname: "Al" -> "Alice"');
    expect(text).toContain('password:    (changed)');
    expect(text).toContain('Plan: 0 to add, 1 to change, 0 to remove.');
    expect(JSON.stringify(plan)).not.toContain('new-secret');
    expect(JSON.stringify(plan)).not.toContain('"pw"');
  });

  it('never puts a declared secret into the plan', () => {
    const desired = state({
      domains: [domain('example.com')],
      users: [user('alice@example.com', { password: 'S3cr3t-local' }), remote('bob@partner.net', { password: 'S3cr3t-remote' })],
    });
    const plan = computePlan(desired, emptyActualState());
    const json = JSON.stringify(plan);
    expect(json).not.toContain('S3cr3t');
    expect(plan.changes.find((c) => c.key === 'alice@example.com')?.after?.password).toBe('(set)');
    expect(renderMarkdown(plan)).not.toContain('S3cr3t');
  });

  it('marks a new local user without password as (generated), and keeps an existing one without password', () => {
    const desired = state({ domains: [domain('example.com')], users: [user('carol@example.com'), user('dave@example.com')] });
    const a = actual((a) => {
      a.domains.add('example.com');
      a.users.set('dave@example.com', actualUser('dave@example.com', { plainPassword: 'generated-long-ago' }));
    });
    const plan = computePlan(desired, a);
    expect(keys(plan)).toEqual(['create user carol@example.com']);
    expect(plan.changes[0].after?.password).toBe('(generated)');
  });

  it('refuses a new remote user without password, naming the user and where it is declared', () => {
    const at = { file: 'platform.yaml', line: 12, column: 5, path: 'users[2]' };
    const desired = state({ users: [remote('bob@partner.net', { password: undefined, at })] });
    const plan = computePlan(desired, emptyActualState());
    expect(plan.problems).toHaveLength(1);
    expect(plan.problems[0].message).toContain('bob@partner.net');
    expect(plan.problems[0].at).toEqual(at);
    expect(plan.changes).toEqual([]);
  });

  it('keeps an existing remote user without declared password', () => {
    const desired = state({ users: [remote('bob@partner.net', { password: undefined })] });
    const a = actual((a) => a.users.set('bob@partner.net', actualUser('bob@partner.net', { kind: 'remote', hasSubscriber: false, password: 'x', ha1: '', registrar: 'sip.partner.net' })));
    expect(computePlan(desired, a).changes).toEqual([]);
  });

  it('deletes undeclared users and aliases in a listed domain, but not unmanaged ones nor other domains', () => {
    const desired = state({ domains: [domain('example.org', { unmanaged: ['legacy-*'] })], users: [], aliases: [] });
    const a = actual((a) => {
      a.domains.add('example.org');
      a.domains.add('other.net');
      a.users.set('zed@example.org', actualUser('zed@example.org'));
      a.users.set('legacy-1@example.org', actualUser('legacy-1@example.org'));
      a.users.set('kam@other.net', actualUser('kam@other.net', { hasProvisioning: false }));
      alias(a, 'info@example.org', 'zed@example.org');
      alias(a, 'legacy-info@example.org', 'legacy-1@example.org');
      alias(a, 'x@other.net', 'kam@other.net');
    });
    expect(keys(computePlan(desired, a))).toEqual(['delete alias info@example.org', 'delete user zed@example.org']);
  });

  it('adopts a kamctl subscriber: no change when declared with default fields, an update when fields differ', () => {
    const a = actual((a) => {
      a.domains.add('example.com');
      a.users.set('kam@example.com', actualUser('kam@example.com', { hasProvisioning: false }));
    });
    expect(computePlan(state({ domains: [domain('example.com')], users: [user('kam@example.com')] }), a).changes).toEqual([]);
    const plan = computePlan(state({ domains: [domain('example.com')], users: [user('kam@example.com', { displayname: 'Kam' })] }), a);
    expect(plan.changes).toEqual([expect.objectContaining({ action: 'update', key: 'kam@example.com', after: { displayname: 'Kam' } })]);
    // Undeclared: removed.
    expect(keys(computePlan(state({ domains: [domain('example.com')], users: [] }), a))).toEqual(['delete user kam@example.com']);
  });

  it('leaves sections that are left out alone', () => {
    const a = actual((a) => {
      a.domains.add('example.com');
      a.users.set('zed@example.com', actualUser('zed@example.com'));
      a.users.set('bob@partner.net', actualUser('bob@partner.net', { kind: 'remote', hasSubscriber: false }));
      alias(a, 'info@example.com', 'zed@example.com');
      alias(a, '+4722334401@example.com', 'zed@example.com');
      a.phones.set('0004f2abcdef', ['zed@example.com']);
      pooled(a, '+4722334400');
    });
    expect(computePlan(state({ domains: [domain('example.com')] }), a).changes).toEqual([]);
    // users present: zed (and the remote user) go, with the E.164 alias and the phone line; `info` alias stays (aliases left out).
    expect(keys(computePlan(state({ domains: [domain('example.com')], users: [] }), a))).toEqual([
      'delete phone 0004f2abcdef',
      'delete alias +4722334401@example.com',
      'delete user bob@partner.net',
      'delete user zed@example.com',
    ]);
  });

  it('removes an absent domain with its users, aliases and phone lines (but not unmanaged names)', () => {
    const a = actual((a) => {
      a.domains.add('old.com');
      a.users.set('u1@old.com', actualUser('u1@old.com'));
      a.users.set('keep-1@old.com', actualUser('keep-1@old.com'));
      alias(a, 'a@old.com', 'u1@old.com');
      alias(a, '+4722334409@old.com', 'u1@old.com');
      a.phones.set('00000000000a', ['u1@old.com', 'x@partner.net']);
    });
    const plan = computePlan(state({ domains: [domain('old.com', { state: 'absent', unmanaged: ['keep-*'] })] }), a);
    expect(keys(plan)).toEqual([
      'delete alias +4722334409@old.com',
      'delete alias a@old.com',
      'delete user u1@old.com',
      'delete domain old.com',
      'update phone 00000000000a',
    ]);
    expect(plan.changes.at(-1)?.after).toEqual({ lines: ['x@partner.net'] });
    expect(plan.emptiedDomains).toEqual([]);
  });

  it('orders deletes first (phones, aliases, users, numbers, domains), then creates and updates', () => {
    const desired = state({
      domains: [domain('new.com'), domain('gone.com', { state: 'absent' })],
      numbers: { ranges: [], numbers: ['+4711111111'] },
      users: [user('n@new.com')],
      aliases: [{ alias_username: 'x', alias_domain: 'new.com', username: 'n', domain: 'new.com' }],
      phones: [{ mac: '0000000000bb', lines: ['n@new.com'] }],
    });
    const a = actual((a) => {
      a.domains.add('gone.com');
      a.users.set('g@gone.com', actualUser('g@gone.com'));
      alias(a, 'y@gone.com', 'g@gone.com');
      a.phones.set('0000000000aa', ['g@gone.com']);
      pooled(a, '+4799999999');
    });
    expect(keys(computePlan(desired, a))).toEqual([
      'delete phone 0000000000aa',
      'delete alias y@gone.com',
      'delete user g@gone.com',
      'delete number +4799999999',
      'delete domain gone.com',
      'create domain new.com',
      'create number +4711111111',
      'create user n@new.com',
      'create alias x@new.com',
      'create phone 0000000000bb',
    ]);
  });

  it('compares phone lines as an ordered list', () => {
    const desired = state({ phones: [{ mac: '0000000000aa', lines: ['b@x.com', 'a@x.com'] }] });
    const a = actual((a) => a.phones.set('0000000000aa', ['a@x.com', 'b@x.com']));
    const plan = computePlan(desired, a);
    expect(plan.changes).toEqual([expect.objectContaining({ action: 'update', kind: 'phone', before: { lines: ['a@x.com', 'b@x.com'] }, after: { lines: ['b@x.com', 'a@x.com'] } })]);
    expect(computePlan(state({ phones: [{ mac: '0000000000aa', lines: ['a@x.com', 'b@x.com'] }] }), a).changes).toEqual([]);
  });

  it('moves an alias to a new destination as an update; a changed number is a delete and a create', () => {
    const desired = state({
      domains: [domain('x.com')],
      users: [user('a@x.com', { number: '+4722334402' }), user('b@x.com')],
      aliases: [{ alias_username: 'sales', alias_domain: 'x.com', username: 'b', domain: 'x.com' }],
    });
    const a = actual((a) => {
      a.domains.add('x.com');
      a.users.set('a@x.com', actualUser('a@x.com'));
      a.users.set('b@x.com', actualUser('b@x.com'));
      alias(a, 'sales@x.com', 'a@x.com');
      alias(a, '+4722334401@x.com', 'a@x.com');
    });
    expect(keys(computePlan(desired, a))).toEqual(['delete alias +4722334401@x.com', 'create alias +4722334402@x.com', 'update alias sales@x.com']);
  });

  it('manages the pool: declared ranges and numbers minus the numbers in use', () => {
    const desired = state({
      domains: [domain('x.com')],
      numbers: { ranges: [{ start: '+4722334400', end: '+4722334404' }], numbers: ['+4799000000'] },
      users: [user('a@x.com', { number: '+4722334402' })],
    });
    const a = actual((a) => {
      a.domains.add('x.com');
      a.users.set('a@x.com', actualUser('a@x.com'));
      alias(a, '+4722334402@x.com', 'a@x.com');
      alias(a, '+4722334403@unlisted.net', 'z@unlisted.net'); // in use by another tool: not offered
      pooled(a, '+4722334400', '+4722334401', '+4755555555');
    });
    expect(keys(computePlan(desired, a))).toEqual(['delete number +4755555555', 'create number +4722334404', 'create number +4799000000']);
  });

  it('counts a run of numbers as its size in the summary', () => {
    const plan = computePlan(state({ numbers: { ranges: [{ start: '+4720000000', end: '+4720000999' }], numbers: [] } }), emptyActualState());
    expect(plan.changes).toHaveLength(1);
    expect(plan.summary.add).toBe(1000);
  });

  it('replaces a user whose kind changes (delete, then create)', () => {
    const desired = state({ domains: [domain('x.com')], users: [user('a@x.com')] });
    const a = actual((a) => {
      a.domains.add('x.com');
      a.users.set('a@x.com', actualUser('a@x.com', { kind: 'remote', hasSubscriber: false }));
    });
    expect(keys(computePlan(desired, a))).toEqual(['delete user a@x.com', 'create user a@x.com']);
  });

  it('reports a declared remote user that exists as a local user of an unlisted domain', () => {
    const a = actual((a) => {
      a.domains.add('kam.net');
      a.users.set('a@kam.net', actualUser('a@kam.net'));
    });
    const plan = computePlan(state({ users: [remote('a@kam.net')] }), a);
    expect(plan.problems[0].message).toMatch(/a@kam\.net exists as a local user in kam\.net/);
  });

  it('refuses, with its location, a new remote user in a domain Kamailio serves but the file does not list', () => {
    const a = actual((a) => a.domains.add('kam.net'));
    const at = { file: 'test.yaml', line: 3, column: 5, path: 'users[0]' };
    const plan = computePlan(state({ users: [remote('a@kam.net', { password: 'pw', at })] }), a);
    expect(plan.changes).toEqual([]);
    expect(plan.problems).toEqual([{ message: expect.stringMatching(/a@kam\.net would be remote, but Kamailio serves kam\.net .*list kam\.net under domains/), at }]);
    // the same user in a domain Kamailio does not serve is planned
    expect(computePlan(state({ users: [remote('a@far.net', { password: 'pw' })] }), actual(() => {})).problems).toEqual([]);
  });

  it('detects a password change for remote users by the stored password', () => {
    const a = actual((a) => a.users.set('b@p.net', actualUser('b@p.net', { kind: 'remote', hasSubscriber: false, password: 'old', registrar: 'sip.partner.net' })));
    const plan = computePlan(state({ users: [remote('b@p.net', { password: 'new' })] }), a);
    expect(plan.changes).toEqual([expect.objectContaining({ action: 'update', after: { password: '(changed)' } })]);
  });
});

describe('the safety brake', () => {
  const many = (n: number) =>
    actual((a) => {
      a.domains.add('x.com');
      for (let i = 0; i < n; i++) a.users.set(`u${i}@x.com`, actualUser(`u${i}@x.com`));
    });

  it('refuses removing more than 30% of at least 10 managed users', () => {
    const a = many(10);
    const keep = (k: number) => state({ domains: [domain('x.com')], users: Array.from({ length: k }, (_, i) => user(`u${i}@x.com`)) });
    expect(checkSafety(computePlan(keep(7), a))).toEqual([]);
    expect(checkSafety(computePlan(keep(6), a))).toEqual(['it updates or removes 4 of 10 users (40.0% > 30%; --max-change-percent 40 or --force allows it)']);
    expect(checkSafety(computePlan(keep(6), a), { maxChangePercent: 50 })).toEqual([]);
  });

  it('does not apply the percentage below 10 objects, but refuses emptying a domain', () => {
    const a = many(3);
    const plan = computePlan(state({ domains: [domain('x.com')], users: [] }), a);
    expect(plan.emptiedDomains).toEqual(['x.com']);
    expect(checkSafety(plan)).toEqual([expect.stringMatching(/^it removes every user of domain x\.com \(only --force allows that, whatever --max-change-percent says; .*state: absent/)]);
    // no percentage allows it
    expect(checkSafety(plan, { maxChangePercent: 100 })).toHaveLength(1);
    expect(checkSafety(computePlan(state({ domains: [domain('x.com')], users: [user('u0@x.com')] }), a))).toEqual([]);
  });
});
