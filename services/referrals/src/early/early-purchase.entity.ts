import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A member's first qualifying purchase, seen while they had no referral: `purchase.recorded`
 * and `member.registered` come on different streams, so the purchase can be handled before the
 * registration that records the invitation. Kept so that the registration can qualify the
 * referral with it, as the purchase would have. One per member (the first wins), written once,
 * never changed.
 */
@Entity({ name: 'referral_early_purchases' })
export class EarlyPurchaseRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  memberId: string;

  @Column({ type: 'varchar', length: 64 })
  purchaseId: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  merchantId: string | null;

  /** Minor units. */
  @Column({ type: 'integer' })
  amount: number;

  /** When the purchase happened (its `occurredAt`). */
  @Column({ type: 'datetime', precision: 3 })
  purchasedAt: Date;

  /** When this service handled it. */
  @Column({ type: 'datetime', precision: 3 })
  recordedAt: Date;
}

/**
 * A refund of a member's early purchase ({@link EarlyPurchaseRow}) that takes a referral reward
 * back (within the window, leaving less than the minimum), seen before the referral existed: the
 * registration then refuses the referral as the refund would have reversed it. One per member
 * (the first such refund), written once, never changed.
 */
@Entity({ name: 'referral_early_refunds' })
export class EarlyRefundRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  memberId: string;

  @Column({ type: 'varchar', length: 64 })
  purchaseId: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  refundId: string | null;

  /** Refunded so far, this refund included (minor units). */
  @Column({ type: 'integer' })
  refundedTotal: number;

  /** When the refund happened (its event's `occurredAt`). */
  @Column({ type: 'datetime', precision: 3 })
  refundedAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  recordedAt: Date;
}
