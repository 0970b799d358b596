import { describe, expect, it } from 'vitest';
import { computePlan } from '../../src/reconcile/plan.js';
import { renderText } from '../../src/reconcile/render-text.js';
import { toPlanDocument } from '../../src/reconcile/plan-document.js';

const planDocument = (plan: ReturnType<typeof computePlan>, _files: string[]) => toPlanDocument(plan, [], { hermesVersion: 'test', createdAt: 'now' });
import type { ActualState } from '../../src/reconcile/actual-state.js';
import type { DesiredPhone, DesiredState } from '../../src/desired/types.js';
import { actual, actualUser, domain, state, user } from './builders.js';

const ADMIN = 'admin-secret-1';
const users = Array.from({ length: 6 }, (_, i) => user(`u${i}@example.com`, { password: `sip-pw-${i}` }));

function desired(overrides: { receptionLanguage?: string; admin?: string; template?: string } = {}): DesiredState {
  const phones: DesiredPhone[] = users.map((u, i) => ({
    mac: `0004f2abcd0${i}`,
    lines: [u.address],
    model: i % 2 === 0 ? 'yealink-t46u' : 'snom-d785',
    ...(i < 3 ? { profile: 'reception' } : {}),
  }));
  return state({
    domains: [domain('example.com', { sip_server: 'sip.example.net' })],
    users,
    phones,
    provisioning: {
      settings: { timezone: 'Europe/Oslo', admin_password: overrides.admin ?? ADMIN },
      profiles: { reception: { settings: { language: overrides.receptionLanguage ?? 'nb' }, keys: [{ type: 'blf', value: 'u5@example.com', label: 'Five' }] } },
      templates: overrides.template ? [{ id: 'yealink/phone.cfg', text: overrides.template, file: 't' }] : [],
      auth: { username: 'phones', password: 'prov-secret-1' },
    },
  });
}

function platform(): ActualState {
  return actual((a) => {
    a.domains.add('example.com');
    for (const u of users) a.users.set(u.address, actualUser(u.address, { plainPassword: u.password }));
  });
}

/** What apply leaves in the database: the actual state with the plan's items stored (as the executor stores them). */
function applied(d: DesiredState): ActualState {
  const a = platform();
  a.phones = new Map(d.phones!.map((p) => [p.mac, p.lines]));
  for (const c of computePlan(d, a).changes) if (c.kind === 'provisioning') a.provisioning.set(c.item, c.body!);
  return a;
}

describe('provisioning in the plan', () => {
  const base = applied(desired());

  it('plans every item once, and nothing when nothing changed', () => {
    const first = computePlan(desired(), platform());
    expect(first.changes.filter((c) => c.kind === 'provisioning').map((c) => c.key).sort()).toEqual(['auth', 'domain:example.com', ...users.map((_, i) => `phone:0004f2abcd0${i}`), 'profile:reception', 'settings'].sort());
    const again = computePlan(desired(), base);
    expect(again.changes).toEqual([]);
    expect(renderText(again, { color: false })).toContain('No changes.');
  });

  it('changing one profile setting plans exactly the phones with that profile', () => {
    const plan = computePlan(desired({ receptionLanguage: 'de' }), base);
    expect(plan.changes.map((c) => c.key)).toEqual(['profile:reception']);
    const [c] = plan.changes;
    expect(c.kind === 'provisioning' && c.phones).toEqual(['0004f2abcd00', '0004f2abcd01', '0004f2abcd02']);
    expect(c.before).toEqual({ language: 'nb' });
    expect(c.after).toEqual({ language: 'de' });
    expect(renderText(plan, { color: false })).toContain("~ provisioning profile:reception: 3 phones' files change");
  });

  it('a template change counts the phones of its vendor; JSON lists their MACs', () => {
    const plan = computePlan(desired({ template: '#!version:1.0.0.1\n{% for line in lines %}account.{{ line.index }}.user_name = {{ line.user }}\n{% endfor %}' }), base);
    const saved = JSON.parse(JSON.stringify(planDocument(plan, ['t.yaml']))) as { changes: { key: string; phones: number; macs: string[] }[] };
    expect(saved.changes).toHaveLength(1);
    expect(saved.changes[0]).toMatchObject({ key: 'template:yealink/phone.cfg', phones: 3, macs: ['0004f2abcd00', '0004f2abcd02', '0004f2abcd04'] });
  });

  it('no secret in the plan, its text or its JSON; a changed secret is "(changed)"', () => {
    const plan = computePlan(desired({ admin: 'admin-secret-2' }), base);
    expect(plan.changes.map((c) => c.key)).toEqual(['settings']);
    expect(plan.changes[0].after).toEqual({ admin_password: '(changed)' });
    const texts = [renderText(plan, { color: false }), JSON.stringify(planDocument(plan, ['t.yaml'])), JSON.stringify(computePlan(desired(), platform()).changes.map((c) => ({ ...c, body: undefined })))];
    for (const t of texts) for (const secret of ['admin-secret-1', 'admin-secret-2', 'prov-secret-1', 'sip-pw-0']) expect(t).not.toContain(secret);
    // Stored: the server's password only as a hash; the phones' admin password as it is, since their files carry it.
    for (const body of base.provisioning.values()) expect(body).not.toContain('prov-secret-1');
    expect(JSON.parse(base.provisioning.get('settings')!)).toMatchObject({ admin_password: 'admin-secret-1' });
  });
});
