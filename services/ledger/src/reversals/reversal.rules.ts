/** Pure reversal arithmetic: how many points a refund takes back. No I/O. */

/**
 * Points to take back for a (partial) refund: the cumulative target is `earned × refunded /
 * total`, rounded half up in exact integer arithmetic, minus what earlier refunds already asked
 * for (so several partial refunds add up to the same as one refund of their sum).
 */
export function proportionalReversal(
  earned: number,
  refundedTotal: number,
  purchaseTotal: number,
  alreadyRequested: number,
): number {
  if (purchaseTotal <= 0) return 0;
  const refunded = Math.min(refundedTotal, purchaseTotal);
  const target = Number(
    (2n * BigInt(earned) * BigInt(refunded) + BigInt(purchaseTotal)) / (2n * BigInt(purchaseTotal)),
  );
  return Math.max(0, target - alreadyRequested);
}

/** A reversal never takes a balance below zero: what cannot be taken is the shortfall. */
export function planReversal(requested: number, available: number): { reversed: number; shortfall: number } {
  const reversed = Math.max(0, Math.min(requested, available));
  return { reversed, shortfall: requested - reversed };
}
