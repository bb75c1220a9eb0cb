import { z } from 'zod';
import { durationMs, loadSettings, requireDuration, setting, type PlatformConfig } from '@loyalty/platform';
import type { PurchaseLimits } from './purchases/purchase.rules';

/**
 * The campaigns service's settings, read once at start: platform variables it shares with other
 * services (validated by the platform schema, derived here rather than declared twice), and the
 * bounds of what a partner may report.
 */
export interface CampaignsConfig {
  /** Validity of newly earned points unless a scheduled change is in effect (POINTS_VALIDITY). */
  pointsValidity: string;
  /** Comma-separated leads of the ledger's expiry warnings, stated in the terms (EXPIRY_WARNING_LEADS). */
  expiryWarningLeads: string;
  /** How often owed ledger postings are looked for (OUTBOX_POLL_INTERVAL, like the event outbox). */
  postingIntervalMs: number;
  /** Longest wait between two attempts of one posting: 20 polls, at least 5 s. */
  postingMaxBackoffMs: number;
  /** How often the churn-recall sweep runs (EXPIRY_SWEEP_INTERVAL). */
  recallIntervalMs: number;
  /** Largest purchase amount and oldest purchase time accepted. */
  purchaseLimits: PurchaseLimits;
  /** The time zone terms state times in (PROGRAMME_TIME_ZONE). */
  programmeTimeZone: string;
  /**
   * Longest a replica keeps campaigns, earn rates and validity changes in memory
   * (EARN_SETTINGS_CACHE_TTL): changes reach every replica at once by event; this bounds a missed one.
   */
  earnSettingsTtlMs: number;
  /**
   * Longest a replica keeps a member's tier (MEMBER_TIER_CACHE_TTL): a change reaches every replica
   * at once by the `member.tier_changed` event, a fall with time at the moment members gave; this
   * bounds a missed event.
   */
  memberTierTtlMs: number;
}

const schema = z.object({
  /** Largest purchase (and line) amount in minor units: sums of them must stay far from overflow. */
  PURCHASE_AMOUNT_MAX: z.coerce
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1)
    .default(10_000_000),
  /** How long after the fact a purchase may still be reported (its `occurredAt`). */
  PURCHASE_BACKDATING_LIMIT: setting.duration('PURCHASE_BACKDATING_LIMIT').default('P30D'),
  EARN_SETTINGS_CACHE_TTL: setting.duration('EARN_SETTINGS_CACHE_TTL').default('PT5S'),
  MEMBER_TIER_CACHE_TTL: setting.duration('MEMBER_TIER_CACHE_TTL').default('PT1M'),
});

export function loadCampaignsConfig(config: PlatformConfig): CampaignsConfig {
  const { env } = config;
  const postingIntervalMs = durationMs(requireDuration(env.OUTBOX_POLL_INTERVAL));
  const own = loadSettings(config, schema);
  return {
    pointsValidity: env.POINTS_VALIDITY,
    expiryWarningLeads: env.EXPIRY_WARNING_LEADS,
    postingIntervalMs,
    postingMaxBackoffMs: Math.max(postingIntervalMs * 20, 5_000),
    recallIntervalMs: durationMs(requireDuration(env.EXPIRY_SWEEP_INTERVAL)),
    purchaseLimits: {
      amountMax: own.PURCHASE_AMOUNT_MAX,
      backdatingMs: durationMs(requireDuration(own.PURCHASE_BACKDATING_LIMIT)),
    },
    programmeTimeZone: env.PROGRAMME_TIME_ZONE,
    earnSettingsTtlMs: durationMs(requireDuration(own.EARN_SETTINGS_CACHE_TTL)),
    memberTierTtlMs: durationMs(requireDuration(own.MEMBER_TIER_CACHE_TTL)),
  };
}
