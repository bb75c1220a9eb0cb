import { randomInt } from 'node:crypto';

/**
 * Code alphabet: upper-case letters and digits without the look-alikes 0/O and 1/I, so a code
 * read aloud or copied from a poster is typed right. 32 symbols; 8 of them give 2^40 codes.
 */
export const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const CODE_LENGTH = 8;

/** A fresh random code (cryptographic randomness: codes must not be guessable in sequence). */
export function generateCode(random: (max: number) => number = randomInt): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[random(CODE_ALPHABET.length)];
  return code;
}

/**
 * What people type → the stored form: case, spaces and dashes do not matter. Nothing else is
 * guessed: a string with a character outside the alphabet (or of the wrong length) is not a
 * code (null), so it can be refused with a clear message.
 */
export function normalizeCode(input: string | null | undefined): string | null {
  if (!input) return null;
  const code = input.replace(/[\s-]/g, '').toUpperCase();
  if (code.length !== CODE_LENGTH) return null;
  for (const ch of code) if (!CODE_ALPHABET.includes(ch)) return null;
  return code;
}

/** The share link for a code. */
export function referralLink(base: string, code: string): string {
  return `${base}${encodeURIComponent(code)}`;
}
