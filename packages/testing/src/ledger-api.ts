import type { PointKind } from '@loyalty/platform';

/** The ledger's internal API (docs/internal-api.md) as its clients and fakes speak it. */

/** The states of a ledger hold, as the internal API reports them (RESTORED: captured, then given back). */
export type HoldStatus = 'HELD' | 'CAPTURED' | 'RELEASED' | 'EXPIRED' | 'RESTORED';

/** A hold as `ledgerHold` answers it. */
export interface PointHold {
  id: string;
  status: HoldStatus;
  points: number;
}

/** What the catalog asks `ledgerHold` for. */
export interface HoldInput {
  memberId: string;
  kind: PointKind;
  points: number;
  idempotencyKey: string;
  reason: string;
  ttlSeconds: number;
  merchantId: string | null;
}

/** What the catalog asks `ledgerCredit` for when it compensates a member. */
export interface CompensateInput {
  memberId: string;
  kind: PointKind;
  points: number;
  idempotencyKey: string;
  reason: string;
  merchantId: string | null;
  sourceId: string;
}

/**
 * What `ledgerCredit` is asked for (docs/internal-api.md); absent optional fields are the
 * ledger's defaults.
 */
export interface CreditInput {
  idempotencyKey: string;
  memberId: string;
  kind: string;
  points: number;
  reason: string;
  /** EARN unless said otherwise; only EARN counts as what a source earned. */
  type?: 'EARN' | 'COMPENSATE' | null;
  merchantId?: string | null;
  campaignId?: string | null;
  sourceType?: string | null;
  sourceId?: string | null;
  validity?: string | null;
}

/** The entry a credit wrote (a replay answers the same one). */
export interface CreditResult {
  entryId: string;
  points: number;
  /** The fake keeps no lots: its credits never expire. */
  expiresAt: Date | null;
}

/** What `ledgerReverse` is asked for, in points (docs/internal-api.md). */
export interface ReverseInput {
  idempotencyKey: string;
  memberId: string;
  kind: string;
  points: number;
  reason: string;
  sourceType: string;
  sourceId: string;
  merchantId?: string | null;
}

/** `LedgerReversal`: what was asked (capped at what the source earned), taken, and could not be taken. */
export interface ReverseResult {
  /** Null when nothing could be taken. */
  entryId: string | null;
  requested: number;
  reversed: number;
  shortfall: number;
}
