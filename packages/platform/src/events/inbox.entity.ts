import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One row per (consumer, event) processed: the reason a redelivered event has no second effect. */
@Entity({ name: 'inbox_events' })
export class InboxEventRow {
  @PrimaryColumn({ type: 'varchar', length: 60 })
  consumer: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  eventId: string;

  @Column({ type: 'datetime', precision: 3 })
  processedAt: Date;
}
