import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A time-limited redemption price (C3), e.g. back-to-school week. */
@Entity({ name: 'price_rules' })
export class PriceRuleRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  rewardId: string;

  @Column({ type: 'varchar', length: 100 })
  label: string;

  @Column({ type: 'int' })
  pointsPrice: number;

  @Column({ type: 'datetime', precision: 3 })
  startsAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  endsAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}
