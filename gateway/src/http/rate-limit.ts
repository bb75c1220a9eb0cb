import type { IncomingMessage, ServerResponse } from 'node:http';
import Redis from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { z } from 'zod';
import {
  durationMs,
  ErrorCode,
  loadSettings,
  parseDuration,
  requireDuration,
  setting,
  type Logger,
  type PlatformConfig,
  type Principal,
} from '@loyalty/platform';

/** Request budgets at the gateway; 0 turns a budget off. */
export interface RateLimitSettings {
  /** Requests per window per partner API key (per merchant for partner JWTs). */
  partnerPoints: number;
  /** Requests per window per anonymous client address (and per caller with a bad credential). */
  anonymousPoints: number;
  windowSeconds: number;
}

const schema = z.object({
  RATE_LIMIT_PARTNER: setting.count().default(600),
  RATE_LIMIT_ANONYMOUS: setting.count().default(120),
  RATE_LIMIT_WINDOW: setting
    .duration('RATE_LIMIT_WINDOW')
    .refine(
      (v) => {
        // An invalid duration is reported by the check above.
        const d = parseDuration(v);
        return d === null || durationMs(d) >= 1000;
      },
      { message: 'at least PT1S' },
    )
    .default('PT1M'),
});

/** The gateway's rate limit settings, validated at start. */
export function loadRateLimitSettings(config: PlatformConfig): RateLimitSettings {
  const s = loadSettings(config, schema);
  return {
    partnerPoints: s.RATE_LIMIT_PARTNER,
    anonymousPoints: s.RATE_LIMIT_ANONYMOUS,
    windowSeconds: Math.round(durationMs(requireDuration(s.RATE_LIMIT_WINDOW)) / 1000),
  };
}

/** Whose budget a request spends: `null` for callers without a budget (members, operators). */
export function budgetOf(
  principal: Principal | null | 'invalid',
  clientAddress: string,
): { bucket: 'partner' | 'anonymous'; key: string } | null {
  if (principal === null || principal === 'invalid')
    return { bucket: 'anonymous', key: `ip:${clientAddress}` };
  if (principal.role === 'partner')
    return {
      bucket: 'partner',
      key: principal.apiKeyId ? `key:${principal.apiKeyId}` : `merchant:${principal.merchantId}`,
    };
  return null;
}

/**
 * Per-partner-key and per-anonymous-client request budgets (rate-limiter-flexible). With Redis,
 * every gateway replica spends from the same budget; an in-memory limiter stands in while Redis
 * is unreachable, so an outage neither blocks everyone nor lifts the limits.
 */
export class GatewayRateLimiter {
  private readonly limiters: Partial<Record<'partner' | 'anonymous', RateLimiterAbstract>> = {};
  private readonly redis: Redis | null;

  constructor(
    settings: RateLimitSettings,
    options: { redisUrl?: string; redisPrefix?: string; logger?: Logger } = {},
  ) {
    // Commands wait while the connection is being made, but fail fast in an outage (insurance).
    this.redis = options.redisUrl ? new Redis(options.redisUrl, { maxRetriesPerRequest: 1 }) : null;
    this.redis?.on('error', (err) => options.logger?.warn({ err }, 'rate limit store error'));
    const make = (bucket: 'partner' | 'anonymous', points: number) => {
      if (points <= 0) return;
      const base = {
        points,
        duration: settings.windowSeconds,
        keyPrefix: `${options.redisPrefix ?? 'loyalty'}:rl:${bucket}`,
      };
      this.limiters[bucket] = this.redis
        ? new RateLimiterRedis({
            ...base,
            storeClient: this.redis,
            insuranceLimiter: new RateLimiterMemory(base),
          })
        : new RateLimiterMemory(base);
    };
    make('partner', settings.partnerPoints);
    make('anonymous', settings.anonymousPoints);
  }

  /** Spends one request of the caller's budget; the seconds to wait when it is used up. */
  async consume(budget: ReturnType<typeof budgetOf>): Promise<{ retryAfterSeconds: number } | null> {
    const limiter = budget && this.limiters[budget.bucket];
    if (!budget || !limiter) return null;
    try {
      await limiter.consume(budget.key);
      return null;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes)
        return { retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
      throw rejection;
    }
  }

  async close(): Promise<void> {
    await this.redis?.quit().catch(() => undefined);
  }
}

/** Answers a request over budget: 429 with Retry-After and the contract's LIMIT_REACHED. */
export function sendLimitReached(res: ServerResponse, retryAfterSeconds: number): void {
  res.statusCode = 429;
  res.setHeader('retry-after', String(retryAfterSeconds));
  res.setHeader('content-type', 'application/json');
  res.end(
    JSON.stringify({
      errors: [
        {
          message: `Rate limit reached; retry after ${retryAfterSeconds} s`,
          extensions: { code: ErrorCode.LIMIT_REACHED, retryAfterSeconds },
        },
      ],
    }),
  );
}

/**
 * Wraps the gateway's HTTP handler: GraphQL requests spend their caller's budget first (health
 * and metrics do not). `principalOf` is the same authentication the request context uses.
 */
export function rateLimited(
  limiter: GatewayRateLimiter,
  principalOf: (req: IncomingMessage) => Promise<Principal | null>,
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  logger: Logger,
) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!(req.url ?? '').startsWith('/graphql') || req.method === 'OPTIONS') return handler(req, res);
    try {
      // A bad credential spends the client's anonymous budget (then fails as UNAUTHENTICATED).
      const principal = await principalOf(req).catch(() => 'invalid' as const);
      const over = await limiter.consume(budgetOf(principal, req.socket.remoteAddress ?? 'unknown'));
      if (over) return sendLimitReached(res, over.retryAfterSeconds);
    } catch (error) {
      logger.warn({ err: error }, 'rate limit check failed; request let through');
    }
    return handler(req, res);
  };
}
