import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A reversal (refund) and its shortfall: what could not be taken back because it was spent. */
@Entity({ name: 'ledger_reversals' })
@Index('ix_reversals_source', ['memberId', 'sourceType', 'sourceId'])
export class ReversalRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  memberId: string;

  @Column({ type: 'varchar', length: 16 })
  kind: string;

  @Column({ type: 'varchar', length: 40 })
  sourceType: string;

  @Column({ type: 'varchar', length: 100 })
  sourceId: string;

  @Column({ type: 'integer' })
  requested: number;

  @Column({ type: 'integer' })
  reversed: number;

  @Column({ type: 'integer' })
  shortfall: number;

  @Column({ type: 'varchar', length: 36, nullable: true })
  entryId: string | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}
