import { ConflictError } from '@loyalty/platform';

/** The saga's states (contract `RedemptionStatus`). */
export enum RedemptionStatus {
  PENDING = 'PENDING',
  CONFIRMED = 'CONFIRMED',
  FULFILLED = 'FULFILLED',
  CANCELLED = 'CANCELLED',
}

/**
 * The cash part of a points-plus-cash redemption (L10): amounts in minor units, never points.
 * NONE: no cash part; OWED: the member owes `cashAmount`; PAID: the merchant recorded it received
 * (`cashPaid`); REFUNDED: the redemption was cancelled, and what was paid went back
 * (`cashRefunded`, 0 when nothing had been paid: nothing is owed any more).
 */
export enum CashState {
  NONE = 'NONE',
  OWED = 'OWED',
  PAID = 'PAID',
  REFUNDED = 'REFUNDED',
}

/** The cash columns after a cancellation: whatever was paid is refunded (pure). */
export function cashOnCancel(row: { cashState: string; cashPaid: number }): {
  cashState?: CashState;
  cashRefunded?: number;
} {
  if (row.cashState === CashState.PAID) return { cashState: CashState.REFUNDED, cashRefunded: row.cashPaid };
  if (row.cashState === CashState.OWED) return { cashState: CashState.REFUNDED, cashRefunded: 0 };
  return {};
}

/**
 * PENDING → CONFIRMED → FULFILLED, and CANCELLED from any open state. PENDING: stock reserved and
 * points being held; CONFIRMED: points captured; FULFILLED: handed over; CANCELLED: final.
 */
const NEXT: Record<RedemptionStatus, readonly RedemptionStatus[]> = {
  [RedemptionStatus.PENDING]: [RedemptionStatus.CONFIRMED, RedemptionStatus.CANCELLED],
  [RedemptionStatus.CONFIRMED]: [RedemptionStatus.FULFILLED, RedemptionStatus.CANCELLED],
  [RedemptionStatus.FULFILLED]: [RedemptionStatus.CANCELLED],
  [RedemptionStatus.CANCELLED]: [],
};

export function canTransition(from: RedemptionStatus, to: RedemptionStatus): boolean {
  return NEXT[from].includes(to);
}

export function assertTransition(from: RedemptionStatus, to: RedemptionStatus): void {
  if (!canTransition(from, to)) throw new ConflictError(`A ${from} redemption cannot become ${to}`);
}

/** Who cancels, which decides what is allowed and whether compensation is owed (C6). */
export type Canceller = 'member' | 'merchant' | 'operator';

/**
 * Whether a canceller may cancel a redemption in a given state. Members only before fulfilment;
 * a PENDING redemption is still being processed by the saga and only the operator (delisting,
 * recovery) may cancel it.
 */
export function mayCancel(status: RedemptionStatus, by: Canceller): boolean {
  switch (status) {
    case RedemptionStatus.PENDING:
      return by === 'operator';
    case RedemptionStatus.CONFIRMED:
      return true;
    case RedemptionStatus.FULFILLED:
      return by !== 'member';
    case RedemptionStatus.CANCELLED:
      return false;
  }
}

/** The units go back on the shelf unless they were handed over. */
export function restocks(from: RedemptionStatus): boolean {
  return from === RedemptionStatus.PENDING || from === RedemptionStatus.CONFIRMED;
}

/** Compensation policy (C6): a share of the returned points, with a floor. */
export interface CompensationPolicy {
  rate: number;
  minimum: number;
}

export const DEFAULT_COMPENSATION: CompensationPolicy = { rate: 0.1, minimum: 1 };

/** Bonus points owed when the operator cannot honour a redemption of `returnedPoints`. */
export function compensationFor(
  returnedPoints: number,
  policy: CompensationPolicy = DEFAULT_COMPENSATION,
): number {
  if (returnedPoints <= 0) return 0;
  return Math.max(policy.minimum, Math.floor(returnedPoints * policy.rate));
}
