import { parseAddress } from './canonical.js';
import { invalid } from './envelope.js';
import type { Address } from './types.js';
import { show } from './validate.js';

/** Request parameters as the HTTP server or `hermes call` hands them over. */
export type NodeParams = Record<string, string | string[] | undefined>;

/** No parameter value is longer than this; the ops check each field's own limit. */
export const MAX_PARAM_LENGTH = 1024;

/**
 * Reads a node's parameters. Every problem is 'invalid' with the parameter's name as cause:
 * missing, given more than once, longer than MAX_PARAM_LENGTH, or malformed.
 */
export class ParamReader {
  constructor(private readonly params: NodeParams) {}

  /** The value, or undefined when absent. A repeated parameter is invalid. */
  optional(name: string): string | undefined {
    let value = this.params[name];
    if (Array.isArray(value)) {
      if (value.length > 1) throw invalid(name, `parameter '${name}' is given more than once`);
      value = value[0];
    }
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw invalid(name, `parameter '${name}' must be a string`);
    if (value.length > MAX_PARAM_LENGTH) throw invalid(name, `parameter '${name}' is longer than ${MAX_PARAM_LENGTH} characters`);
    return value;
  }

  has(name: string): boolean {
    return this.optional(name) !== undefined;
  }

  /** The value; absent or empty is invalid. */
  required(name: string): string {
    const value = this.optional(name);
    if (value === undefined || value === '') throw invalid(name, `parameter '${name}' is required`);
    return value;
  }

  /** true/1/yes or false/0/no (absent: false). */
  bool(name: string): boolean {
    const value = this.optional(name);
    if (value === undefined || value === '') return false;
    if (/^(true|1|yes|on)$/i.test(value)) return true;
    if (/^(false|0|no|off)$/i.test(value)) return false;
    throw invalid(name, `parameter '${name}' must be true or false, not ${show(value)}`);
  }

  /** A whole number in [min, max], or undefined when absent (or empty, with emptyIsNull: null). */
  int(name: string, min: number, max: number): number | undefined {
    const value = this.optional(name);
    if (value === undefined) return undefined;
    if (!/^[0-9]{1,9}$/.test(value) || Number(value) < min || Number(value) > max) {
      throw invalid(name, `parameter '${name}' must be a whole number from ${min} to ${max}, not ${show(value)}`);
    }
    return Number(value);
  }

  /** A port: 1..65535; empty means none (null). */
  port(name: string): number | null | undefined {
    const value = this.optional(name);
    if (value === '') return null;
    return this.int(name, 1, 65535);
  }

  /** An address in sip-address form (user@domain) from one parameter, or undefined when absent. */
  addressParam(name: string, cause: string = name): Address | undefined {
    const value = this.optional(name);
    if (value === undefined) return undefined;
    const address = parseAddress(value);
    if (!address) throw invalid(cause, `parameter '${name}' must be a SIP address user@domain, not ${show(value)}`);
    return address;
  }

  /**
   * The user a node is about: `user=foo@bar` (or one of `alternatives`, e.g. address=) or
   * `username` and `domain` — not both forms. With `cause` (the seed's name for the address:
   * `destination`, `alias`, alias/remove's `address`), an address given in neither form, or a
   * malformed one in sip-address form, answers invalid with that cause; a missing half of
   * the pair is still named itself.
   */
  user(alternatives: readonly string[] = ['user'], pair: { username: string; domain: string } = { username: 'username', domain: 'domain' }, cause?: string): Address {
    for (const name of alternatives) {
      const address = this.addressParam(name, cause);
      if (address === undefined) continue;
      if (this.has(pair.username) || this.has(pair.domain)) {
        throw invalid(cause ?? name, `give either ${name}=${pair.username}@${pair.domain} or ${pair.username} and ${pair.domain}, not both`);
      }
      return address;
    }
    if (cause !== undefined && !this.any(pair.username, pair.domain)) {
      throw invalid(cause, `the ${cause} is required: give ${alternatives[0]}=USER@DOMAIN (or ${pair.username} and ${pair.domain})`);
    }
    return { username: this.required(pair.username), domain: this.required(pair.domain) };
  }

  /** Whether any of the names is present. */
  any(...names: string[]): boolean {
    return names.some((n) => this.has(n));
  }
}
