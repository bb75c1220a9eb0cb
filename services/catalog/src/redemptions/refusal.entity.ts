import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A redemption the ledger or the shelf refused (not enough points, out of stock, over a limit):
 * not a redemption — nothing listed, no status event — only the answer a replay of the same
 * idempotency key gets again (L7).
 */
@Entity({ name: 'redemption_refusals' })
export class RedemptionRefusalRow {
  @PrimaryColumn({ type: 'varchar', length: 120 })
  requestedBy: string;

  @PrimaryColumn({ type: 'varchar', length: 200 })
  idempotencyKey: string;

  @Column({ type: 'varchar', length: 36 })
  rewardId: string;

  @Column({ type: 'varchar', length: 36 })
  memberId: string;

  @Column({ type: 'int' })
  quantity: number;

  @Column({ type: 'varchar', length: 10, nullable: true })
  pointKind: string | null;

  /** The `ErrorCode` the caller got. */
  @Column({ type: 'varchar', length: 40 })
  code: string;

  @Column({ type: 'varchar', length: 500 })
  message: string;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}
