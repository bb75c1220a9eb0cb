import { BadInputError } from '@loyalty/platform';

/** Largest points amount the ledger accepts in one operation (a signed 32-bit integer). */
export const MAX_POINTS = 2_147_483_647;

/** A time-limited redemption price (C3): `pointsPrice` applies in [startsAt, endsAt). */
export interface PriceWindow {
  pointsPrice: number;
  startsAt: Date;
  endsAt: Date;
}

/** True while a price rule is in force at `at` (start inclusive, end exclusive). */
export function isActiveAt(rule: PriceWindow, at: Date): boolean {
  return rule.startsAt.getTime() <= at.getTime() && at.getTime() < rule.endsAt.getTime();
}

/**
 * The price in points at a moment: the regular price, or the lowest active special price.
 * Overlapping windows never stack; the member gets the best one.
 */
export function activePointsPrice(listPointsPrice: number, rules: readonly PriceWindow[], at: Date): number {
  let price = listPointsPrice;
  for (const rule of rules) if (isActiveAt(rule, at) && rule.pointsPrice < price) price = rule.pointsPrice;
  return price;
}

/**
 * When the price of a reward with these rules next changes after `at` (a window opens or closes),
 * or null when none will: how long a listing of its price stays true.
 */
export function nextPriceChange(rules: readonly PriceWindow[], at: Date): Date | null {
  let next: number | null = null;
  for (const rule of rules) {
    for (const edge of [rule.startsAt.getTime(), rule.endsAt.getTime()]) {
      if (edge > at.getTime() && (next === null || edge < next)) next = edge;
    }
  }
  return next === null ? null : new Date(next);
}

/** What a redemption of `quantity` units costs: points, and cash owed in minor units (L10). */
export interface Quote {
  unitPoints: number;
  points: number;
  unitCash: number;
  cashAmount: number;
}

export function quote(unitPoints: number, unitCash: number, quantity: number): Quote {
  const points = unitPoints * quantity;
  const cashAmount = unitCash * quantity;
  if (!Number.isSafeInteger(points) || points > MAX_POINTS) {
    throw new BadInputError('The quantity is too large for one redemption', 'quantity');
  }
  if (!Number.isSafeInteger(cashAmount) || cashAmount > MAX_POINTS) {
    throw new BadInputError('The quantity is too large for one redemption', 'quantity');
  }
  return { unitPoints, points, unitCash, cashAmount };
}

/** Validates a points price: a whole number of points, at least 1. */
export function assertPointsPrice(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 1 || value > MAX_POINTS) {
    throw new BadInputError(`${field} must be a whole number of points between 1 and ${MAX_POINTS}`, field);
  }
}

/** Validates a cash part: whole minor units (fen), never negative. */
export function assertCashPrice(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_POINTS) {
    throw new BadInputError(`${field} must be a whole, non-negative amount in minor units`, field);
  }
}

/** Validates a price window against the regular price: a real discount over a real period. */
export function assertPriceWindow(rule: PriceWindow, listPointsPrice: number, field = 'priceRules'): void {
  assertPointsPrice(rule.pointsPrice, `${field}.pointsPrice`);
  if (rule.pointsPrice > listPointsPrice) {
    throw new BadInputError('A special price must not exceed the regular price', `${field}.pointsPrice`);
  }
  if (!(rule.endsAt.getTime() > rule.startsAt.getTime())) {
    throw new BadInputError('A price rule must end after it starts', `${field}.endsAt`);
  }
}
