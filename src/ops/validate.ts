import { isDomain, isE164, isUsername, normalizeMac } from './canonical.js';
import { invalid } from './envelope.js';
import type { Address } from './types.js';

/**
 * Checks of op input. Each failure is an OpFailure 'invalid' whose cause names the
 * parameter (the seed's contract) and whose detail says what is wrong with which value.
 */

/** Control characters and unpaired surrogates: never accepted in any text field. */
const UNSAFE_TEXT = /[\u0000-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Shows a bad value in a message: truncated, JSON-quoted so control characters stay visible. */
export function show(value: unknown): string {
  const s = String(value);
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

export function checkUsername(value: string, cause: string): string {
  if (typeof value !== 'string' || !isUsername(value)) {
    throw invalid(cause, `${cause} ${show(value)} is not a valid SIP user name (1 to 64 of letters, digits and -_.!~*'()&=+$,;?/)`);
  }
  return value;
}

/** A domain, lowercased. */
export function checkDomain(value: string, cause: string): string {
  if (typeof value !== 'string' || !isDomain(value)) throw invalid(cause, `${cause} ${show(value)} is not a valid domain name`);
  return value.toLowerCase();
}

/** An address with its domain lowercased; `causes` names the parameters. */
export function checkAddress(address: Address, causes: { username: string; domain: string } = { username: 'username', domain: 'domain' }): Address {
  return { username: checkUsername(address.username, causes.username), domain: checkDomain(address.domain, causes.domain) };
}

/** Free text (display name, line text, dial plan): any characters but control ones, at most `max`. */
export function checkText(value: string | undefined, cause: string, max: number): string {
  if (value === undefined) return '';
  if (typeof value !== 'string' || value.length > max || UNSAFE_TEXT.test(value)) {
    throw invalid(cause, `${cause} must be text of at most ${max} characters without control characters`);
  }
  return value;
}

export function checkEmail(value: string | undefined, cause = 'email'): string {
  const s = checkText(value, cause, 128);
  if (s !== '' && !/^[^\s@]+@[^\s@]+$/.test(s)) throw invalid(cause, `${cause} ${show(s)} is not an e-mail address`);
  return s;
}

/** A SIP password: 1 to 64 printable ASCII characters (what phones and kamctl accept). */
export function checkPassword(value: string, cause = 'password'): string {
  if (typeof value !== 'string' || !/^[\x21-\x7e]{1,64}$/.test(value)) {
    throw invalid(cause, `${cause} must be 1 to 64 printable ASCII characters without spaces`);
  }
  return value;
}

/** A host name or IPv4 address (registrar, proxy). */
export function checkHost(value: string, cause: string): string {
  if (typeof value !== 'string' || !isDomain(value)) throw invalid(cause, `${cause} ${show(value)} is not a host name`);
  return value.toLowerCase();
}

export function checkPort(value: number, cause: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw invalid(cause, `${cause} must be a port number from 1 to 65535`);
  return value;
}

export function checkMac(value: string, cause = 'mac'): string {
  const mac = typeof value === 'string' ? normalizeMac(value) : null;
  if (!mac) throw invalid(cause, `${cause} ${show(value)} is not a MAC address (12 hex digits, plain or colon/dash-separated)`);
  return mac;
}

export function checkE164(value: string, cause = 'number'): string {
  if (typeof value !== 'string' || !isE164(value)) throw invalid(cause, `${cause} ${show(value)} is not an E.164 number ('+' then 1 to 15 digits, no leading zero)`);
  return value;
}

export function checkLine(value: number, cause = 'line'): number {
  if (!Number.isInteger(value) || value < 1 || value > 1000) throw invalid(cause, `${cause} must be a line number from 1 to 1000`);
  return value;
}
