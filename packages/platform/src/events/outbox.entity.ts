import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** An event waiting to be published (or already published), written in the producer's transaction. */
@Entity({ name: 'outbox_events' })
@Index('ix_outbox_unpublished', ['publishedAt', 'position'])
export class OutboxEventRow {
  /** Publication order. */
  @PrimaryGeneratedColumn({ type: 'integer' })
  position: number;

  @Column({ type: 'varchar', length: 36, unique: true })
  eventId: string;

  @Column({ type: 'varchar', length: 100 })
  topic: string;

  @Column({ type: 'varchar', length: 100 })
  eventKey: string;

  @Column({ type: 'text' })
  payload: string;

  @Column({ type: 'datetime', precision: 3 })
  occurredAt: Date;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  publishedAt: Date | null;
}
