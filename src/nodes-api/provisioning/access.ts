/**
 * The provisioning server's request checks that need no database: HTTP Basic credentials,
 * the MAC a User-Agent names, the client address lists.
 */
import { cidrMatcher, plainAddress } from '../../model/index.js';
import type { ProvisioningAccess } from '../../ops/provisioning-serve.js';

/** user and password of an `Authorization: Basic ...` header; undefined when there is none or it is malformed. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic +([A-Za-z0-9+/=]{1,1024})$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/**
 * The MAC a phone's User-Agent names (12 lower-case hex), e.g. `Yealink SIP-T46U 108.86.0.20
 * 00:15:65:aa:bb:cc`, Snom's `... 000413AABBCC)`, Grandstream's `DevId 000b82aabbcc`;
 * undefined when it names none.
 */
export function macOfUserAgent(userAgent: string | undefined): string | undefined {
  const m = /(?:^|[^0-9a-f:-])([0-9a-f]{2}(?::[0-9a-f]{2}){5}|[0-9a-f]{2}(?:-[0-9a-f]{2}){5}|[0-9a-f]{12})(?![0-9a-f:-])/i.exec((userAgent ?? '').slice(0, 512));
  return m ? m[1].replace(/[:-]/g, '').toLowerCase() : undefined;
}

/** The client address lists of the access rules, as matchers (built once per rule set). */
export class AddressRules {
  private readonly cache = new Map<string, (address: string) => boolean>();

  private matcher(list: readonly string[]): (address: string) => boolean {
    const key = list.join(',');
    let m = this.cache.get(key);
    if (!m) {
      if (this.cache.size >= 64) this.cache.clear();
      this.cache.set(key, (m = cidrMatcher(list)));
    }
    return m;
  }

  /** Whether provisioning.allow lets the client in (no list: everyone). */
  allowed(access: ProvisioningAccess, client: string): boolean {
    return access.allow === undefined || this.matcher(access.allow)(client);
  }

  /** Whether the client may fetch credential files over plain HTTP (provisioning.allow_http). */
  httpAllowed(access: ProvisioningAccess, client: string): boolean {
    return access.allowHttp !== undefined && this.matcher(access.allowHttp)(client);
  }
}

export { plainAddress };

/** The route config of the provisioning routes: no API token (phones use provisioning.auth), and their own log line instead of the request log's. */
export const PROVISIONING_ROUTE = { public: true, quiet: true } as const;

