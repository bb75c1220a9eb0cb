import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A member's spending as learnt from purchase events: +amount for a purchase, −amount for a
 * refund, dated at the purchase so both leave the rolling window together. Append-only.
 */
@Entity({ name: 'member_spend' })
@Index('ix_member_spend_member_time', ['memberId', 'occurredAt'])
export class SpendRow {
  /** `purchase:<id>` or `refund:<purchaseId>:<refundId>`: a redelivered event cannot count twice. */
  @PrimaryColumn({ type: 'varchar', length: 120 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  memberId: string;

  @Column({ type: 'varchar', length: 36 })
  purchaseId: string;

  @Column({ type: 'integer' })
  amount: number;

  @Column({ type: 'datetime', precision: 3 })
  occurredAt: Date;
}
