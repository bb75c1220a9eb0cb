import { durationMs, requireDuration, type PlatformConfig } from '@loyalty/platform';

/**
 * The campaigns service's settings, read once at start. Campaigns has no variables of its own:
 * each of these is a platform variable it shares with other services (validated by the platform
 * schema), so it is derived here rather than declared and defaulted a second time.
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
  /** The time zone terms state times in (PROGRAMME_TIME_ZONE). */
  programmeTimeZone: string;
}

export function loadCampaignsConfig(config: PlatformConfig): CampaignsConfig {
  const { env } = config;
  const postingIntervalMs = durationMs(requireDuration(env.OUTBOX_POLL_INTERVAL));
  return {
    pointsValidity: env.POINTS_VALIDITY,
    expiryWarningLeads: env.EXPIRY_WARNING_LEADS,
    postingIntervalMs,
    postingMaxBackoffMs: Math.max(postingIntervalMs * 20, 5_000),
    recallIntervalMs: durationMs(requireDuration(env.EXPIRY_SWEEP_INTERVAL)),
    programmeTimeZone: env.PROGRAMME_TIME_ZONE,
  };
}
