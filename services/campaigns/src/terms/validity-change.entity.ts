import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A scheduled change of the validity of newly earned points (L6). A shortening must be
 * announced at least 30 days ahead; points already earned keep their expiry.
 */
@Entity({ name: 'validity_changes' })
export class ValidityChangeRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** ISO-8601 duration or NEVER. */
  @Column({ type: 'varchar', length: 40 })
  validity: string;

  @Column({ type: 'datetime', precision: 3 })
  effectiveAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  announcedAt: Date;

  @Column({ type: 'varchar', length: 300 })
  reason: string;
}
