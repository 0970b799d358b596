import type { Diagnostic } from './diagnostics.js';

/**
 * The text of a file that must be UTF-8 (a byte order mark is dropped), or undefined with a
 * diagnostic at the line and column of the first byte that is not UTF-8: such a file is never
 * read with replacement characters (which would then be written to the database).
 */
export function decodeUtf8(file: string, bytes: Uint8Array, diagnostics: Diagnostic[]): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const bad = firstInvalidByte(bytes);
    // the text before the bad byte is valid: its lines and the length of its last line place it
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, bad));
    const lines = before.split(/\r\n|\r|\n/);
    const column = lines[lines.length - 1].length + 1;
    const hex = bytes[bad].toString(16).toUpperCase().padStart(2, '0');
    diagnostics.push({ severity: 'error', code: 'HERMES_FILE_ENCODING', file, line: lines.length, column, path: '', message: `the file is not UTF-8: byte 0x${hex} here does not start or continue a UTF-8 character; save the file as UTF-8` });
    return undefined;
  }
}

/** The offset of the first byte that is not part of a well-formed UTF-8 sequence (the WHATWG decoder's rules). */
export function firstInvalidByte(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (n === 0) return i;
    // the second byte's range is narrower after E0, ED, F0 and F4 (no overlong forms, surrogates or code points past U+10FFFF)
    let lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    let hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || d < lo || d > hi) return i;
      lo = 0x80;
      hi = 0xbf;
    }
    i += n + 1;
  }
  return b.length;
}
