import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Points credited together, with their origin and expiry. `remaining` is a derived cache:
 * `points + SUM(lot_moves.points)`, kept in the same transaction as the moves. The lots by expiry
 * are indexed only while they hold points (`ix_lots_due`, migration DueLots: a partial index on
 * SQLite, an indexed virtual column `dueAt` on MariaDB), which the entity cannot declare; the
 * index of all lots by expiry was dropped (migration DropLotsExpires).
 */
@Entity({ name: 'ledger_lots' })
@Index('ix_lots_member_kind', ['memberId', 'kind', 'remaining'])
@Index('ix_lots_source', ['sourceType', 'sourceId'])
@Index('ix_lots_issuer', ['merchantId', 'kind', 'earnedAt', 'origin', 'points'])
@Index('ix_lots_issued', ['kind', 'earnedAt', 'origin', 'points'])
export class LotRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  memberId: string;

  @Column({ type: 'varchar', length: 16 })
  kind: string;

  /** The credit entry that created the lot. */
  @Column({ type: 'varchar', length: 36 })
  entryId: string;

  @Column({ type: 'integer' })
  points: number;

  @Column({ type: 'integer' })
  remaining: number;

  @Column({ type: 'datetime', precision: 3 })
  earnedAt: Date;

  /** Null: never expires. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  expiresAt: Date | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  merchantId: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  campaignId: string | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  sourceType: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  sourceId: string | null;

  /** Type of the credit entry that created the lot (EARN, COMPENSATE, ADJUST, RESTORE): reports tell issuance from restored redemptions. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  origin: string | null;
}

/** Which lots an entry took points from (negative) or gave points back to (positive). Immutable. */
@Entity({ name: 'ledger_lot_moves' })
@Index('ix_lot_moves_lot', ['lotId'])
@Index('ix_lot_moves_entry', ['entryId'])
@Index('ix_lot_moves_issuer', ['merchantId', 'kind', 'createdAt', 'entryType', 'points'])
@Index('ix_lot_moves_kind', ['kind', 'createdAt', 'entryType', 'points'])
export class LotMoveRow {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'varchar', length: 36 })
  entryId: string;

  @Column({ type: 'varchar', length: 36 })
  lotId: string;

  @Column({ type: 'integer' })
  points: number;

  // Copied at write time (the lot's issuing merchant and kind, the entry's type and time), so that
  // reports sum movements per issuing merchant from one index, without joining lots and entries.
  @Column({ type: 'varchar', length: 36, nullable: true })
  merchantId: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  kind: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  entryType: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  createdAt: Date | null;
}

/** Trail of changes to a lot's expiry (validity extensions). Immutable. */
@Entity({ name: 'ledger_lot_changes' })
@Index('ix_lot_changes_lot', ['lotId'])
export class LotChangeRow {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'varchar', length: 36 })
  lotId: string;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  oldExpiresAt: Date | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  newExpiresAt: Date | null;

  @Column({ type: 'varchar', length: 500 })
  reason: string;

  @Column({ type: 'varchar', length: 80 })
  actor: string;

  @Column({ type: 'datetime', precision: 3 })
  changedAt: Date;
}
