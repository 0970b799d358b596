import { readFileSync } from 'node:fs';
import { HermesError } from '../../errors.js';
import type { TlsSettings } from '../url.js';

/** The CA certificates a URL names (ssl-ca=, sslrootcert=), read once when the pool is made. */
export function readCaFile(tls: TlsSettings): string | undefined {
  if (!tls.caFile) return undefined;
  try {
    return readFileSync(tls.caFile, 'utf8');
  } catch (error) {
    throw new HermesError('DB_URL_INVALID', `cannot read the CA certificate file "${tls.caFile}" named in the database URL: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
