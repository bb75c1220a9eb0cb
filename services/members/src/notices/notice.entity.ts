import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One notice in a member's inbox (T5). Stores the language-independent facts (JSON); the title and
 * body are worded when read, in the reader's language. Append-only except `readAt`.
 */
@Entity({ name: 'member_notices' })
@Index('ux_member_notices_cause', ['memberId', 'causeKey'], { unique: true })
@Index('ix_member_notices_member', ['memberId', 'id'])
export class NoticeRow {
  /** Increasing: newest first is `id` descending, and a broadcast inserts rows without ids of its own. */
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Column({ type: 'varchar', length: 36 })
  memberId: string;

  @Column({ type: 'varchar', length: 24 })
  kind: string;

  /** What caused it (e.g. `expiry:<lotId>:<lead>:<expiresAt>`): one notice per member and cause. */
  @Column({ type: 'varchar', length: 160 })
  causeKey: string;

  /** {@link NoticeFacts} as JSON. */
  @Column({ type: 'text' })
  facts: string;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  readAt: Date | null;
}
