import { Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';
import type { PointKind } from '@loyalty/platform';

/** A purchase a partner reported. `(merchantId, orderId)` is its idempotency key (L7). */
@Entity({ name: 'purchases' })
@Unique('uq_purchases_order', ['merchantId', 'orderId'])
@Index('ix_purchases_member', ['memberId', 'recordedAt'])
@Index('ix_purchases_merchant', ['merchantId', 'recordedAt'])
export class PurchaseRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  merchantId: string;

  @Column({ type: 'varchar', length: 64 })
  orderId: string;

  @Column({ type: 'varchar', length: 36 })
  memberId: string;

  /** Minor units. */
  @Column({ type: 'integer' })
  amount: number;

  @Column({ type: 'varchar', length: 3 })
  currency: string;

  /** The merchant's category when the purchase was recorded (category campaigns, spend targets). */
  @Column({ type: 'varchar', length: 40 })
  merchantCategory: string;

  /** Sum of the green items' amounts. */
  @Column({ type: 'integer' })
  greenAmount: number;

  @Column({ type: 'datetime', precision: 3 })
  occurredAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  recordedAt: Date;

  /** SHA-256 of the request as sent: a retry with another payload is CONFLICT. */
  @Column({ type: 'varchar', length: 64 })
  requestHash: string;

  @Column({ type: 'boolean' })
  firstPurchase: boolean;

  @Column({ type: 'integer', default: 0 })
  refundedAmount: number;

  /** The items as sent (JSON), for the audit trail. */
  @Column({ type: 'text' })
  items: string;
}

/** One line of a purchase's breakdown, and the ledger posting that carries its points. */
@Entity({ name: 'purchase_awards' })
@Unique('uq_awards_rule', ['purchaseId', 'ruleKey'])
export class AwardRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  purchaseId: string;

  @Column({ type: 'integer' })
  position: number;

  @Column({ type: 'varchar', length: 60 })
  ruleKey: string;

  @Column({ type: 'varchar', length: 10 })
  kind: PointKind;

  @Column({ type: 'integer' })
  points: number;

  /** Points taken back by refunds so far. */
  @Column({ type: 'integer', default: 0 })
  reversedPoints: number;

  @Column({ type: 'varchar', length: 300 })
  reason: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  campaignId: string | null;

  @Column({ type: 'varchar', length: 36 })
  postingId: string;
}

/** One row per member: locked by every purchase of the member (first-order decisions). */
@Entity({ name: 'member_activity' })
@Index('ix_activity_last', ['lastPurchaseAt'])
export class MemberActivityRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  memberId: string;

  @Column({ type: 'integer', default: 0 })
  purchaseCount: number;

  /** When the member's latest purchase was recorded (R10: inactivity). */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  lastPurchaseAt: Date | null;

  /** When the member was last sent a churn-recall offer (once per period of inactivity). */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  recalledAt: Date | null;
}

/** A refund, idempotent by `(merchantId, refundId)`. */
@Entity({ name: 'refunds' })
@Unique('uq_refunds_key', ['merchantId', 'refundId'])
@Index('ix_refunds_purchase', ['purchaseId'])
export class RefundRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  merchantId: string;

  @Column({ type: 'varchar', length: 64 })
  refundId: string;

  @Column({ type: 'varchar', length: 36 })
  purchaseId: string;

  @Column({ type: 'integer' })
  amount: number;

  @Column({ type: 'varchar', length: 64 })
  requestHash: string;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}

/** Points a refund takes back, per kind, and the ledger posting that carries them. */
@Entity({ name: 'refund_reversals' })
@Unique('uq_reversals_kind', ['refundRowId', 'kind'])
export class ReversalRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  refundRowId: string;

  @Column({ type: 'varchar', length: 10 })
  kind: string;

  /** Positive: the points to take back. */
  @Column({ type: 'integer' })
  points: number;

  @Column({ type: 'varchar', length: 300 })
  reason: string;

  @Column({ type: 'varchar', length: 36 })
  postingId: string;
}
