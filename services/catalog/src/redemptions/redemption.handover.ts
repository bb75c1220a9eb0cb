import { BadInputError, ConflictError, forUpdate, type Principal, type Transactor } from '@loyalty/platform';
import { actorOf, assertCanReadRedemption, requireFulfiller } from '../policy';
import { RedemptionRow } from './redemption.entity';
import type { RedemptionQueries } from './redemption.queries';
import { reasonText } from './redemption.rules';
import { CashState, RedemptionStatus } from './redemption.state';
import { moveRedemption } from './redemption.transitions';

/**
 * After the saga: the reward's merchant (or the operator) takes the cash part and hands the reward
 * over. Neither touches the ledger.
 */
export class RedemptionHandover {
  constructor(
    private readonly transactor: Transactor,
    private readonly queries: RedemptionQueries,
  ) {}

  /**
   * The cash part was received (L10: an amount on the redemption, never points): OWED → PAID, by
   * the reward's merchant or the operator, while the redemption stands. Recording it again answers
   * the redemption as it is.
   */
  async recordCashPaid(id: string, principal: Principal | null): Promise<RedemptionRow> {
    const p = requireFulfiller(principal);
    assertCanReadRedemption(p, await this.queries.require(id));
    return this.transactor.run(async ({ manager }) => {
      const row = await forUpdate(
        manager.createQueryBuilder(RedemptionRow, 'x').where('x.id = :id', { id }),
      ).getOneOrFail();
      if (row.cashState === CashState.PAID) return row;
      if (row.cashState === CashState.NONE) throw new BadInputError('This redemption has no cash part', 'id');
      if (row.cashState !== CashState.OWED || row.status === RedemptionStatus.CANCELLED)
        throw new ConflictError(`The cash part of a ${row.status} redemption cannot be paid`);
      await manager.update(
        RedemptionRow,
        { id, cashState: CashState.OWED },
        { cashState: CashState.PAID, cashPaid: row.cashAmount, updatedAt: new Date() },
      );
      return manager.findOneByOrFail(RedemptionRow, { id });
    });
  }

  /** The last step: the reward's merchant or the operator hands a CONFIRMED redemption over. */
  async fulfill(
    id: string,
    note: string | null | undefined,
    principal: Principal | null,
  ): Promise<RedemptionRow> {
    const p = requireFulfiller(principal);
    const row = await this.queries.require(id);
    assertCanReadRedemption(p, row);
    if (row.status !== RedemptionStatus.CONFIRMED)
      throw new ConflictError(`A ${row.status} redemption cannot be fulfilled`);
    return this.transactor.run(async (uow) => {
      const reason = note?.trim() ? reasonText(note) : 'Handed over';
      const moved = await moveRedemption(uow, row, RedemptionStatus.FULFILLED, {
        actor: actorOf(p),
        reason,
        at: new Date(),
      });
      if (!moved) throw new ConflictError('The redemption changed meanwhile; try again');
      return uow.manager.findOneByOrFail(RedemptionRow, { id });
    });
  }
}
