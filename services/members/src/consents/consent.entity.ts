import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Version of the programme terms a member agrees to at registration (REQUIREMENTS M5, R5). */
export const PROGRAMME_TERMS_VERSION = '2026-11';

/** An append-only record of consent given or refused, for PIPL accountability. */
@Entity({ name: 'consents' })
@Index('ix_consents_member', ['memberId'])
export class ConsentRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  memberId: string;

  /** `programme_terms`, `marketing`. */
  @Column({ type: 'varchar', length: 40 })
  purpose: string;

  @Column({ type: 'boolean' })
  granted: boolean;

  @Column({ type: 'varchar', length: 20 })
  version: string;

  @Column({ type: 'datetime', precision: 3 })
  recordedAt: Date;

  @Column({ type: 'varchar', length: 60 })
  recordedVia: string;
}
