import { Column, Entity, Index } from 'typeorm';
import { CommandRow } from '@loyalty/platform';

export type GrantOperation = 'CREDIT' | 'REVERSE';

/**
 * A ledger call the referrals service owes: written in the same transaction as the decision
 * that causes it (REWARDED, or reversed), posted afterwards with a deterministic idempotency
 * key, and retried until the ledger has it (the platform's command outbox). The ledger's key makes
 * a repeated post harmless.
 */
@Entity({ name: 'referral_grants' })
@Index('ix_referral_grants_due', ['status', 'nextAttemptAt'])
@Index('ix_referral_grants_referral', ['referralId'])
export class ReferralGrantRow extends CommandRow {
  @Column({ type: 'varchar', length: 36 })
  referralId: string;

  @Column({ type: 'varchar', length: 36 })
  memberId: string;

  /** `inviter` or `invitee`. */
  @Column({ type: 'varchar', length: 10 })
  role: 'inviter' | 'invitee';

  declare operation: GrantOperation;

  @Column({ type: 'integer' })
  points: number;

  /** E.g. `referrals:<referralId>:inviter`; unique, so a decision can never owe twice. */
  @Column({ type: 'varchar', length: 120, unique: true })
  idempotencyKey: string;

  /** For a REVERSE: the CREDIT it takes back (posted only once that credit is). */
  @Column({ type: 'varchar', length: 36, nullable: true })
  reversesGrantId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ledgerEntryId: string | null;

  /** For a REVERSE: points the member had already spent (recorded by the ledger, not hidden). */
  @Column({ type: 'integer', nullable: true })
  shortfall: number | null;
}
