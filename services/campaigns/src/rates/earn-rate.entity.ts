import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A merchant's own earn rates (R1, R3); merchants without a row earn at the default rate. */
@Entity({ name: 'merchant_earn_rates' })
export class EarnRateRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  merchantId: string;

  /** REGULAR: `points` per `per` minor units, rounded down. */
  @Column({ type: 'integer' })
  points: number;

  @Column({ type: 'integer' })
  per: number;

  @Column({ type: 'integer' })
  greenPoints: number;

  @Column({ type: 'integer' })
  greenPer: number;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
