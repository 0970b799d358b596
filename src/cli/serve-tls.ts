import { readFileSync } from 'node:fs';
import type { Server } from 'node:https';
import { createSecureContext } from 'node:tls';
import { HermesError } from '../errors.js';

/** --tls-cert/--tls-key: the files of the server's certificate chain and key (PEM). */
export interface TlsFiles {
  tlsCert?: string;
  tlsKey?: string;
}

export interface TlsPair {
  cert: Buffer;
  key: Buffer;
}

/** The certificate and key of --tls-cert/--tls-key (both or neither), read and checked now. */
export function readTls(options: TlsFiles): TlsPair | undefined {
  if (options.tlsCert === undefined && options.tlsKey === undefined) return undefined;
  if (options.tlsCert === undefined || options.tlsKey === undefined) {
    throw new HermesError('USAGE', `${options.tlsCert === undefined ? '--tls-key' : '--tls-cert'} needs ${options.tlsCert === undefined ? '--tls-cert' : '--tls-key'} too`);
  }
  const read = (file: string, option: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new HermesError('USAGE', `${option} ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
    }
  };
  const tls = { cert: read(options.tlsCert, '--tls-cert'), key: read(options.tlsKey, '--tls-key') };
  try {
    createSecureContext(tls);
  } catch (error) {
    throw new HermesError('USAGE', `--tls-cert and --tls-key are not a usable PEM certificate and key: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  return tls;
}

/**
 * SIGHUP (systemctl reload): re-reads the certificate files (a renewed certificate, e.g. by
 * certbot) and gives them to the listening server: new connections get the new certificate,
 * open ones keep theirs and are not dropped. Unreadable or unusable files leave the old
 * certificate in use. Without TLS, SIGHUP does nothing (rather than end the process).
 * Returns the function that stops listening for SIGHUP.
 */
export function reloadTlsOnSighup(server: Server, options: TlsFiles | undefined, say: (line: string) => void): () => void {
  const reload = () => {
    if (!options) return say('SIGHUP: no TLS certificate to reload');
    try {
      server.setSecureContext(readTls(options)!);
      say('SIGHUP: reloaded the TLS certificate and key');
    } catch (error) {
      say(`SIGHUP: kept the old TLS certificate: ${(error as Error).message}`);
    }
  };
  process.on('SIGHUP', reload);
  return () => process.off('SIGHUP', reload);
}
