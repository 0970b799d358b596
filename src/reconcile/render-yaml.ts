/** Renders a desired-state document as YAML, canonically (export and export --diff). */
import { relative, sep } from 'node:path';
import { stringify } from 'yaml';
import type { RawDesiredFile } from '../desired/raw-types.js';

/**
 * The yaml-language-server modeline that gives editors completion and hover help: `schemaPath`
 * is hermes' schema file as seen from the folder of the YAML file (schemaPathFrom).
 */
export function schemaModeline(schemaPath = 'schema/hermes.schema.json'): string {
  return `# yaml-language-server: $schema=${schemaPath}`;
}

/** The installed schema file's path relative to `folder`, with forward slashes. */
export function schemaPathFrom(folder: string, schemaFile: string): string {
  const rel = relative(folder, schemaFile).split(sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

export function renderStateYaml(document: RawDesiredFile, header: string[] = [], schemaPath?: string): string {
  const body = stringify(document, { lineWidth: 0, defaultStringType: 'PLAIN', defaultKeyType: 'PLAIN', aliasDuplicateObjects: false }); // no anchors: the loader refuses them
  return [schemaModeline(schemaPath), ...header.map((h) => `# ${h}`), body].join('\n');
}
