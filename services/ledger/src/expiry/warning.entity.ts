import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * An expiry warning, stored once per (lot, lead, expiry date). `SKIPPED` records a lead that
 * did not apply (the lot was credited with less validity than the lead) so it is not reconsidered.
 */
@Entity({ name: 'ledger_expiry_warnings' })
@Index('ux_warnings_lot_lead', ['lotId', 'lead', 'expiresAt'], { unique: true })
@Index('ix_warnings_member', ['memberId', 'createdAt'])
export class WarningRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  lotId: string;

  @Column({ type: 'varchar', length: 36 })
  memberId: string;

  @Column({ type: 'varchar', length: 16 })
  kind: string;

  /** The ISO-8601 lead as configured, e.g. `P7D`. */
  @Column({ type: 'varchar', length: 40 })
  lead: string;

  @Column({ type: 'integer' })
  points: number;

  @Column({ type: 'datetime', precision: 3 })
  expiresAt: Date;

  @Column({ type: 'integer' })
  daysLeft: number;

  @Column({ type: 'varchar', length: 10 })
  status: 'SENT' | 'SKIPPED';

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}
