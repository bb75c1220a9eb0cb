import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Where a merchant wants its events POSTed. Deleting keeps the row (the delivery log refers to it). */
@Entity({ name: 'webhook_endpoints' })
export class WebhookEndpointRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  merchantId: string;

  @Column({ type: 'varchar', length: 2000 })
  url: string;

  /** Event types, comma-separated. */
  @Column({ type: 'varchar', length: 500 })
  events: string;

  /** `whsec_…`: the HMAC key must be kept to sign, so it cannot be stored as a hash. */
  @Column({ type: 'varchar', length: 100 })
  secret: string;

  @Column({ type: 'boolean' })
  active: boolean;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  deletedAt: Date | null;

  @Column({ type: 'varchar', length: 120 })
  createdBy: string;
}
