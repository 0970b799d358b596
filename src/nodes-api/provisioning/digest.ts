/**
 * HTTP Digest (RFC 7616 with MD5, qop=auth; RFC 2617 without qop) for phones whose firmware
 * prefers it (Yealink, Snom, Poly and Grandstream all answer a Digest challenge). Digest needs
 * the password itself, which apply stores only hashed: the server offers it when it is given
 * the password (HERMES_PROVISIONING_PASSWORD), and a Digest answer counts only while that
 * password still matches the stored hash. Nonces are stateless: a time and its HMAC under a
 * key of this server instance, valid for NONCE_TTL.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const NONCE_TTL = 5 * 60_000;
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** The parameters of an `Authorization: Digest ...` header; undefined when it is none or malformed. */
export function digestParams(header: string | undefined): Map<string, string> | undefined {
  const m = /^Digest +(.{1,4096})$/is.exec(header ?? '');
  if (!m) return undefined;
  const params = new Map<string, string>();
  for (const [, name, quoted, token] of m[1].matchAll(/([a-z0-9-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]+))/gi)) {
    if (params.has(name.toLowerCase())) return undefined;
    params.set(name.toLowerCase(), quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : token);
  }
  return ['username', 'nonce', 'uri', 'response'].every((k) => params.has(k)) ? params : undefined;
}

export class DigestAuth {
  private readonly key = randomBytes(32);

  constructor(private readonly realm: string) {}

  private nonceAt(time: number): string {
    return `${time.toString(36)}.${createHmac('sha256', this.key).update(time.toString(36)).digest('base64url')}`;
  }

  /** The WWW-Authenticate value of a challenge (a fresh nonce). */
  challenge(now = Date.now()): string {
    return `Digest realm="${this.realm}", qop="auth", algorithm=MD5, nonce="${this.nonceAt(now)}"`;
  }

  private nonceValid(nonce: string, now: number): boolean {
    const time = parseInt(nonce.split('.')[0] ?? '', 36);
    if (!Number.isSafeInteger(time) || now - time > NONCE_TTL || time - now > 60_000) return false;
    const expected = Buffer.from(this.nonceAt(time));
    const given = Buffer.from(nonce);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  /**
   * The user name when the Digest answer is right for this request (method, request URI) and
   * `password`; undefined otherwise (wrong answer, other realm or URI, expired or forged nonce).
   */
  verify(params: Map<string, string>, request: { method: string; url: string }, password: string, now = Date.now()): string | undefined {
    const p = (name: string) => params.get(name) ?? '';
    const qop = p('qop');
    if (p('realm') !== this.realm || p('uri') !== request.url || !this.nonceValid(p('nonce'), now)) return undefined;
    if (!['', 'MD5'].includes(p('algorithm').toUpperCase()) || !['', 'auth'].includes(qop)) return undefined;
    if (qop === 'auth' && (!/^[0-9a-f]{8}$/i.test(p('nc')) || p('cnonce') === '')) return undefined;
    const ha1 = md5(`${p('username')}:${this.realm}:${password}`);
    const ha2 = md5(`${request.method}:${p('uri')}`);
    const expected = Buffer.from(qop === 'auth' ? md5(`${ha1}:${p('nonce')}:${p('nc')}:${p('cnonce')}:auth:${ha2}`) : md5(`${ha1}:${p('nonce')}:${ha2}`));
    const given = Buffer.from(p('response').toLowerCase());
    return expected.length === given.length && timingSafeEqual(expected, given) ? p('username') : undefined;
  }
}
