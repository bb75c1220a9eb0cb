import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An append-only log of data-subject requests (export, erasure) under PIPL. */
@Entity({ name: 'privacy_requests' })
@Index('ix_privacy_requests_member', ['memberId'])
export class PrivacyRequestRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  memberId: string;

  /** `export` or `erasure`. */
  @Column({ type: 'varchar', length: 20 })
  kind: string;

  @Column({ type: 'varchar', length: 60 })
  requestedBy: string;

  @Column({ type: 'varchar', length: 500 })
  reason: string;

  @Column({ type: 'datetime', precision: 3 })
  at: Date;
}
