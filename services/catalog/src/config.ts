import { z } from 'zod';
import {
  durationMs,
  durationOrZeroMs,
  loadSettings,
  requireDuration,
  setting,
  type PlatformConfig,
} from '@loyalty/platform';
import type { CompensationPolicy } from './redemptions/redemption.state';

/** The catalog's own settings (beyond the platform's), read once at start. */
export interface CatalogConfig {
  compensation: CompensationPolicy;
  /** How often the recovery sweeper looks for redemptions stuck between saga steps. */
  recoveryIntervalMs: number;
  /** A redemption untouched this long while PENDING (or unsettled) is considered stuck. */
  staleAfterMs: number;
  /** Lifetime of a ledger hold; the ledger releases it by itself afterwards. */
  holdTtlSeconds: number;
  /** How long the gateway may answer the public reward list from an earlier answer (0: never). */
  rewardListMaxAgeSeconds: number;
}

const schema = z.object({
  /** Share of the returned points granted as compensation when the operator cancels (C6). */
  REDEMPTION_COMPENSATION_RATE: setting.number(0, 10).default(0.1),
  /** Floor of that compensation. */
  REDEMPTION_COMPENSATION_MIN: setting.count().default(1),
  REDEMPTION_RECOVERY_INTERVAL: setting.duration('REDEMPTION_RECOVERY_INTERVAL').default('PT15S'),
  REDEMPTION_STALE_AFTER: setting.duration('REDEMPTION_STALE_AFTER').default('PT30S'),
  REDEMPTION_HOLD_TTL: setting.duration('REDEMPTION_HOLD_TTL').default('PT15M'),
  /**
   * The public reward list is the same for every caller: the gateway may answer it from an answer
   * this old (a change made through that gateway shows at once, any other after at most this).
   */
  REWARD_LIST_MAX_AGE: setting.durationOrZero('REWARD_LIST_MAX_AGE').default('PT10S'),
});

const ms = (text: string) => durationMs(requireDuration(text));

/**
 * The catalog's settings from the platform configuration's variables (overrides included); an
 * invalid value stops the service with a ConfigError naming the variable.
 */
export function loadCatalogConfig(config: PlatformConfig): CatalogConfig {
  const s = loadSettings(config, schema);
  return {
    compensation: { rate: s.REDEMPTION_COMPENSATION_RATE, minimum: s.REDEMPTION_COMPENSATION_MIN },
    recoveryIntervalMs: ms(s.REDEMPTION_RECOVERY_INTERVAL),
    staleAfterMs: ms(s.REDEMPTION_STALE_AFTER),
    holdTtlSeconds: Math.ceil(ms(s.REDEMPTION_HOLD_TTL) / 1000),
    rewardListMaxAgeSeconds: Math.floor((durationOrZeroMs(s.REWARD_LIST_MAX_AGE) ?? 0) / 1000),
  };
}
