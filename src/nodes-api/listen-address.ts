import { isIP } from 'node:net';
import { HermesError } from '../errors.js';

export interface ListenAddress {
  host: string;
  port: number;
}

export const DEFAULT_LISTEN = '127.0.0.1:8080';

/**
 * Parses `HOST:PORT` (`[::1]:8080` for IPv6). Throws a USAGE error naming what is wrong and
 * the option it came from.
 */
export function parseListenAddress(value: string, option = '--listen'): ListenAddress {
  const text = value.trim();
  const usage = (why: string) =>
    new HermesError('USAGE', `${option} "${text.slice(0, 100)}" ${why}: use HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080`);
  let host: string;
  let portText: string;
  const bracketed = /^\[([^\]]+)\]:(.*)$/.exec(text);
  if (bracketed) {
    host = bracketed[1];
    portText = bracketed[2];
    if (isIP(host) !== 6) throw usage('has no valid IPv6 address in brackets');
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) throw usage('has no port');
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(':')) throw usage('has an IPv6 address without brackets');
  }
  if (host === '') throw usage('has no host');
  if (isIP(host) === 0 && !/^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$/.test(host)) {
    throw usage('has an invalid host');
  }
  if (!/^\d{1,5}$/.test(portText)) throw usage('has no valid port');
  const port = Number(portText);
  if (port < 1 || port > 65535) throw usage('has a port outside 1-65535');
  return { host, port };
}

/** Whether the host is a loopback address: 127.0.0.0/8, ::1 or localhost. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

/** The address as a URL authority: IPv6 in brackets. */
export function formatListenAddress(address: ListenAddress): string {
  return isIP(address.host) === 6 ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
