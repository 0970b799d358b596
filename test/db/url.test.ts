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

  it('refuses malformed URLs with one line naming the problem', () => {
    expect(() => parseDbUrl('postgres://x/y')).toThrow(/scheme "postgres:" is not supported/);
    expect(() => parseDbUrl('hermes.db')).toThrow(/has no scheme/);
    expect(() => parseDbUrl('sqlite:')).toThrow(/names no file/);
    expect(() => parseDbUrl('mysql://')).toThrow(/DB_URL_INVALID|malformed|no host/);
  });

  it('never repeats a password in a message', () => {
    expect(redactDbUrl('mysql://kam:secret@h/db')).toBe('mysql://kam:***@h/db');
    try {
      parseDbUrl('mysql://kam:secret@/db');
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('secret');
    }
  });
});
