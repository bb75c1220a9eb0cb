import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A partner merchant, onboarded by the operator (REQUIREMENTS M4). */
@Entity({ name: 'merchants' })
@Index('ix_merchants_created', ['createdAt', 'id'])
export class MerchantRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 40 })
  category: string;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}
