import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row per member the ledger knows: the per-member entry counter (all kinds together) and the
 * row every write for that member locks first, so writes for one member are serialized on every
 * database while writes for different members run in parallel.
 */
@Entity({ name: 'ledger_members' })
export class MemberStreamRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  memberId: string;

  /** Sequence of the member's latest entry (0: none yet). Derived cache of MAX(entries.sequence). */
  @Column({ type: 'integer' })
  lastSequence: number;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}

/** Balance of one (member, kind): a cache of SUM(entries.points), kept in the entry's transaction. */
@Entity({ name: 'ledger_accounts' })
export class AccountRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  memberId: string;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  kind: string;

  @Column({ type: 'integer' })
  balance: number;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
