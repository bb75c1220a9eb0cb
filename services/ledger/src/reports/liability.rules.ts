/** Points-liability arithmetic (pure): sums per movement type in, the report's figures out. No I/O. */
import { BadInputError } from '@loyalty/platform';

/** Sums of one issuing merchant's (or the programme's) lot points, split by what moved them. */
export interface LiabilitySums {
  /** Lots created in the period, by origin (the credit entry's type: EARN, COMPENSATE, ADJUST, RESTORE). */
  lotsInPeriod: ReadonlyMap<string, number>;
  /** Lot moves in the period, by entry type (signed: negative takes, positive give-backs). */
  movesInPeriod: ReadonlyMap<string, number>;
  /** What the lots held at `to`: their points created before `to` plus their moves before `to`. */
  heldAtTo: number;
}

export interface LiabilityFigures {
  issued: number;
  redeemed: number;
  expired: number;
  reversed: number;
  outstanding: number;
  breakageRate: number;
}

/** Credits that issue new points (RESTORE only gives back points that were redeemed). */
export const ISSUING_ORIGINS = ['EARN', 'COMPENSATE', 'ADJUST'] as const;

const sum = (m: ReadonlyMap<string, number>, ...keys: string[]) =>
  keys.reduce((s, k) => s + (m.get(k) ?? 0), 0);
/** Negated without a `-0`. */
const neg = (n: number) => 0 - n;

/**
 * The figures, such that `outstanding(to) = outstanding(from) + issued − redeemed − expired − reversed`:
 * - issued: points of new lots (EARN, COMPENSATE, positive ADJUST);
 * - redeemed: points reserved for redemptions (HOLD) net of those given back (RELEASE of a
 *   cancelled or timed-out hold, RESTORE of a cancelled redemption);
 * - expired: EXPIRE write-offs;
 * - reversed: refunds (REVERSE) and negative operator adjustments;
 * - outstanding: what the lots still held at `to`.
 */
export function liabilityFigures(s: LiabilitySums): LiabilityFigures {
  const issued = sum(s.lotsInPeriod, ...ISSUING_ORIGINS);
  const redeemed = neg(sum(s.movesInPeriod, 'HOLD', 'RELEASE')) - sum(s.lotsInPeriod, 'RESTORE');
  const expired = neg(sum(s.movesInPeriod, 'EXPIRE'));
  const reversed = neg(sum(s.movesInPeriod, 'REVERSE', 'ADJUST'));
  return {
    issued,
    redeemed,
    expired,
    reversed,
    outstanding: s.heldAtTo,
    breakageRate: issued === 0 ? 0 : expired / issued,
  };
}

/** A report period `[from, to)`: both given, valid, `from` not after `to` (BAD_USER_INPUT). */
export function assertPeriod(from: Date, to: Date): { from: Date; to: Date } {
  if (!(from instanceof Date) || Number.isNaN(from.getTime()))
    throw new BadInputError('from is not a valid time', 'from');
  if (!(to instanceof Date) || Number.isNaN(to.getTime()))
    throw new BadInputError('to is not a valid time', 'to');
  if (from.getTime() > to.getTime()) throw new BadInputError('from must not be after to', 'from');
  return { from, to };
}
