/** CIDR lists (provisioning.allow, allow_http): parsed and matched with node:net's BlockList. */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** A CIDR (10.0.0.0/8, 2001:db8::/32) or a single address; null when it is neither. */
export function parseCidr(input: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const slash = input.indexOf('/');
  const address = slash < 0 ? input : input.slice(0, slash);
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : null;
  if (!family) return null;
  const max = family === 'ipv4' ? 32 : 128;
  const prefixText = slash < 0 ? String(max) : input.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return null;
  return { address, prefix: Number(prefixText), family };
}

/** A client address as matched: an IPv4-mapped IPv6 address (::ffff:10.1.2.3) as its IPv4 form. */
export function plainAddress(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1] : address;
}

/** A matcher for a list of CIDRs (each already checked with parseCidr). */
export function cidrMatcher(list: readonly string[]): (address: string) => boolean {
  const blocks = new BlockList();
  for (const c of list) {
    const p = parseCidr(c);
    if (p) blocks.addSubnet(p.address, p.prefix, p.family);
  }
  return (address) => {
    const a = plainAddress(address);
    const family = isIPv4(a) ? 'ipv4' : isIPv6(a) ? 'ipv6' : null;
    return family !== null && blocks.check(a, family);
  };
}
