/**
 * Escaping of every value a template writes, per file format. The template engine applies
 * these to every `{{ ... }}` output (LiquidJS outputEscape), so neither a built-in nor an
 * operator template can forget it, and the `raw` filter that would bypass it is removed.
 *
 * The rule, for every format: a value is one line. Every control character (U+0000-U+001F,
 * U+007F-U+009F) and the Unicode line and paragraph separators (U+2028, U+2029) become a
 * space, so no value can end a line and start another key in a `key = value` file
 * (Yealink's .cfg), and no XML file gets characters XML 1.0 forbids. Then:
 * - `cfg` (Yealink `key = value`): nothing more; a `=` or `#` inside a value is harmless
 *   because the key is everything before the first `=` of a line and a value runs to the
 *   end of its line.
 * - `xml` (Snom, Poly, Grandstream): & < > " ' become entities, so a value is safe as
 *   element text and as a single- or double-quoted attribute value.
 */

export type FileFormat = 'cfg' | 'xml';

// eslint-disable-next-line no-control-regex
const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const XML_SPECIAL = /[&<>"']/g;
const XML_ENTITY: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return String(value);
}

/** Any value as one line of text (see the rule above). */
export function oneLine(value: unknown): string {
  return text(value).replace(LINE_BREAKING, ' ');
}

/** A value for a Yealink `key = value` line. */
export function escapeCfg(value: unknown): string {
  return oneLine(value);
}

/** A value for XML element text or an attribute. */
export function escapeXml(value: unknown): string {
  return oneLine(value).replace(XML_SPECIAL, (c) => XML_ENTITY[c]);
}

export const ESCAPERS: Readonly<Record<FileFormat, (value: unknown) => string>> = { cfg: escapeCfg, xml: escapeXml };
