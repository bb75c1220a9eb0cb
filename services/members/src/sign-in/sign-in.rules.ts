import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { BadInputError } from '@loyalty/platform';
import { PHONE_MESSAGE, PHONE_PATTERN } from '../members/member.input';
import { normalizeContact } from '../members/member.rules';

/** A sign-in code lives five minutes (contract). */
export const SIGN_IN_CODE_TTL_MS = 5 * 60_000;
/** Tries a challenge accepts, right or wrong (contract: five wrong tries). */
export const MAX_SIGN_IN_TRIES = 5;

/** Where a code goes: exactly one phone or email, normalised like at sign-up. */
export interface SignInContact {
  channel: 'phone' | 'email';
  value: string;
}

/** Validates `requestSignInCode`'s arguments (pure); throws BAD_USER_INPUT. */
export function signInContact(
  phone: string | null | undefined,
  email: string | null | undefined,
): SignInContact {
  const normal = normalizeContact({ phone, email });
  if (Boolean(normal.phone) === Boolean(normal.email)) {
    throw new BadInputError(
      'Give either a phone number or an email address',
      normal.phone ? 'email' : 'phone',
    );
  }
  if (normal.phone) {
    if (!PHONE_PATTERN.test(normal.phone)) throw new BadInputError(PHONE_MESSAGE, 'phone');
    return { channel: 'phone', value: normal.phone };
  }
  const address = normal.email!;
  if (address.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) {
    throw new BadInputError('email must be a valid address', 'email');
  }
  return { channel: 'email', value: address };
}

/**
 * The stored form of a 6-digit code: an HMAC keyed with the platform secret and salted with the
 * challenge id, so the table alone does not give the million possible codes away.
 */
export function signInCodeHash(secret: string, challengeId: string, code: string): string {
  return createHmac('sha256', secret).update(`sign-in:${challengeId}:${code}`).digest('hex');
}

/** Constant-time comparison of a typed code against the stored hash. */
export function signInCodeMatches(secret: string, challengeId: string, code: string, hash: string): boolean {
  const typed = Buffer.from(signInCodeHash(secret, challengeId, code.trim()), 'hex');
  const stored = Buffer.from(hash, 'hex');
  return typed.length === stored.length && timingSafeEqual(typed, stored);
}

/** A rate-limit key for a contact that keeps the phone or email itself out of Redis. */
export function contactKey(secret: string, contact: SignInContact): string {
  return createHmac('sha256', secret).update(`contact:${contact.channel}:${contact.value}`).digest('hex');
}

/** SHA-256 of a high-entropy secret (refresh tokens, member codes): enough to store it safely. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
