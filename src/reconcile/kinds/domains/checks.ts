/** The semantic checks of `domains`: names, duplicates; the listed domains for the kinds after. */
import { parseHostPort } from '../../../provisioning/index.js';
import { globToRegExp } from '../../../model/index.js';
import type { RawDomain } from '../../../desired/raw-types.js';
import type { SemanticChecker } from '../../../desired/semantics.js';
import { formatLocation } from '../../../desired/source-file.js';
import type { DesiredDomain, DesiredState } from '../../../desired/types.js';

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
    const { sip_server, transport } = item.value;
    if (sip_server !== undefined && !parseHostPort(sip_server, 5060)) c.report('HERMES_INVALID_SIP_SERVER', c.at(item, 'sip_server'), `sip_server ${JSON.stringify(sip_server)} of domain ${name} is not host[:port], e.g. sip.example.com or 192.0.2.10:5080`);
    else if (sip_server !== undefined) domain.sip_server = sip_server;
    if (transport !== undefined) domain.transport = transport;
    listed.set(name, { state: domain.state, unmanaged: unmanaged.map(globToRegExp), globs: unmanaged, at });
    domains.push(domain);
  }
  for (const item of items.invalid) {
    const v = item.value as { domain?: unknown } | null;
    if (v && typeof v.domain === 'string' && !listed.has(v.domain.toLowerCase())) listed.set(v.domain.toLowerCase(), { state: 'present', unmanaged: [], globs: [], at: item.at });
  }
  if (items.present) state.domains = domains;
}
