import { Column, Entity, PrimaryColumn } from 'typeorm';

export type WebhookDeliveryStatus = 'PENDING' | 'DELIVERING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

/**
 * One message to one endpoint: the durable queue and the delivery log in one row. Its id is the
 * `webhook-id` header, the same on every attempt.
 */
@Entity({ name: 'webhook_deliveries' })
export class WebhookDeliveryRow {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  endpointId: string;

  @Column({ type: 'varchar', length: 36 })
  merchantId: string;

  /** The integration event it came from: an endpoint gets each event once. */
  @Column({ type: 'varchar', length: 64 })
  eventId: string;

  @Column({ type: 'varchar', length: 60 })
  eventType: string;

  /** The exact JSON body sent (and signed) on every attempt. */
  @Column({ type: 'text' })
  body: string;

  @Column({ type: 'varchar', length: 12 })
  status: WebhookDeliveryStatus;

  @Column({ type: 'int' })
  attempts: number;

  @Column({ type: 'datetime', precision: 3 })
  nextAttemptAt: Date;

  /** While DELIVERING: after this, another worker may take the message over (a crashed worker). */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  lockedUntil: Date | null;

  @Column({ type: 'datetime', precision: 3 })
  giveUpAt: Date;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  lastAttemptAt: Date | null;

  @Column({ type: 'int', nullable: true })
  lastStatusCode: number | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  lastError: string | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  deliveredAt: Date | null;
}
