import { randomUUID } from 'node:crypto';
import {
  BadInputError,
  ConflictError,
  forUpdate,
  isUniqueViolation,
  Topics,
  type EventEnvelope,
  type Principal,
  type ServiceRuntime,
  type Transactor,
  type UnitOfWork,
} from '@loyalty/platform';
import { ReferralCodeRow } from '../codes/referral-code.entity';
import { normalizeCode } from '../codes/referral-code.rules';
import type { ReferralCodeService } from '../codes/referral-code.service';
import { referralsPolicy } from '../policy';
import type { ReferralsConfig } from '../config';
import type { ReferralRewardService } from './referral-reward.service';
import { ReferralRow } from './referral.entity';
import { attributionRefusal, textField } from './referral.rules';

type Logger = ServiceRuntime['logger'];

type AttributionResult =
  | { kind: 'recorded'; referral: ReferralRow }
  | { kind: 'already-referred'; referral: ReferralRow }
  | { kind: 'unknown-code' };

/**
 * Invitations: attribution of a sign-up or an applied code (REGISTERED, or REJECTED with the
 * reason), and codes disabled when a member is erased.
 */
export class ReferralService {
  constructor(
    private readonly transactor: Transactor,
    private readonly codes: ReferralCodeService,
    private readonly rewards: ReferralRewardService,
    private readonly settings: ReferralsConfig,
    private readonly logger: Logger,
  ) {}

  // ---- attribution ---------------------------------------------------------------------------

  /** `member.registered`: every member gets a code; a sign-up code records the invitation. */
  async onMemberRegistered(
    event: EventEnvelope<typeof Topics.memberRegistered>,
    uow: UnitOfWork,
  ): Promise<void> {
    const { manager } = uow;
    const memberId = textField(event.payload.memberId);
    if (!memberId) {
      this.logger.error({ eventId: event.id }, 'member.registered without memberId; ignored');
      return;
    }
    const joinedAt = new Date(textField(event.payload.joinedAt) ?? event.occurredAt);
    await this.codes.ensureIn(manager, memberId);
    const raw = textField(event.payload.referralCode);
    if (!raw) return;
    const result = await this.attribute(uow, memberId, raw, 'registration', joinedAt);
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
    const inviteeId = referralsPolicy.applyCodeFor(principal, memberId);
    const code = normalizeCode(rawCode);
    if (!code) throw new BadInputError(`Unknown referral code ${rawCode}`, 'code');
    return this.transactor.run(async (uow) => {
      const { manager } = uow;
      const own = await manager.findOneBy(ReferralCodeRow, { memberId: inviteeId });
      if (own?.firstPurchaseAt) {
        throw new BadInputError('A referral code can only be applied before the first purchase', 'code');
      }
      const result = await this.attribute(uow, inviteeId, code, 'applied', new Date());
      if (result.kind === 'unknown-code') throw new BadInputError(`Unknown referral code ${rawCode}`, 'code');
      if (result.kind === 'already-referred') throw new ConflictError('This member already has a referral');
      return result.referral;
    });
  }

  private async attribute(
    uow: UnitOfWork,
    inviteeId: string,
    rawCode: string,
    source: 'registration' | 'applied',
    at: Date,
  ): Promise<AttributionResult> {
    const { manager } = uow;
    const code = normalizeCode(rawCode);
    const owner = code ? await manager.findOneBy(ReferralCodeRow, { code }) : null;
    if (!code || !owner || owner.disabledAt) return { kind: 'unknown-code' };
    // Locking reads (MySQL): they see attributions committed meanwhile and lock the invitee
    // keys they look at, so two attributions that would close a loop together (A applies B's
    // code while B applies A's) conflict, and the retried one sees the other and is refused.
    const invitationOf = (memberId: string) =>
      forUpdate(
        manager.createQueryBuilder(ReferralRow, 'r').where('r.inviteeId = :memberId', { memberId }),
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
      ).getOne();
      if (!winner) throw error;
      return { kind: 'already-referred', referral: winner };
    }
    if (refusal)
      this.logger.info({ inviteeId, inviterId: owner.memberId, reason: refusal }, 'referral refused');
    // The invitee's first purchase may have been handled already (it comes on another stream):
    // it qualifies the referral now, in this transaction.
    const settled = await this.rewards.onReferralRecorded(referral, uow);
    return { kind: 'recorded', referral: settled };
  }

  /** `member.erased`: the member's code is disabled; the trail keeps its pseudonymous ids. */
  async onMemberErased(
    event: EventEnvelope<typeof Topics.memberErased>,
    { manager }: UnitOfWork,
  ): Promise<void> {
    const memberId = textField(event.payload.memberId);
    if (!memberId) return;
    await this.codes.disable(
      manager,
      memberId,
      new Date(textField(event.payload.erasedAt) ?? event.occurredAt),
    );
  }
}
