import { describe, expect, it } from 'vitest';
import { authorizationHeader, digestHa1, digestResponse, parseAuthParams, parseChallenge } from './digest.js';
import { parseResponse } from './sip-client.js';

// RFC 2617 §3.5: the worked example.
const RFC2617 = {
  username: 'Mufasa',
  realm: 'testrealm@host.com',
  password: 'Circle Of Life',
  method: 'GET',
  uri: '/dir/index.html',
  nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
  nc: '00000001',
  cnonce: '0a4f113b',
  opaque: '5ccc069c403ebaf9f0171e9517f40e41',
};

describe('SIP digest (RFC 2617)', () => {
  it("computes RFC 2617's example response with qop=auth", () => {
    expect(digestResponse({ ...RFC2617, qop: 'auth' })).toBe('6629fae49393a05397450978507c4ef1');
  });

  it('computes the RFC 2069 form without qop', () => {
    // md5(HA1:nonce:HA2) computed independently of digestResponse's code path
    const ha1 = digestHa1(RFC2617.username, RFC2617.realm, RFC2617.password);
    expect(ha1).toBe('939e7578ed9e3c518a452acee763bce9');
    expect(digestResponse({ ...RFC2617 })).toBe('670fd8c2df070c60b045671b8b24ff02');
  });

  it('computes HA1 as Kamailio stores it in subscriber.ha1 and ha1b', () => {
    expect(digestHa1('alice', 'example.com', 'secret')).toBe('b1726872c344b6dc8365b774f8fd6412');
    expect(digestHa1('alice@example.com', 'example.com', 'secret')).toBe('c79656e4f06dbae9fdf6727654273c65');
  });

  it("parses the RFC's challenge and answers it with the RFC's Authorization", () => {
    const challenge = parseChallenge(
      `Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="${RFC2617.nonce}", opaque="${RFC2617.opaque}"`,
    );
    expect(challenge).toMatchObject({ scheme: 'Digest', realm: RFC2617.realm, nonce: RFC2617.nonce, opaque: RFC2617.opaque, qop: ['auth', 'auth-int'] });
    const value = authorizationHeader(challenge, RFC2617, RFC2617, { nc: 1, cnonce: RFC2617.cnonce });
    const params = parseAuthParams(value.replace(/^Digest /, ''));
    expect(Object.fromEntries(params)).toEqual({
      username: 'Mufasa',
      realm: 'testrealm@host.com',
      nonce: RFC2617.nonce,
      uri: '/dir/index.html',
      response: '6629fae49393a05397450978507c4ef1',
      algorithm: 'MD5',
      opaque: RFC2617.opaque,
      qop: 'auth',
      nc: '00000001',
      cnonce: '0a4f113b',
    });
  });

  it('omits qop, nc and cnonce when the server offers no qop', () => {
    const value = authorizationHeader(parseChallenge('Digest realm="example.com", nonce="abc"'), { username: 'a', password: 'b' }, { method: 'REGISTER', uri: 'sip:example.com' });
    expect(value).not.toMatch(/qop|nc=|cnonce/);
    expect(parseAuthParams(value.slice(7)).get('response')).toBe(digestResponse({ username: 'a', realm: 'example.com', password: 'b', method: 'REGISTER', uri: 'sip:example.com', nonce: 'abc' }));
  });

  it('refuses algorithms other than MD5', () => {
    expect(() => authorizationHeader(parseChallenge('Digest realm="r", nonce="n", algorithm=SHA-256'), { username: 'a', password: 'b' }, { method: 'REGISTER', uri: 'sip:r' })).toThrow(/SHA-256/);
  });
});

describe('SIP response parsing', () => {
  it('reads status, compact and folded headers', () => {
    const r = parseResponse('SIP/2.0 401 Unauthorized\r\nv: SIP/2.0/UDP 127.0.0.1:5;branch=z9hG4bKx\r\nWWW-Authenticate: Digest realm="a",\r\n nonce="b"\r\nCSeq: 1 REGISTER\r\nl: 0\r\n\r\n');
    expect(r?.status).toBe(401);
    expect(r?.headers.get('via')).toEqual(['SIP/2.0/UDP 127.0.0.1:5;branch=z9hG4bKx']);
    expect(parseChallenge(r!.headers.get('www-authenticate')![0]!).nonce).toBe('b');
    expect(parseResponse('REGISTER sip:x SIP/2.0\r\n\r\n')).toBeUndefined();
  });
});
