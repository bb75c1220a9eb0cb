import { randomUUID } from 'node:crypto';
import { In, type EntityManager } from 'typeorm';
import {
  alignToKeys,
  BadInputError,
  ConflictError,
  ForbiddenError,
  isUniqueViolation,
  LimitReachedError,
  NotFoundError,
  OutOfStockError,
  PointKind,
  requireRole,
  Topics,
  type Database,
  type Principal,
  type ServiceRuntime,
  type Transactor,
  type UnitOfWork,
} from '@loyalty/platform';
import type { CatalogConfig } from '../config';
import { isDefinite, type LedgerClient, type PointHold } from '../peers/ledger.client';
import type { MembersClient } from '../peers/members.client';
import { describeIneligibility, ineligibility } from '../rewards/eligibility.rules';
import { activePointsPrice, quote } from '../rewards/pricing.rules';
import { RewardRow } from '../rewards/reward.entity';
import type { RewardService } from '../rewards/reward.service';
import { RedemptionRow } from './redemption.entity';
import { compensationFor, mayCancel, RedemptionStatus, restocks, type Canceller } from './redemption.state';
import { RedemptionTransitionRow } from './transition.entity';

export interface RedeemRequest {
  rewardId: string;
  memberId?: string | null;
  quantity?: number | null;
  idempotencyKey: string;
  pointKind?: PointKind | null;
}

/** Test seams: where a test may interrupt the saga as a crash would. */
export interface SagaHooks {
  /** Runs after the ledger placed the hold, before anything else is recorded. */
  afterHold?: (redemption: RedemptionRow) => Promise<void>;
}

const MAX_QUANTITY = 10_000;
const RECOVERY = 'system:recovery';
/** How many cancelled redemptions a delisting settles before answering. */
const INLINE_SETTLEMENTS = 25;
const OPEN = [RedemptionStatus.PENDING, RedemptionStatus.CONFIRMED];

/** `member:<id>`, `partner:<merchantId>`, `admin:<sub>`: who did something, for the trail. */
export function actorOf(p: Principal): string {
  return `${p.role}:${p.role === 'partner' ? p.merchantId : p.sub}`;
}

/** The kind of points that pays (C2): GREEN rewards green only; others their kind, or GREEN if accepted. */
export function payingKind(
  reward: Pick<RewardRow, 'pointKind' | 'acceptsAnyKind'>,
  asked: PointKind | null,
): PointKind {
  const own = reward.pointKind as PointKind;
  if (asked === null || asked === own) return own;
  if (reward.acceptsAnyKind) return asked;
  throw new BadInputError(`This reward takes ${own} points only`, 'pointKind');
}

function reasonText(value: string): string {
  const t = value.trim();
  if (!t || t.length > 500) throw new BadInputError('reason must be 1 to 500 characters', 'reason');
  return t;
}

/**
 * The redemption saga (C5, C6): reserve (PENDING + stock + limits, one transaction) → ledger hold →
 * capture → CONFIRMED → FULFILLED, or CANCELLED with the hold released / the capture restored and,
 * when the operator is at fault, compensation. Every ledger call is keyed by the redemption id,
 * so any step can be replayed (by a retried request or the recovery sweeper) with one effect.
 */
export class RedemptionService {
  hooks: SagaHooks = {};

  constructor(
    private readonly transactor: Transactor,
    private readonly dbKind: Database['kind'],
    private readonly ledger: LedgerClient,
    private readonly members: MembersClient,
    private readonly rewards: RewardService,
    private readonly config: CatalogConfig,
    private readonly logger: ServiceRuntime['logger'],
  ) {}

  // ---- redeem ---------------------------------------------------------------------------

  async redeem(input: RedeemRequest, principal: Principal | null): Promise<RedemptionRow> {
    const p = requireRole(principal, 'member', 'partner', 'admin');
    const key = input.idempotencyKey.trim();
    if (!key || key.length > 200)
      throw new BadInputError('idempotencyKey must be 1 to 200 characters', 'idempotencyKey');
    const quantity = input.quantity ?? 1;
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
      throw new BadInputError(`quantity must be a whole number from 1 to ${MAX_QUANTITY}`, 'quantity');
    }
    let memberId: string;
    if (p.role === 'member') {
      if (input.memberId && input.memberId !== p.sub)
        throw new ForbiddenError('A member redeems only for themself');
      memberId = p.sub;
    } else {
      if (!input.memberId)
        throw new BadInputError('memberId is required when redeeming for a member', 'memberId');
      memberId = input.memberId;
    }
    const requestedBy = actorOf(p);
    const request = { rewardId: input.rewardId, memberId, quantity, pointKind: input.pointKind ?? null };
    // Independent reads in parallel (the member's tier is a call to the members subgraph).
    const [previous, reward, [member], [rules]] = await Promise.all([
      this.byRequest(requestedBy, key),
      this.rewards.find(input.rewardId),
      this.members.tiers([memberId]),
      this.rewards.currentRules([input.rewardId]),
    ]);
    if (previous) return this.replay(previous, request, requestedBy);
    if (!reward) throw new NotFoundError('Reward', input.rewardId);
    if (p.role === 'partner' && reward.merchantId !== p.merchantId) {
      throw new ForbiddenError("A partner redeems only its own merchant's rewards");
    }
    if (!reward.active) throw new BadInputError('This reward is no longer offered', 'rewardId');
    const pointKind = payingKind(reward, input.pointKind ?? null);
    if (!member) throw new NotFoundError('Member', memberId);
    const chosen = reward.personal
      ? (await this.rewards.chosen([{ rewardId: reward.id, memberId }]))[0]
      : false;
    const why = ineligibility(reward, { tier: member.tier, chosen });
    if (why) throw new ForbiddenError(describeIneligibility(why, reward));

    let row: RedemptionRow;
    try {
      row = await this.transactor.run((uow) =>
        this.reserve(uow.manager, uow.publish, {
          reward,
          rules,
          quantity,
          memberId,
          requestedBy,
          key,
          pointKind,
        }),
      );
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // The same request raced itself: the first one wins, this one replays it.
      const first = await this.byRequest(requestedBy, key);
      if (!first) throw error;
      return this.replay(first, request, requestedBy);
    }
    return this.advance(row, requestedBy);
  }

  /** Step 1, one transaction: limits, stock, the PENDING row and its first transition. */
  private async reserve(
    manager: EntityManager,
    publish: UnitOfWork['publish'],
    args: {
      reward: RewardRow;
      rules: { pointsPrice: number; startsAt: Date; endsAt: Date }[];
      quantity: number;
      memberId: string;
      requestedBy: string;
      key: string;
      pointKind: PointKind;
    },
  ): Promise<RedemptionRow> {
    const { quantity, memberId } = args;
    // Redemptions of one reward queue on its row (MySQL); SQLite transactions are serialized anyway.
    const qb = manager.createQueryBuilder(RewardRow, 'r').where('r.id = :id', { id: args.reward.id });
    if (this.dbKind === 'mysql') qb.setLock('pessimistic_write');
    const reward = await qb.getOne();
    if (!reward?.active) throw new BadInputError('This reward is no longer offered', 'rewardId');
    const now = new Date();
    const price = quote(
      activePointsPrice(reward.listPointsPrice, args.rules, now),
      reward.cashPrice,
      quantity,
    );
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
    const row = manager.create(RedemptionRow, {
      id: randomUUID(),
      rewardId: reward.id,
      rewardName: reward.name,
      memberId,
      merchantId: reward.merchantId,
      quantity,
      unitPoints: price.unitPoints,
      points: price.points,
      pointKind: args.pointKind,
      cashAmount: price.cashAmount,
      status: RedemptionStatus.PENDING,
      requestedBy: args.requestedBy,
      idempotencyKey: args.key,
      holdId: null,
      captured: false,
      settlementDue: false,
      compensationPoints: 0,
      cancelReason: null,
      createdAt: now,
      updatedAt: now,
    });
    await manager.insert(RedemptionRow, row);
    await this.record(
      manager,
      publish,
      row,
      null,
      RedemptionStatus.PENDING,
      args.requestedBy,
      'Redemption requested',
      now,
    );
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
      hold = await this.ledger.hold(this.holdRequest(row));
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
    if (hold.status === 'HELD') {
      try {
        await this.ledger.capture(hold.id, this.ledgerKey(row, 'capture'));
      } catch (error) {
        if (isDefinite(error))
          await this.failPending(row, `Points could not be captured: ${error.message}`, actor);
        throw error;
      }
    }
    const confirmed = await this.transactor.run(async ({ manager, publish }) => {
      const now = new Date();
      const result = await manager.update(
        RedemptionRow,
        { id: row.id, status: RedemptionStatus.PENDING },
        { status: RedemptionStatus.CONFIRMED, holdId: hold.id, captured: true, updatedAt: now },
      );
      if (!result.affected) return null;
      await this.record(
        manager,
        publish,
        row,
        RedemptionStatus.PENDING,
        RedemptionStatus.CONFIRMED,
        actor,
        'Points captured',
        now,
      );
      return now;
    });
    if (!confirmed) return this.afterRace(row.id, hold.id, true);
    return {
      ...row,
      status: RedemptionStatus.CONFIRMED,
      holdId: hold.id,
      captured: true,
      updatedAt: confirmed,
    };
  }

  /**
   * Another actor moved the redemption while this saga ran: another run of the saga confirmed it
   * (nothing to do), or it was cancelled (this run gives back what it took).
   */
  private async afterRace(id: string, holdId: string, captured: boolean): Promise<RedemptionRow> {
    const current = await this.require(id);
    if (current.status !== RedemptionStatus.CANCELLED) return current;
    return this.giveBack(id, holdId, captured);
  }

  /**
   * The saga holds or captured points for a redemption that was cancelled while it ran: mark it
   * unsettled again with what is known, and settle (release or restore; keyed, so a settling that
   * already ran is not repeated).
   */
  private async giveBack(id: string, holdId: string, captured: boolean): Promise<RedemptionRow> {
    const row = await this.transactor.run(async ({ manager }) => {
      await manager.update(
        RedemptionRow,
        { id },
        { holdId, settlementDue: true, updatedAt: new Date(), ...(captured ? { captured } : {}) },
      );
      return manager.findOneByOrFail(RedemptionRow, { id });
    });
    await this.settleQuietly(row);
    return this.require(id);
  }

  /** PENDING → CANCELLED when the ledger refused: nothing is held, the stock goes back. */
  private async failPending(row: RedemptionRow, reason: string, actor: string): Promise<void> {
    await this.transactor.run(async ({ manager, publish }) => {
      const now = new Date();
      const result = await manager.update(
        RedemptionRow,
        { id: row.id, status: RedemptionStatus.PENDING },
        { status: RedemptionStatus.CANCELLED, cancelReason: reason, updatedAt: now },
      );
      if (!result.affected) return;
      await this.restock(manager, row);
      await this.record(
        manager,
        publish,
        row,
        RedemptionStatus.PENDING,
        RedemptionStatus.CANCELLED,
        actor,
        reason,
        now,
      );
    });
  }

  // ---- cancel, fulfil, delist -----------------------------------------------------------

  async cancel(
    id: string,
    reason: string,
    principal: Principal | null,
    compensate?: boolean | null,
  ): Promise<RedemptionRow> {
    const p = requireRole(principal, 'member', 'partner', 'admin');
    const why = reasonText(reason);
    await this.requireVisible(id, p);
    const by: Canceller = p.role === 'member' ? 'member' : p.role === 'partner' ? 'merchant' : 'operator';
    if (by === 'member' && compensate)
      throw new ForbiddenError('Only the merchant or the operator grants compensation');
    const cancelled = await this.transactor.run(async ({ manager, publish }) => {
      // Decide on the current row, locked (MySQL): the saga may have moved it since it was read.
      const current = await this.locked(manager, id);
      if (current.status === RedemptionStatus.CANCELLED) return current;
      if (!mayCancel(current.status as RedemptionStatus, by)) {
        throw new ConflictError(
          current.status === RedemptionStatus.PENDING
            ? 'This redemption is still being processed; try again shortly'
            : `A ${current.status} redemption can no longer be cancelled by the member`,
        );
      }
      return this.cancelInTx(manager, publish, current, {
        reason: why,
        actor: actorOf(p),
        compensate: compensate ?? by !== 'member',
      });
    });
    await this.settleQuietly(cancelled);
    return this.require(id);
  }

  async fulfill(
    id: string,
    note: string | null | undefined,
    principal: Principal | null,
  ): Promise<RedemptionRow> {
    const p = requireRole(principal, 'partner', 'admin');
    const row = await this.requireVisible(id, p);
    if (row.status !== RedemptionStatus.CONFIRMED)
      throw new ConflictError(`A ${row.status} redemption cannot be fulfilled`);
    return this.transactor.run(async ({ manager, publish }) => {
      const now = new Date();
      const result = await manager.update(
        RedemptionRow,
        { id, status: RedemptionStatus.CONFIRMED },
        { status: RedemptionStatus.FULFILLED, updatedAt: now },
      );
      if (!result.affected) throw new ConflictError('The redemption changed meanwhile; try again');
      const reason = note?.trim() ? reasonText(note) : 'Handed over';
      await this.record(
        manager,
        publish,
        row,
        RedemptionStatus.CONFIRMED,
        RedemptionStatus.FULFILLED,
        actorOf(p),
        reason,
        now,
      );
      return manager.findOneByOrFail(RedemptionRow, { id });
    });
  }

  /**
   * Withdraws a reward (C6): in one transaction it goes inactive and every open redemption is
   * cancelled with compensation owed; then the points go back and the compensation is credited
   * (the sweeper finishes whatever an outage interrupts).
   */
  async delist(rewardId: string, reason: string, principal: Principal | null): Promise<RewardRow> {
    const reward = await this.rewards.require(rewardId);
    const p = this.rewards.assertCanManage(principal, reward);
    const why = reasonText(reason);
    const cancelled = await this.transactor.run(async ({ manager, publish }) => {
      const now = new Date();
      await manager.update(RewardRow, { id: rewardId }, { active: false, delistReason: why, updatedAt: now });
      // Locked (MySQL) so a saga confirming one of them waits, then finds it cancelled.
      const qb = manager
        .createQueryBuilder(RedemptionRow, 'x')
        .where('x.rewardId = :rewardId AND x.status IN (:...open)', { rewardId, open: OPEN });
      if (this.dbKind === 'mysql') qb.setLock('pessimistic_write');
      const open = await qb.getMany();
      const rows: RedemptionRow[] = [];
      for (const row of open) {
        rows.push(
          await this.cancelInTx(manager, publish, row, {
            reason: `Reward delisted: ${why}`,
            actor: actorOf(p),
            compensate: true,
          }),
        );
      }
      return rows;
    });
    // The first ones now; a large backlog is left to the recovery sweeper rather than the request.
    for (const row of cancelled.slice(0, INLINE_SETTLEMENTS)) await this.settleQuietly(row);
    return this.rewards.require(rewardId);
  }

  private async locked(manager: EntityManager, id: string): Promise<RedemptionRow> {
    const qb = manager.createQueryBuilder(RedemptionRow, 'x').where('x.id = :id', { id });
    if (this.dbKind === 'mysql') qb.setLock('pessimistic_write');
    const row = await qb.getOne();
    if (!row) throw new NotFoundError('Redemption', id);
    return row;
  }

  private async cancelInTx(
    manager: EntityManager,
    publish: UnitOfWork['publish'],
    row: RedemptionRow,
    args: { reason: string; actor: string; compensate: boolean },
  ): Promise<RedemptionRow> {
    const now = new Date();
    const compensationPoints = args.compensate ? compensationFor(row.points, this.config.compensation) : 0;
    const result = await manager.update(
      RedemptionRow,
      { id: row.id, status: row.status },
      {
        status: RedemptionStatus.CANCELLED,
        settlementDue: true,
        compensationPoints,
        cancelReason: args.reason,
        updatedAt: now,
      },
    );
    if (!result.affected) throw new ConflictError('The redemption changed meanwhile; try again');
    if (restocks(row.status as RedemptionStatus)) await this.restock(manager, row);
    await this.record(
      manager,
      publish,
      row,
      row.status as RedemptionStatus,
      RedemptionStatus.CANCELLED,
      args.actor,
      args.reason,
      now,
    );
    return manager.findOneByOrFail(RedemptionRow, { id: row.id });
  }

  // ---- settling cancelled redemptions with the ledger -------------------------------------

  /**
   * Gives back whatever the ledger still holds or took for a cancelled redemption, and credits the
   * compensation. Every call is keyed, so running it twice (or concurrently with the saga) is safe.
   */
  async settle(row: RedemptionRow): Promise<void> {
    if (!row.settlementDue) return;
    let holdId = row.holdId;
    let captured = row.captured;
    if (!holdId) {
      // The saga may have placed a hold before it was recorded: the same key finds it.
      try {
        const hold = await this.ledger.hold(this.holdRequest(row));
        holdId = hold.status === 'RELEASED' || hold.status === 'EXPIRED' ? null : hold.id;
        captured = hold.status === 'CAPTURED';
      } catch (error) {
        if (!isDefinite(error)) throw error;
        holdId = null; // refused: nothing was ever held
      }
    }
    const reason = `Redemption cancelled: ${row.cancelReason ?? 'cancelled'}`;
    if (holdId && !captured) {
      try {
        await this.ledger.release(holdId, this.ledgerKey(row, 'release'), reason);
      } catch (error) {
        if (!isDefinite(error)) throw error;
        captured = true; // CONFLICT: the saga captured it meanwhile
      }
    }
    if (holdId && captured) {
      try {
        await this.ledger.restore(holdId, this.ledgerKey(row, 'restore'), reason);
      } catch (error) {
        if (!isDefinite(error)) throw error;
        this.logger.warn({ redemptionId: row.id, err: error }, 'nothing to restore: the hold lapsed');
      }
    }
    if (row.compensationPoints > 0) {
      await this.ledger.compensate({
        memberId: row.memberId,
        kind: row.pointKind as PointKind,
        points: row.compensationPoints,
        idempotencyKey: this.ledgerKey(row, 'compensate'),
        reason: `Compensation: ${row.cancelReason ?? 'redemption cancelled'}`,
        merchantId: row.merchantId,
        sourceId: row.id,
      });
    }
    await this.transactor.run(({ manager }) =>
      manager.update(RedemptionRow, { id: row.id }, { settlementDue: false, updatedAt: new Date() }),
    );
  }

  /** Settles now if the ledger answers; otherwise the sweeper finishes it later. */
  private async settleQuietly(row: RedemptionRow): Promise<void> {
    try {
      await this.settle(row);
    } catch (error) {
      this.logger.warn(
        { redemptionId: row.id, err: error },
        'settling a cancelled redemption deferred to recovery',
      );
    }
  }

  // ---- recovery ---------------------------------------------------------------------------

  /** Redemptions untouched since `before` that are PENDING or cancelled but not yet settled. */
  async stuck(before: Date, limit = 100): Promise<RedemptionRow[]> {
    return this.transactor.read((m) =>
      m
        .createQueryBuilder(RedemptionRow, 'x')
        .where('x.updatedAt <= :before', { before })
        .andWhere('(x.status = :pending OR (x.status = :cancelled AND x.settlementDue = :due))', {
          pending: RedemptionStatus.PENDING,
          cancelled: RedemptionStatus.CANCELLED,
          due: true,
        })
        .orderBy('x.updatedAt', 'ASC')
        .take(limit)
        .getMany(),
    );
  }

  /** Resumes or settles one stuck redemption. */
  async recover(row: RedemptionRow): Promise<void> {
    const fresh = await this.require(row.id);
    if (fresh.status !== RedemptionStatus.PENDING) return this.settle(fresh);
    try {
      await this.advance(fresh, RECOVERY);
    } catch (error) {
      if (!isDefinite(error)) throw error; // a definite refusal has cancelled it: recovered
    }
  }

  // ---- reads ------------------------------------------------------------------------------

  private byRequest(requestedBy: string, idempotencyKey: string): Promise<RedemptionRow | null> {
    return this.transactor.read((m) => m.findOneBy(RedemptionRow, { requestedBy, idempotencyKey }));
  }

  async byIds(ids: readonly string[]): Promise<(RedemptionRow | null)[]> {
    const rows = await this.transactor.read((m) => m.findBy(RedemptionRow, { id: In([...ids]) }));
    return alignToKeys(ids, rows, (r) => r.id);
  }

  async require(id: string): Promise<RedemptionRow> {
    const row = await this.transactor.read((m) => m.findOneBy(RedemptionRow, { id }));
    if (!row) throw new NotFoundError('Redemption', id);
    return row;
  }

  /** Object-level access: the member, the reward's merchant, the operator. */
  assertCanRead(principal: Principal | null, row: Pick<RedemptionRow, 'memberId' | 'merchantId'>): Principal {
    const p = requireRole(principal, 'member', 'partner', 'admin', 'service');
    if (p.role === 'member' && p.sub !== row.memberId)
      throw new ForbiddenError('A member sees only their own redemptions');
    if (p.role === 'partner' && p.merchantId !== row.merchantId)
      throw new ForbiddenError("A partner sees only its own merchant's redemptions");
    return p;
  }

  async requireVisible(id: string, principal: Principal | null): Promise<RedemptionRow> {
    const row = await this.require(id);
    this.assertCanRead(principal, row);
    return row;
  }

  /** A merchant's redemptions (all merchants' for `merchantId` null), newest first. */
  async listForMerchant(
    merchantId: string | null,
    status: RedemptionStatus | null,
    first: number,
    after: { t: number; id: string } | null,
  ): Promise<RedemptionRow[]> {
    return this.transactor.read((m) => {
      const qb = m
        .createQueryBuilder(RedemptionRow, 'x')
        .orderBy('x.createdAt', 'DESC')
        .addOrderBy('x.id', 'DESC')
        .take(first + 1);
      if (merchantId) qb.andWhere('x.merchantId = :merchantId', { merchantId });
      if (status) qb.andWhere('x.status = :status', { status });
      if (after) {
        const t = new Date(after.t);
        qb.andWhere('(x.createdAt < :t OR (x.createdAt = :t AND x.id < :id))', { t, id: after.id });
      }
      return qb.getMany();
    });
  }

  async listForMember(
    memberId: string,
    first: number,
    after: { t: number; id: string } | null,
  ): Promise<RedemptionRow[]> {
    return this.transactor.read((m) => {
      const qb = m
        .createQueryBuilder(RedemptionRow, 'x')
        .where('x.memberId = :memberId', { memberId })
        .orderBy('x.createdAt', 'DESC')
        .addOrderBy('x.id', 'DESC')
        .take(first + 1);
      if (after) {
        const t = new Date(after.t);
        qb.andWhere('(x.createdAt < :t OR (x.createdAt = :t AND x.id < :id))', { t, id: after.id });
      }
      return qb.getMany();
    });
  }

  async transitions(ids: readonly string[]): Promise<RedemptionTransitionRow[][]> {
    const rows = await this.transactor.read((m) =>
      m.find(RedemptionTransitionRow, { where: { redemptionId: In([...ids]) }, order: { at: 'ASC' } }),
    );
    return ids.map((id) => rows.filter((r) => r.redemptionId === id));
  }

  /** Units a member has redeemed (not cancelled), per (reward, member) pair. */
  async usedUnits(pairs: readonly { rewardId: string; memberId: string }[]): Promise<number[]> {
    const rows = await this.transactor.read((m) =>
      m
        .createQueryBuilder(RedemptionRow, 'x')
        .select('x.rewardId', 'rewardId')
        .addSelect('x.memberId', 'memberId')
        .addSelect('SUM(x.quantity)', 'used')
        .where('x.rewardId IN (:...rewardIds) AND x.memberId IN (:...memberIds) AND x.status <> :cancelled', {
          rewardIds: [...new Set(pairs.map((p) => p.rewardId))],
          memberIds: [...new Set(pairs.map((p) => p.memberId))],
          cancelled: RedemptionStatus.CANCELLED,
        })
        .groupBy('x.rewardId')
        .addGroupBy('x.memberId')
        .getRawMany<{ rewardId: string; memberId: string; used: string | number }>(),
    );
    const used = new Map(rows.map((r) => [`${r.rewardId}/${r.memberId}`, Number(r.used)]));
    return pairs.map((p) => used.get(`${p.rewardId}/${p.memberId}`) ?? 0);
  }

  // ---- helpers ----------------------------------------------------------------------------

  private holdRequest(row: RedemptionRow) {
    return {
      memberId: row.memberId,
      kind: row.pointKind as PointKind,
      points: row.points,
      idempotencyKey: this.ledgerKey(row, 'hold'),
      reason: `Redeeming ${row.quantity} × ${row.rewardName}`,
      ttlSeconds: this.config.holdTtlSeconds,
      merchantId: row.merchantId,
    };
  }

  private ledgerKey(
    row: RedemptionRow,
    step: 'hold' | 'capture' | 'release' | 'restore' | 'compensate',
  ): string {
    return `catalog:redemption:${row.id}:${step}`;
  }

  private async restock(manager: EntityManager, row: RedemptionRow): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(RewardRow)
      .set({ stock: () => 'stock + :q', updatedAt: new Date() })
      .where('id = :id AND stock IS NOT NULL', { id: row.rewardId, q: row.quantity })
      .execute();
  }

  /** A transition row and its `redemption.status_changed` event, in the caller's transaction. */
  private async record(
    manager: EntityManager,
    publish: UnitOfWork['publish'],
    row: RedemptionRow,
    from: RedemptionStatus | null,
    to: RedemptionStatus,
    actor: string,
    reason: string,
    at: Date,
  ): Promise<void> {
    await manager.insert(RedemptionTransitionRow, {
      id: randomUUID(),
      redemptionId: row.id,
      fromStatus: from,
      toStatus: to,
      actor,
      reason: reason.slice(0, 500),
      at,
    });
    await publish({
      topic: Topics.redemptionStatusChanged,
      key: row.memberId,
      payload: {
        redemptionId: row.id,
        memberId: row.memberId,
        rewardId: row.rewardId,
        merchantId: row.merchantId,
        from,
        to,
        reason,
        at: at.toISOString(),
      },
    });
  }
}
