/** Renders a desired-state document as YAML, canonically (export and export --diff). */
import { relative, sep } from 'node:path';
import { Document, isScalar, stringify } from 'yaml';
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

/** Comments for an exported file: why each unmanaged name is unmanaged (domain -> name -> reason). */
export interface YamlNotes {
  unmanaged: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

const OPTIONS = { lineWidth: 0, defaultStringType: 'PLAIN', defaultKeyType: 'PLAIN', aliasDuplicateObjects: false } as const; // no anchors: the loader refuses them

/** One line of comment text: no line breaks or control characters (names come from other tools' rows). */
const commentText = (s: string) => ` ${s.replace(/[\u0000-\u001f\u007f]/g, ' ')}`;

export function renderStateYaml(document: RawDesiredFile, header: string[] = [], schemaPath?: string, notes?: YamlNotes): string {
  let body: string;
  if (notes === undefined || notes.unmanaged.size === 0) body = stringify(document, OPTIONS);
  else {
    const doc = new Document(document, OPTIONS);
    (document.domains ?? []).forEach((d, i) => {
      const reasons = notes.unmanaged.get(d.domain);
      (d.unmanaged ?? []).forEach((name, j) => {
        const reason = reasons?.get(name);
        const node = doc.getIn(['domains', i, 'unmanaged', j], true);
        if (reason !== undefined && isScalar(node)) node.comment = commentText(reason);
      });
    });
    body = doc.toString(OPTIONS);
  }
  return [schemaModeline(schemaPath), ...header.map((h) => `#${commentText(h)}`), body].join('\n');
}
