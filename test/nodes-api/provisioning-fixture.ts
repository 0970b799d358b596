/** The provisioning server's fixture (test/fixtures/provisioning-server): a phone of every vendor with a local and a remote line. */
import { fileURLToPath } from 'node:url';
import { loadDesiredState } from '../../src/desired/index.js';
import type { RenderedFile, Vendor } from '../../src/provisioning/index.js';
import { applyDesiredState } from '../../src/reconcile/apply.js';
import { linesOf } from '../provisioning/parse-files.js';

export const SERVER_YAML = fileURLToPath(new URL('../fixtures/provisioning-server/hermes.yaml', import.meta.url));
export const LINE_PASSWORDS = { YEALINK1_PASSWORD: 'yealink-Pass-1', SNOM1_PASSWORD: 'snom-Pass-1', POLY1_PASSWORD: 'poly-Pass-1', GS1_PASSWORD: 'gs-Pass-1' };
/** The lines of a fetched file holding them (Poly's is its second file). */
export function linesOfFile(vendor: Vendor, content: string): ReturnType<typeof linesOf> {
  const file = { name: 'f', content } as RenderedFile;
  return linesOf(vendor, vendor === 'polycom' ? [file, file] : [file]);
}

export async function applyServerFixture(connection: Parameters<typeof applyDesiredState>[0], env: Record<string, string> = LINE_PASSWORDS): Promise<void> {
  const { state, diagnostics } = await loadDesiredState([SERVER_YAML], { secrets: 'required', env });
  if (!state) throw new Error(JSON.stringify(diagnostics));
  await applyDesiredState(connection, { desired: state, actor: 'test', force: true, confirm: async () => true });
}

