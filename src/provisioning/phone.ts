/**
 * The vendor-neutral description of one phone: what every vendor's template renders from.
 * Built from the desired (or applied) state by describePhone(); templates see it as `phone`.
 */
import type { KeyType, PhoneModel } from './models.js';
import type { Settings } from './settings.js';
import type { DesiredUser } from '../desired/types.js';

export type Transport = 'udp' | 'tcp' | 'tls';

/** A SIP hop: where a phone sends requests. */
export interface SipHop {
  host: string;
  port: number;
  transport: Transport;
}

export interface PhoneLine {
  /** 1-based line (account) number on the phone. */
  index: number;
  /** The SIP user part; the line registers user@domain. */
  user: string;
  /** The SIP domain, also the digest realm. */
  domain: string;
  /** user@domain */
  address: string;
  /** Digest user name (a remote user's authid, else the user). */
  auth_name: string;
  password: string;
  display_name: string;
  /** The line key's label: the user's linetext, else the user name. */
  label: string;
  /** The phone's digit map for this line ('' when none). */
  digit_map: string;
  /**
   * The registrar: the host REGISTER is addressed to. For a local user it is the domain
   * itself (so the phone registers user@domain), for a remote user the user's registrar.
   */
  registrar: SipHop;
  /**
   * Where requests are sent when it is not the registrar: a local domain's sip_server that
   * is not the domain, or a remote user's proxy.
   */
  outbound_proxy?: SipHop;
  /**
   * The host requests physically go to: the outbound proxy if any, else the registrar
   * (for vendors whose one "server" field is both, e.g. Poly's reg.N.server.1).
   */
  server: SipHop;
}

export interface FunctionKey {
  /** 1-based key number. */
  index: number;
  type: KeyType;
  /** BLF: the watched address; speed dial: the number or address; line: ''. */
  value: string;
  label: string;
  /** The line (account) number the key uses (1 unless the key is a line key). */
  line: number;
}

export interface PhoneDescription {
  /** 12 lower-case hex digits. */
  mac: string;
  model: PhoneModel;
  lines: PhoneLine[];
  keys: FunctionKey[];
  /** Resolved settings (phone over profile over global). */
  settings: Settings;
}

/** A user as the desired state holds it (the fields a line needs). */
export type LineUser = Pick<DesiredUser, 'username' | 'domain' | 'kind' | 'displayname' | 'linetext' | 'dialplan' | 'password' | 'registrar' | 'r_port' | 'proxy' | 'p_port' | 'authid'>;

/** A local domain's SIP server for phones: `sip_server: "host[:port]"`, `transport`. */
export interface DomainServer {
  sip_server?: string;
  transport?: Transport;
}

/** A key as declared: `{ type, value, label }`. */
export interface KeySource {
  type: KeyType;
  value?: string;
  label?: string;
  /** The line the key belongs to; for a line key, the line it shows. Default 1. */
  line?: number;
}

/** Splits "host", "host:port", "[v6]" or "[v6]:port"; undefined when malformed. */
export function parseHostPort(text: string, defaultPort: number): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\s[\]]+))(?::(\d{1,5}))?$/.exec(text.trim());
  if (!m) return undefined;
  const port = m[3] === undefined ? defaultPort : Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1] ?? m[2].toLowerCase(), port };
}

function localHops(user: LineUser, server: DomainServer | undefined): Pick<PhoneLine, 'registrar' | 'outbound_proxy'> {
  const transport = server?.transport ?? 'udp';
  const hop = server?.sip_server ? parseHostPort(server.sip_server, 5060) : undefined;
  if (server?.sip_server && !hop) throw new Error(`sip_server "${server.sip_server}" is not host[:port]`);
  const port = hop?.port ?? 5060;
  const registrar = { host: user.domain, port, transport };
  if (!hop || hop.host === user.domain) return { registrar };
  return { registrar, outbound_proxy: { host: hop.host, port, transport } };
}

function remoteHops(user: LineUser): Pick<PhoneLine, 'registrar' | 'outbound_proxy'> {
  const registrar: SipHop = { host: user.registrar ?? user.domain, port: user.r_port ?? 5060, transport: 'udp' };
  if (!user.proxy) return { registrar };
  return { registrar, outbound_proxy: { host: user.proxy, port: user.p_port ?? 5060, transport: 'udp' } };
}

/**
 * Line `index` for `user`: a local user registers as itself at its domain's sip_server
 * (default the domain, 5060, udp) with its subscriber password; a remote user at its
 * registrar/r_port, via proxy/p_port, with authid.
 */
export function describeLine(index: number, user: LineUser, server?: DomainServer): PhoneLine {
  const hops = user.kind === 'local' ? localHops(user, server) : remoteHops(user);
  return {
    index,
    user: user.username,
    domain: user.domain,
    address: `${user.username}@${user.domain}`,
    auth_name: (user.kind === 'remote' && user.authid) || user.username,
    password: user.password ?? '',
    display_name: user.displayname,
    label: user.linetext || user.username,
    digit_map: user.dialplan,
    ...hops,
    server: hops.outbound_proxy ?? hops.registrar,
  };
}

/** Function keys numbered from 1 in declaration order. */
export function describeKeys(keys: readonly KeySource[]): FunctionKey[] {
  return keys.map((k, i) => ({
    index: i + 1,
    type: k.type,
    value: k.type === 'line' ? '' : (k.value ?? ''),
    label: k.label ?? (k.type === 'line' ? '' : (k.value ?? '')),
    line: k.line ?? 1,
  }));
}
