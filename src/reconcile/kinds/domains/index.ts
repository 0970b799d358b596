/** Domains: Kamailio's `domain` table. A listed domain is created, `state: absent` removes it. */
import { addDomains, removeDomains } from '../../../ops/index.js';
import type { ChangeDisplay } from '../../plan-types.js';
import type { ResourceKind } from '../kind.js';

export interface DomainChange extends ChangeDisplay {
  kind: 'domain';
  action: 'create' | 'delete';
  /** Lowercase. */
  domain: string;
}

export const domains: ResourceKind<DomainChange> = {
  kind: 'domain',
  plan({ desired, actual, managed, add }) {
    for (const d of desired.domains ?? []) {
      const exists = actual.domains.has(d.domain);
      if (exists) managed.domain++;
      if (d.state === 'present' && !exists) {
        add({ action: 'create', kind: 'domain', key: d.domain, after: { domain: d.domain }, at: d.at, domain: d.domain });
      } else if (d.state === 'absent' && exists) {
        add({ action: 'delete', kind: 'domain', key: d.domain, before: { domain: d.domain }, at: d.at, domain: d.domain });
      }
    }
  },
  async execute(db, action, changes, ctx) {
    ctx.domainsChanged = true;
    const names = changes.map((c) => c.domain);
    if (action === 'create') await addDomains(db, names, ctx.ops);
    else await removeDomains(db, names, ctx.ops);
  },
};
