import type { EntityManager } from 'typeorm';
import {
  addDuration,
  subtractDuration,
  forUpdate,
  Topics,
  type EventEnvelope,
  type ServiceRuntime,
  type UnitOfWork,
} from '@loyalty/platform';
import { ReferralCodeRow } from '../codes/referral-code.entity';
import type { ReferralCodeService } from '../codes/referral-code.service';
import { ReferralGrantRow } from '../grants/grant.entity';
import { addGrants, type NewGrant } from '../grants/grant.service';
import type { ReferralsConfig } from '../config';
import { ReferralRow, type RejectionReasonValue } from './referral.entity';
import {
  capReached,
  grantKey,
  purchaseQualifies,
  refundReverses,
  textField,
  wholeField,
} from './referral.rules';

type Logger = ServiceRuntime['logger'];

/**
 * Rewards on purchase events: qualification (REWARDED exactly once per invitee, or REJECTED at
 * the cap) with the grants it owes, and their reversal when the qualifying purchase is refunded.
 */
export class ReferralRewardService {
  constructor(
    private readonly codes: ReferralCodeService,
    private readonly settings: ReferralsConfig,
    private readonly logger: Logger,
  ) {}

  /**
   * `purchase.recorded`: the invitee's first purchase at or above the minimum rewards both
   * sides, once. The REGISTERED → REWARDED transition is a conditional update, so of any number
   * of deliveries (or different purchases) racing, exactly one wins, on SQLite and MySQL alike;
   * the grants it owes are written in the same transaction.
   */
  async onPurchaseRecorded(
    event: EventEnvelope<typeof Topics.purchaseRecorded>,
    { manager, publish }: UnitOfWork,
  ): Promise<void> {
    const p = event.payload;
    const memberId = textField(p.memberId);
    const purchaseId = textField(p.purchaseId);
    const amount = wholeField(p.amount);
    if (!memberId || !purchaseId || amount === null) {
      this.logger.error({ eventId: event.id }, 'malformed purchase.recorded; ignored');
      return;
    }
    const occurredAt = new Date(textField(p.occurredAt) ?? event.occurredAt);
    await this.codes.markFirstPurchase(manager, memberId, occurredAt);
    // A locking read: on MySQL a plain read sees the transaction's first snapshot, taken before
    // a registration handled at the same moment (another stream) committed the referral; it
    // would miss the referral and its reward for good. The locking read sees the latest commit.
    const referral = await forUpdate(
      manager.createQueryBuilder(ReferralRow, 'r').where('r.inviteeId = :id', { id: memberId }),
    ).getOne();
    if (!referral || referral.status !== 'REGISTERED') return;
    if (!purchaseQualifies(amount, this.settings.minPurchaseAmount)) return;

    const now = new Date();
    if (this.settings.capPerPeriod > 0) {
      // Serialise the inviter's qualifications so the cap holds under concurrency (MySQL: a
      // row lock on the inviter's code; SQLite: transactions are serialised already).
      await forUpdate(
        manager
          .createQueryBuilder(ReferralCodeRow, 'c')
          .where('c.memberId = :id', { id: referral.inviterId }),
      ).getOne();
      const since = subtractDuration(now, this.settings.capPeriod);
      const counted = await forUpdate(
        manager
          .createQueryBuilder(ReferralRow, 'r')
          .select('r.id', 'id')
          .where('r.inviterId = :inviterId', { inviterId: referral.inviterId })
          .andWhere('r.status = :status', { status: 'REWARDED' })
          .andWhere('r.rewardedAt >= :since', { since }),
      ).getRawMany();
      if (capReached(counted.length, this.settings.capPerPeriod)) {
        await this.reject(manager, referral, 'CAP_REACHED', now);
        return;
      }
    }
    const { inviterPoints, inviteePoints } = this.settings;
    const won = await manager.update(
      ReferralRow,
      { id: referral.id, status: 'REGISTERED' },
      {
        status: 'REWARDED',
        rewardedAt: now,
        qualifyingPurchaseId: purchaseId,
        qualifyingMerchantId: textField(p.merchantId),
        qualifyingAmount: amount,
        qualifyingPurchaseAt: occurredAt,
        inviterPoints,
        inviteePoints,
        discountStatus: referral.discountAmount > 0 ? 'USED' : null,
        updatedAt: now,
      },
    );
    if (won.affected !== 1) return; // another delivery got there first
    const grants = (
      [
        ['inviter', referral.inviterId, inviterPoints],
        ['invitee', referral.inviteeId, inviteePoints],
      ] as const
    )
      .filter(([, , points]) => points > 0)
      .map(([role, beneficiary, points]): NewGrant => ({
        referralId: referral.id,
        memberId: beneficiary,
        role,
        operation: 'CREDIT',
        points,
        idempotencyKey: grantKey(referral.id, role, 'CREDIT'),
        reversesGrantId: null,
      }));
    await addGrants(manager, grants);
    await publish({
      topic: Topics.referralRewarded,
      key: referral.inviterId,
      payload: {
        referralId: referral.id,
        inviterId: referral.inviterId,
        inviteeId: referral.inviteeId,
        inviterPoints,
        inviteePoints,
        purchaseId,
      },
    });
  }

  private async reject(
    manager: EntityManager,
    referral: ReferralRow,
    reason: RejectionReasonValue,
    now: Date,
  ) {
    const done = await manager.update(
      ReferralRow,
      { id: referral.id, status: 'REGISTERED' },
      {
        status: 'REJECTED',
        rejectionReason: reason,
        discountStatus: referral.discountStatus ? 'VOID' : null,
        updatedAt: now,
      },
    );
    if (done.affected === 1) this.logger.info({ referralId: referral.id, reason }, 'referral rejected');
  }

  /**
   * `purchase.refunded`: a refund of the qualifying purchase within the window, leaving less
   * than the minimum, takes both rewards back (REVERSE grants, posted after their credits) and
   * rejects the referral for good, so refund-and-rebuy cannot earn a second reward.
   */
  async onPurchaseRefunded(
    event: EventEnvelope<typeof Topics.purchaseRefunded>,
    { manager, publish }: UnitOfWork,
  ): Promise<void> {
    const p = event.payload;
    const purchaseId = textField(p.purchaseId);
    const refundedTotal = wholeField(p.refundedTotal) ?? wholeField(p.amount);
    if (!purchaseId || refundedTotal === null) {
      this.logger.error({ eventId: event.id }, 'malformed purchase.refunded; ignored');
      return;
    }
    const referral = await manager.findOneBy(ReferralRow, {
      qualifyingPurchaseId: purchaseId,
      status: 'REWARDED',
    });
    if (!referral || referral.qualifyingAmount === null) return;
    const purchasedAt = referral.qualifyingPurchaseAt ?? referral.rewardedAt ?? new Date(0);
    const reverses = refundReverses({
      purchasedAt,
      refundedAt: new Date(event.occurredAt),
      windowEndsAt: addDuration(purchasedAt, this.settings.refundWindow),
      purchaseAmount: referral.qualifyingAmount,
      refundedTotal,
      fullyRefunded: p.fullyRefunded === true,
      minPurchaseAmount: this.settings.minPurchaseAmount,
    });
    if (!reverses) return;
    const now = new Date();
    const done = await manager.update(
      ReferralRow,
      { id: referral.id, status: 'REWARDED' },
      {
        status: 'REJECTED',
        rejectionReason: 'QUALIFYING_PURCHASE_REFUNDED',
        reversedAt: now,
        updatedAt: now,
      },
    );
    if (done.affected !== 1) return;
    const credits = await manager.findBy(ReferralGrantRow, { referralId: referral.id, operation: 'CREDIT' });
    await addGrants(
      manager,
      credits.map((credit) => ({
        referralId: referral.id,
        memberId: credit.memberId,
        role: credit.role,
        operation: 'REVERSE',
        points: credit.points,
        idempotencyKey: grantKey(referral.id, credit.role, 'REVERSE'),
        reversesGrantId: credit.id,
      })),
    );
    await publish({
      topic: Topics.referralReversed,
      key: referral.inviterId,
      payload: {
        referralId: referral.id,
        inviterId: referral.inviterId,
        inviteeId: referral.inviteeId,
        inviterPoints: referral.inviterPoints ?? 0,
        inviteePoints: referral.inviteePoints ?? 0,
        purchaseId,
        refundId: p.refundId,
      },
    });
  }
}
