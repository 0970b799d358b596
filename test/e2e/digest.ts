import { createHash, randomBytes } from 'node:crypto';

/**
 * HTTP digest authentication as SIP uses it (RFC 2617, RFC 3261 §22): MD5, with or without
 * qop=auth. Only what a SIP user agent needs to answer a 401/407 challenge.
 */

export interface DigestChallenge {
  scheme: string;
  realm: string;
  nonce: string;
  opaque?: string;
  algorithm?: string;
  /** The qop options the server offers, e.g. ['auth', 'auth-int']. */
  qop?: string[];
  stale?: boolean;
}

export interface DigestInput {
  username: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  /** 'auth' to use qop; then nc and cnonce are required. */
  qop?: 'auth';
  nc?: string;
  cnonce?: string;
}

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

/** HA1 = MD5(username:realm:password) — what Kamailio's subscriber.ha1 holds (realm = domain). */
export function digestHa1(username: string, realm: string, password: string): string {
  return md5(`${username}:${realm}:${password}`);
}

/** The request-digest of RFC 2617 §3.2.2.1 (algorithm MD5). */
export function digestResponse(input: DigestInput): string {
  const ha1 = digestHa1(input.username, input.realm, input.password);
  const ha2 = md5(`${input.method}:${input.uri}`);
  if (input.qop === 'auth') {
    if (!input.nc || !input.cnonce) throw new Error('qop=auth needs nc and cnonce');
    return md5(`${ha1}:${input.nonce}:${input.nc}:${input.cnonce}:${input.qop}:${ha2}`);
  }
  return md5(`${ha1}:${input.nonce}:${ha2}`);
}

/**
 * Parses a WWW-Authenticate / Proxy-Authenticate value: `Digest realm="x", nonce="y", qop="auth,auth-int"`.
 * Quoted strings may hold commas and escaped quotes.
 */
export function parseChallenge(value: string): DigestChallenge {
  const match = /^\s*([A-Za-z]+)\s+(.*)$/s.exec(value);
  if (!match) throw new Error(`malformed challenge: ${value}`);
  const params = parseAuthParams(match[2]!);
  const realm = params.get('realm');
  const nonce = params.get('nonce');
  if (realm === undefined || nonce === undefined) throw new Error(`challenge without realm or nonce: ${value}`);
  const qop = params.get('qop');
  return {
    scheme: match[1]!,
    realm,
    nonce,
    opaque: params.get('opaque'),
    algorithm: params.get('algorithm'),
    qop: qop === undefined ? undefined : qop.split(',').map((q) => q.trim()).filter(Boolean),
    stale: params.get('stale')?.toLowerCase() === 'true',
  };
}

/** name=value pairs separated by commas; values are tokens or quoted strings. */
export function parseAuthParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  let i = 0;
  const skip = (re: RegExp) => {
    while (i < text.length && re.test(text[i]!)) i++;
  };
  while (i < text.length) {
    skip(/[\s,]/);
    const start = i;
    while (i < text.length && /[^=\s,]/.test(text[i]!)) i++;
    const name = text.slice(start, i).toLowerCase();
    skip(/\s/);
    if (text[i] !== '=') {
      if (name) params.set(name, '');
      continue;
    }
    i++;
    skip(/\s/);
    let value = '';
    if (text[i] === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i];
        i++;
      }
      i++; // closing quote
    } else {
      const vstart = i;
      while (i < text.length && text[i] !== ',') i++;
      value = text.slice(vstart, i).trim();
    }
    if (name) params.set(name, value);
  }
  return params;
}

const quote = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;

/**
 * The Authorization / Proxy-Authorization value answering `challenge`. Uses qop=auth when the
 * server offers it (with nc and a fresh cnonce), the RFC 2069 form otherwise.
 */
export function authorizationHeader(
  challenge: DigestChallenge,
  credentials: { username: string; password: string },
  request: { method: string; uri: string },
  options: { nc?: number; cnonce?: string } = {},
): string {
  if (challenge.scheme.toLowerCase() !== 'digest') throw new Error(`unsupported auth scheme ${challenge.scheme}`);
  if (challenge.algorithm && challenge.algorithm.toUpperCase() !== 'MD5') throw new Error(`unsupported digest algorithm ${challenge.algorithm}`);
  const useQop = challenge.qop?.includes('auth') ?? false;
  const nc = (options.nc ?? 1).toString(16).padStart(8, '0');
  const cnonce = options.cnonce ?? randomBytes(8).toString('hex');
  const response = digestResponse({
    username: credentials.username,
    realm: challenge.realm,
    password: credentials.password,
    method: request.method,
    uri: request.uri,
    nonce: challenge.nonce,
    ...(useQop ? { qop: 'auth' as const, nc, cnonce } : {}),
  });
  const parts = [
    `username=${quote(credentials.username)}`,
    `realm=${quote(challenge.realm)}`,
    `nonce=${quote(challenge.nonce)}`,
    `uri=${quote(request.uri)}`,
    `response=${quote(response)}`,
    'algorithm=MD5',
  ];
  if (challenge.opaque !== undefined) parts.push(`opaque=${quote(challenge.opaque)}`);
  if (useQop) parts.push('qop=auth', `nc=${nc}`, `cnonce=${quote(cnonce)}`);
  return `Digest ${parts.join(', ')}`;
}
