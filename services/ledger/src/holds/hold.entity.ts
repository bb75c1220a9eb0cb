import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export enum HoldStatus {
  HELD = 'HELD',
  CAPTURED = 'CAPTURED',
  RELEASED = 'RELEASED',
  EXPIRED = 'EXPIRED',
  RESTORED = 'RESTORED',
}

/** A two-phase reservation: HELD until captured, released, or timed out; resolved once. */
@Entity({ name: 'ledger_holds' })
@Index('ix_holds_open', ['status', 'expiresAt'])
export class HoldRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  memberId: string;

  @Column({ type: 'varchar', length: 16 })
  kind: string;

  @Column({ type: 'integer' })
  points: number;

  @Column({ type: 'varchar', length: 16 })
  status: HoldStatus;

  /** When an unresolved hold is released by the ledger. */
  @Column({ type: 'datetime', precision: 3 })
  expiresAt: Date;

  @Column({ type: 'varchar', length: 500 })
  reason: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  merchantId: string | null;

  @Column({ type: 'varchar', length: 36 })
  holdEntryId: string;

  /** The REDEEM (capture) or RELEASE entry that resolved it. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  resolvedEntryId: string | null;

  /** The RESTORE entry, when a captured hold was given back. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  restoredEntryId: string | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  resolvedAt: Date | null;
}
