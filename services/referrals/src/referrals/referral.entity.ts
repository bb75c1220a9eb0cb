import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type ReferralStatusValue = 'INVITED' | 'REGISTERED' | 'REWARDED' | 'REJECTED';
export type RejectionReasonValue =
  'SELF_REFERRAL' | 'REFERRAL_LOOP' | 'CAP_REACHED' | 'QUALIFYING_PURCHASE_REFUNDED';
export type DiscountStatusValue = 'AVAILABLE' | 'USED' | 'VOID';

/**
 * One invitation: who invited whom, and how far it got. At most one per invitee (the unique
 * invitee is what makes "rewarded once per invitee" a database fact, not a hope).
 */
@Entity({ name: 'referrals' })
@Index('ix_referrals_inviter', ['inviterId', 'status', 'rewardedAt'])
@Index('ix_referrals_purchase', ['qualifyingPurchaseId'])
export class ReferralRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  inviterId: string;

  @Column({ type: 'varchar', length: 36, unique: true })
  inviteeId: string;

  /** The code the invitee used. */
  @Column({ type: 'varchar', length: 16 })
  code: string;

  @Column({ type: 'varchar', length: 16 })
  status: ReferralStatusValue;

  @Column({ type: 'varchar', length: 40, nullable: true })
  rejectionReason: RejectionReasonValue | null;

  /** `registration` (code given at sign-up) or `applied` (entered afterwards). */
  @Column({ type: 'varchar', length: 20 })
  source: string;

  @Column({ type: 'datetime', precision: 3 })
  registeredAt: Date;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  rewardedAt: Date | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  qualifyingPurchaseId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  qualifyingMerchantId: string | null;

  @Column({ type: 'integer', nullable: true })
  qualifyingAmount: number | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  qualifyingPurchaseAt: Date | null;

  @Column({ type: 'integer', nullable: true })
  inviterPoints: number | null;

  @Column({ type: 'integer', nullable: true })
  inviteePoints: number | null;

  /** Set when a refund of the qualifying purchase reversed the rewards. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  reversedAt: Date | null;

  /** First-order discount the invitee is entitled to (minor units off); 0: none. */
  @Column({ type: 'integer', default: 0 })
  discountAmount: number;

  @Column({ type: 'varchar', length: 16, nullable: true })
  discountStatus: DiscountStatusValue | null;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
