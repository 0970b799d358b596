import { expect } from 'vitest';
import type { Connection } from '../../src/db/connect.js';
import { isE164 } from '../../src/ops/index.js';

export type Envelope = { response: string; cause?: string; detail?: string };

/** How many answered each `response/cause`, e.g. { ok: 1, 'failed/exists': 199 }. */
export function tally(envelopes: readonly Envelope[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of envelopes) {
    const key = e.response === 'ok' ? 'ok' : `${e.response}/${e.cause}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** Every invariant hermes keeps that the database does not enforce by itself, checked row by row. */
export async function expectInvariants(c: Connection): Promise<void> {
  const fold = (username: string, domain: string, ci: boolean) => (ci ? `${username}@${domain}`.toLowerCase() : `${username}@${domain}`);
  const aliases = await c.kamailio.selectFrom('dbaliases').select(['alias_username', 'alias_domain', 'username', 'domain']).execute();
  const subscribers = await c.kamailio.selectFrom('subscriber').select(['username', 'domain']).execute();
  const users = await c.provisioning.selectFrom('hermes_users').select(['username', 'domain']).execute();
  const pool = new Set((await c.provisioning.selectFrom('hermes_numbers').select('number').execute()).map((r) => r.number));
  const ci = c.caseInsensitive.dbaliases || c.caseInsensitive.subscriber;
  const problems: string[] = [];
  const seen = new Set<string>();
  const e164Of = new Map<string, string>();
  const accounts = new Set([...subscribers, ...users].map((u) => fold(u.username, u.domain, ci)));
  for (const a of aliases) {
    const key = fold(a.alias_username, a.alias_domain, ci);
    if (seen.has(key)) problems.push(`alias ${key} has two rows`);
    seen.add(key);
    if (accounts.has(key)) problems.push(`alias ${key} is also a user`);
    if (isE164(a.alias_username)) {
      const dest = fold(a.username, a.domain, ci);
      if (e164Of.has(dest)) problems.push(`${dest} has two E.164 aliases: ${e164Of.get(dest)} and ${a.alias_username}`);
      e164Of.set(dest, a.alias_username);
      if (pool.has(a.alias_username)) problems.push(`number ${a.alias_username} is pooled and in use`);
    }
  }
  expect(problems).toEqual([]);
}

