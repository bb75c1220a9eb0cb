import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A write's idempotency key, the hash of its request and a reference to its first result. */
@Entity({ name: 'ledger_idempotency' })
export class IdempotencyRow {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  key: string;

  @Column({ type: 'varchar', length: 40 })
  operation: string;

  @Column({ type: 'varchar', length: 64 })
  requestHash: string;

  /** `entry:<id>`, `hold:<id>`, `reversal:<id>` or `count:<n>`. */
  @Column({ type: 'varchar', length: 80 })
  resultRef: string;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}
