import { randomInt } from 'node:crypto';

/**
 * Letters and digits that desk phones accept on every keypad and that cannot be mistaken for
 * each other when read aloud or typed: no 0/O/o, 1/l/I, 5/S, 2/Z.
 */
export const PASSWORD_ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRTUVWXY346789';
export const GENERATED_PASSWORD_LENGTH = 16;

/** A cryptographically random password of 16 characters from PASSWORD_ALPHABET (52 symbols, ~91 bits). */
export function generatePassword(): string {
  let out = '';
  for (let i = 0; i < GENERATED_PASSWORD_LENGTH; i++) out += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return out;
}
