import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A member's spend on green items of one category, from a purchase (positive) or a refund of it
 * (negative), with the GREEN points it earned shared out by amount. Written once from the
 * campaigns service's `purchase.recorded` / `purchase.refunded` events; never edited.
 */
@Entity({ name: 'ledger_green_lines' })
@Index('ix_green_lines_member', ['memberId', 'at'])
@Index('ux_green_lines_event', ['eventId', 'category'], { unique: true })
@Index('ix_green_lines_purchase', ['purchaseId'])
export class GreenLineRow {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  /** The event that wrote it: one line per category and event, so redelivery cannot double it. */
  @Column({ type: 'varchar', length: 64 })
  eventId: string;

  @Column({ type: 'varchar', length: 36 })
  memberId: string;

  @Column({ type: 'varchar', length: 36 })
  purchaseId: string;

  /** The purchase's whole amount (minor units), to scale refunds. */
  @Column({ type: 'integer' })
  purchaseAmount: number;

  @Column({ type: 'varchar', length: 40 })
  category: string;

  /** Minor units; negative for a refund. */
  @Column({ type: 'integer' })
  amount: number;

  @Column({ type: 'integer' })
  points: number;

  /** When the purchase or refund was recorded. */
  @Column({ type: 'datetime', precision: 3 })
  at: Date;
}
