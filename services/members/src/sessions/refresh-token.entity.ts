import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One refresh token of a session, stored only as its SHA-256; single use. */
@Entity({ name: 'member_refresh_tokens' })
export class RefreshTokenRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  sessionId: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  tokenHash: string;

  @Column({ type: 'datetime', precision: 3 })
  expiresAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  /** Set when it was exchanged for a new pair; presenting it again revokes the session. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  retiredAt: Date | null;
}
