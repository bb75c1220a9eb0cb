import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One request for a sign-in code. A request for an unknown phone or email is stored too (with no
 * member), so that it answers and behaves exactly like a real one and nobody can probe who is a
 * member.
 */
@Entity({ name: 'sign_in_challenges' })
export class SignInChallengeRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  memberId: string | null;

  /** HMAC of the code keyed with the platform secret and salted with the challenge id. */
  @Column({ type: 'varchar', length: 64 })
  codeHash: string;

  /** Tries so far, right or wrong; no try is accepted beyond the limit. */
  @Column({ type: 'integer' })
  attempts: number;

  @Column({ type: 'datetime', precision: 3 })
  expiresAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  /** Set by the one successful sign-in: a code works once. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  consumedAt: Date | null;
}
