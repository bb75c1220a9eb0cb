import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A signed-in device: the family of refresh tokens that descend from one sign-in. Revoking it
 * (sign-out, or a retired refresh token presented again) ends every token of the family.
 */
@Entity({ name: 'member_sessions' })
export class SessionRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  memberId: string;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  revokedAt: Date | null;

  /** `sign-out` or `refresh-token-reuse`. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  revokedReason: string | null;
}
