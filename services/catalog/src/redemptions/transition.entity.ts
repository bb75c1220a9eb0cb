import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One state change of a redemption: who moved it, from what, to what, and why. */
@Entity({ name: 'redemption_transitions' })
export class RedemptionTransitionRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  redemptionId: string;

  @Column({ type: 'varchar', length: 12, nullable: true })
  fromStatus: string | null;

  @Column({ type: 'varchar', length: 12 })
  toStatus: string;

  /** `member:<id>`, `partner:<merchantId>`, `admin:<sub>` or `system:<component>`. */
  @Column({ type: 'varchar', length: 120 })
  actor: string;

  @Column({ type: 'varchar', length: 500 })
  reason: string;

  @Column({ type: 'datetime', precision: 3 })
  at: Date;
}
