import { z } from 'zod';
import { durationMs, loadSettings, requireDuration, type PlatformConfig } from '@loyalty/platform';
import type { Lead } from './expiry/expiry.rules';
import { parseCo2eFactors, type Co2eFactors } from './reports/green.rules';

/** The ledger's settings, read once at start. */
export interface LedgerConfig {
  /** Validity of a credit that names none: an ISO-8601 duration or `NEVER`. */
  pointsValidity: string;
  /** Time between expiry sweeps (holds timed out, lots written off, warnings sent). */
  sweepIntervalMs: number;
  /** How long before a lot's expiry its member is warned, one warning per lead. */
  warningLeads: Lead[];
  /** Grams of CO2e avoided per yuan of green spend, by category (GREEN_CO2E_FACTORS over the defaults). */
  co2eFactors: Co2eFactors;
}

/** The ledger's own variables. */
const schema = z.object({
  GREEN_CO2E_FACTORS: z
    .string()
    .optional()
    .refine(
      (text) => {
        try {
          parseCo2eFactors(text);
          return true;
        } catch {
          return false;
        }
      },
      { message: 'expected category:grams,… (grams of CO2e per yuan; default:<grams> for other categories)' },
    ),
});

/**
 * The ledger's settings. The first three are the platform's (validated by its schema), not the
 * ledger's own: campaigns reads them too (programme terms, its recall sweep), so they stay in
 * the platform's schema. GREEN_CO2E_FACTORS is the ledger's own, read through `loadSettings`.
 */
export function loadLedgerConfig(config: PlatformConfig): LedgerConfig {
  const { env } = config;
  return {
    pointsValidity: env.POINTS_VALIDITY,
    sweepIntervalMs: durationMs(requireDuration(env.EXPIRY_SWEEP_INTERVAL)),
    warningLeads: env.EXPIRY_WARNING_LEADS.split(',')
      .map((text) => text.trim())
      .map((text) => ({ text, duration: requireDuration(text) })),
    co2eFactors: parseCo2eFactors(loadSettings(config, schema).GREEN_CO2E_FACTORS),
  };
}
