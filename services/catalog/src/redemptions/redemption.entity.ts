import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One redemption and where its saga stands. */
@Entity({ name: 'redemptions' })
export class RedemptionRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  rewardId: string;

  @Column({ type: 'varchar', length: 36 })
  memberId: string;

  /** The reward's merchant when redeemed (partners see their own). */
  @Column({ type: 'varchar', length: 36, nullable: true })
  merchantId: string | null;

  /** The reward's name when redeemed: the trail reads the same after a rename. */
  @Column({ type: 'varchar', length: 100 })
  rewardName: string;

  @Column({ type: 'int' })
  quantity: number;

  @Column({ type: 'int' })
  unitPoints: number;

  @Column({ type: 'int' })
  points: number;

  @Column({ type: 'varchar', length: 10 })
  pointKind: string;

  /** Cash owed in minor units (L10: never points). */
  @Column({ type: 'int' })
  cashAmount: number;

  /** The cash part's state (L10: an amount, never points): see `CashState`. */
  @Column({ type: 'varchar', length: 10, default: 'NONE' })
  cashState: string;

  /** Cash received for this redemption, minor units. */
  @Column({ type: 'int', default: 0 })
  cashPaid: number;

  /** Cash given back after a cancellation, minor units. */
  @Column({ type: 'int', default: 0 })
  cashRefunded: number;

  @Column({ type: 'varchar', length: 12 })
  status: string;

  /** Who asked (`member:<id>`, `partner:<merchantId>`, `admin:<sub>`): scope of the idempotency key. */
  @Column({ type: 'varchar', length: 120 })
  requestedBy: string;

  @Column({ type: 'varchar', length: 200 })
  idempotencyKey: string;

  /** The ledger hold, once known. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  holdId: string | null;

  /** True once the ledger captured the held points. */
  @Column({ type: 'boolean', default: false })
  captured: boolean;

  /** CANCELLED but the points (and any compensation) not yet confirmed returned by the ledger. */
  @Column({ type: 'boolean', default: false })
  settlementDue: boolean;

  @Column({ type: 'int', default: 0 })
  compensationPoints: number;

  @Column({ type: 'varchar', length: 500, nullable: true })
  cancelReason: string | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
