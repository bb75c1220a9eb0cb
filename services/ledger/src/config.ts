import { durationMs, requireDuration, type PlatformConfig } from '@loyalty/platform';
import type { Lead } from './expiry/expiry.rules';

/** The ledger's settings, read once at start. */
export interface LedgerConfig {
  /** Validity of a credit that names none: an ISO-8601 duration or `NEVER`. */
  pointsValidity: string;
  /** Time between expiry sweeps (holds timed out, lots written off, warnings sent). */
  sweepIntervalMs: number;
  /** How long before a lot's expiry its member is warned, one warning per lead. */
  warningLeads: Lead[];
}

/**
 * The ledger's settings. All three are the platform's (validated by its schema), not the
 * ledger's own: campaigns reads them too (programme terms, its recall sweep), so they stay in
 * the platform's schema and there is no ledger-only variable to read through `loadSettings`.
 */
export function loadLedgerConfig(config: PlatformConfig): LedgerConfig {
  const { env } = config;
  return {
    pointsValidity: env.POINTS_VALIDITY,
    sweepIntervalMs: durationMs(requireDuration(env.EXPIRY_SWEEP_INTERVAL)),
    warningLeads: env.EXPIRY_WARNING_LEADS.split(',')
      .map((text) => text.trim())
      .map((text) => ({ text, duration: requireDuration(text) })),
  };
}
