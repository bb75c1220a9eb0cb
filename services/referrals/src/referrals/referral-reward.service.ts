import type { EntityManager } from 'typeorm';
import {
  forUpdate,
  subtractDuration,
  Topics,
  type EventEnvelope,
  type ServiceRuntime,
  type Transactor,
  type UnitOfWork,
} from '@loyalty/platform';
import { ReferralCodeRow } from '../codes/referral-code.entity';
import type { ReferralCodeService } from '../codes/referral-code.service';
import {
  lockEarlyPurchase,
  lockEarlyRefund,
  memberPurchaseState,
  memberPurchaseStates,
  rememberEarlyPurchase,
} from '../early/early-purchase.service';
import { addGrants, type NewGrant } from '../grants/grant.service';
import type { ReferralsConfig } from '../config';
import { ReferralRow, type RejectionReasonValue } from './referral.entity';
import { lockReferralOf } from './referral.queries';
import {
  capReached,
  grantKey,
  purchaseQualifies,
  purchaseSettles,
  textField,
  wholeField,
} from './referral.rules';

type Logger = ServiceRuntime['logger'];

/** The purchase a referral is qualified with. */
interface QualifyingPurchase {
  purchaseId: string;
  merchantId: string | null;
  /** Minor units. */
  amount: number;
  occurredAt: Date;
}

/**
 * Rewards on purchase events: qualification (REWARDED exactly once per invitee, or REJECTED at
 * the cap) with the grants it owes. Refunds are `ReferralReversalService`'s.
 */
export class ReferralRewardService {
  constructor(
    private readonly transactor: Transactor,
    private readonly codes: ReferralCodeService,
    private readonly settings: ReferralsConfig,
    private readonly logger: Logger,
  ) {}

  /**
   * The purchase consumer's `relevant`, for a delivery's events at once (one read): false for a
   * purchase of a member whose referral story it can no longer change (`purchaseSettles`: most
   * purchases, every one after a member's first), which then costs a share of one read instead of
   * a transaction, an inbox row and three reads. Refunds are always handled.
   */
  async relevant(
    events: readonly EventEnvelope<typeof Topics.purchaseRecorded | typeof Topics.purchaseRefunded>[],
  ): Promise<boolean[]> {
    const memberOf = (event: (typeof events)[number]) =>
      event.topic === Topics.purchaseRecorded ? textField(event.payload.memberId) : null;
    const members = events.map(memberOf).filter((id): id is string => !!id);
    // Every member given has a state (no statement at all when there is none).
    const states = await this.transactor.read((m) => memberPurchaseStates(m, members));
    return events.map((event) => {
      const memberId = memberOf(event);
      // A refund, or a malformed purchase (handle logs it): handled.
      return !memberId || !purchaseSettles(states.get(memberId)!);
    });
  }

  /**
   * `purchase.recorded`: the invitee's first purchase at or above the minimum rewards both
   * sides, once. The REGISTERED → REWARDED transition is a conditional update, so of any number
   * of deliveries (or different purchases) racing, exactly one wins, on SQLite and MySQL alike;
   * the grants it owes are written in the same transaction. A qualifying purchase of a member
   * with no referral yet is kept (`referral_early_purchases`): their registration, handled from
   * another stream, may come after it and qualifies the referral with it then.
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
    const purchase: QualifyingPurchase = {
      purchaseId,
      merchantId: textField(p.merchantId),
      amount,
      occurredAt: new Date(textField(p.occurredAt) ?? event.occurredAt),
    };
    const state = await memberPurchaseState(manager, memberId);
    await this.codes.markFirstPurchase(manager, memberId, purchase.occurredAt, state.code);
    let referral = await lockReferralOf(manager, memberId);
    if (!referral) {
      if (state.earlyPurchaseKept || !purchaseQualifies(amount, this.settings.minPurchaseAmount)) return;
      await rememberEarlyPurchase(manager, {
        memberId,
        purchaseId,
        merchantId: purchase.merchantId,
        amount,
        purchasedAt: purchase.occurredAt,
      });
      // Written first, then looked again (the registration does the same the other way round:
      // referral first, then this row, both with locking reads): of two racing, one sees the
      // other's write, whatever the isolation level (under READ COMMITTED the first read takes
      // no gap lock that would hold the registration back). Once per member.
      referral = await lockReferralOf(manager, memberId);
      if (!referral) return;
    }
    await this.qualify(manager, publish, referral, purchase, false);
  }

  /**
   * A referral just recorded as REGISTERED (sign-up or applied code), in the same transaction: a
   * qualifying purchase of the invitee handled before it (`referral_early_purchases`) qualifies it
   * now, exactly as the purchase would have had the referral been there (same cap, same
   * transition, same grants and keys, so a purchase delivered again can never pay twice). If that
   * purchase was refunded meanwhile in a way that takes the reward back, the referral is refused
   * for it instead (QUALIFYING_PURCHASE_REFUNDED): nothing is paid only to be reversed.
   * Resolves to the referral as it now stands.
   */
  async onReferralRecorded(referral: ReferralRow, { manager, publish }: UnitOfWork): Promise<ReferralRow> {
    if (referral.status !== 'REGISTERED') return referral;
    // Locking reads: they see (and wait for) a purchase or refund committed meanwhile on the
    // other stream; the purchase side looks for this referral the same way after its write.
    const early = await lockEarlyPurchase(manager, referral.inviteeId);
    if (!early) return referral;
    const refunded = await lockEarlyRefund(manager, referral.inviteeId);
    await this.qualify(
      manager,
      publish,
      referral,
      {
        purchaseId: early.purchaseId,
        merchantId: early.merchantId,
        amount: early.amount,
        occurredAt: early.purchasedAt,
      },
      refunded !== null && refunded.purchaseId === early.purchaseId,
    );
    return (await manager.findOneBy(ReferralRow, { id: referral.id })) ?? referral;
  }

  /**
   * Qualifies a REGISTERED referral with the invitee's purchase: REWARDED with the grants both
   * sides are owed, or REJECTED at the inviter's cap. `refunded`: the purchase was already
   * refunded in a way that reverses the reward (an early purchase only), so the referral is
   * refused for it where it would have been rewarded.
   */
  private async qualify(
    manager: EntityManager,
    publish: UnitOfWork['publish'],
    referral: ReferralRow,
    purchase: QualifyingPurchase,
    refunded: boolean,
  ): Promise<void> {
    if (referral.status !== 'REGISTERED') return;
    if (!purchaseQualifies(purchase.amount, this.settings.minPurchaseAmount)) return;
    const { purchaseId, amount } = purchase;

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
    if (refunded) {
      await this.reject(manager, referral, 'QUALIFYING_PURCHASE_REFUNDED', now, purchase);
      return;
    }
    const { inviterPoints, inviteePoints } = this.settings;
    const won = await manager.update(
      ReferralRow,
      { id: referral.id, status: 'REGISTERED' },
      {
        status: 'REWARDED',
        rewardedAt: now,
        qualifyingPurchaseId: purchaseId,
        qualifyingMerchantId: purchase.merchantId,
        qualifyingAmount: amount,
        qualifyingPurchaseAt: purchase.occurredAt,
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
    purchase?: QualifyingPurchase,
  ) {
    const done = await manager.update(
      ReferralRow,
      { id: referral.id, status: 'REGISTERED' },
      {
        status: 'REJECTED',
        rejectionReason: reason,
        // The purchase it was refused for, for the trail (no reward: rewardedAt stays null).
        ...(purchase && {
          qualifyingPurchaseId: purchase.purchaseId,
          qualifyingMerchantId: purchase.merchantId,
          qualifyingAmount: purchase.amount,
          qualifyingPurchaseAt: purchase.occurredAt,
        }),
        discountStatus: referral.discountStatus ? 'VOID' : null,
        updatedAt: now,
      },
    );
    if (done.affected === 1) this.logger.info({ referralId: referral.id, reason }, 'referral rejected');
  }
}
