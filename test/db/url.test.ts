import { describe, expect, it } from 'vitest';
import { parseDbUrl, redactDbUrl } from '../../src/db/url.js';

describe('parseDbUrl', () => {
  it('reads sqlite URLs', () => {
    expect(parseDbUrl('sqlite:hermes.db')).toEqual({ dialect: 'sqlite', path: 'hermes.db' });
    expect(parseDbUrl('sqlite:///tmp/x.db')).toEqual({ dialect: 'sqlite', path: '/tmp/x.db' });
  });

  it('reads mysql and mariadb URLs with encoded credentials', () => {
    expect(parseDbUrl('mysql://kam:p%40ss@db.example.com:3307/kamailio')).toEqual({
      dialect: 'mysql', host: 'db.example.com', port: 3307, user: 'kam', password: 'p@ss', database: 'kamailio',
    });
    expect(parseDbUrl('mariadb://root@127.0.0.1/k')).toMatchObject({ dialect: 'mysql', port: 3306, user: 'root', password: '' });
  });

  it('reads postgres and postgresql URLs with encoded credentials', () => {
    expect(parseDbUrl('postgres://kam:p%40ss@db.example.com:5433/kamailio')).toEqual({
      dialect: 'postgres', host: 'db.example.com', port: 5433, user: 'kam', password: 'p@ss', database: 'kamailio',
    });
    expect(parseDbUrl('postgresql://127.0.0.1/k')).toMatchObject({ dialect: 'postgres', port: 5432, user: 'postgres', password: '', database: 'k' });
  });

  it('reads TLS settings as each ecosystem spells them', () => {
    expect(parseDbUrl('postgres://h/k')).not.toHaveProperty('tls');
    expect(parseDbUrl('postgres://h/k?sslmode=disable')).not.toHaveProperty('tls');
    expect(parseDbUrl('postgres://h/k?sslmode=require')).toMatchObject({ tls: { verifyCertificate: false, verifyHostName: false } });
    expect(parseDbUrl('postgres://h/k?sslmode=verify-ca&sslrootcert=/ca.pem')).toMatchObject({ tls: { verifyCertificate: true, verifyHostName: false, caFile: '/ca.pem' } });
    expect(parseDbUrl('postgresql://h/k?sslmode=verify-full')).toMatchObject({ tls: { verifyCertificate: true, verifyHostName: true } });
    // As libpq: require with a root certificate verifies the chain.
    expect(parseDbUrl('postgres://h/k?sslmode=require&sslrootcert=/ca.pem')).toMatchObject({ tls: { verifyCertificate: true, verifyHostName: false } });
    expect(parseDbUrl('mysql://h/k')).not.toHaveProperty('tls');
    expect(parseDbUrl('mysql://h/k?ssl=true')).toMatchObject({ tls: { verifyCertificate: true, verifyHostName: true } });
    expect(parseDbUrl('mariadb://h/k?ssl-ca=/ca.pem')).toMatchObject({ tls: { verifyCertificate: true, verifyHostName: true, caFile: '/ca.pem' } });
    expect(parseDbUrl('mysql://h/k?ssl=false')).not.toHaveProperty('tls');
  });

  it('refuses unknown or misspelt TLS parameters, naming them', () => {
    expect(() => parseDbUrl('postgres://h/k?sslmode=prefer')).toThrow(/sslmode=prefer: use one of disable, require, verify-ca, verify-full/);
    expect(() => parseDbUrl('postgres://h/k?ssl=true')).toThrow(/unknown parameter "ssl"/);
    expect(() => parseDbUrl('postgres://h/k?sslrootcert=/ca.pem')).toThrow(/sslrootcert without sslmode/);
    expect(() => parseDbUrl('mysql://h/k?sslmode=require')).toThrow(/unknown parameter "sslmode"/);
    expect(() => parseDbUrl('mysql://h/k?ssl=yes')).toThrow(/ssl=yes: use ssl=true or ssl=false/);
  });

  it('refuses malformed URLs with one line naming the problem', () => {
    expect(() => parseDbUrl('oracle://x/y')).toThrow(/scheme "oracle:" is not supported/);
    expect(() => parseDbUrl('hermes.db')).toThrow(/has no scheme/);
    expect(() => parseDbUrl('sqlite:')).toThrow(/names no file/);
    expect(() => parseDbUrl('mysql://')).toThrow(/DB_URL_INVALID|malformed|no host/);
  });

  it('never repeats a password in a message', () => {
    expect(redactDbUrl('mysql://kam:secret@h/db')).toBe('mysql://kam:***@h/db');
    expect(redactDbUrl('postgres://kam:secret@h/db?sslmode=require')).toBe('postgres://kam:***@h/db?sslmode=require');
    expect(redactDbUrl('postgresql://h/db?password=secret&sslmode=require')).toBe('postgresql://h/db?password=***&sslmode=require');
    for (const url of ['postgres://kam:secret@h/db?sslmode=maybe', 'postgresql://kam:secret@h/db?password=secret', 'mysql://kam:secret@h/db?ssl=1']) {
      expect(() => parseDbUrl(url)).toThrow();
      try {
        parseDbUrl(url);
      } catch (e) {
        expect(String((e as Error).message)).not.toContain('secret');
      }
    }
    try {
      parseDbUrl('mysql://kam:secret@/db');
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('secret');
    }
  });
});
