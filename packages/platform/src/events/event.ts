/**
 * An integration event as it travels between services. `id` is unique per event and is what
 * consumers de-duplicate on (delivery is at least once).
 */
export interface EventEnvelope<P = Record<string, unknown>> {
  id: string;
  topic: string;
  /** The aggregate the event is about (e.g. a member id): consumers may partition on it. */
  key: string;
  payload: P;
  occurredAt: string;
  /** The service whose outbox wrote it. */
  source: string;
}

/** Known topics; payload shapes are documented beside their producers. */
export const Topics = {
  memberRegistered: 'member.registered',
  balanceChanged: 'balance.changed',
  pointsExpiring: 'points.expiring',
  purchaseRecorded: 'purchase.recorded',
  purchaseRefunded: 'purchase.refunded',
  redemptionStatusChanged: 'redemption.status_changed',
  referralRewarded: 'referral.rewarded',
} as const;
