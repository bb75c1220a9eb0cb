import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A reward in the catalog (C1, C2, C4). Prices are whole points; cash in minor units. */
@Entity({ name: 'rewards' })
export class RewardRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** Owning merchant; null for the operator's own rewards. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  merchantId: string | null;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 20 })
  kind: string;

  /** Terms of use shown to members (C7: terms, not second-class restrictions). */
  @Column({ type: 'text', nullable: true })
  terms: string | null;

  /** The regular price; time-limited prices live in price_rules. */
  @Column({ type: 'int' })
  listPointsPrice: number;

  @Column({ type: 'int', default: 0 })
  cashPrice: number;

  /** GREEN: eco goods, green points only. REGULAR: regular points, or green ones too if acceptsAnyKind. */
  @Column({ type: 'varchar', length: 10 })
  pointKind: string;

  @Column({ type: 'boolean', default: false })
  acceptsAnyKind: boolean;

  /** Units left; null means unlimited. */
  @Column({ type: 'int', nullable: true })
  stock: number | null;

  @Column({ type: 'int', nullable: true })
  perMemberLimit: number | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  minTier: string | null;

  /** Offered only to the members listed in reward_audience. */
  @Column({ type: 'boolean', default: false })
  personal: boolean;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ type: 'varchar', length: 500, nullable: true })
  delistReason: string | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
