import { durationMs, parseDuration } from '@loyalty/platform';
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
}

function duration(name: string, value: string | undefined, fallback: string): number {
  const text = value ?? fallback;
  const d = parseDuration(text);
  if (!d) throw new Error(`${name} must be a positive ISO-8601 duration, got ${text}`);
  return durationMs(d);
}

function fraction(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 10) throw new Error(`${name} must be a number between 0 and 10`);
  return n;
}

function count(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer`);
  return n;
}

/**
 * `REDEMPTION_COMPENSATION_RATE` (default 0.1) and `REDEMPTION_COMPENSATION_MIN` (default 1):
 * bonus points granted when the operator cancels a redemption (C6);
 * `REDEMPTION_RECOVERY_INTERVAL` (PT15S), `REDEMPTION_STALE_AFTER` (PT30S),
 * `REDEMPTION_HOLD_TTL` (PT15M).
 */
export function loadCatalogConfig(env: Record<string, string | undefined> = process.env): CatalogConfig {
  return {
    compensation: {
      rate: fraction('REDEMPTION_COMPENSATION_RATE', env.REDEMPTION_COMPENSATION_RATE, 0.1),
      minimum: count('REDEMPTION_COMPENSATION_MIN', env.REDEMPTION_COMPENSATION_MIN, 1),
    },
    recoveryIntervalMs: duration('REDEMPTION_RECOVERY_INTERVAL', env.REDEMPTION_RECOVERY_INTERVAL, 'PT15S'),
    staleAfterMs: duration('REDEMPTION_STALE_AFTER', env.REDEMPTION_STALE_AFTER, 'PT30S'),
    holdTtlSeconds: Math.ceil(duration('REDEMPTION_HOLD_TTL', env.REDEMPTION_HOLD_TTL, 'PT15M') / 1000),
  };
}
