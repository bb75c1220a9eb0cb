import { z } from 'zod';
import { durationMs, loadSettings, requireDuration, setting, type PlatformConfig } from '@loyalty/platform';

/** How sign-in codes reach members: the log (development) or an SMS/email provider over HTTP. */
export type SenderSettings = { kind: 'log' } | { kind: 'http'; url: string; token: string | null };

/** Webhook delivery settings (see webhooks/webhook.dispatcher.ts). */
export interface WebhookSettings {
  /** First retry delay; doubles per failed attempt up to `retryMaxMs`. */
  retryInitialMs: number;
  retryMaxMs: number;
  /** How long a message keeps being retried before it is given up (at least 24 h in production). */
  retryForMs: number;
  /** An endpoint that has not answered within this is a failed attempt. */
  timeoutMs: number;
  pollIntervalMs: number;
  /** Deliveries in flight at once in this process (one per endpoint at most). */
  concurrency: number;
  /** Only https URLs to public addresses (checked again at delivery time). */
  publicOnly: boolean;
}

/** The members service's own settings (beyond the platform's), read once at start. */
export interface MembersConfig {
  production: boolean;
  /** Lifetime of a session's access token (a member JWT). */
  accessTokenTtlMs: number;
  /** Lifetime of a refresh token; each one is single use. */
  refreshTokenTtlMs: number;
  /** Sign-in code requests per phone/email, and per client address, in each window. */
  signInLimits: { perContact: number; perClient: number; windowSeconds: number };
  sender: SenderSettings;
  /** Rate-limit counters live here when set (shared by every replica), else in memory. */
  redisUrl: string | null;
  redisPrefix: string;
  /** Keys the hashes of sign-in codes, so a stolen table does not give 6-digit codes away. */
  secret: string;
  webhooks: WebhookSettings;
  /** How often partner API key uses are written (`lastUsedAt`). */
  apiKeyUsageFlushMs: number;
}

/** Outside production only: a fixed key, so that codes survive a restart of a laptop's platform. */
const DEVELOPMENT_CODE_SECRET = 'development-sign-in-code-secret';

const schema = z
  .object({
    ACCESS_TOKEN_TTL: setting.duration('ACCESS_TOKEN_TTL').default('PT15M'),
    REFRESH_TOKEN_TTL: setting.duration('REFRESH_TOKEN_TTL').default('P30D'),
    SIGN_IN_LIMIT_PER_CONTACT: setting.count().default(5),
    SIGN_IN_LIMIT_PER_CLIENT: setting.count().default(30),
    SIGN_IN_LIMIT_WINDOW: setting.duration('SIGN_IN_LIMIT_WINDOW').default('PT15M'),
    SIGN_IN_SENDER: z.enum(['log', 'http']).default('log'),
    SIGN_IN_SENDER_URL: z.url().optional(),
    SIGN_IN_SENDER_TOKEN: z.string().min(1).optional(),
    /** HMAC key of sign-in code hashes (tokens are signed by key pairs, not by a secret). */
    SIGN_IN_CODE_SECRET: z.string().min(16).default(DEVELOPMENT_CODE_SECRET),
    NODE_ENV: z.string().optional(),
    WEBHOOK_RETRY_INITIAL: setting.duration('WEBHOOK_RETRY_INITIAL').default('PT5S'),
    WEBHOOK_RETRY_MAX: setting.duration('WEBHOOK_RETRY_MAX').default('PT1H'),
    WEBHOOK_RETRY_FOR: setting.duration('WEBHOOK_RETRY_FOR').default('P1D'),
    WEBHOOK_TIMEOUT: setting.duration('WEBHOOK_TIMEOUT').default('PT10S'),
    WEBHOOK_POLL_INTERVAL: setting.duration('WEBHOOK_POLL_INTERVAL').default('PT1S'),
    WEBHOOK_CONCURRENCY: setting.count().min(1).default(50),
    API_KEY_USAGE_FLUSH: setting.duration('API_KEY_USAGE_FLUSH').default('PT5S'),
  })
  .superRefine((s, ctx) => {
    if (s.NODE_ENV === 'production' && s.SIGN_IN_CODE_SECRET === DEVELOPMENT_CODE_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SIGN_IN_CODE_SECRET'], message: 'must be set in production' });
    }
    if (s.SIGN_IN_SENDER === 'http' && !s.SIGN_IN_SENDER_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['SIGN_IN_SENDER_URL'],
        message: 'required when SIGN_IN_SENDER=http',
      });
    }
  });

const ms = (text: string) => durationMs(requireDuration(text));

/**
 * The members service's settings from the platform configuration's variables (overrides
 * included); an invalid value stops the service with a ConfigError naming the variable.
 */
export function loadMembersConfig(config: PlatformConfig): MembersConfig {
  const s = loadSettings(config, schema);
  return {
    production: config.production,
    accessTokenTtlMs: ms(s.ACCESS_TOKEN_TTL),
    refreshTokenTtlMs: ms(s.REFRESH_TOKEN_TTL),
    signInLimits: {
      perContact: s.SIGN_IN_LIMIT_PER_CONTACT,
      perClient: s.SIGN_IN_LIMIT_PER_CLIENT,
      windowSeconds: Math.max(1, Math.ceil(ms(s.SIGN_IN_LIMIT_WINDOW) / 1000)),
    },
    sender:
      s.SIGN_IN_SENDER === 'http'
        ? { kind: 'http', url: s.SIGN_IN_SENDER_URL!, token: s.SIGN_IN_SENDER_TOKEN ?? null }
        : { kind: 'log' },
    redisUrl: config.env.REDIS_URL ?? null,
    redisPrefix: config.env.REDIS_PREFIX,
    secret: s.SIGN_IN_CODE_SECRET,
    webhooks: {
      retryInitialMs: ms(s.WEBHOOK_RETRY_INITIAL),
      retryMaxMs: ms(s.WEBHOOK_RETRY_MAX),
      // The contract promises retries for at least 24 hours in production.
      retryForMs: config.production ? Math.max(ms(s.WEBHOOK_RETRY_FOR), 86_400_000) : ms(s.WEBHOOK_RETRY_FOR),
      timeoutMs: ms(s.WEBHOOK_TIMEOUT),
      pollIntervalMs: ms(s.WEBHOOK_POLL_INTERVAL),
      concurrency: s.WEBHOOK_CONCURRENCY,
      publicOnly: config.production,
    },
    apiKeyUsageFlushMs: ms(s.API_KEY_USAGE_FLUSH),
  };
}
