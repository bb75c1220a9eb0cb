/** Green-impact arithmetic (pure): CO2e factors, splitting a purchase's GREEN points by category, refunds. No I/O. */

/**
 * Default grams of CO2e avoided per yuan spent on green items, by category (GREEN_CO2E_FACTORS
 * overrides them one by one). Estimates for an illustrative report, to be reviewed by the
 * programme's sustainability owner; the derivations are in services/ledger/README.md ("Green impact").
 */
export const DEFAULT_CO2E_FACTORS: Readonly<Record<string, number>> = {
  public_transport: 300,
  energy_saving: 570,
  carbon_reduction: 200,
  degradable_packaging: 100,
  organic_food: 50,
  default: 20,
};

/** Green items without a category are reported under this one. */
export const UNCATEGORISED = 'other';

export interface Co2eFactors {
  byCategory: ReadonlyMap<string, number>;
  /** For categories without a factor of their own. */
  fallback: number;
}

/** A category as stored and looked up: trimmed, lower case, spaces and dashes as underscores. */
export function normaliseCategory(category: string | null | undefined): string {
  const c = (category ?? '')
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  return c || UNCATEGORISED;
}

/**
 * `category:grams,…` (grams of CO2e per yuan, non-negative numbers; `default:<grams>` for every
 * other category) over the defaults. Throws on a malformed entry (the process refuses to start).
 */
export function parseCo2eFactors(text: string | undefined): Co2eFactors {
  const merged = new Map(Object.entries(DEFAULT_CO2E_FACTORS));
  for (const part of (text ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([^:]+):\s*(\d+(?:\.\d+)?)$/.exec(part);
    if (!m) throw new Error(`GREEN_CO2E_FACTORS: "${part}" is not category:grams`);
    merged.set(normaliseCategory(m[1]), Number(m[2]));
  }
  const fallback = merged.get('default') ?? 0;
  merged.delete('default');
  return { byCategory: merged, fallback };
}

/** Grams of CO2e for an amount in minor units (fen) of a category, rounded to the gram. */
export function co2eGrams(factors: Co2eFactors, category: string, amountMinor: number): number {
  const perYuan = factors.byCategory.get(category) ?? factors.fallback;
  return Math.round((amountMinor / 100) * perYuan);
}

export interface GreenLine {
  category: string;
  /** Minor units. */
  amount: number;
  points: number;
}

/** Green items' amounts summed per normalised category, in first-seen order. */
export function greenLines(items: readonly { category: string | null; amount: number }[]): GreenLine[] {
  const by = new Map<string, number>();
  for (const i of items) {
    const c = normaliseCategory(i.category);
    by.set(c, (by.get(c) ?? 0) + i.amount);
  }
  return [...by].map(([category, amount]) => ({ category, amount, points: 0 }));
}

/**
 * Shares `total` out in proportion to `weights` in whole units that add up exactly (largest
 * remainder; ties to the earlier weight).
 */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  if (sum <= 0 || total === 0) return weights.map(() => 0);
  const exact = weights.map((w) => (total * w) / sum);
  const shares = exact.map(Math.floor);
  let left = total - shares.reduce((s, x) => s + x, 0);
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    shares[i] += 1;
    left -= 1;
  }
  return shares;
}

/** A purchase's green lines with its GREEN points shared out by amount. */
export function withPoints(lines: readonly GreenLine[], greenPoints: number): GreenLine[] {
  const points = apportion(
    greenPoints,
    lines.map((l) => l.amount),
  );
  return lines.map((l, i) => ({ ...l, points: points[i] }));
}

/**
 * What a refund takes off each line (negative amounts and points): the lines scaled to the
 * cumulative refunded share minus what earlier refunds took, so repeated partial refunds never
 * drift from the whole purchase's.
 */
export function refundLines(
  lines: readonly GreenLine[],
  purchaseAmount: number,
  refundedBefore: number,
  refundedTotal: number,
): GreenLine[] {
  if (purchaseAmount <= 0) return [];
  const share = (x: number, refunded: number) =>
    Math.floor((x * Math.min(refunded, purchaseAmount)) / purchaseAmount);
  return lines
    .map((l) => ({
      category: l.category,
      amount: share(l.amount, refundedBefore) - share(l.amount, refundedTotal),
      points: share(l.points, refundedBefore) - share(l.points, refundedTotal),
    }))
    .filter((l) => l.amount !== 0 || l.points !== 0);
}
