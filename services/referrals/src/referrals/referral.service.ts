import { randomUUID } from 'node:crypto';
import { In, type EntityManager } from 'typeorm';
import type { ServiceRuntime } from '@loyalty/platform';

type Logger = ServiceRuntime['logger'];
import {
  alignToKeys,
  BadInputError,
  ConflictError,
  ForbiddenError,
  isUniqueViolation,
  requireAuthenticated,
  subtractDuration,
  addDuration,
  Topics,
  type EventEnvelope,
  type Principal,
  type Transactor,
  type UnitOfWork,
} from '@loyalty/platform';
import { ReferralCodeRow } from '../codes/referral-code.entity';
import { normalizeCode } from '../codes/referral-code';
import type { ReferralCodeService } from '../codes/referral-code.service';
import { forUpdate } from '../db';
import { ReferralGrantRow } from '../grants/grant.entity';
import { addGrants, type NewGrant } from '../grants/grant.service';
import type { ReferralSettings } from '../settings';
import { ReferralRow, type RejectionReasonValue } from './referral.entity';
import {
  attributionRefusal,
  capReached,
  grantKey,
  purchaseQualifies,
  refundReverses,
} from './referral.rules';

/** Topic of the event published when a refund takes referral rewards back. */

type AttributionResult =
  | { kind: 'recorded'; referral: ReferralRow }
  | { kind: 'already-referred'; referral: ReferralRow }
  | { kind: 'unknown-code' };

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null);

/**
 * Invitations and their lifecycle: attribution (REGISTERED or REJECTED), qualification
 * (REWARDED exactly once per invitee, or REJECTED at the cap) and reversal on refund.
 */
export class ReferralService {
  constructor(
    private readonly transactor: Transactor,
    private readonly codes: ReferralCodeService,
    private readonly settings: ReferralSettings,
    private readonly logger: Logger,
  ) {}

  // ---- attribution ---------------------------------------------------------------------------

  /** `member.registered`: every member gets a code; a sign-up code records the invitation. */
  async onMemberRegistered(
    event: EventEnvelope<typeof Topics.memberRegistered>,
    { manager }: UnitOfWork,
  ): Promise<void> {
    const memberId = str(event.payload.memberId);
    if (!memberId) {
      this.logger.error({ eventId: event.id }, 'member.registered without memberId; ignored');
      return;
    }
    const joinedAt = new Date(str(event.payload.joinedAt) ?? event.occurredAt);
    await this.codes.ensureIn(manager, memberId);
    const raw = str(event.payload.referralCode);
    if (!raw) return;
    const result = await this.attribute(manager, memberId, raw, 'registration', joinedAt);
    if (result.kind === 'unknown-code') {
      // Members checks the code before registering; only a code that vanished since gets here.
      this.logger.warn({ memberId, code: raw }, 'sign-up referral code unknown; no invitation recorded');
    }
  }

  /**
   * A member (or the operator for them) enters a friend's code after signing up without one.
   * Allowed once, and only before their first purchase.
   */
  async applyCode(
    principal: Principal | null,
    rawCode: string,
    memberId: string | null,
  ): Promise<ReferralRow> {
    const p = requireAuthenticated(principal);
    let inviteeId: string;
    if (p.role === 'member') {
      if (memberId && memberId !== p.sub)
        throw new ForbiddenError('A member may only apply a code for themself');
      inviteeId = p.sub;
    } else if (p.role === 'admin' || p.role === 'service') {
      if (!memberId)
        throw new BadInputError('memberId is required when the operator applies a code', 'memberId');
      inviteeId = memberId;
    } else {
      throw new ForbiddenError('Only the member or the operator may apply a referral code');
    }
    const code = normalizeCode(rawCode);
    if (!code) throw new BadInputError(`Unknown referral code ${rawCode}`, 'code');
    return this.transactor.run(async ({ manager }) => {
      const own = await manager.findOneBy(ReferralCodeRow, { memberId: inviteeId });
      if (own?.firstPurchaseAt) {
        throw new BadInputError('A referral code can only be applied before the first purchase', 'code');
      }
      const result = await this.attribute(manager, inviteeId, code, 'applied', new Date());
      if (result.kind === 'unknown-code') throw new BadInputError(`Unknown referral code ${rawCode}`, 'code');
      if (result.kind === 'already-referred') throw new ConflictError('This member already has a referral');
      return result.referral;
    });
  }

  private async attribute(
    manager: EntityManager,
    inviteeId: string,
    rawCode: string,
    source: 'registration' | 'applied',
    at: Date,
  ): Promise<AttributionResult> {
    const code = normalizeCode(rawCode);
    const owner = code ? await manager.findOneBy(ReferralCodeRow, { code }) : null;
    if (!code || !owner || owner.disabledAt) return { kind: 'unknown-code' };
    // Locking reads (MySQL): they see attributions committed meanwhile and lock the invitee
    // keys they look at, so two attributions that would close a loop together (A applies B's
    // code while B applies A's) conflict, and the retried one sees the other and is refused.
    const invitationOf = (memberId: string) =>
      forUpdate(
        manager.createQueryBuilder(ReferralRow, 'r').where('r.inviteeId = :memberId', { memberId }),
        manager,
      ).getOne();
    const existing = await invitationOf(inviteeId);
    if (existing) return { kind: 'already-referred', referral: existing };
    const refusal = await attributionRefusal(owner.memberId, inviteeId, async (memberId) => {
      const up = await invitationOf(memberId);
      return up && up.status !== 'REJECTED' ? up.inviterId : null;
    });
    const discount = this.settings.inviteeDiscount;
    const referral = manager.create(ReferralRow, {
      id: randomUUID(),
      inviterId: owner.memberId,
      inviteeId,
      code,
      status: refusal ? 'REJECTED' : 'REGISTERED',
      rejectionReason: refusal,
      source,
      registeredAt: at,
      rewardedAt: null,
      qualifyingPurchaseId: null,
      qualifyingMerchantId: null,
      qualifyingAmount: null,
      qualifyingPurchaseAt: null,
      inviterPoints: null,
      inviteePoints: null,
      reversedAt: null,
      discountAmount: refusal ? 0 : discount,
      discountStatus: !refusal && discount > 0 ? 'AVAILABLE' : null,
      updatedAt: new Date(),
    });
    try {
      await manager.insert(ReferralRow, referral);
    } catch (error) {
      // A concurrent attribution of the same invitee won: theirs stands.
      if (!isUniqueViolation(error)) throw error;
      const winner = await forUpdate(
        manager.createQueryBuilder(ReferralRow, 'r').where('r.inviteeId = :inviteeId', { inviteeId }),
        manager,
      ).getOne();
      if (!winner) throw error;
      return { kind: 'already-referred', referral: winner };
    }
    if (refusal)
      this.logger.info({ inviteeId, inviterId: owner.memberId, reason: refusal }, 'referral refused');
    return { kind: 'recorded', referral };
  }

  /** `member.erased`: the member's code is disabled; the trail keeps its pseudonymous ids. */
  async onMemberErased(
    event: EventEnvelope<typeof Topics.memberErased>,
    { manager }: UnitOfWork,
  ): Promise<void> {
    const memberId = str(event.payload.memberId);
    if (!memberId) return;
    await this.codes.disable(manager, memberId, new Date(str(event.payload.erasedAt) ?? event.occurredAt));
  }

  // ---- qualification -------------------------------------------------------------------------

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
    const memberId = str(p.memberId);
    const purchaseId = str(p.purchaseId);
    const amount = int(p.amount);
    if (!memberId || !purchaseId || amount === null) {
      this.logger.error({ eventId: event.id }, 'malformed purchase.recorded; ignored');
      return;
    }
    const occurredAt = new Date(str(p.occurredAt) ?? event.occurredAt);
    await this.codes.markFirstPurchase(manager, memberId, occurredAt);
    const referral = await manager.findOneBy(ReferralRow, { inviteeId: memberId });
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
        manager,
      ).getOne();
      const since = subtractDuration(now, this.settings.capPeriod);
      const counted = await forUpdate(
        manager
          .createQueryBuilder(ReferralRow, 'r')
          .select('r.id', 'id')
          .where('r.inviterId = :inviterId', { inviterId: referral.inviterId })
          .andWhere('r.status = :status', { status: 'REWARDED' })
          .andWhere('r.rewardedAt >= :since', { since }),
        manager,
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
        qualifyingMerchantId: str(p.merchantId),
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

  // ---- reversal ------------------------------------------------------------------------------

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
    const purchaseId = str(p.purchaseId);
    const refundedTotal = int(p.refundedTotal) ?? int(p.amount);
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

  // ---- reads (batched for DataLoaders) -------------------------------------------------------

  async byIds(ids: readonly string[]): Promise<(ReferralRow | null)[]> {
    const rows = await this.transactor.read((m) => m.findBy(ReferralRow, { id: In([...ids]) }));
    return alignToKeys(ids, rows, (r) => r.id);
  }

  async byInviteeIds(ids: readonly string[]): Promise<(ReferralRow | null)[]> {
    const rows = await this.transactor.read((m) => m.findBy(ReferralRow, { inviteeId: In([...ids]) }));
    return alignToKeys(ids, rows, (r) => r.inviteeId);
  }

  /** Each inviter's invitations, newest first. */
  async byInviterIds(ids: readonly string[]): Promise<ReferralRow[][]> {
    const rows = await this.transactor.read((m) =>
      m.find(ReferralRow, { where: { inviterId: In([...ids]) }, order: { registeredAt: 'DESC', id: 'ASC' } }),
    );
    const byInviter = new Map<string, ReferralRow[]>(ids.map((id) => [id, []]));
    for (const r of rows) byInviter.get(r.inviterId)?.push(r);
    return ids.map((id) => byInviter.get(id) ?? []);
  }

  async grantsByReferralIds(ids: readonly string[]): Promise<ReferralGrantRow[][]> {
    const rows = await this.transactor.read((m) =>
      m.find(ReferralGrantRow, {
        where: { referralId: In([...ids]) },
        order: { createdAt: 'ASC', id: 'ASC' },
      }),
    );
    const byReferral = new Map<string, ReferralGrantRow[]>(ids.map((id) => [id, []]));
    for (const g of rows) byReferral.get(g.referralId)?.push(g);
    return ids.map((id) => byReferral.get(id) ?? []);
  }
}
