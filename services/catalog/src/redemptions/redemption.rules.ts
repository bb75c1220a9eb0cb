import { createHash } from 'node:crypto';
import { BadInputError, checkText, type PointKind } from '@loyalty/platform';
import type { HoldRequest } from '../peers/ledger.client';
import type { Quote } from '../rewards/pricing.rules';
import type { RewardRow } from '../rewards/reward.entity';
import type { RedemptionRow } from './redemption.entity';
import { CashState, RedemptionStatus } from './redemption.state';

/** The kind of points that pays (C2): GREEN rewards green only; others their kind, or GREEN if accepted. */
export function payingKind(
  reward: Pick<RewardRow, 'pointKind' | 'acceptsAnyKind'>,
  asked: PointKind | null,
): PointKind {
  const own = reward.pointKind as PointKind;
  if (asked === null || asked === own) return own;
  if (reward.acceptsAnyKind) return asked;
  throw new BadInputError(`This reward takes ${own} points only`, 'pointKind');
}

const MAX_QUANTITY = 10_000;

/** Units asked for in one redemption: 1 by default, at most {@link MAX_QUANTITY}. */
export function redeemQuantity(value: number | null | undefined): number {
  const quantity = value ?? 1;
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
    throw new BadInputError(`quantity must be a whole number from 1 to ${MAX_QUANTITY}`, 'quantity');
  }
  return quantity;
}

/** A caller's idempotency key: 1 to 200 characters, trimmed. */
export function idempotencyKeyText(value: string): string {
  const key = value.trim();
  if (!key || key.length > 200)
    throw new BadInputError('idempotencyKey must be 1 to 200 characters', 'idempotencyKey');
  return key;
}

/** A cancellation reason or fulfilment note: 1 to 500 characters, trimmed. */
export function reasonText(value: string): string {
  return checkText(value, 'reason', 500, { multiline: true });
}

/**
 * A redemption's id, derived from who asked and their idempotency key: a retried request (after
 * an outage, or racing itself) asks the ledger for the same hold, which the ledger replays.
 */
export function redemptionIdFor(requestedBy: string, key: string): string {
  const h = createHash('sha256').update(`${requestedBy}\u0000${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The saga's steps that call the ledger, each with its own idempotency key. */
export type LedgerStep = 'hold' | 'capture' | 'release' | 'restore' | 'compensate';

/** Keyed by the redemption id, so any step can be replayed (retry, recovery) with one effect. */
export function ledgerKey(row: Pick<RedemptionRow, 'id'>, step: LedgerStep): string {
  return `catalog:redemption:${row.id}:${step}`;
}

/** The hold a redemption asks for; the same every time, so a replay finds the first hold. */
export function holdRequest(row: RedemptionRow, ttlSeconds: number): HoldRequest {
  return {
    memberId: row.memberId,
    kind: row.pointKind as PointKind,
    points: row.points,
    idempotencyKey: ledgerKey(row, 'hold'),
    reason: `Redeeming ${row.quantity} × ${row.rewardName}`,
    ttlSeconds,
    merchantId: row.merchantId,
  };
}

/** A new redemption as the saga's first step records it: PENDING, priced, nothing held yet. */
export function pendingRedemption(args: {
  id: string;
  reward: Pick<RewardRow, 'id' | 'name' | 'merchantId'>;
  memberId: string;
  quantity: number;
  price: Quote;
  pointKind: PointKind;
  requestedBy: string;
  key: string;
  at: Date;
}): RedemptionRow {
  return {
    id: args.id,
    rewardId: args.reward.id,
    rewardName: args.reward.name,
    memberId: args.memberId,
    merchantId: args.reward.merchantId,
    quantity: args.quantity,
    unitPoints: args.price.unitPoints,
    points: args.price.points,
    pointKind: args.pointKind,
    cashAmount: args.price.cashAmount,
    cashState: args.price.cashAmount > 0 ? CashState.OWED : CashState.NONE,
    cashPaid: 0,
    cashRefunded: 0,
    status: RedemptionStatus.PENDING,
    requestedBy: args.requestedBy,
    idempotencyKey: args.key,
    holdId: null,
    captured: false,
    settlementDue: false,
    compensationPoints: 0,
    cancelReason: null,
    createdAt: args.at,
    updatedAt: args.at,
  };
}
