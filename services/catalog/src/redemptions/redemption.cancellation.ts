import {
  ConflictError,
  forUpdate,
  NotFoundError,
  type Principal,
  type Transactor,
  type UnitOfWork,
} from '@loyalty/platform';
import {
  actorOf,
  assertCanManageReward,
  assertCanReadRedemption,
  cancellerOf,
  requireCanceller,
} from '../policy';
import { RewardRow } from '../rewards/reward.entity';
import type { RewardQueries } from '../rewards/reward.queries';
import { RedemptionRow } from './redemption.entity';
import type { RedemptionQueries } from './redemption.queries';
import { reasonText } from './redemption.rules';
import type { RedemptionSettlement } from './redemption.settlement';
import {
  compensationFor,
  cashOnCancel,
  mayCancel,
  RedemptionStatus,
  restocks,
  type CompensationPolicy,
} from './redemption.state';
import { moveRedemption, restock } from './redemption.transitions';

/** How many cancelled redemptions a delisting settles before answering. */
const INLINE_SETTLEMENTS = 25;
const OPEN = [RedemptionStatus.PENDING, RedemptionStatus.CONFIRMED];

/**
 * Cancelling redemptions (C6): by the member before fulfilment, by the merchant or the operator
 * with compensation, and all open ones of a reward when it is delisted. The cancellation is one
 * transaction; giving the points back is the settlement's, now or by the sweeper after an outage.
 */
export class RedemptionCancellation {
  constructor(
    private readonly transactor: Transactor,
    private readonly queries: RedemptionQueries,
    private readonly rewards: RewardQueries,
    private readonly settlement: RedemptionSettlement,
    private readonly compensation: CompensationPolicy,
  ) {}

  async cancel(
    id: string,
    reason: string,
    principal: Principal | null,
    compensate?: boolean | null,
  ): Promise<RedemptionRow> {
    const p = requireCanceller(principal);
    const why = reasonText(reason);
    assertCanReadRedemption(p, await this.queries.require(id));
    const by = cancellerOf(p, compensate);
    const cancelled = await this.transactor.run(async (uow) => {
      // Decide on the current row, locked (MySQL): the saga may have moved it since it was read.
      const current = await this.locked(uow, id);
      if (current.status === RedemptionStatus.CANCELLED) return current;
      if (!mayCancel(current.status as RedemptionStatus, by)) {
        throw new ConflictError(
          current.status === RedemptionStatus.PENDING
            ? 'This redemption is still being processed; try again shortly'
            : `A ${current.status} redemption can no longer be cancelled by the member`,
        );
      }
      return this.cancelInTx(uow, current, {
        reason: why,
        actor: actorOf(p),
        compensate: compensate ?? by !== 'member',
      });
    });
    await this.settlement.settleQuietly(cancelled);
    return this.queries.require(id);
  }

  /**
   * Withdraws a reward (C6): in one transaction it goes inactive and every open redemption is
   * cancelled with compensation owed; then the points go back and the compensation is credited
   * (the sweeper finishes whatever an outage interrupts).
   */
  async delist(rewardId: string, reason: string, principal: Principal | null): Promise<RewardRow> {
    const reward = await this.rewards.require(rewardId);
    const p = assertCanManageReward(principal, reward);
    const why = reasonText(reason);
    const cancelled = await this.transactor.run(async (uow) => {
      const now = new Date();
      await uow.manager.update(
        RewardRow,
        { id: rewardId },
        { active: false, delistReason: why, updatedAt: now },
      );
      // Locked (MySQL) so a saga confirming one of them waits, then finds it cancelled.
      const open = await forUpdate(
        uow.manager
          .createQueryBuilder(RedemptionRow, 'x')
          .where('x.rewardId = :rewardId AND x.status IN (:...open)', { rewardId, open: OPEN }),
      ).getMany();
      const rows: RedemptionRow[] = [];
      for (const row of open) {
        rows.push(
          await this.cancelInTx(uow, row, {
            reason: `Reward delisted: ${why}`,
            actor: actorOf(p),
            compensate: true,
          }),
        );
      }
      return rows;
    });
    // The first ones now; a large backlog is left to the recovery sweeper rather than the request.
    for (const row of cancelled.slice(0, INLINE_SETTLEMENTS)) await this.settlement.settleQuietly(row);
    return this.rewards.require(rewardId);
  }

  private async locked({ manager }: UnitOfWork, id: string): Promise<RedemptionRow> {
    const row = await forUpdate(
      manager.createQueryBuilder(RedemptionRow, 'x').where('x.id = :id', { id }),
    ).getOne();
    if (!row) throw new NotFoundError('Redemption', id);
    return row;
  }

  /** An open (or fulfilled) redemption becomes CANCELLED with its settlement due. */
  private async cancelInTx(
    uow: UnitOfWork,
    row: RedemptionRow,
    args: { reason: string; actor: string; compensate: boolean },
  ): Promise<RedemptionRow> {
    const compensationPoints = args.compensate ? compensationFor(row.points, this.compensation) : 0;
    const moved = await moveRedemption(
      uow,
      row,
      RedemptionStatus.CANCELLED,
      { actor: args.actor, reason: args.reason, at: new Date() },
      { settlementDue: true, compensationPoints, cancelReason: args.reason, ...cashOnCancel(row) },
    );
    if (!moved) throw new ConflictError('The redemption changed meanwhile; try again');
    if (restocks(row.status as RedemptionStatus)) await restock(uow.manager, row);
    return uow.manager.findOneByOrFail(RedemptionRow, { id: row.id });
  }
}
