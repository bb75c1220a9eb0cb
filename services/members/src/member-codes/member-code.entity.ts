import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A member's one-time consent code for a partner's till, stored only as its SHA-256. */
@Entity({ name: 'member_codes' })
export class MemberCodeRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  memberId: string;

  /** Not unique: codes are bound to their member, so two members may hold the same digits. */
  @Column({ type: 'varchar', length: 64 })
  codeHash: string;

  @Column({ type: 'datetime', precision: 3 })
  issuedAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  expiresAt: Date;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  usedAt: Date | null;

  /** What consumed it (the caller's operation key): a replay of that operation is let through. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  usedFor: string | null;
}
