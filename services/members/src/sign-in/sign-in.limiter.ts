import type Redis from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { LimitReachedError } from '@loyalty/platform';
import { MAX_SIGN_IN_TRIES } from './sign-in.rules';

export interface SignInLimits {
  /** Code requests per phone/email per window (0: unlimited). */
  perContact: number;
  /**
   * Code requests per client address per window (0: unlimited); sign-in tries get five per
   * code (each challenge's own limit).
   */
  perClient: number;
  windowSeconds: number;
}

/**
 * Rate limits for sign-in (rate-limiter-flexible): per phone/email, so nobody floods a member
 * with codes or widens the guessing budget, and per client, so one address cannot spray codes.
 * Counters live in Redis when the platform has one (every replica shares them), in memory
 * otherwise; a Redis outage falls back to memory rather than refusing every sign-in.
 */
export class SignInLimiter {
  private readonly contact: RateLimiterAbstract | null;
  private readonly client: RateLimiterAbstract | null;
  private readonly tries: RateLimiterAbstract | null;

  constructor(limits: SignInLimits, store: { redis: Redis; prefix: string } | null) {
    const make = (name: string, points: number): RateLimiterAbstract | null => {
      if (points <= 0) return null;
      const options = { keyPrefix: `sign-in:${name}`, points, duration: limits.windowSeconds };
      if (!store) return new RateLimiterMemory(options);
      return new RateLimiterRedis({
        ...options,
        keyPrefix: `${store.prefix}:sign-in:${name}`,
        storeClient: store.redis,
        insuranceLimiter: new RateLimiterMemory(options),
      });
    };
    this.contact = make('contact', limits.perContact);
    this.client = make('client', limits.perClient);
    this.tries = make('tries', limits.perClient * MAX_SIGN_IN_TRIES);
  }

  /** One code request for `contactKey` from `clientKey`; LIMIT_REACHED beyond either budget. */
  async requestCode(contactKey: string, clientKey: string): Promise<void> {
    await take(this.client, clientKey, 'Too many sign-in requests from this client; try again later');
    await take(
      this.contact,
      contactKey,
      'Too many sign-in codes requested for this contact; try again later',
    );
  }

  /** One sign-in try from `clientKey` (each challenge has its own five tries besides). */
  async signInTry(clientKey: string): Promise<void> {
    await take(this.tries, clientKey, 'Too many sign-in attempts from this client; try again later');
  }
}

async function take(limiter: RateLimiterAbstract | null, key: string, message: string): Promise<void> {
  if (!limiter) return;
  try {
    await limiter.consume(key);
  } catch (error) {
    if (error instanceof RateLimiterRes) throw new LimitReachedError(message);
    throw error;
  }
}
