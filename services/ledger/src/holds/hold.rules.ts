/** Pure hold rules. No I/O. */
import { BadInputError } from '@loyalty/platform';

/** A hold that names no TTL lasts this long. */
export const DEFAULT_HOLD_TTL_SECONDS = 900;
export const MAX_HOLD_TTL_SECONDS = 30 * 86_400;

/** The hold's time to live in seconds: the default, or a whole number within 1…30 days. */
export function assertHoldTtl(ttlSeconds: number | null | undefined): number {
  const ttl = ttlSeconds ?? DEFAULT_HOLD_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_HOLD_TTL_SECONDS) {
    throw new BadInputError(`ttlSeconds must be between 1 and ${MAX_HOLD_TTL_SECONDS}`, 'ttlSeconds');
  }
  return ttl;
}
