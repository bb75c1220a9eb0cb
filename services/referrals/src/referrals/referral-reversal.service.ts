import {
  addDuration,
  forUpdate,
  Topics,
  type EventEnvelope,
  type ServiceRuntime,
  type UnitOfWork,
} from '@loyalty/platform';
import { lockEarlyPurchase, rememberEarlyRefund } from '../early/early-purchase.service';
import { ReferralGrantRow } from '../grants/grant.entity';
import { addGrants } from '../grants/grant.service';
import type { ReferralsConfig } from '../config';
import { ReferralRow } from './referral.entity';
import { lockReferralOf } from './referral.queries';
import { grantKey, refundReverses, textField, wholeField } from './referral.rules';

type Logger = ServiceRuntime['logger'];

/** A refund of a purchase, as its event tells it. */
interface Refund {
  purchaseId: string;
  refundId: string;
  /** Refunded so far, this refund included. */
  refundedTotal: number;
  fullyRefunded: boolean;
  refundedAt: Date;
}

/**
 * Refunds of qualifying purchases: both rewards taken back (REVERSE grants) and the referral
 * rejected for good when the refund says so; a refund of an early purchase kept for the
 * registration to refuse the referral ({@link ReferralRewardService.onReferralRecorded}).
 */
export class ReferralReversalService {
  constructor(
    private readonly settings: ReferralsConfig,
    private readonly logger: Logger,
  ) {}

  /**
   * `purchase.refunded`: a refund of the qualifying purchase within the window, leaving less
   * than the minimum, takes both rewards back (REVERSE grants, posted after their credits) and
   * rejects the referral for good, so refund-and-rebuy cannot earn a second reward. The same
   * refund of an early purchase (no referral yet) is kept, for the registration to refuse the
   * referral it would have qualified.
   */
  async onPurchaseRefunded(
    event: EventEnvelope<typeof Topics.purchaseRefunded>,
    uow: UnitOfWork,
  ): Promise<void> {
    const { manager } = uow;
    const p = event.payload;
    const purchaseId = textField(p.purchaseId);
    const refundedTotal = wholeField(p.refundedTotal) ?? wholeField(p.amount);
    if (!purchaseId || refundedTotal === null) {
      this.logger.error({ eventId: event.id }, 'malformed purchase.refunded; ignored');
      return;
    }
    const refund: Refund = {
      purchaseId,
      refundId: p.refundId,
      refundedTotal,
      fullyRefunded: p.fullyRefunded === true,
      refundedAt: new Date(event.occurredAt),
    };
    const referral = await manager.findOneBy(ReferralRow, {
      qualifyingPurchaseId: purchaseId,
      status: 'REWARDED',
    });
    if (referral) return this.reverse(uow, referral, refund);
    const memberId = textField(p.memberId);
    if (!memberId) return;
    const early = await lockEarlyPurchase(manager, memberId);
    if (!early || early.purchaseId !== purchaseId) return;
    if (!this.refundReverses(early.amount, early.purchasedAt, refund)) return;
    await rememberEarlyRefund(manager, {
      memberId,
      purchaseId,
      refundId: textField(refund.refundId),
      refundedTotal,
      refundedAt: refund.refundedAt,
    });
    // Written first, then looked again (as for the early purchase): a registration that
    // qualified the referral with this purchase meanwhile is seen here and reversed now.
    const now = await lockReferralOf(manager, memberId);
    if (now?.status === 'REWARDED' && now.qualifyingPurchaseId === purchaseId) {
      await this.reverse(uow, now, refund);
    }
  }

  /** Does this refund of a purchase take its referral rewards back? */
  private refundReverses(purchaseAmount: number, purchasedAt: Date, refund: Refund): boolean {
    return refundReverses({
      purchasedAt,
      refundedAt: refund.refundedAt,
      windowEndsAt: addDuration(purchasedAt, this.settings.refundWindow),
      purchaseAmount,
      refundedTotal: refund.refundedTotal,
      fullyRefunded: refund.fullyRefunded,
      minPurchaseAmount: this.settings.minPurchaseAmount,
    });
  }

  /** Takes a REWARDED referral's rewards back if the refund of its qualifying purchase says so. */
  private async reverse(
    { manager, publish }: UnitOfWork,
    referral: ReferralRow,
    refund: Refund,
  ): Promise<void> {
    if (referral.qualifyingAmount === null) return;
    const purchasedAt = referral.qualifyingPurchaseAt ?? referral.rewardedAt ?? new Date(0);
    if (!this.refundReverses(referral.qualifyingAmount, purchasedAt, refund)) return;
    const { purchaseId } = refund;
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
    // A locking read: the referral may have been rewarded after this transaction's first read
    // (a registration qualifying an early purchase, on another stream); on MySQL a plain read
    // would see that snapshot, find no credits and reverse nothing.
    const credits = await forUpdate(
      manager
        .createQueryBuilder(ReferralGrantRow, 'g')
        .where('g.referralId = :referralId', { referralId: referral.id })
        .andWhere('g.operation = :operation', { operation: 'CREDIT' }),
    ).getMany();
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
        refundId: refund.refundId,
      },
    });
  }
}
