import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { CommandRow, type PointKind } from '@loyalty/platform';

export type PostingOperation = 'CREDIT' | 'REVERSE';

/**
 * A ledger call owed: written in the same transaction as the purchase, refund or sign-up that
 * caused it, then sent to the ledger with its deterministic idempotency key until the ledger has
 * it (the platform's command outbox, towards the ledger). A ledger outage delays points; it never
 * loses or doubles them.
 */
@Entity({ name: 'ledger_postings' })
@Index('ix_postings_due', ['status', 'nextAttemptAt'])
@Index('ix_postings_source', ['sourceType', 'sourceId'])
export class PostingRow extends CommandRow {
  @Column({ type: 'varchar', length: 200, unique: true })
  idempotencyKey: string;

  declare operation: PostingOperation;

  @Column({ type: 'varchar', length: 36 })
  memberId: string;

  @Column({ type: 'varchar', length: 10 })
  kind: PointKind;

  @Column({ type: 'integer' })
  points: number;

  @Column({ type: 'varchar', length: 300 })
  reason: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  merchantId: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  campaignId: string | null;

  /** `purchase` (sourceId = purchase id) or `signup` (sourceId = member id). */
  @Column({ type: 'varchar', length: 20 })
  sourceType: string;

  @Column({ type: 'varchar', length: 36 })
  sourceId: string;

  /** Validity passed to the ledger (ISO-8601 or NEVER); null: the ledger's default. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  validity: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  ledgerEntryId: string | null;

  /**
   * CREDIT: when the points expire. Before posting, projected from the moment the purchase was
   * recorded; once posted, the ledger's own date (validity counts from the credit, so it is never
   * earlier than the projection).
   */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  expiresAt: Date | null;

  /** REVERSE: points actually taken back, and the shortfall the ledger recorded. */
  @Column({ type: 'integer', nullable: true })
  reversed: number | null;

  @Column({ type: 'integer', nullable: true })
  shortfall: number | null;
}

/** A sign-up bonus given (once per member and campaign). */
@Entity({ name: 'signup_grants' })
export class SignUpGrantRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  memberId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  campaignId: string;

  @Column({ type: 'integer' })
  points: number;

  @Column({ type: 'varchar', length: 36 })
  postingId: string;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}
