import { describe, expect, it } from 'vitest';
import { checkRange, domainChecker, expandRange, MAX_RANGE_SIZE, splitRun } from '../../src/model/index.js';
import { computeHa1, computeHa1b, globToLike, globToRegExp, isE164, normalizeMac, parseAddress } from '../../src/ops/canonical.js';

describe('canonical forms', () => {
  it('normalises MACs in every accepted form and rejects the rest', () => {
    for (const mac of ['00:04:F2:AB:CD:EF', '00-04-f2-ab-cd-ef', '0004F2ABCDEF']) expect(normalizeMac(mac)).toBe('0004f2abcdef');
    for (const bad of ['00:04:f2:ab:cd', '00:04-f2:ab:cd:ef', 'g004f2abcdef', '']) expect(normalizeMac(bad)).toBeNull();
  });

  it('accepts E.164 only as + and 1 to 15 digits without a leading zero', () => {
    expect(isE164('+4722334401')).toBe(true);
    expect(isE164('+123456789012345')).toBe(true);
    for (const bad of ['4722334401', '+0722334401', '+1234567890123456', '+', '+47 22']) expect(isE164(bad)).toBe(false);
  });

  it('parses addresses and lowercases the domain', () => {
    expect(parseAddress('alice@Example.COM')).toEqual({ username: 'alice', domain: 'example.com' });
    expect(parseAddress('sip:+4722334401@example.com')).toEqual({ username: '+4722334401', domain: 'example.com' });
    for (const bad of ['alice', '@example.com', 'alice@', 'al ice@example.com', `${'a'.repeat(65)}@example.com`]) expect(parseAddress(bad)).toBeNull();
  });

  it('computes ha1 and ha1b as kamctl does', () => {
    // echo -n 'alice:example.com:secret' | md5sum, and the same for alice@example.com
    expect(computeHa1('alice', 'example.com', 'secret')).toBe('b1726872c344b6dc8365b774f8fd6412');
    expect(computeHa1b('alice', 'example.com', 'secret')).toBe('c79656e4f06dbae9fdf6727654273c65');
  });

  it('escapes LIKE metacharacters in globs', () => {
    expect(globToLike('a*b?c%d_e!f')).toBe('a%b_c!%d!_e!!f');
    expect(globToRegExp('legacy-*').test('legacy-bob')).toBe(true);
    expect(globToRegExp('legacy-*').test('xlegacy-bob')).toBe(false);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
  });

  it('has one range rule for the YAML and numbers/add_range: same length, start < end, at most MAX_RANGE_SIZE', () => {
    expect(checkRange('+4722000000', '+4722000099')).toEqual({ start: '+4722000000', end: '+4722000099', count: 100 });
    expect(checkRange('+4722000001', '+4722000001')).toEqual({ problem: 'not-ascending' });
    expect(checkRange('+4722000010', '+4722000001')).toEqual({ problem: 'not-ascending' });
    expect(checkRange('+471234', '+47123456')).toEqual({ problem: 'length-mismatch' });
    expect(checkRange('+4790000000', '+4791000000')).toEqual({ problem: 'too-large', size: MAX_RANGE_SIZE + 1 });
    expect(checkRange('4722', '+4723')).toEqual({ problem: 'invalid-start' });
  });

  it('expands and splits runs of numbers', () => {
    expect([...expandRange('+4798', '+4799')]).toEqual(['+4798', '+4799']);
    expect(splitRun({ start: '+4710', end: '+4714' }, 2)).toEqual([
      { start: '+4710', end: '+4711', count: 2 },
      { start: '+4712', end: '+4713', count: 2 },
      { start: '+4714', end: '+4714', count: 1 },
    ]);
  });

  it('checks domains with a checker that remembers only for its owner', () => {
    const a = domainChecker();
    const b = domainChecker();
    expect(a('example.com')).toBe(true);
    expect(a('example.com')).toBe(true);
    expect(b('-bad-.com')).toBe(false);
    expect(a('-bad-.com')).toBe(false);
    expect(parseAddress('alice@example.com', a)).toEqual({ username: 'alice', domain: 'example.com' });
  });
});
