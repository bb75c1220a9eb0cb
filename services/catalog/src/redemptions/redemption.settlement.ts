import { Topics, type PointKind, type ServiceRuntime, type Transactor } from '@loyalty/platform';
import { isDefinite, type LedgerClient } from '../peers/ledger.client';
import { RedemptionRow } from './redemption.entity';
import type { RedemptionQueries } from './redemption.queries';
import { holdRequest, ledgerKey } from './redemption.rules';

/**
 * Settles cancelled redemptions with the ledger (C6): whatever it still holds is released, what it
 * took is restored, and the compensation owed is credited. Every call is keyed by the redemption,
 * so settling twice (or concurrently with the saga) has one effect.
 */
export class RedemptionSettlement {
  constructor(
    private readonly transactor: Transactor,
    private readonly ledger: LedgerClient,
    private readonly queries: RedemptionQueries,
    private readonly holdTtlSeconds: number,
    private readonly logger: ServiceRuntime['logger'],
  ) {}

  /** Gives back what the ledger holds or took for a cancelled redemption, and credits compensation. */
  async settle(row: RedemptionRow): Promise<void> {
    if (!row.settlementDue) return;
    let holdId = row.holdId;
    let captured = row.captured;
    if (!holdId) {
      // The saga may have placed a hold before it was recorded: the same key finds it.
      try {
        const hold = await this.ledger.hold(holdRequest(row, this.holdTtlSeconds));
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
        await this.ledger.release(holdId, ledgerKey(row, 'release'), reason);
      } catch (error) {
        if (!isDefinite(error)) throw error;
        captured = true; // CONFLICT: the saga captured it meanwhile
      }
    }
    if (holdId && captured) {
      try {
        await this.ledger.restore(holdId, ledgerKey(row, 'restore'), reason);
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
        idempotencyKey: ledgerKey(row, 'compensate'),
        reason: `Compensation: ${row.cancelReason ?? 'redemption cancelled'}`,
        merchantId: row.merchantId,
        sourceId: row.id,
      });
    }
    await this.transactor.run(async ({ manager, publish }) => {
      const at = new Date();
      await manager.update(RedemptionRow, { id: row.id }, { settlementDue: false, updatedAt: at });
      if (row.compensationPoints <= 0) return;
      await publish({
        topic: Topics.redemptionCompensated,
        key: row.memberId,
        payload: {
          redemptionId: row.id,
          memberId: row.memberId,
          merchantId: row.merchantId,
          kind: row.pointKind,
          restoredPoints: row.points,
          points: row.compensationPoints,
          reason: row.cancelReason ?? '',
          at: at.toISOString(),
        },
      });
    });
  }

  /** Settles now if the ledger answers; otherwise the sweeper finishes it later. */
  async settleQuietly(row: RedemptionRow): Promise<void> {
    try {
      await this.settle(row);
    } catch (error) {
      this.logger.warn(
        { redemptionId: row.id, err: error },
        'settling a cancelled redemption deferred to recovery',
      );
    }
  }

  /**
   * The saga holds or captured points for a redemption that was cancelled while it ran: mark it
   * unsettled again with what is known, and settle (release or restore; keyed, so a settling that
   * already ran is not repeated).
   */
  async giveBack(id: string, holdId: string, captured: boolean): Promise<RedemptionRow> {
    const row = await this.transactor.run(async ({ manager }) => {
      await manager.update(
        RedemptionRow,
        { id },
        { holdId, settlementDue: true, updatedAt: new Date(), ...(captured ? { captured } : {}) },
      );
      return manager.findOneByOrFail(RedemptionRow, { id });
    });
    await this.settleQuietly(row);
    return this.queries.require(id);
  }
}
