import { z } from 'zod';
import { durationMs, loadSettings, requireDuration, setting, type PlatformConfig } from '@loyalty/platform';

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
  webhooks: WebhookSettings;
  /** How often partner API key uses are written (`lastUsedAt`). */
  apiKeyUsageFlushMs: number;
}

const schema = z.object({
  WEBHOOK_RETRY_INITIAL: setting.duration('WEBHOOK_RETRY_INITIAL').default('PT5S'),
  WEBHOOK_RETRY_MAX: setting.duration('WEBHOOK_RETRY_MAX').default('PT1H'),
  WEBHOOK_RETRY_FOR: setting.duration('WEBHOOK_RETRY_FOR').default('P1D'),
  WEBHOOK_TIMEOUT: setting.duration('WEBHOOK_TIMEOUT').default('PT10S'),
  WEBHOOK_POLL_INTERVAL: setting.duration('WEBHOOK_POLL_INTERVAL').default('PT1S'),
  WEBHOOK_CONCURRENCY: setting.count().min(1).default(50),
  API_KEY_USAGE_FLUSH: setting.duration('API_KEY_USAGE_FLUSH').default('PT5S'),
});

const ms = (text: string) => durationMs(requireDuration(text));

/** The members service's settings; an invalid value stops the service naming the variable. */
export function loadMembersConfig(config: PlatformConfig): MembersConfig {
  const s = loadSettings(config, schema);
  return {
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
