/** Pure expiry and warning selection. No I/O. */
import type { requireDuration } from '@loyalty/platform';
import { subtractDuration, wholeDays } from '@loyalty/platform';

type Duration = ReturnType<typeof requireDuration>;

export interface DueLot {
  id: string;
  memberId: string;
  kind: string;
  remaining: number;
  earnedAt: Date;
  expiresAt: Date | null;
}

/** Lots whose expiry has come and that still hold points, oldest expiry first. */
export function dueLots<L extends DueLot>(lots: readonly L[], now: Date): L[] {
  return lots
    .filter((l) => l.expiresAt !== null && l.expiresAt.getTime() <= now.getTime() && l.remaining > 0)
    .sort((a, b) => a.expiresAt!.getTime() - b.expiresAt!.getTime() || (a.id < b.id ? -1 : 1));
}

export interface Lead {
  /** As configured, e.g. `P7D`. */
  text: string;
  duration: Duration;
}

export interface WarningDecision<L extends DueLot> {
  lot: L;
  lead: Lead;
  daysLeft: number;
}

/**
 * For one lead: a lot is warned once its expiry is within the lead (`expiresAt - lead <= now <
 * expiresAt`). A lot credited with less validity than the lead was disclosed its expiry at
 * earning time: that lead is skipped (recorded, not sent), so a PT20S lot does not get the
 * 30-day, 7-day and 1-day warnings all at once.
 */
export function selectWarnings<L extends DueLot>(
  lots: readonly L[],
  lead: Lead,
  now: Date,
): { send: WarningDecision<L>[]; skip: WarningDecision<L>[] } {
  const send: WarningDecision<L>[] = [];
  const skip: WarningDecision<L>[] = [];
  const daysLeft = wholeDays(lead.duration, now);
  for (const lot of lots) {
    if (!lot.expiresAt || lot.remaining <= 0) continue;
    if (lot.expiresAt.getTime() <= now.getTime()) continue;
    const threshold = subtractDuration(lot.expiresAt, lead.duration);
    if (threshold.getTime() > now.getTime()) continue;
    (lot.earnedAt.getTime() < threshold.getTime() ? send : skip).push({ lot, lead, daysLeft });
  }
  return { send, skip };
}
