/** Tiers in ascending order (contract: REGULAR, SILVER, GOLD, PLATINUM). */
export const TIERS = ['REGULAR', 'SILVER', 'GOLD', 'PLATINUM'] as const;
export type Tier = (typeof TIERS)[number];

/** Tiers follow spending over a rolling window (REQUIREMENTS M3), net of refunds. */
export const TIER_WINDOW_DAYS = 365;

/** Minimum net spend in the window, in minor units (fen), for each tier. */
export const TIER_THRESHOLDS: Record<Tier, number> = {
  REGULAR: 0,
  SILVER: 200_000, // 2,000 yuan
  GOLD: 1_000_000, // 10,000 yuan
  PLATINUM: 5_000_000, // 50,000 yuan: the "high-net-worth" members of the seeds
};

/**
 * Largest spend shown (GraphQL `Int` is 32-bit): the sum itself is taken by the database in 64
 * bits and the tier decided on it; only what is displayed saturates, long past PLATINUM.
 */
export const MAX_SHOWN_SPEND = 2 ** 31 - 1;

/** Where a member stands: their tier and what the next one takes. */
export interface TierStanding {
  tier: Tier;
  /**
   * Until when this standing holds without a new purchase or refund: the moment the oldest
   * spending in the window leaves it (the sum moves only then); null when the window is empty.
   */
  heldUntil: Date | null;
  rollingSpend: number;
  nextTier: Tier | null;
  spendToNextTier: number | null;
}

/** When the window's contents first change by time alone: its oldest row leaves (pure). */
export function heldUntil(oldestInWindow: Date | null): Date | null {
  return oldestInWindow && new Date(oldestInWindow.getTime() + TIER_WINDOW_DAYS * 86_400_000);
}

/** The tier a net spend earns, its window's oldest row dated `oldest` (pure). */
export function standingFor(rollingSpend: number, oldest: Date | null = null): TierStanding {
  const spend = Math.max(0, rollingSpend);
  let index = 0;
  TIERS.forEach((t, i) => {
    if (spend >= TIER_THRESHOLDS[t]) index = i;
  });
  const next = TIERS[index + 1] ?? null;
  return {
    tier: TIERS[index],
    heldUntil: heldUntil(oldest),
    rollingSpend: Math.min(spend, MAX_SHOWN_SPEND),
    nextTier: next,
    spendToNextTier: next ? TIER_THRESHOLDS[next] - spend : null,
  };
}

/** The ladder as disclosed: each tier with the net spend it takes over the window. */
export function tierLadder(): { tier: Tier; minRollingSpend: number; windowDays: number }[] {
  return TIERS.map((tier) => ({
    tier,
    minRollingSpend: TIER_THRESHOLDS[tier],
    windowDays: TIER_WINDOW_DAYS,
  }));
}

/** Readable rules, for disclosure (REQUIREMENTS R5). */
export function describeTierRules(): string[] {
  return TIERS.slice(1).map(
    (t) =>
      `${t}: at least ${(TIER_THRESHOLDS[t] / 100).toLocaleString('en-US')} yuan spent in the last ${TIER_WINDOW_DAYS} days (net of refunds)`,
  );
}
