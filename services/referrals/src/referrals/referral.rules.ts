/**
 * The referral programme's rules as plain functions (no I/O): what qualifies, what is abuse,
 * when a refund takes the rewards back.
 */
import type { ReferralRow } from './referral.entity';
import type { DiscountStatus, FirstOrderDiscount } from './referral.type';

/** How far up an inviter chain we look for a loop; real chains are short. */
export const MAX_CHAIN_DEPTH = 64;

/** A purchase qualifies the invitee when it reaches the programme's minimum. */
export function purchaseQualifies(amount: number, minPurchaseAmount: number): boolean {
  return Number.isInteger(amount) && amount >= Math.max(minPurchaseAmount, 0);
}

/**
 * Whether a further purchase of a member in this state leaves everything as it is, now and
 * whatever happens later: the first purchase is marked (written once), and either the referral
 * is decided (REWARDED and REJECTED are final; a refund's reversal is the refund event's) or
 * there is none and an early purchase is kept (a referral registered later is qualified with
 * that one, in the registration's transaction). Each part only ever turns true and stays so, so
 * a stale read can never make a purchase that matters look settled.
 */
export function purchaseSettles(state: {
  /** The member's code row, null without one (see `memberPurchaseState`). */
  code: { firstPurchaseAt: unknown } | null;
  earlyPurchaseKept: boolean;
  referralStatus: string | null;
}): boolean {
  if (!state.code?.firstPurchaseAt) return false;
  if (state.referralStatus === null) return state.earlyPurchaseKept;
  return state.referralStatus === 'REWARDED' || state.referralStatus === 'REJECTED';
}

/**
 * Would recording "inviter invited invitee" close a loop (A→B→A, or longer)? Walks up from the
 * inviter through whoever invited them; a loop exists if the walk reaches the invitee.
 * `inviterOf(x)` is x's (non-rejected) inviter, or null.
 */
export async function closesLoop(
  inviterId: string,
  inviteeId: string,
  inviterOf: (memberId: string) => Promise<string | null>,
): Promise<boolean> {
  const seen = new Set<string>();
  let current: string | null = inviterId;
  for (let depth = 0; current !== null && depth < MAX_CHAIN_DEPTH; depth++) {
    if (current === inviteeId) return true;
    if (seen.has(current)) return false; // an older loop not involving the invitee
    seen.add(current);
    current = await inviterOf(current);
  }
  return false;
}

export type RejectionCheck = 'SELF_REFERRAL' | 'REFERRAL_LOOP' | null;

/** Self-referral and loops are refused at attribution. */
export async function attributionRefusal(
  inviterId: string,
  inviteeId: string,
  inviterOf: (memberId: string) => Promise<string | null>,
): Promise<RejectionCheck> {
  if (inviterId === inviteeId) return 'SELF_REFERRAL';
  if (await closesLoop(inviterId, inviteeId, inviterOf)) return 'REFERRAL_LOOP';
  return null;
}

/** The per-inviter cap: `rewardedInPeriod` already rewarded; 0 means no cap. */
export function capReached(rewardedInPeriod: number, capPerPeriod: number): boolean {
  return capPerPeriod > 0 && rewardedInPeriod >= capPerPeriod;
}

export interface RefundFacts {
  /** When the qualifying purchase happened. */
  purchasedAt: Date;
  /** When it was refunded. */
  refundedAt: Date;
  /** End of the window (purchasedAt + window). */
  windowEndsAt: Date;
  purchaseAmount: number;
  /** Refunded so far, this refund included. */
  refundedTotal: number;
  fullyRefunded: boolean;
  minPurchaseAmount: number;
}

/**
 * A refund takes the referral rewards back when it comes within the window and what is left of
 * the purchase no longer qualifies (a full refund always; a partial one if the rest falls
 * below the minimum).
 */
export function refundReverses(f: RefundFacts): boolean {
  if (f.refundedAt.getTime() > f.windowEndsAt.getTime()) return false;
  if (f.fullyRefunded) return true;
  return (
    !purchaseQualifies(f.purchaseAmount - f.refundedTotal, f.minPurchaseAmount) ||
    f.purchaseAmount - f.refundedTotal <= 0
  );
}

/** The ledger idempotency key of a referral grant: deterministic, so a retry is harmless. */
export function grantKey(
  referralId: string,
  role: 'inviter' | 'invitee',
  operation: 'CREDIT' | 'REVERSE',
): string {
  return operation === 'CREDIT'
    ? `referrals:${referralId}:${role}`
    : `referrals:${referralId}:${role}:reverse`;
}

/** An event field as a non-empty string, or null (payloads from older producers may lack it). */
export const textField = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** An event field as a whole number, or null. */
export const wholeField = (v: unknown): number | null =>
  typeof v === 'number' && Number.isInteger(v) ? v : null;

/** The invitee's discount entitlement as the graph shows it (null when there is none). */
export function discountOf(row: ReferralRow, minimumSpend: number): FirstOrderDiscount | null {
  if (row.discountAmount <= 0 || !row.discountStatus) return null;
  return { amountOff: row.discountAmount, minimumSpend, status: row.discountStatus as DiscountStatus };
}
