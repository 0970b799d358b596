/** Renders a desired-state document as YAML, canonically (export and export --diff). */
import { stringify } from 'yaml';
import type { RawDesiredFile } from '../desired/raw-types.js';

export const SCHEMA_MODELINE = '# yaml-language-server: $schema=https://github.com/hermes-sip/hermes/schema/hermes.schema.json';

export function renderStateYaml(document: RawDesiredFile, header: string[] = []): string {
  const body = stringify(document, { lineWidth: 0, defaultStringType: 'PLAIN', defaultKeyType: 'PLAIN' });
  return [SCHEMA_MODELINE, ...header.map((h) => `# ${h}`), body].join('\n');
}
