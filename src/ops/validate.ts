import { isDomain, isE164, isUsername, normalizeMac } from './canonical.js';
import { invalid } from './envelope.js';
import { MAX_PHONE_LINES, passwordProblem, textProblem, userFieldProblem, type UserFieldName } from '../model/index.js';
import type { Address } from './types.js';

/**
 * Checks of op input. Each failure is an OpFailure 'invalid' whose cause names the
 * parameter (the seed's contract) and whose detail says what is wrong with which value.
 */

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

/** Free text (display name, line text, dial plan): any characters but control ones, at most `max` (the model's rule). */
export function checkText(value: string | undefined, cause: string, max: number): string {
  if (value === undefined) return '';
  const problem = typeof value === 'string' ? textProblem(value, max) : 'must be text';
  if (problem !== null) throw invalid(cause, `${cause} ${problem}`);
  return value;
}

/** A user field by the model's one rule (userFieldProblem), the cause naming it. */
function checkField<T extends string | number>(name: UserFieldName, value: T): T {
  const problem = userFieldProblem(name, value);
  if (problem !== null) throw invalid(name, `${name} ${typeof value === 'string' ? `${show(value)} ` : ''}${problem}`);
  return value;
}

/** A user's text field (displayname, email, dialplan, linetext); absent is ''. */
export function checkUserText(name: 'displayname' | 'email' | 'dialplan' | 'linetext', value: string | undefined): string {
  return value === undefined ? '' : checkField(name, value);
}

/** A SIP password: 1 to 64 printable ASCII characters (what phones and kamctl accept). */
export function checkPassword(value: string, cause = 'password'): string {
  const problem = typeof value === 'string' ? passwordProblem(value) : 'must be text';
  if (problem !== null) throw invalid(cause, `${cause} ${problem}`);
  return value;
}

/** A registrar or proxy: a host name, an IPv4 address or an IPv6 address in brackets; lowercased. */
export function checkHost(value: string, cause: 'registrar' | 'proxy'): string {
  return checkField(cause, value).toLowerCase();
}

export function checkPort(value: number, cause: 'r_port' | 'p_port'): number {
  return checkField(cause, value);
}

export function checkAuthid(value: string): string {
  return checkField('authid', value);
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
  if (!Number.isInteger(value) || value < 1 || value > MAX_PHONE_LINES) throw invalid(cause, `${cause} must be a line number from 1 to ${MAX_PHONE_LINES}`);
  return value;
}
