/** The semantic checks of `domains`: names, duplicates; the listed domains for the kinds after. */
import { globToRegExp } from '../../model/index.js';
import type { RawDomain } from '../raw-types.js';
import type { SemanticChecker } from '../semantics.js';
import { formatLocation } from '../source-file.js';
import type { DesiredDomain, DesiredState } from '../types.js';

export function checkDomains(c: SemanticChecker, state: DesiredState): void {
  const items = c.items<RawDomain>('domains', undefined, ['domain']);
  const listed = c.facts.listed;
  const domains: DesiredDomain[] = [];
  for (const item of items.valid) {
    const at = c.at(item, 'domain');
    const name = c.domainName(item.value.domain, at, 'domain');
    if (name === null) continue;
    const other = listed.get(name);
    if (other) {
      c.report('HERMES_DUPLICATE_DOMAIN', at, `domain ${name} is listed twice; it is also at ${formatLocation(other.at)}`);
      continue;
    }
    const unmanaged = (item.value.unmanaged ?? []).filter((g): g is string => typeof g === 'string');
    const domain: DesiredDomain = { domain: name, state: item.value.state ?? 'present', unmanaged, at: item.at };
    listed.set(name, { state: domain.state, unmanaged: unmanaged.map(globToRegExp), globs: unmanaged, at });
    domains.push(domain);
  }
  for (const item of items.invalid) {
    const v = item.value as { domain?: unknown } | null;
    if (v && typeof v.domain === 'string' && !listed.has(v.domain.toLowerCase())) listed.set(v.domain.toLowerCase(), { state: 'present', unmanaged: [], globs: [], at: item.at });
  }
  if (items.present) state.domains = domains;
}
