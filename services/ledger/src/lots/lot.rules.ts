/** Pure lot arithmetic: which lots a debit takes, in which order, and when a new lot expires. No I/O. */
import { addDuration, requireDuration } from '@loyalty/platform';

export interface OpenLot {
  id: string;
  remaining: number;
  expiresAt: Date | null;
  earnedAt: Date;
  /** The issuing merchant, carried onto the moves for reports. */
  merchantId?: string | null;
}

export interface Take {
  lotId: string;
  points: number;
  /** The lot's issuing merchant (recorded on the move for reports). */
  merchantId: string | null;
}

/** Spending order: soonest expiry first, never-expiring lots last, then oldest, then by id. */
export function spendingOrder<L extends OpenLot>(lots: readonly L[]): L[] {
  return [...lots].sort((a, b) => {
    const ea = a.expiresAt ? a.expiresAt.getTime() : Number.POSITIVE_INFINITY;
    const eb = b.expiresAt ? b.expiresAt.getTime() : Number.POSITIVE_INFINITY;
    if (ea !== eb) return ea < eb ? -1 : 1;
    const d = a.earnedAt.getTime() - b.earnedAt.getTime();
    if (d !== 0) return d;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

/**
 * Takes up to `points` from the lots: `preferred` lots first (e.g. the lots a refunded purchase
 * earned), each group in spending order. Returns the takes and how much was found.
 */
export function allocateUpTo(
  lots: readonly OpenLot[],
  points: number,
  preferred: (lot: OpenLot) => boolean = () => false,
): { takes: Take[]; taken: number } {
  const ordered = [
    ...spendingOrder(lots.filter(preferred)),
    ...spendingOrder(lots.filter((l) => !preferred(l))),
  ];
  const takes: Take[] = [];
  let left = points;
  for (const lot of ordered) {
    if (left <= 0) break;
    if (lot.remaining <= 0) continue;
    const n = Math.min(lot.remaining, left);
    takes.push({ lotId: lot.id, points: n, merchantId: lot.merchantId ?? null });
    left -= n;
  }
  return { takes, taken: points - left };
}

/** Takes exactly `points` FIFO-by-expiry, or null when the lots hold fewer. */
export function allocate(lots: readonly OpenLot[], points: number): Take[] | null {
  const { takes, taken } = allocateUpTo(lots, points);
  return taken === points ? takes : null;
}

/** A new lot's expiry: `NEVER` (null) or the validity (an ISO-8601 duration) from `now`. */
export function expiryFor(validity: string, now: Date): Date | null {
  return validity === 'NEVER' ? null : addDuration(now, requireDuration(validity));
}

/**
 * The expiry of points given back by a cancelled redemption (C6): their original lot's expiry
 * while it is still ahead; once it has passed, a fresh validity from `now`, as if newly earned —
 * the member must not lose to the write-off what the cancellation returned.
 */
export function restoredExpiry(original: Date | null, validity: string, now: Date): Date | null {
  if (original === null || original.getTime() > now.getTime()) return original;
  return expiryFor(validity, now);
}
