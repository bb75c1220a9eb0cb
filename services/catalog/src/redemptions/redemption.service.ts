import {
  AppError,
  BadInputError,
  ConflictError,
  ForbiddenError,
  forUpdate,
  LimitReachedError,
  NotFoundError,
  OutOfStockError,
  PointKind,
  type Principal,
  type Transactor,
  type UnitOfWork,
} from '@loyalty/platform';
import { isDefinite, type LedgerClient, type PointHold } from '../peers/ledger.client';
import type { MembersClient } from '../peers/members.client';
import { actorOf, assertCanRedeem, memberCodeToConsume, redeemingFor, requireRedeemer } from '../policy';
import { describeIneligibility, ineligibility } from '../rewards/eligibility.rules';
import { activePointsPrice, quote, type Quote } from '../rewards/pricing.rules';
import { RewardRow } from '../rewards/reward.entity';
import type { RewardQueries } from '../rewards/reward.queries';
import { RedemptionRow } from './redemption.entity';
import type { RedeemInput } from './redemption.input';
import type { RedemptionQueries } from './redemption.queries';
import {
  holdRequest,
  idempotencyKeyText,
  ledgerKey,
  payingKind,
  pendingRedemption,
  redeemQuantity,
  redemptionIdFor,
} from './redemption.rules';
import { MemberConsent } from './redemption.consent';
import { RedemptionRefusals } from './redemption.refusals';
import type { RedemptionSettlement } from './redemption.settlement';
import { cashOnCancel, RedemptionStatus } from './redemption.state';
import { moveRedemption, recordTransition, restock } from './redemption.transitions';

/** Test seams: where a test may interrupt the saga as a crash would. */
export interface SagaHooks {
  /** Runs after the ledger placed the hold, before anything else is recorded. */
  afterHold?: (redemption: RedemptionRow) => Promise<void>;
}

/**
 * The redemption saga (C5): reserve (PENDING + stock + limits, one transaction) → ledger hold →
 * capture → CONFIRMED → FULFILLED. A definite refusal cancels and returns the stock; a cancellation
 * that overtakes the saga is settled by the saga itself. Every ledger call is keyed by the
 * redemption id, so any step can be replayed (by a retried request or the recovery sweeper).
 */
export class RedemptionService {
  hooks: SagaHooks = {};
  private readonly refusals: RedemptionRefusals;
  private readonly consent: MemberConsent;

  constructor(
    private readonly transactor: Transactor,
    private readonly ledger: LedgerClient,
    private readonly members: MembersClient,
    private readonly rewards: RewardQueries,
    private readonly queries: RedemptionQueries,
    private readonly settlement: RedemptionSettlement,
    private readonly holdTtlSeconds: number,
  ) {
    this.refusals = new RedemptionRefusals(transactor);
    this.consent = new MemberConsent(members);
  }

  async redeem(input: RedeemInput, principal: Principal | null): Promise<RedemptionRow> {
    const p = requireRedeemer(principal);
    const key = idempotencyKeyText(input.idempotencyKey);
    const quantity = redeemQuantity(input.quantity);
    const memberId = redeemingFor(p, input.memberId);
    if (!memberId) throw new BadInputError('memberId is required when redeeming for a member', 'memberId');
    const memberCode = memberCodeToConsume(p, input.memberCode);
    const requestedBy = actorOf(p);
    const request = { rewardId: input.rewardId, memberId, quantity, pointKind: input.pointKind ?? null };
    // Independent reads in parallel (the member's tier is a call to the members subgraph).
    const [previous, refused, reward, [member], [rules]] = await Promise.all([
      this.queries.byRequest(requestedBy, key),
      this.refusals.find(requestedBy, key),
      this.rewards.find(input.rewardId),
      this.members.tiers([memberId]),
      this.rewards.currentRules([input.rewardId]),
    ]);
    if (previous) return this.replay(previous, request, requestedBy);
    if (refused) throw this.refusals.replayOf(refused, request);
    if (!reward) throw new NotFoundError('Reward', input.rewardId);
    assertCanRedeem(p, reward);
    if (!reward.active) throw new BadInputError('This reward is no longer offered', 'rewardId');
    const pointKind = payingKind(reward, input.pointKind ?? null);
    if (!member) throw new NotFoundError('Member', memberId);
    const chosen = reward.personal
      ? (await this.rewards.chosen([{ rewardId: reward.id, memberId }]))[0]
      : false;
    const why = ineligibility(reward, { tier: member.tier, chosen });
    if (why) throw new ForbiddenError(describeIneligibility(why, reward));
    // Last check before anything is written: the member's consent is spent only on a
    // redemption that may go ahead, and given back if it is refused after all.
    const consent = memberCode
      ? { code: memberCode, memberId, usedFor: `catalog:redeem:${requestedBy}:${key}` }
      : null;
    if (consent) await this.consent.spend(consent);

    // The points are held inside the transaction that records the redemption: a redemption the
    // ledger refuses (not enough points) rolls back — no redemption, no status event, the stock
    // untouched — and only its refusal is kept, for a replay of the key. If the ledger does not
    // answer, the redemption commits PENDING and the saga (a retry, or the recovery sweeper) asks
    // again under the same hold key (the id is derived from the request, so a transaction the
    // database retries asks for the same hold too).
    const price = quote(
      activePointsPrice(reward.listPointsPrice, rules, new Date()),
      reward.cashPrice,
      quantity,
    );
    const args = {
      reward,
      price,
      quantity,
      memberId,
      requestedBy,
      key,
      pointKind,
      id: redemptionIdFor(requestedBy, key),
    };
    let row: RedemptionRow;
    try {
      row = await this.transactor.run(async (uow) => {
        const pending = await this.reserve(uow, args);
        try {
          const hold = await this.holdNow(pending);
          if (hold.status === 'RELEASED' || hold.status === 'EXPIRED')
            throw new ConflictError(
              'The points hold for this request lapsed; send the redemption again with a new key',
            );
        } catch (error) {
          if (isDefinite(error)) throw error;
        }
        return pending;
      });
    } catch (error) {
      // The same request raced itself: the first one wins, this one replays it.
      const first = await this.queries.byRequest(requestedBy, key);
      if (first) return this.replay(first, request, requestedBy);
      // Refused: nothing was written, so the member's code is given back; the refusal is kept
      // for a replay of the key.
      if (consent) await this.consent.giveBack(consent);
      if (error instanceof AppError) await this.refusals.remember({ requestedBy, key }, request, error);
      throw error;
    }
    try {
      return await this.advance(row, requestedBy);
    } catch (error) {
      // A definite refusal (not enough points) ends this redemption; an outage leaves it PENDING
      // for a retry or the sweeper, which still needs the consent it was given.
      if (consent && isDefinite(error)) await this.consent.giveBack(consent);
      throw error;
    }
  }

  /** Step 1, one transaction: limits, stock, the PENDING row and its first transition. */
  private async reserve(
    uow: UnitOfWork,
    args: {
      reward: RewardRow;
      price: Quote;
      id: string;
      quantity: number;
      memberId: string;
      requestedBy: string;
      key: string;
      pointKind: PointKind;
    },
  ): Promise<RedemptionRow> {
    const { manager } = uow;
    const { quantity, memberId } = args;
    // Redemptions of one reward queue on its row (MySQL); SQLite transactions are serialized anyway.
    const reward = await forUpdate(
      manager.createQueryBuilder(RewardRow, 'r').where('r.id = :id', { id: args.reward.id }),
    ).getOne();
    if (!reward?.active) throw new BadInputError('This reward is no longer offered', 'rewardId');
    const now = new Date();
    const price = args.price;
    if (reward.perMemberLimit !== null) {
      const used = await manager
        .createQueryBuilder(RedemptionRow, 'x')
        .select('COALESCE(SUM(x.quantity), 0)', 'used')
        .where('x.rewardId = :rewardId AND x.memberId = :memberId AND x.status <> :cancelled', {
          rewardId: reward.id,
          memberId,
          cancelled: RedemptionStatus.CANCELLED,
        })
        .getRawOne<{ used: string | number }>();
      const already = Number(used?.used ?? 0);
      if (already + quantity > reward.perMemberLimit) {
        throw new LimitReachedError(
          `At most ${reward.perMemberLimit} per member; ${already} already redeemed, ${quantity} more asked`,
        );
      }
    }
    if (reward.stock !== null) {
      const taken = await manager
        .createQueryBuilder()
        .update(RewardRow)
        .set({ stock: () => 'stock - :q', updatedAt: now })
        .where('id = :id AND stock >= :q', { id: reward.id, q: quantity })
        .execute();
      if (!taken.affected) throw new OutOfStockError(`Only ${reward.stock} left of ${reward.name}`);
    }
    const row = manager.create(RedemptionRow, pendingRedemption({ ...args, reward, price, at: now }));
    await manager.insert(RedemptionRow, row);
    await recordTransition(uow, row, null, RedemptionStatus.PENDING, {
      actor: args.requestedBy,
      reason: 'Redemption requested',
      at: now,
    });
    return row;
  }

  /** A retried request: the first redemption, resumed if its saga was interrupted. */
  private async replay(
    row: RedemptionRow,
    request: { rewardId: string; memberId: string; quantity: number; pointKind: PointKind | null },
    actor: string,
  ): Promise<RedemptionRow> {
    if (
      row.rewardId !== request.rewardId ||
      row.memberId !== request.memberId ||
      row.quantity !== request.quantity ||
      (request.pointKind !== null && row.pointKind !== request.pointKind)
    ) {
      throw new ConflictError('This idempotencyKey was already used for a different redemption');
    }
    return row.status === RedemptionStatus.PENDING ? this.advance(row, actor) : row;
  }

  /**
   * Steps 2 and 3 for a PENDING redemption: hold, capture, confirm. Safe to run again at any
   * point (the ledger replays keyed calls); a definite refusal cancels and returns the stock, an
   * outage leaves the redemption PENDING for a retry or the sweeper.
   */
  async advance(row: RedemptionRow, actor: string): Promise<RedemptionRow> {
    if (row.status !== RedemptionStatus.PENDING) return row;
    let hold: PointHold;
    try {
      hold = await this.holdNow(row);
    } catch (error) {
      if (isDefinite(error)) await this.failPending(row, `Points could not be held: ${error.message}`, actor);
      throw error;
    }
    await this.hooks.afterHold?.(row);
    if (hold.status === 'RELEASED' || hold.status === 'EXPIRED') {
      await this.failPending(row, 'The points hold lapsed before the order was confirmed', actor);
      throw new ConflictError('The redemption took too long and was cancelled; the points are back');
    }
    // Fence: record the hold only while still PENDING. If the redemption was cancelled meanwhile
    // (its settling may have found no hold yet), this saga gives back what it took itself.
    const recorded = await this.transactor.run(({ manager }) =>
      manager.update(RedemptionRow, { id: row.id, status: RedemptionStatus.PENDING }, { holdId: hold.id }),
    );
    if (!recorded.affected) return this.afterRace(row.id, hold.id, hold.status === 'CAPTURED');
    if (hold.status === 'HELD') await this.capture(row, hold.id, actor);
    const at = new Date();
    const confirmed = await this.transactor.run((uow) =>
      moveRedemption(
        uow,
        row,
        RedemptionStatus.CONFIRMED,
        { actor, reason: 'Points captured', at },
        { holdId: hold.id, captured: true },
      ),
    );
    if (!confirmed) return this.afterRace(row.id, hold.id, true);
    return { ...row, status: RedemptionStatus.CONFIRMED, holdId: hold.id, captured: true, updatedAt: at };
  }

  /**
   * Captures the hold. A concurrent run of this saga (the same request twice, or the sweeper)
   * captures with the same key, which the ledger answers as one capture (ledger contract).
   */
  private async capture(row: RedemptionRow, holdId: string, actor: string): Promise<void> {
    try {
      await this.ledger.capture(holdId, ledgerKey(row, 'capture'));
    } catch (error) {
      if (!isDefinite(error)) throw error;
      await this.failPending(row, `Points could not be captured: ${error.message}`, actor);
      throw error;
    }
  }

  private holdNow(row: RedemptionRow): Promise<PointHold> {
    return this.ledger.hold(holdRequest(row, this.holdTtlSeconds));
  }

  /**
   * Another actor moved the redemption while this saga ran: another run of the saga confirmed it
   * (nothing to do), or it was cancelled (this run gives back what it took).
   */
  private async afterRace(id: string, holdId: string, captured: boolean): Promise<RedemptionRow> {
    const current = await this.queries.require(id);
    if (current.status !== RedemptionStatus.CANCELLED) return current;
    return this.settlement.giveBack(id, holdId, captured);
  }

  /** PENDING → CANCELLED when the ledger refused: nothing is held, the stock goes back. */
  private async failPending(row: RedemptionRow, reason: string, actor: string): Promise<void> {
    await this.transactor.run(async (uow) => {
      const moved = await moveRedemption(
        uow,
        row,
        RedemptionStatus.CANCELLED,
        { actor, reason, at: new Date() },
        { cancelReason: reason, ...cashOnCancel(row) },
      );
      if (moved) await restock(uow.manager, row);
    });
  }
}
